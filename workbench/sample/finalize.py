"""Finalise a simulated study into SDTM datasets: ISO 8601 dates, --SEQ, --DY, EPOCH, DM, DLT flags."""
from __future__ import annotations

import numpy as np
import pandas as pd

from .spec import StudySpec, iso
from .study import Study

# --------------------------------------------------------------------------- finalize

ORDER = {
    "DM": ["STUDYID", "DOMAIN", "USUBJID", "SUBJID", "RFSTDTC", "RFENDTC", "RFXSTDTC", "RFXENDTC", "RFICDTC",
           "RFPENDTC", "DTHDTC", "DTHFL", "SITEID", "AGE", "AGEU", "SEX", "RACE", "ETHNIC", "ARMCD", "ARM",
           "ACTARMCD", "ACTARM", "COUNTRY", "DMDTC"],
    "SV": ["STUDYID", "DOMAIN", "USUBJID", "VISITNUM", "VISIT", "EPOCH", "SVSTDTC", "SVENDTC", "SVSTDY"],
    "EX": ["STUDYID", "DOMAIN", "USUBJID", "EXSEQ", "EXTRT", "EXDOSE", "EXDOSU", "EXDOSFRM", "EXDOSFRQ", "EXROUTE",
           "EXLOT", "VISITNUM", "VISIT", "EPOCH", "EXSTDTC", "EXENDTC", "EXSTDY", "EXENDY"],
    "AE": ["STUDYID", "DOMAIN", "USUBJID", "AESEQ", "AETERM", "AEDECOD", "AEBODSYS", "AESEV", "AETOXGR", "AESER",
           "AEREL", "AEACN", "AEOUT", "AESDTH", "AESHOSP", "EPOCH", "AESTDTC", "AEENDTC", "AESTDY", "AEENDY"],
    "CM": ["STUDYID", "DOMAIN", "USUBJID", "CMSEQ", "CMTRT", "CMDECOD", "CMCLAS", "CMINDC", "CMDOSE", "CMDOSU",
           "CMDOSFRQ", "CMROUTE", "CMSTDTC", "CMENDTC", "CMENRTPT", "CMENTPT"],
    "MH": ["STUDYID", "DOMAIN", "USUBJID", "MHSEQ", "MHTERM", "MHDECOD", "MHBODSYS", "MHCAT", "MHSTDTC", "MHENRTPT",
           "MHENTPT"],
    "DS": ["STUDYID", "DOMAIN", "USUBJID", "DSSEQ", "DSTERM", "DSDECOD", "DSCAT", "EPOCH", "DSSTDTC", "DSSTDY"],
    "IE": ["STUDYID", "DOMAIN", "USUBJID", "IESEQ", "IETESTCD", "IETEST", "IECAT", "IEORRES", "IESTRESC", "VISITNUM",
           "VISIT", "EPOCH", "IEDTC"],
}
DY = {"SVSTDTC": "SVSTDY", "EXSTDTC": "EXSTDY", "EXENDTC": "EXENDY", "AESTDTC": "AESTDY", "AEENDTC": "AEENDY",
      "DSSTDTC": "DSSTDY"}


def _epoch_of(spec: StudySpec, s: pd.DataFrame, si: np.ndarray, date: np.ndarray) -> np.ndarray:
    dose0 = s["dose0"].to_numpy(dtype=float)
    dosed = s["dosed"].to_numpy()
    off = date - dose0[si]
    names = np.array(["SCREENING"] + [e for e, _ in spec.epochs], dtype=object)
    starts = np.array([d for _, d in spec.epochs], dtype=float)
    k = np.searchsorted(starts, np.nan_to_num(off, nan=-1e9), side="right")
    out = names[k]
    out[~dosed[si]] = "SCREENING"
    return out


def finalize(study: Study) -> dict[str, pd.DataFrame]:
    """SDTM datasets with ISO dates, --SEQ, --DY and EPOCH (plus SUPPAE when DLT flags go there)."""
    spec, s = study.spec, study.subj
    t = {k: v.copy() for k, v in study.tables.items()}
    valid = lambda si: (si >= 0) & (si < len(s))  # noqa: E731 - planted orphan records carry _si = -1
    # EPOCH for event-dated records
    for dom, col in (("AE", "AESTDTC"), ("DS", "DSSTDTC"), ("EX", "EXSTDTC")):
        df = t[dom]
        si = df["_si"].to_numpy(dtype=int)
        ep = np.full(len(df), "TREATMENT", dtype=object)
        ok = valid(si)
        ep[ok] = _epoch_of(spec, s, si[ok], df[col].to_numpy(dtype=float)[ok])
        df["EPOCH"] = ep
    if len(spec.dose_days) > 1 and len(t["AE"]):
        ae = t["AE"]
        last = t["EX"].groupby("_si")["EXSTDTC"].max()
        after = ae["AESTDTC"].to_numpy(dtype=float) > ae["_si"].map(last).to_numpy(dtype=float)
        ae.loc[after & (ae["AEACN"] == "DOSE NOT CHANGED").to_numpy(), "AEACN"] = "NOT APPLICABLE"
    dm = _dm(spec, s, t["EX"])
    out = {"DM": dm}
    rfst = s["rfst"].to_numpy(dtype=float)
    for dom, df in t.items():
        if dom.startswith("_") or df is None or not len(df.columns):
            continue
        df = df.copy()
        si = df["_si"].to_numpy(dtype=int)
        ok = valid(si)
        ref = np.full(len(df), np.nan)
        ref[ok] = rfst[si[ok]]
        date_cols = [c for c in df.columns if c.endswith("DTC") and not c.startswith("_")]
        sort_col = next((c for c in (f"{dom}STDTC", f"{dom}DTC", "SVSTDTC") if c in df.columns), None)
        keys = ["USUBJID"] + ([sort_col] if sort_col else []) + [c for c in ("VISITNUM", f"{dom}TESTCD", f"{dom}TERM",
                                                                               f"{dom}TRT", f"{dom}DECOD")
                                                                  if c in df.columns and c != sort_col]
        df = df.sort_values(keys, kind="stable", na_position="last").reset_index(drop=True)
        si = df["_si"].to_numpy(dtype=int)
        ok = valid(si)
        ref = np.full(len(df), np.nan)
        ref[ok] = rfst[si[ok]]
        for c in date_cols:
            v = df[c].to_numpy(dtype=float)
            dy_col = DY.get(c) or (f"{dom}DY" if c == f"{dom}DTC" and dom not in ("IE",) else None)
            if dy_col:
                diff = v - ref
                df[dy_col] = np.where(np.isnan(diff), np.nan, diff + (diff >= 0))
            txt = iso(v)
            p = f"_P_{c}"
            if p in df.columns:
                prec = df[p].to_numpy()
                ln = np.where(prec == "Y", 4, np.where(prec == "M", 7, 10))
                txt = np.array([x if x is None else x[:n] for x, n in zip(txt, ln)], dtype=object)
                if dy_col:
                    df.loc[prec != "D", dy_col] = np.nan
            df[c] = txt
        if dom not in ("SV",):
            df.insert(0, f"{dom}SEQ", df.groupby("USUBJID", sort=False).cumcount() + 1)
        df.insert(0, "DOMAIN", dom)
        df.insert(0, "STUDYID", spec.studyid)
        if dom == "AE" and "_dlt" in df.columns:
            study.tables["_AE_DLT"] = df[["USUBJID", "AESEQ", "_dlt"]].copy()
        order = ORDER.get(dom)
        cols = [c for c in df.columns if not c.startswith("_")]
        if order:
            cols = [c for c in order if c in cols] + [c for c in cols if c not in order]
        else:
            lead = ["STUDYID", "DOMAIN", "USUBJID", f"{dom}SEQ"]
            tail = [c for c in ("VISITNUM", "VISIT", "EPOCH", f"{dom}DTC", f"{dom}DY") if c in cols]
            cols = lead + [c for c in cols if c not in lead and c not in tail] + tail
        out[dom] = df[cols]
    study.domains = out
    return out


def _dm(spec: StudySpec, s: pd.DataFrame, ex: pd.DataFrame) -> pd.DataFrame:
    first = ex.groupby("_si")["EXSTDTC"].min().reindex(range(len(s))).to_numpy()
    last = ex.groupby("_si")["EXSTDTC"].max().reindex(range(len(s))).to_numpy()
    death = np.where(s["fate"].to_numpy() == "DEATH", s["fate_day"].to_numpy(dtype=float), np.nan)
    end = np.where(s["sf"].to_numpy(), s["fate_day"].to_numpy(dtype=float), s["end"].to_numpy(dtype=float))
    dm = pd.DataFrame({
        "STUDYID": spec.studyid, "DOMAIN": "DM", "USUBJID": s["USUBJID"].to_numpy(), "SUBJID": s["SUBJID"].to_numpy(),
        "RFSTDTC": iso(s["rfst"].to_numpy(dtype=float)), "RFENDTC": iso(last), "RFXSTDTC": iso(first),
        "RFXENDTC": iso(last), "RFICDTC": iso(s["consent"].to_numpy(dtype=float)), "RFPENDTC": iso(end),
        "DTHDTC": iso(death), "DTHFL": np.where(np.isnan(death), None, "Y").astype(object),
        "SITEID": s["SITEID"].to_numpy(), "AGE": s["AGE"].to_numpy(dtype="int64"), "AGEU": "YEARS",
        "SEX": s["SEX"].to_numpy(), "RACE": "ASIAN", "ETHNIC": "NOT HISPANIC OR LATINO",
        "ARMCD": s["ARMCD"].to_numpy(), "ARM": s["ARM"].to_numpy(), "ACTARMCD": s["ACTARMCD"].to_numpy(),
        "ACTARM": s["ACTARM"].to_numpy(), "COUNTRY": "CHN", "DMDTC": iso(s["consent"].to_numpy(dtype=float))})
    return dm.sort_values("USUBJID", kind="stable").reset_index(drop=True)


def supp_dlt(study: Study) -> pd.DataFrame:
    """SUPPAE rows (QNAM AEDLT) for the AEs flagged as dose-limiting."""
    f = study.tables["_AE_DLT"]
    f = f[f["_dlt"] == "Y"]
    return pd.DataFrame({"STUDYID": study.spec.studyid, "RDOMAIN": "AE", "USUBJID": f["USUBJID"].to_numpy(),
                         "IDVAR": "AESEQ", "IDVARVAL": f["AESEQ"].astype(int).astype(str).to_numpy(),
                         "QNAM": "AEDLT", "QLABEL": "Dose-Limiting Toxicity", "QVAL": "Y", "QORIG": "CRF",
                         "QEVAL": "INVESTIGATOR"})


def dlt_column(study: Study, window: int) -> np.ndarray:
    """AE.AEDLT as a column: 'Y' for flagged AEs, 'N' for other AEs within the DLT window, else missing."""
    f = study.tables["_AE_DLT"]
    ae = study.domains["AE"]
    flag = f["_dlt"].to_numpy() == "Y"
    dy = ae["AESTDY"].to_numpy(dtype=float)
    return np.where(flag, "Y", np.where((dy >= 1) & (dy <= window), "N", None)).astype(object)
