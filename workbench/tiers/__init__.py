"""Evidence-tier classification (evidence-tiers.md): T0–T4 with every criterion and its evidence.

Public API::

    from workbench.tiers import TierFacts, TierInputs, classify, load_rules
    rules = load_rules(None)                       # shipped workbench/rules/default.yaml
    inputs = TierInputs.from_results(analysis_results)   # or TierInputs.from_document(review_json["analyses"])
    facts = TierFacts.from_submission(sub, inputs)
    result = classify(findings, inputs, facts, rules)
    result.to_dict()                               # review.json "tier"

Criteria are registered functions (``criteria_registry``; one module per tier: t0, t1, t4, t3_t2), declared once
in ``labels.CRITERIA``.
"""
from ..rules import Rules, RulesError, default_rules, load_rules
from .classify import TierResult, classify, evaluate_criteria
from .criterion import Criterion, criteria_registry, criterion
from .facts import TierFacts
from .inputs import TierInputs, upgrade_analyses
from .labels import CRITERIA, CRITERION_IDS, TIER_CODES, TIER_LABELS, CriterionSpec, Tier

__all__ = ["CRITERIA", "CRITERION_IDS", "TIER_CODES", "TIER_LABELS", "Criterion", "CriterionSpec", "Rules",
           "RulesError", "Tier", "TierFacts", "TierInputs", "TierResult", "classify", "criteria_registry", "criterion",
           "default_rules", "evaluate_criteria", "load_rules", "upgrade_analyses"]
