/* ADLBHY: post-baseline ALT, AST (>3xULN) and total bilirubin (>2xULN); HYSLAW per subject. */
data adlbhy;
  set sdtm.lb(where=(lbtestcd in ('ALT' 'AST' 'BILI')));
  /* ... criterion flags CRIT1FL and one PARAMCD='HYSLAW' record per subject ... */
run;
