"""The sponsor's analysis datasets of a sample (ADaM: ADSL, ADAE, ADLBHY) derived from its SDTM the way a sponsor's
programs would, with their reviewer guides and programs: the CDE data package parts of a bundled sample.

The derivations are written here independently of :mod:`workbench.study` (the sponsor's side), so the
reconciliation compares two computations. Dates are numeric SAS dates (days since 1960-01-01) with DATE9.
formats, as in a transport file written by SAS.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .spec import day

SAS_OFFSET = 3653   # days from 1960-01-01 to 1970-01-01
DATE_VARS = ("TRTSDT", "TRTEDT", "EOSDT", "ASTDT", "ADT")
ADAM_FORMATS = {"ADSL": {"TRTSDT": "DATE9.", "TRTEDT": "DATE9.", "EOSDT": "DATE9."},
                "ADAE": {"ASTDT": "DATE9.", "TRTSDT": "DATE9.", "TRTEDT": "DATE9."},
                "ADLBHY": {"ADT": "DATE9."}}
HEPATIC = (("ALT", "Alanine Aminotransferase (U/L)", 3.0), ("AST", "Aspartate Aminotransferase (U/L)", 3.0),
           ("BILI", "Bilirubin (umol/L)", 2.0))


def _sas(days) -> np.ndarray:
    return np.asarray(days, dtype=float) + SAS_OFFSET


def _days(values: pd.Series) -> np.ndarray:
    """Full ISO dates -> day numbers (NaN when blank or partial)."""
    return np.asarray([float(day(v)) if isinstance(v, str) and len(v) >= 10 else np.nan for v in values], dtype=float)


def adsl(dm: pd.DataFrame, ex: pd.DataFrame, ds: pd.DataFrame) -> pd.DataFrame:
    """One record per DM subject: treatment (planned, actual), SAFFL, TRTSDT/TRTEDT, EOSSTT/EOSDT, DTHFL."""
    ex = ex.assign(_S=_days(ex["EXSTDTC"]), _E=_days(ex["EXENDTC"]))
    ex["_E"] = ex["_E"].where(ex["_E"].notna(), ex["_S"])
    given = ex[pd.to_numeric(ex["EXDOSE"], errors="coerce").fillna(0) > 0]
    first = given.groupby("USUBJID")["_S"].min()
    last = given.groupby("USUBJID")["_E"].max()
    events = ds[ds["DSCAT"] == "DISPOSITION EVENT"].assign(_D=lambda f: _days(f["DSSTDTC"]))
    events = events.sort_values("_D").drop_duplicates("USUBJID", keep="last").set_index("USUBJID")
    u = dm["USUBJID"]
    decod = u.map(events["DSDECOD"])
    screen_fail = dm["ACTARMCD"].eq("SCRNFAIL").to_numpy()
    eos = np.where(screen_fail, None, np.where(decod.isna(), "ONGOING",
                                               np.where(decod.eq("COMPLETED"), "COMPLETED", "DISCONTINUED")))
    out = pd.DataFrame({
        "STUDYID": dm["STUDYID"], "USUBJID": u, "SUBJID": dm["SUBJID"], "SITEID": dm["SITEID"],
        "AGE": dm["AGE"], "AGEU": dm["AGEU"], "SEX": dm["SEX"], "ARMCD": dm["ARMCD"], "ARM": dm["ARM"],
        "ACTARMCD": dm["ACTARMCD"], "ACTARM": dm["ACTARM"], "TRT01P": dm["ARM"], "TRT01A": dm["ACTARM"],
        "SAFFL": np.where(u.isin(first.index), "Y", "N"),
        "TRTSDT": _sas(u.map(first).to_numpy(dtype=float)), "TRTEDT": _sas(u.map(last).to_numpy(dtype=float)),
        "EOSSTT": eos, "EOSDT": _sas(np.where(screen_fail, np.nan, u.map(events["_D"]).to_numpy(dtype=float))),
        "DTHFL": dm["DTHFL"]})
    return out.reset_index(drop=True)


def adae(ae: pd.DataFrame, adsl_frame: pd.DataFrame) -> pd.DataFrame:
    """AE records with ASTDT and TRTEMFL (onset on or after the first dose; no end window)."""
    trt = adsl_frame.set_index("USUBJID")
    start = _days(ae["AESTDTC"])
    trtsdt = ae["USUBJID"].map(trt["TRTSDT"]).to_numpy(dtype=float) - SAS_OFFSET
    emergent = ~np.isnan(trtsdt) & (start >= trtsdt)
    out = ae[["STUDYID", "USUBJID", "AESEQ", "AETERM", "AEDECOD", "AEBODSYS", "AESEV", "AETOXGR", "AESER", "AEREL",
              "AESTDTC", "AEENDTC"]].copy()
    out["ASTDT"] = _sas(start)
    out["TRTSDT"] = ae["USUBJID"].map(trt["TRTSDT"]).to_numpy(dtype=float)
    out["TRTEDT"] = ae["USUBJID"].map(trt["TRTEDT"]).to_numpy(dtype=float)
    out["TRTEMFL"] = np.where(emergent, "Y", None)
    return out.reset_index(drop=True)


def adlbhy(lb: pd.DataFrame, adsl_frame: pd.DataFrame) -> pd.DataFrame:
    """Post-baseline ALT, AST, total bilirubin per record with its ×ULN criterion flag, and one HYSLAW record per
    dosed subject (Y when a transaminase above 3×ULN and a bilirubin above 2×ULN occur after the first dose)."""
    trt = adsl_frame[adsl_frame["SAFFL"] == "Y"].set_index("USUBJID")
    rows, crit = [], {}
    number = lambda c: pd.to_numeric(lb[c], errors="coerce") if c in lb.columns else np.nan  # noqa: E731
    lb = lb.assign(DAYN=_days(lb["LBDTC"]), VALN=number("LBSTRESN"), ULN=number("LBSTNRHI"))
    for code, param, times in HEPATIC:
        part = lb[(lb["LBTESTCD"] == code) & lb["USUBJID"].isin(trt.index)]
        post = part["DAYN"].to_numpy() > part["USUBJID"].map(trt["TRTSDT"]).to_numpy(dtype=float) - SAS_OFFSET
        part = part[post]
        flag = (part["VALN"] > times * part["ULN"]).to_numpy()
        for r, f in zip(part.itertuples(), flag):
            rows.append({"STUDYID": r.STUDYID, "USUBJID": r.USUBJID, "ADT": _sas([r.DAYN])[0], "PARAMCD": code,
                         "PARAM": param, "AVAL": r.VALN, "AVALC": None, "ANRHI": r.ULN,
                         "CRIT1": f"{code} >{int(times)}xULN", "CRIT1FL": "Y" if f else "N",
                         "LBSEQ": getattr(r, "LBSEQ", np.nan)})
            crit.setdefault(r.USUBJID, set()).update({code} if f else set())
    for u in trt.index:
        hit = crit.get(u, set())
        hy = bool(hit & {"ALT", "AST"}) and "BILI" in hit
        rows.append({"STUDYID": trt.at[u, "STUDYID"], "USUBJID": u, "ADT": np.nan, "PARAMCD": "HYSLAW",
                     "PARAM": "ALT/AST >3xULN and BILI >2xULN", "AVAL": np.nan, "AVALC": "Y" if hy else "N",
                     "ANRHI": np.nan, "CRIT1": None, "CRIT1FL": None, "LBSEQ": np.nan})
    return pd.DataFrame(rows)


def adam_datasets(domains: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """ADSL, ADAE and ADLBHY of a sample from its SDTM domains."""
    s = adsl(domains["DM"], domains["EX"], domains["DS"])
    return {"ADSL": s, "ADAE": adae(domains["AE"], s), "ADLBHY": adlbhy(domains["LB"], s)}


# -- the other parts of the package: reviewer guides (tiny PDFs) and the programs ------------------------------

def _pdf(title: str, lines: list[str]) -> bytes:
    """A one-page PDF 1.4 with a few lines of Helvetica text (ASCII), byte-for-byte reproducible."""
    text = ["BT /F1 14 Tf 56 780 Td", f"({_esc(title)}) Tj", "/F1 10 Tf"]
    for line in lines:
        text += ["0 -16 Td", f"({_esc(line)}) Tj"]
    stream = "\n".join(text + ["ET"]).encode("ascii")
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _esc(s: str) -> str:
    return s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


PROGRAMS = {
    "adsl.sas": """/* ADSL: one record per DM subject. Not executed by the workbench (listed and hashed only). */
data adsl;
  merge sdtm.dm(in=a) first_dose last_dose disposition;
  by usubjid;
  trt01p = arm; trt01a = actarm;
  saffl = ifc(not missing(trtsdt), 'Y', 'N');      /* a dose > 0 in EX */
  if actarmcd ne 'SCRNFAIL' then eosstt = coalescec(eos_from_ds, 'ONGOING');
  format trtsdt trtedt eosdt date9.;
run;
""",
    "adae.sas": """/* ADAE: AE with ASTDT and TRTEMFL (onset on or after TRTSDT, no end window). */
data adae;
  merge sdtm.ae(in=a) adam.adsl(keep=usubjid trtsdt trtedt);
  by usubjid;
  if a;
  astdt = input(aestdtc, yymmdd10.);
  if not missing(trtsdt) and astdt >= trtsdt then trtemfl = 'Y';
  format astdt trtsdt trtedt date9.;
run;
""",
    "adlbhy.sas": """/* ADLBHY: post-baseline ALT, AST (>3xULN) and total bilirubin (>2xULN); HYSLAW per subject. */
data adlbhy;
  set sdtm.lb(where=(lbtestcd in ('ALT' 'AST' 'BILI')));
  /* ... criterion flags CRIT1FL and one PARAMCD='HYSLAW' record per subject ... */
run;
""",
}


def package_files(studyid: str) -> dict[str, bytes]:
    """The reviewer guides and programs of a sample's data package (relative path -> bytes)."""
    sdrg = _pdf(f"{studyid} Study Data Reviewer's Guide (cSDRG)", [
        "Synthetic sample written by workbench.sample; no real person, study or product.",
        f"Study: {studyid}. SDTM datasets in tabulations/, SAS transport version 5.",
        "Trial design, subject-level SUPPAE (AEDLT) described in define.xml."])
    adrg = _pdf(f"{studyid} Analysis Data Reviewer's Guide (ADRG)", [
        "ADSL, ADAE, ADLBHY derived from the SDTM by the programs in analysis/adam/programs/.",
        "SAFFL: a dose in EX. TRTEMFL: onset on or after TRTSDT (no end window).",
        "HYSLAW: ALT or AST > 3xULN and total bilirubin > 2xULN after the first dose."])
    out = {"tabulations/csdrg.pdf": sdrg, "analysis/adam/datasets/adrg.pdf": adrg}
    for name, text in PROGRAMS.items():
        out[f"analysis/adam/programs/{name}"] = text.encode("ascii")
    return out
