"""Evidence-tier classification (evidence-tiers.md): T0–T4 with every criterion and its evidence.

Public API::

    from workbench.tiers import TierFacts, classify, load_rules
    rules = load_rules(None)                       # shipped workbench/rules/default.yaml
    facts = TierFacts.from_submission(sub, analyses)
    result = classify(findings, analyses, facts, rules)
    review["tier"] = result.to_dict(); review["rules"] = rules.to_dict()
"""
from .classify import TierResult, classify, evaluate_criteria
from .criteria import Criterion
from .facts import TierFacts
from .labels import CRITERIA, CRITERION_IDS, TIER_CODES, TIER_LABELS, CriterionSpec, Tier
from ..rules import Rules, RulesError, default_rules, load_rules

__all__ = ["CRITERIA", "CRITERION_IDS", "TIER_CODES", "TIER_LABELS", "Criterion", "CriterionSpec", "Rules",
           "RulesError", "Tier", "TierFacts", "TierResult", "classify", "default_rules", "evaluate_criteria",
           "load_rules"]
