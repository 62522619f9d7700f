"""Process and quality: release results per attribute in manufacturing order, clinical-lot control limits,
commercial-process lots outside them, manufacturing failure rate (analyses.md "Process and quality";
guideline G-4.1.2 process/quality consistency)."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..dates import parse_dtc
from ..columns import col
from ..text import norm
from ..submission import Submission
from ..units import to_number
from ._common import fnum, frame_records, reason

KNOWN_ATTRIBUTES = ("VIABILITY", "CELL_COUNT", "CD73", "CD90", "CD105", "CD34", "CD45", "HLA_DR", "STERILITY",
                    "MYCOPLASMA", "ENDOTOXIN", "KARYOTYPE", "RESIDUAL_UNDIFF", "POTENCY")
FAILED_STATUSES = {"FAILED", "REJECTED"}
SIGMA = 3.0


def _text(s: pd.Series) -> pd.Series:
    return s.astype("object").map(lambda v: None if v is None or v != v else str(v).strip())


def lots_table(sub: Submission) -> pd.DataFrame:
    """One row per lot in manufacturing order (MFGDT, then LOTID): LOTID, PROCVER, MFGDT, STATUS, ORDER,
    CLINICAL (used in EX.EXLOT), COMMERCIAL (PROCVER = the manifest's commercial process version)."""
    b = sub.batches
    rt = sub.release_tests
    if b is not None and len(b) and "LOTID" in b.columns:
        t = pd.DataFrame({"LOTID": _text(b["LOTID"]), "PROCVER": _text(col(b, "PROCVER")),
                          "MFGDT": col(b, "MFGDT"), "SITE": col(b, "SITE"),
                          "STATUS": norm(col(b, "STATUS")),
                          "FAILREASON": col(b, "FAILREASON")})
        t = t[t["LOTID"].notna()].drop_duplicates("LOTID")
    elif rt is not None and "LOTID" in rt.columns:
        t = pd.DataFrame({"LOTID": _text(rt["LOTID"]).dropna().drop_duplicates()})
        for c in ("PROCVER", "MFGDT", "SITE", "STATUS", "FAILREASON"):
            t[c] = None
    else:
        return pd.DataFrame(columns=["LOTID", "PROCVER", "MFGDT", "SITE", "STATUS", "FAILREASON", "ORDER",
                                     "CLINICAL", "COMMERCIAL"])
    t = t.reset_index(drop=True)
    t["_DAY"] = parse_dtc(t["MFGDT"]).lo
    t["_POS"] = np.arange(len(t))
    t = t.sort_values(["_DAY", "_POS"], na_position="last").reset_index(drop=True)
    t["ORDER"] = np.arange(1, len(t) + 1)
    ex = sub.domain("EX")
    clinical = {str(v).strip() for v in col(ex, "EXLOT").dropna()} if ex is not None else set()
    t["CLINICAL"] = t["LOTID"].isin(clinical)
    cpv = sub.m.product.commercial_process_version
    t["COMMERCIAL"] = (t["PROCVER"].fillna("").str.upper() == cpv.strip().upper()) if cpv else False
    return t.drop(columns=["_DAY", "_POS"])


@dataclass
class AttributeResult:
    attribute: str
    unit: str | None
    numeric: bool
    spec_low: float | None
    spec_high: float | None
    spec_text: str | None
    results: pd.DataFrame    # ORDER, LOTID, PROCVER, MFGDT, STATUS, CLINICAL, COMMERCIAL, RESULT, VALUE, WITHIN_SPEC, OUTSIDE_CLINICAL
    clinical_n: int
    clinical_mean: float | None
    clinical_sd: float | None
    lower: float | None
    upper: float | None

    def to_dict(self) -> dict:
        res = self.results
        return {"attribute": self.attribute, "unit": self.unit, "numeric": self.numeric, "known": self.attribute
                in KNOWN_ATTRIBUTES, "spec_low": self.spec_low, "spec_high": self.spec_high,
                "spec_text": self.spec_text, "n_lots": int(res["LOTID"].nunique()),
                "n_out_of_spec": int((res["WITHIN_SPEC"] == False).sum()),  # noqa: E712 - None is "not judged"
                "clinical_n": self.clinical_n, "clinical_mean": self.clinical_mean, "clinical_sd": self.clinical_sd,
                "lower_3sd": self.lower, "upper_3sd": self.upper,
                "results": frame_records(res, {"ORDER": "order", "LOTID": "lotid", "PROCVER": "procver",
                                               "MFGDT": "mfgdt", "STATUS": "status", "CLINICAL": "clinical",
                                               "COMMERCIAL": "commercial", "RESULT": "result", "VALUE": "value",
                                               "SPEC_LOW": "spec_low", "SPEC_HIGH": "spec_high",
                                               "WITHIN_SPEC": "within_spec",
                                               "OUTSIDE_CLINICAL": "outside_clinical_range"})}


@dataclass
class CMCResult:
    lots: pd.DataFrame
    attributes: list[AttributeResult]
    n_lots: int
    n_failed: int
    failure_rate: float | None
    commercial_process_version: str | None
    reason_code: str | None = None
    notes: list[dict] = field(default_factory=list)

    @property
    def out_of_range(self) -> list[dict]:
        out = []
        for a in self.attributes:
            r = a.results[a.results["OUTSIDE_CLINICAL"] == True]  # noqa: E712
            if r.empty:
                continue
            for lot, procver, value in zip(r["LOTID"].tolist(), r["PROCVER"].tolist(), r["VALUE"].tolist()):
                out.append({"attribute": a.attribute, "lotid": lot, "procver": procver,
                            "value": fnum(value), "lower_3sd": a.lower, "upper_3sd": a.upper})
        return out

    def to_dict(self) -> dict:
        failed = self.lots[self.lots["STATUS"].isin(FAILED_STATUSES)] if len(self.lots) else self.lots
        return {"attributes": [a.to_dict() for a in self.attributes], "failure_rate": self.failure_rate,
                "n_lots": self.n_lots, "n_failed": self.n_failed, "out_of_range": self.out_of_range,
                "commercial_process_version": self.commercial_process_version,
                "n_clinical_lots": int(self.lots["CLINICAL"].sum()) if len(self.lots) else 0,
                "failed_lots": frame_records(failed, {"LOTID": "lotid", "PROCVER": "procver", "STATUS": "status",
                                                      "FAILREASON": "failreason"}),
                **reason(self.reason_code), "notes": self.notes}


def _mode(s: pd.Series):
    """The most frequent non-missing value, the smallest of tied ones (``s.dropna().mode().iloc[0]``); None if none."""
    values = [v for v in (s.to_numpy(dtype=object) if isinstance(s.dtype, pd.StringDtype) else s.to_numpy())
              if not (v is None or v != v)]
    if not values:
        return None
    counts: dict = {}
    for v in values:
        counts[v] = counts.get(v, 0) + 1
    top = max(counts.values())
    return sorted(v for v, k in counts.items() if k == top)[0]


def attribute_results(lots: pd.DataFrame, rt: pd.DataFrame) -> list[AttributeResult]:
    """Per attribute: results by lot in manufacturing order with spec judgement and mean ± 3 SD of clinical lots."""
    r = pd.DataFrame({"LOTID": _text(rt["LOTID"]), "ATTRIBUTE": norm(col(rt, "ATTRIBUTE")),
                      "RESULT": _text(col(rt, "RESULT")), "UNIT": _text(col(rt, "UNIT")),
                      "SPEC_LOW": to_number(col(rt, "SPEC_LOW")),
                      "SPEC_HIGH": to_number(col(rt, "SPEC_HIGH")),
                      "SPEC_TEXT": _text(col(rt, "SPEC_TEXT"))})
    r = r[r["ATTRIBUTE"].notna() & r["LOTID"].notna()]
    r["VALUE"] = to_number(r["RESULT"])
    info = lots.drop(columns=[c for c in ("SITE", "FAILREASON") if c in lots.columns])
    r = r.merge(info, on="LOTID", how="left")
    r["ORDER"] = r["ORDER"].fillna(len(lots) + 1)
    for c in ("CLINICAL", "COMMERCIAL"):
        r[c] = r[c].fillna(False).astype(bool)
    # row-wise judgements once for every attribute (the same values as attribute by attribute)
    lo_ok = r["SPEC_LOW"].isna() | (r["VALUE"] >= r["SPEC_LOW"])
    hi_ok = r["SPEC_HIGH"].isna() | (r["VALUE"] <= r["SPEC_HIGH"])
    has_num_spec = r["SPEC_LOW"].notna() | r["SPEC_HIGH"].notna()
    text_ok = r["RESULT"].fillna("").str.upper() == r["SPEC_TEXT"].fillna("").str.upper()
    within_all = np.where(has_num_spec & r["VALUE"].notna(), lo_ok & hi_ok,
                          np.where(r["SPEC_TEXT"].notna() & r["RESULT"].notna(), text_ok, None))
    order = {a: i for i, a in enumerate(KNOWN_ATTRIBUTES)}
    attrs = sorted(r["ATTRIBUTE"].unique(), key=lambda a: (order.get(a, len(order)), a))
    rank = {a: i for i, a in enumerate(attrs)}
    r = r.assign(_WITHIN=within_all, _RANK=r["ATTRIBUTE"].map(rank).to_numpy())
    # one stable sort: within an attribute, ORDER then LOTID (ties keep file order), as a per-attribute sort
    r = r.sort_values(["_RANK", "ORDER", "LOTID"], kind="stable")
    bounds = np.searchsorted(r["_RANK"].to_numpy(), np.arange(len(attrs) + 1))
    cols = [c for c in r.columns if c not in ("_WITHIN", "_RANK")]
    out = []
    for i, attr in enumerate(attrs):
        part = r.iloc[bounds[i]:bounds[i + 1]]
        g = part[cols].reset_index(drop=True)
        numeric = bool(g["VALUE"].notna().sum() > len(g) / 2)
        g["WITHIN_SPEC"] = pd.Series(part["_WITHIN"].to_numpy(), dtype=object)
        value = g["VALUE"].to_numpy(dtype=float)
        has_value = ~np.isnan(value)
        clinical = g["CLINICAL"].to_numpy(dtype=bool)
        clin = g.loc[clinical & has_value, "VALUE"]
        mean = fnum(clin.mean()) if len(clin) else None
        sd = fnum(clin.std(ddof=1)) if len(clin) >= 2 else None
        lower = mean - SIGMA * sd if mean is not None and sd is not None else None
        upper = mean + SIGMA * sd if mean is not None and sd is not None else None
        if numeric and lower is not None:
            commercial = g["COMMERCIAL"].to_numpy(dtype=bool)
            with np.errstate(invalid="ignore"):
                outside = commercial & has_value & ((value < lower) | (value > upper))
            g["OUTSIDE_CLINICAL"] = pd.Series(np.where(commercial, outside, None), dtype=object)
        else:
            g["OUTSIDE_CLINICAL"] = None
        out.append(AttributeResult(attr, _mode(g["UNIT"]), numeric, fnum(_mode(g["SPEC_LOW"])),
                                   fnum(_mode(g["SPEC_HIGH"])), _mode(g["SPEC_TEXT"]), g, int(len(clin)), mean, sd,
                                   lower, upper))
    return out


def cmc_analysis(sub: Submission) -> CMCResult:
    """Release results per attribute, clinical mean ± 3 SD, commercial lots outside, failure rate."""
    cpv = sub.m.product.commercial_process_version
    lots = lots_table(sub)
    if sub.batches is None and sub.release_tests is None:
        return CMCResult(lots, [], 0, 0, None, cpv, "no_cmc")
    n_lots = len(lots) if sub.batches is not None else 0
    n_failed = int(lots["STATUS"].isin(FAILED_STATUSES).sum()) if n_lots else 0
    rate = (n_failed / n_lots) if n_lots else None
    rt = sub.release_tests
    if rt is None or "LOTID" not in rt.columns:
        return CMCResult(lots, [], n_lots, n_failed, rate, cpv, "no_release_tests")
    return CMCResult(lots, attribute_results(lots, rt), n_lots, n_failed, rate, cpv)
