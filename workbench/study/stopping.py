"""Stopping rules of submission.yaml evaluated on the TEAEs (analyses.md "Stopping rules")."""
from __future__ import annotations

from ..columns import col
from ..memo import memo
from ..submission import Submission


@memo
def stopping_rules(sub: Submission) -> list[dict]:
    """Each declared rule: the subjects with >= 1 TEAE meeting it (grade >= min_grade, related if related_only,
    serious if serious_only, AEDECOD in terms when given), counted per cohort (arm) or over the study; met when
    the largest count reaches the threshold."""
    ae = sub.study.adverse_events
    if len(ae):   # the columns the rules read, TEAE records only
        ae = ae[[c for c in ("USUBJID", "ARM", "GRADE", "RELATED", "SERIOUS", "AEDECOD", "TEAE", "START_LO")
                 if c in ae.columns]]
    results = []
    for rule in sub.m.study.stopping_rules:
        hits = ae[ae["TEAE"].astype(bool)] if len(ae) else ae
        if len(hits):
            hits = hits[hits["GRADE"] >= rule.min_grade]
            if rule.related_only:
                hits = hits[hits["RELATED"].astype(bool)]
            if rule.serious_only:
                hits = hits[hits["SERIOUS"].astype(bool)]
            if rule.terms:
                wanted = {t.strip().lower() for t in rule.terms}
                hits = hits[col(hits, "AEDECOD").fillna("").astype(str).str.strip().str.lower().isin(wanted)]
        if rule.scope == "cohort" and len(hits):
            counts = hits.groupby(hits["ARM"].fillna("(none)"))["USUBJID"].nunique()
            by_cohort = {str(k): int(v) for k, v in counts.items()}
        else:
            by_cohort = {"(study)": int(hits["USUBJID"].nunique())} if len(hits) else {}
        max_subjects = max(by_cohort.values(), default=0)
        results.append({"id": rule.id, "description": rule.description, "scope": rule.scope,
                        "threshold": rule.threshold, "max_subjects": max_subjects,
                        "met": max_subjects >= rule.threshold, "by_cohort": by_cohort,
                        "subjects": sorted(hits["USUBJID"].dropna().unique().tolist()) if len(hits) else []})
    return results
