"""A criterion's result, the context every criterion reads, the criteria registry and the shared wording helpers.

Each criterion of evidence-tiers.md is a function ``f(ctx) -> Criterion`` registered with
:func:`criterion` (its id, tier and titles are declared once, in ``labels.CRITERIA``). A criterion reads the typed
:class:`~workbench.tiers.inputs.TierInputs`, the findings, the :class:`~workbench.tiers.facts.TierFacts` and the
:class:`~workbench.rules.Rules`; it returns ``met`` True/False/None (None: not evaluable, the evidence says why),
evidence in English and Chinese, the numbers behind it, and what would satisfy (or, for T0/T1, resolve) it.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..findings import Finding
from ..numbers import ge_share
from ..registry import RegistrationError, Registry
from ..rules import Rules
from .facts import TierFacts
from .inputs import ArmRow, TierInputs
from .labels import CRITERION_SPECS, CriterionSpec, Tier

MAX_LISTED = 5


@dataclass(frozen=True)
class Criterion:
    """The evaluation of one criterion: met (True/False/None), bilingual evidence, numbers, and the need."""

    id: str
    met: bool | None
    evidence_en: str
    evidence_zh: str
    values: dict = field(default_factory=dict)
    findings: tuple[str, ...] = ()          # check ids behind the criterion
    need_en: str = ""                       # what would meet it (T2–T4) or resolve it (T0/T1)
    need_zh: str = ""

    @property
    def spec(self) -> CriterionSpec:
        return CRITERION_SPECS[self.id]

    @property
    def tier(self) -> Tier:
        return self.spec.tier

    def evidence(self, lang: str = "zh") -> str:
        return self.evidence_zh if lang == "zh" else self.evidence_en

    def to_dict(self, decisive: bool = False) -> dict:
        """review.json ``tier.criteria[]`` item."""
        return {"id": self.id, "tier": self.tier.value, "met": self.met, "decisive": decisive,
                "evidence": self.evidence_en, "evidence_zh": self.evidence_zh,
                "title_en": self.spec.title_en, "title_zh": self.spec.title_zh,
                "values": self.values, "findings": list(self.findings)}


# ------------------------------------------------------------------ registry --

@dataclass(frozen=True)
class CriterionEntry:
    """A registered criterion: its declaration (id, tier, titles) and its function."""

    spec: CriterionSpec
    func: Callable[["Context"], Criterion]

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def clauses(self) -> tuple[str, ...]:
        """The guideline clauses the criterion serves (its tier's, evidence-tiers.md)."""
        return tuple(c.strip() for c in self.spec.tier.clause.split(","))


def _validate(entry: CriterionEntry) -> None:
    if entry.spec.id not in CRITERION_SPECS:
        raise RegistrationError(f"criterion {entry.spec.id!r} is not declared in tiers.labels.CRITERIA "
                                f"(known: {', '.join(CRITERION_SPECS)})")


criteria_registry: Registry[CriterionEntry] = Registry("tier criterion", name_of=lambda e: e.id, validate=_validate)


def criterion(cid: str):
    """Register ``f(ctx) -> Criterion`` as the evaluation of criterion ``cid`` (declared in labels.CRITERIA)."""
    def deco(fn: Callable[["Context"], Criterion]):
        criteria_registry.register(CriterionEntry(CRITERION_SPECS.get(cid) or CriterionSpec(cid, Tier.T0, "", ""), fn))
        return fn
    return deco


# ------------------------------------------------------------------- context --

@dataclass(frozen=True)
class FindingRef:
    check_id: str
    element: str
    severity: str


class Context:
    """Inputs, findings, facts and rules, read once, for all criteria; ``result(id)`` evaluates another criterion
    once (T0.no_safety_data reads T2.evaluable_safety)."""

    def __init__(self, findings: list[Finding], inputs: TierInputs, facts: TierFacts, rules: Rules):
        self.findings = [FindingRef(f.check_id, f.element.value, f.severity.value) for f in findings or []]
        self.inputs = inputs
        self.facts = facts
        self.rules = rules
        self.arms: list[ArmRow] | None = inputs.exposure
        self.window_days, self.window_source = self._window()
        self.early_no_safety = False     # T0.no_safety_data applies at step 1 (no safety analysis at all)
        self._results: dict[str, Criterion] = {}

    def _window(self) -> tuple[int, str]:
        for source, v in (("follow_up.window_days", self.inputs.follow_up_window_days),
                          ("dlt.window_days", self.inputs.dlt.window_days if self.inputs.dlt else None)):
            if v:
                return v, source
        return self.rules.default_window_days, "rules.default_window_days"

    def window_note(self) -> tuple[str, str]:
        """' (…: 14 days declared)' when the reviewer's rules lengthened the sponsor's DLT window (en, zh)."""
        o = next((r for r in (self.inputs.dlt.overrides if self.inputs.dlt else [])
                  if r.get("field") == "study.dlt.window_days"), None)
        if o is None:
            return "", ""
        return (f" (the reviewer's minimum window; {o.get('sponsor')} days declared)",
                f"（审评规则的最短观察期；申报 {o.get('sponsor')} 天）")

    def result(self, cid: str) -> Criterion:
        if cid not in self._results:
            self._results[cid] = criteria_registry.get(cid).func(self)
        return self._results[cid]

    @property
    def active(self) -> list[ArmRow] | None:
        return None if self.arms is None else [a for a in self.arms if not a.control]

    def present(self, *check_ids: str) -> tuple[str, ...]:
        """Those of ``check_ids`` that have at least one finding."""
        have = {f.check_id for f in self.findings}
        return tuple(cid for cid in check_ids if cid in have)

    def control_arms(self) -> set[str]:
        return {a.arm for a in (self.arms or []) if a.control}


# ------------------------------------------------------------------- wording --

def na(cid: str, en: str, zh: str, need_en: str = "", need_zh: str = "", **values: Any) -> Criterion:
    """A criterion that cannot be evaluated (met None), with why."""
    return Criterion(cid, None, en, zh, values=values, need_en=need_en, need_zh=need_zh)


def pct(numer: int, denom: int) -> str:
    return f"{100 * numer / denom:.1f}%"


def share_verdict(cid: str, numer: int, denom: int, share: float, body_en: str, body_zh: str, values: dict,
                  need_en: str, need_zh: str, suffix_en: str = "", **extra: Any) -> Criterion:
    """Met when ``numer / denom`` reaches ``share`` (:func:`workbench.numbers.ge_share`): "<body> ≥ 80%", else
    "<body> < 80%" with what is needed and the share now."""
    if ge_share(numer, denom, share):
        return Criterion(cid, True, f"{body_en} ≥ {share:.0%}{suffix_en}", f"{body_zh} ≥ {share:.0%}", values=values)
    return Criterion(cid, False, f"{body_en} < {share:.0%}{suffix_en}", f"{body_zh} < {share:.0%}", values=values,
                     need_en=f"{need_en} (now {pct(numer, denom)})", need_zh=f"{need_zh}（当前 {pct(numer, denom)}）",
                     **extra)


def listed(items: list[str], zh: bool = False) -> str:
    head = items[:MAX_LISTED]
    more = len(items) - len(head)
    sep = "，" if zh else ", "
    text = sep.join(head)
    if more:
        text += f" 等另 {more} 项" if zh else f" and {more} more"
    return text


def counts(ids: list[str]) -> str:
    return ", ".join(f"{cid} ×{n}" for cid, n in sorted(Counter(ids).items()))
