"""Listings (one row per record, cells as text): serious adverse events, deaths."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..columns import col
from ..dates import parse_dtc
from ..submission import Submission
from ..text import is_missing
from .format import text
from .labels import LISTING_FIELDS, missing_domain, new_table, nothing_found
from .table import Column, Row, Table

SAE_FIELDS = ("usubjid", "arm", "term", "soc", "onset_day", "grade", "causality", "outcome")
DEATH_FIELDS = ("usubjid", "arm", "source", "date", "death_day", "term", "soc", "onset_day", "grade", "causality",
                "outcome")


def study_day(days_since_first) -> int | None:
    """SDTM study day from days since the first dose: day 1 is the first dose day, there is no day 0."""
    if days_since_first is None or (isinstance(days_since_first, float) and not math.isfinite(days_since_first)):
        return None
    d = int(math.floor(days_since_first))
    return d + 1 if d >= 0 else d


def _shown(v) -> str:
    if is_missing(v):
        return "—"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip() or "—"


def listing(table_id: str, population: str, fields: tuple[str, ...], records: list[dict]) -> Table:
    t = new_table(table_id, population, kind="listing")
    t.columns = [Column(f, LISTING_FIELDS[f][1], None, LISTING_FIELDS[f][0]) for f in fields]
    for rec in records:
        key = {k: rec[k] for k in ("usubjid", "aeseq", "source") if k in rec}
        t.rows.append(Row(str(rec["usubjid"]), str(rec["usubjid"]), 0, {f: text(_shown(rec.get(f))) for f in fields},
                          key))
    return t


def _ae_records(sub: Submission, ae: pd.DataFrame, date: pd.Series | None = None) -> list[dict]:
    order = {a: i for i, a in enumerate(sub.study.arms["ARM"])}
    term = col(ae, "AEDECOD").astype(object).where(col(ae, "AEDECOD").notna(), col(ae, "AETERM"))
    frame = pd.DataFrame({
        "usubjid": col(ae, "USUBJID").to_numpy(dtype=object), "arm": col(ae, "ARM").to_numpy(dtype=object),
        "aeseq": col(ae, "AESEQ").to_numpy(dtype=object), "term": term.to_numpy(dtype=object),
        "soc": col(ae, "AEBODSYS").to_numpy(dtype=object),
        "onset_day": [study_day(v) for v in col(ae, "ONSET_DAY").astype(float)],
        "grade": col(ae, "GRADE").to_numpy(dtype=object), "causality": col(ae, "AEREL").to_numpy(dtype=object),
        "outcome": col(ae, "AEOUT").to_numpy(dtype=object), "_start": col(ae, "START_LO").astype(float).to_numpy()})
    if date is not None:
        frame["date"] = date.to_numpy(dtype=object)
    frame["_arm"] = frame["arm"].map(lambda a: order.get(a, len(order)))
    frame = frame.sort_values(["_arm", "usubjid", "_start"], na_position="last", kind="stable")
    frame["aeseq"] = [None if is_missing(v) else (int(v) if isinstance(v, float) and v.is_integer() else v)
                      for v in frame["aeseq"]]
    return [{k: v for k, v in r.items() if not k.startswith("_")} for r in frame.to_dict("records")]


def sae_listing(sub: Submission) -> Table:
    """Every serious adverse event (AESER yes or a seriousness criterion), treatment-emergent or not."""
    if not sub.study.ae_known:
        return missing_domain(new_table("sae_listing", "all", kind="listing"), "AE")
    ae = sub.study.adverse_events
    sae = ae[ae["SERIOUS"].to_numpy(dtype=bool)]
    t = listing("sae_listing", "all", SAE_FIELDS, _ae_records(sub, sae))
    if t.empty:
        nothing_found(t, "无严重不良事件。", "No serious adverse events.")
    t.footnote("发生研究日：首次给药当日为第 1 天（首次给药前为负数）。因果关系、转归为数据中的原值。",
               "Onset study day: day 1 is the first dose day (negative before it). Causality and outcome as recorded.")
    return t


def death_listing(sub: Submission) -> Table:
    """Deaths from DM (DTHFL / DTHDTC), DS (death) and AE (fatal), one row per source record."""
    model = sub.study
    if sub.domain("DM") is None and sub.domain("DS") is None and not model.ae_known:
        return missing_domain(new_table("death_listing", "all", kind="listing"), "DM")
    subj = model.subjects
    arm = subj["ARM"] if len(subj) else pd.Series(dtype=object)
    fd = model.first_dose
    first = fd["FIRST_LO"] if len(fd) else pd.Series(dtype=float)
    records = []
    deaths = model.deaths
    for r in deaths[deaths["SOURCE"] != "AE"].to_dict("records"):
        day = parse_dtc(pd.Series([r["DATE"]], dtype=object)).lo[0]
        records.append({"usubjid": r["USUBJID"], "arm": arm.get(r["USUBJID"]), "source": r["SOURCE"],
                        "date": r["DATE"], "death_day": study_day(day - first.get(r["USUBJID"], np.nan)),
                        "term": r["CAUSE"]})
    ae = model.adverse_events
    if len(ae):
        fatal = ae[ae["FATAL"].to_numpy(dtype=bool)]
        end = col(fatal, "AEENDTC").astype(object).where(col(fatal, "AEENDTC").notna(), col(fatal, "AESTDTC"))
        for rec in _ae_records(sub, fatal, end):
            day = parse_dtc(pd.Series([rec["date"]], dtype=object)).lo[0]
            rec.update({"source": "AE", "death_day": study_day(day - first.get(rec["usubjid"], np.nan))})
            records.append(rec)
    order = {a: i for i, a in enumerate(model.arms["ARM"])}
    records.sort(key=lambda r: (order.get(r.get("arm"), len(order)), str(r["usubjid"]), r["source"]))
    t = listing("death_listing", "all", DEATH_FIELDS, records)
    if t.empty:
        nothing_found(t, "DM、DS、AE 中均无死亡记录。", "No death recorded in DM, DS or AE.")
    t.footnote("来源：DM（DTHFL / DTHDTC）、DS（死亡处置事件）、AE（致死性不良事件），同一死亡可在多个来源各列一行。",
               "Sources: DM (DTHFL / DTHDTC), DS (death disposition event), AE (fatal adverse event); one death may "
               "appear once per source.")
    return t
