/* ADAE: AE with ASTDT and TRTEMFL (onset on or after TRTSDT, no end window). */
data adae;
  merge sdtm.ae(in=a) adam.adsl(keep=usubjid trtsdt trtedt);
  by usubjid;
  if a;
  astdt = input(aestdtc, yymmdd10.);
  if not missing(trtsdt) and astdt >= trtsdt then trtemfl = 'Y';
  format astdt trtsdt trtedt date9.;
run;
