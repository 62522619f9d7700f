"""Stopping rules of submission.yaml evaluated on the TEAEs (analyses.md "Stopping rules")."""
from __future__ import annotations

from ..columns import col
from ..memo import memo
from ..submission import Submission


@memo
def stopping_rules(sub: Submission) -> list[dict]:
    """Each declared rule (as in force: ``sub.study.parameters``): the subjects with >= 1 TEAE meeting it (grade >= min_grade, related if related_only,
    serious if serious_only, AEDECOD in terms when given), counted per cohort (arm) or over the study; met when
    the largest count reaches the threshold."""
    ae = sub.study.adverse_events
    if len(ae):   # the columns the rules read, TEAE records only
        ae = ae[[c for c in ("USUBJID", "ARM", "GRADE", "RELATED", "SERIOUS", "AEDECOD", "AETERM", "AESEQ",
                             "AESTDTC", "TEAE", "START_LO", "START_HI") if c in ae.columns]]
    results = []
    for rule in sub.study.parameters.stopping_rules:   # the sponsor's rules, thresholds capped by the reviewer's
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
        met = max_subjects >= rule.threshold
        results.append({"id": rule.id, "description": rule.description, "scope": rule.scope,
                        "threshold": rule.threshold, "max_subjects": max_subjects,
                        "met": met, "by_cohort": by_cohort,
                        "subjects": sorted(hits["USUBJID"].dropna().unique().tolist()) if len(hits) else [],
                        "met_event": _met_event(hits, rule) if met else None})
    return results


def _met_event(hits, rule) -> dict | None:
    """The event that brought a rule to its threshold first: per cohort (or over the study), subjects in order
    of their first qualifying onset; the threshold-th subject's onset is when the rule was met (the latest
    possible day of a partial date, so that "after the rule was met" is certain). The earliest over cohorts."""
    if "START_HI" not in hits.columns or not len(hits):
        return None
    h = hits[hits["START_HI"].notna() & hits["USUBJID"].notna()]
    if rule.scope == "cohort":
        groups = h.groupby(h["ARM"].fillna("(none)"), sort=True)
    else:
        groups = [("(study)", h)]
    best = None
    for cohort, g in groups:
        first = g.sort_values(["START_HI", "USUBJID"], kind="stable").drop_duplicates("USUBJID")
        if len(first) < rule.threshold:
            continue
        ev = first.iloc[rule.threshold - 1]
        if best is None or ev["START_HI"] < best["day"]:
            seq = ev.get("AESEQ")
            best = {"day": float(ev["START_HI"]), "cohort": str(cohort), "usubjid": ev["USUBJID"],
                    "aeseq": None if seq is None or seq != seq else seq,
                    "term": ev.get("AEDECOD") if isinstance(ev.get("AEDECOD"), str) else ev.get("AETERM"),
                    "date": ev.get("AESTDTC")}
    return best
