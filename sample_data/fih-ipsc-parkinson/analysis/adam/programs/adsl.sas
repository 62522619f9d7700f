/* ADSL: one record per DM subject. Not executed by the workbench (listed and hashed only). */
data adsl;
  merge sdtm.dm(in=a) first_dose last_dose disposition;
  by usubjid;
  trt01p = arm; trt01a = actarm;
  saffl = ifc(not missing(trtsdt), 'Y', 'N');      /* a dose > 0 in EX */
  if actarmcd ne 'SCRNFAIL' then eosstt = coalescec(eos_from_ds, 'ONGOING');
  format trtsdt trtedt eosdt date9.;
run;
