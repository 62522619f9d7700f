"""Stopping rules of submission.yaml evaluated on the TEAEs (analyses.md "Stopping rules")."""
from __future__ import annotations

from dataclasses import dataclass

from ..study.stopping import stopping_rules
from ..submission import Submission
from ._common import reason


@dataclass
class StoppingRulesResult:
    rules: list[dict]
    reason_code: str | None = None

    def to_dict(self) -> list[dict]:
        keys = ("id", "description", "met", "max_subjects", "threshold", "scope", "by_cohort", "subjects")
        return [{k: r.get(k) for k in keys} for r in self.rules]

    def reason_dict(self) -> dict | None:
        return reason(self.reason_code) if self.reason_code else None


def stopping_rules_analysis(sub: Submission) -> StoppingRulesResult:
    """Each manifest stopping rule evaluated by :func:`workbench.study.stopping.stopping_rules`."""
    rules = stopping_rules(sub)
    return StoppingRulesResult(rules, None if sub.m.study.stopping_rules else "no_stopping_rules")
