"""Synthetic inputs for the tier tests: one builder per tier, each a small edit of a T4-ready study."""
from __future__ import annotations

import copy
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from workbench.findings import Element, Finding, Severity  # noqa: E402
from workbench.tiers import TierFacts, TierInputs  # noqa: E402
from workbench.tiers import classify as _classify  # noqa: E402

T4_DOCS = frozenset({"PROTOCOL", "CSR", "BIODISTRIBUTION_REPORT", "NONCLINICAL_SUMMARY", "RISK_CONTROL_PLAN"})


def finding(check_id: str, element: Element | str, severity: Severity | str) -> Finding:
    return Finding(check_id=check_id, element=Element(element), severity=Severity(severity),
                   message_en=f"{check_id} planted", message_zh=f"{check_id} 测试", guideline_ref="G-4.1.2")


def t4_facts(**kw) -> TierFacts:
    base = dict(design="randomized_controlled", stage="confirmatory", endpoint_type="clinical",
                prior_exploratory_evidence=False, document_types=T4_DOCS, dose_levels=None)
    base.update(kw)
    return TierFacts(**base)


def _arm(arm: str, control: bool, dosed: int, dose: float | None) -> dict:
    return {"arm": arm, "dose": dose, "dose_unit": "cells/kg", "control": control, "enrolled": dosed, "dosed": dosed}


def t4_analyses(active: tuple[int, int] = (60, 60), control: int = 40) -> dict:
    """Randomized, placebo-controlled, two dose levels, significant efficacy, long follow-up: tier T4."""
    a1, a2 = active
    arms = [("PBO", True, control, 0.0), ("DL1", False, a1, 1e6), ("DL2", False, a2, 3e6)]
    return {
        "exposure": [_arm(*a) for a in arms],
        "dlt": {"target_rate": 0.3, "window_days": 28,
                "levels": [{"arm": "DL1", "dose": 1e6, "n": a1, "n_dlt": 1, "rate": 1 / a1, "ci_low": 0.0,
                            "ci_high": 0.09, "isotonic": 0.02},
                           {"arm": "DL2", "dose": 3e6, "n": a2, "n_dlt": 2, "rate": 2 / a2, "ci_low": 0.0,
                            "ci_high": 0.11, "isotonic": 0.03}],
                "mtd": {"arm": "DL2", "dose": 3e6}, "mtd_reason": None, "all_doses_too_toxic": False},
        "efficacy": {"endpoint": "WOMACT", "signal": True,
                     "comparison": {"kind": "welch", "arms": ["DL1", "DL2", "PBO"], "estimate": -8.1, "ci_low": -12.0,
                                    "ci_high": -4.2, "p_value": 0.0004, "n": a1 + a2 + control},
                     "reason": None},
        "safety": {
            "overview": [{"arm": a, "control": c, "dosed": n, "any_teae": n // 2, "related_teae": n // 5,
                          "grade3plus": 1, "serious": 2, "related_serious": 0 if c else 1, "fatal": 0, "aesi": 0}
                         for a, c, n, _ in arms],
            "related_fatal": [], "related_tumorigenicity": []},
        "stopping_rules": [{"id": "SR1", "met": False, "max_subjects": 1, "threshold": 2, "scope": "cohort"}],
        "follow_up": [{"arm": a, "control": c, "dosed": n, "min_days": 30, "median_days": 760, "max_days": 800,
                       "meeting_requirement": n, "deaths": 0, "withdrawals": 0, "followed_window": n, "ltfu": 0,
                       "required_days": 730, "window_days": 28} for a, c, n, _ in arms],
        "follow_up_summary": {"required_days": 730, "window_days": 28},
    }


def t3_case() -> tuple[list, dict, TierFacts]:
    """Single-arm exploratory study with an efficacy signal in 8 subjects: tier T3."""
    a = t4_analyses()
    a["exposure"] = [_arm("DL1", False, 8, 1e6)]
    a["safety"]["overview"] = [{"arm": "DL1", "control": False, "dosed": 8, "any_teae": 5, "related_teae": 2,
                                "grade3plus": 0, "serious": 1, "related_serious": 1, "fatal": 0, "aesi": 0}]
    a["efficacy"]["comparison"] = {"kind": "one_sample", "arms": ["DL1"], "estimate": -6.0, "ci_low": -9.0,
                                   "ci_high": -3.0, "p_value": 0.002, "n": 8}
    a["dlt"]["levels"] = [{"arm": "DL1", "dose": 1e6, "n": 8, "n_dlt": 0, "rate": 0.0, "ci_low": 0.0,
                           "ci_high": 0.37, "isotonic": 0.006}]
    a["dlt"]["mtd"] = {"arm": "DL1", "dose": 1e6}
    a["follow_up"] = [{"arm": "DL1", "control": False, "dosed": 8, "min_days": 60, "median_days": 200,
                               "max_days": 400, "meeting_requirement": 0, "deaths": 0, "withdrawals": 0,
                               "followed_window": 8, "ltfu": 0}]
    facts = t4_facts(design="single_arm", stage="exploratory", document_types={"PROTOCOL", "CSR"})
    return [], a, facts


def t2_case() -> tuple[list, dict, TierFacts]:
    """As T3 but without an efficacy signal: tier T2."""
    f, a, facts = t3_case()
    a["efficacy"]["signal"] = False
    a["efficacy"]["comparison"].update(ci_low=-5.0, ci_high=1.0, p_value=0.2)
    return f, a, facts


def t1_case() -> tuple[list, dict, TierFacts]:
    """As T3 plus a related death: tier T1."""
    f, a, facts = t3_case()
    a["safety"]["related_fatal"] = [{"usubjid": "SCX-001-0003", "aeseq": 2, "aedecod": "Pulmonary embolism"}]
    return f, a, facts


def t0_case() -> tuple[list, dict, TierFacts]:
    """A T4 study with one critical finding: tier T0."""
    return [finding("TRC-002", "compliance_integrity", "critical")], t4_analyses(), t4_facts()


def t0_fallback_case() -> tuple[list, dict, TierFacts]:
    """Two subjects followed for the window, no signal: nothing applies, tier T0 with T0.no_safety_data."""
    f, a, facts = t2_case()
    for key in ("exposure",):
        a[key][0]["dosed"] = 2
    a["safety"]["overview"][0]["dosed"] = 2
    a["follow_up"][0].update(dosed=2, followed_window=2)
    return f, a, facts


def classify(findings, analyses, facts, rules=None):
    """The classifier on a review.json-shaped ``analyses`` document (as the tests write them)."""
    return _classify(findings, TierInputs.from_document(analyses), facts, rules)


def deep(a: dict) -> dict:
    return copy.deepcopy(a)
