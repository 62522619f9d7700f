"""TierInputs from the analyses' result objects (no review.json round trip)."""
from __future__ import annotations

from ..analyses._common import reason
from ..numbers import fnum


def _records(df, columns: dict[str, str]) -> list[dict]:
    if df is None or len(df) == 0:
        return []
    keep = [c for c in columns if c in df.columns]
    return [{columns[c]: v for c, v in zip(keep, row)} for row in df[keep].itertuples(index=False, name=None)]


def inputs_from_results(cls, res):
    """Build ``cls`` (TierInputs) from a :class:`workbench.analyses.AnalysisResults`."""
    exposure = None
    if res.exposure is not None:
        exposure = _records(res.exposure.arms, {"ARM": "arm", "CONTROL": "control", "DOSED": "dosed", "DOSE": "dose",
                                                "DOSE_UNIT": "dose_unit"})
        for r in exposure:
            r["control"] = bool(r.get("control"))
    safety = None
    if res.safety is not None:
        s = res.safety
        listing = {"USUBJID": "usubjid", "AESEQ": "aeseq", "AEDECOD": "aedecod", "AEBODSYS": "aebodsys"}
        safety = {"reason_code": s.reason_code,
                  "overview": _records(s.overview, {"arm": "arm", "control": "control", "dosed": "dosed",
                                                    "related_serious": "related_serious", "fatal": "fatal"}),
                  "related_fatal": _records(s.related_fatal, listing),
                  "related_tumorigenicity": _records(s.related_tumorigenicity, listing)}
    rules = None if res.stopping_rules is None else [
        {k: r.get(k) for k in ("id", "met", "max_subjects", "threshold")} for r in res.stopping_rules.rules]
    dlt = None
    if res.dlt is not None:
        d = res.dlt
        mr = reason(d.mtd_reason_code, **d.reason_fmt) if d.mtd is None else reason(None)
        dlt = {"window_days": d.window_days, "target_rate": d.target_rate,
               "levels": _records(d.levels, {"ARM": "arm", "N": "n", "N_DLT": "n_dlt"}), "mtd": d.mtd,
               "mtd_reason": mr["reason"], "all_doses_too_toxic": d.all_doses_too_toxic, "overrides": d.overrides}
    efficacy = None
    if res.efficacy is not None:
        e = res.efficacy
        efficacy = {"endpoint": e.endpoint, "signal": e.signal, "reason": (e.reason_info or {}).get("reason"),
                    "comparison": e.comparison}
    follow_up = required = window = declared = source = source_zh = None
    if res.follow_up is not None:
        f = res.follow_up
        follow_up = [dict(r, required_days=f.required_days, window_days=f.window_days)
                     for r in f.arms.to_dict("records")]
        for r in follow_up:
            for k, v in r.items():
                if isinstance(v, float) and k not in ("arm",):
                    r[k] = fnum(v)
        required, window = f.required_days, f.window_days
        declared, source, source_zh = f.required_declared, f.required_source, f.required_source_zh
    return cls(exposure=exposure, safety=safety, stopping_rules=rules, dlt=dlt, efficacy=efficacy,
               follow_up=follow_up, follow_up_required_days=required, follow_up_window_days=window,
               follow_up_required_declared=declared, follow_up_required_source=source or None,
               follow_up_required_source_zh=source_zh or None,
               dlt_above_explored=list(res.dlt.above_explored) if res.dlt is not None else None,
               dlt_next_stage=res.dlt.next_stage if res.dlt is not None else None)
