"""Disposition events (DS) and the informed-consent date (DM.RFICDTC, else the DS consent milestone)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..columns import coded, col, dates, norm_uniques
from ..memo import memo
from ..submission import Submission
from ..text import norm_value, per_distinct

DISPOSITION_COLUMNS = ["USUBJID", "DECOD", "TERM", "CATEGORY", "COMPLETED", "DEATH", "SCREEN_FAIL", "HAS_REASON",
                       "DATE_LO", "DSSTDTC"]
# disposition decodes that name no reason by themselves
NO_REASON = {"OTHER", "DISCONTINUED", "WITHDRAWN", "DISCONTINUATION", "NOT COMPLETED", "SCREEN FAILURE", "其他",
             "退出", "中止"}


def _category_per_record(sub: Submission, domain: str, var: str, vocab) -> np.ndarray:
    c = coded(sub, domain, var)
    return c.take(vocab.classify(c.uniques), None)


@memo
def disposition_events(sub: Submission) -> pd.DataFrame:
    """DS records that are disposition events (not protocol milestones nor other events), with the decode
    (DSDECOD, else DSTERM, normalised), the verbatim term, the vocabulary category (completed / death /
    screen_failure / lost_to_follow_up / ongoing / None), flags, and the date."""
    ds = sub.domain("DS")
    if ds is None or "USUBJID" not in ds.columns:
        return pd.DataFrame(columns=DISPOSITION_COLUMNS)
    v = sub.vocab
    cat = _category_per_record(sub, "DS", "DSCAT", v.ds_category)
    dec = coded(sub, "DS", "DSDECOD").take(norm_uniques(sub, "DS", "DSDECOD"), None)
    term = coded(sub, "DS", "DSTERM").take(norm_uniques(sub, "DS", "DSTERM"), None)
    decod = np.where(pd.isna(dec), term, dec).astype(object)
    milestone = per_distinct(decod, lambda x: v.milestone.category(x) is not None, False).astype(bool)
    has_cat = ~pd.isna(cat)
    keep = np.where(has_cat, cat == "disposition_event", ~milestone) & ~pd.isna(decod)
    category = per_distinct(decod, v.disposition.category)
    dd = dates(sub, "DS", "DSSTDTC")
    out = pd.DataFrame({"USUBJID": ds["USUBJID"].to_numpy(dtype=object), "DECOD": decod,
                        "TERM": col(ds, "DSTERM").to_numpy(dtype=object), "CATEGORY": category,
                        "DATE_LO": dd.lo, "DSSTDTC": col(ds, "DSSTDTC").to_numpy(dtype=object)})[keep]
    out["COMPLETED"] = out["CATEGORY"] == "completed"
    out["DEATH"] = out["CATEGORY"] == "death"
    out["SCREEN_FAIL"] = out["CATEGORY"] == "screen_failure"
    t = pd.Series(per_distinct(out["TERM"], norm_value), index=out.index)
    # a reason: completion, a specific decode, or a verbatim term that says more than a generic word
    out["HAS_REASON"] = out["COMPLETED"] | (out["DECOD"].notna() & ~out["DECOD"].isin(NO_REASON)) | \
        (t.notna() & ~t.isin(NO_REASON))
    out = out[out["USUBJID"].notna()]
    return out[DISPOSITION_COLUMNS].reset_index(drop=True)


CONSENT_COLUMNS = ["LO", "HI", "TEXT", "SOURCE", "STATUS"]


@memo
def consent(sub: Submission) -> pd.DataFrame:
    """Per DM subject: informed-consent date (DM.RFICDTC, else the earliest DS consent milestone):
    LO, HI (day numbers), TEXT, SOURCE ('DM.RFICDTC' | 'DS.DSSTDTC'), STATUS (missing/malformed/full/partial)."""
    dm = sub.domain("DM")
    if dm is None or "USUBJID" not in dm.columns:
        return pd.DataFrame(columns=CONSENT_COLUMNS)
    d = dates(sub, "DM", "RFICDTC")
    frame = pd.DataFrame({"USUBJID": dm["USUBJID"].to_numpy(), "LO": d.lo, "HI": d.hi,
                          "TEXT": col(dm, "RFICDTC").to_numpy(), "SOURCE": "DM.RFICDTC", "STATUS": d.status})
    frame = frame[frame["USUBJID"].notna()].drop_duplicates("USUBJID").set_index("USUBJID")
    ds = sub.domain("DS")
    if ds is not None and "USUBJID" in ds.columns:
        v = sub.vocab.milestone
        dec = _category_per_record(sub, "DS", "DSDECOD", v)
        term = _category_per_record(sub, "DS", "DSTERM", v)
        blank_dec = ~coded(sub, "DS", "DSDECOD").present
        is_ic = (dec == "informed_consent") | (blank_dec & (term == "informed_consent"))
        if is_ic.any():
            dd = dates(sub, "DS", "DSSTDTC")
            ic = pd.DataFrame({"USUBJID": ds["USUBJID"].to_numpy(), "LO": dd.lo, "HI": dd.hi,
                               "TEXT": col(ds, "DSSTDTC").to_numpy(), "STATUS": dd.status})[is_ic]
            ic = ic[ic["LO"].notna()].sort_values("LO").drop_duplicates("USUBJID").set_index("USUBJID")
            fill = frame.index[(frame["STATUS"] == "missing").to_numpy()].intersection(ic.index)
            if len(fill):
                frame.loc[fill, ["LO", "HI", "TEXT", "STATUS"]] = ic.loc[fill, ["LO", "HI", "TEXT", "STATUS"]].values
                frame.loc[fill, "SOURCE"] = "DS.DSSTDTC"
    frame = frame[CONSENT_COLUMNS]
    return frame.set_axis(frame.index.astype(object))
