"""Propose an evidence tier (evidence-tiers.md): evaluate every criterion, then apply the rules in order.

Order: T0 → T1 → T4 → T3 → T2 → else T0 with ``T0.no_safety_data``. Every
criterion of every tier is evaluated and reported, including those after the
decisive one. Pure: reads its arguments, changes nothing, does no I/O.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..rules import Rules, default_rules
from . import t0, t1, t3_t2, t4
from .criterion import Context, Criterion
from .facts import TierFacts
from .inputs import TierInputs
from .labels import CRITERION_IDS, Tier


CRITERIA_MODULES = (t0, t1, t4, t3_t2)   # importing them registers the criteria (tiers.criterion.criterion)


@dataclass(frozen=True)
class TierResult:
    """The proposed tier, every criterion behind it, and what the next tier needs, in both languages."""

    proposed: Tier
    criteria: list[Criterion]
    decisive: list[str]
    summary_en: str
    summary_zh: str
    next_tier: Tier | None
    next_tier_needs_en: list[str] = field(default_factory=list)
    next_tier_needs_zh: list[str] = field(default_factory=list)
    rules_path: str = "default"
    rules_sha256: str = ""

    @property
    def label_zh(self) -> str:
        return self.proposed.label_zh

    @property
    def label_en(self) -> str:
        return self.proposed.label_en

    @property
    def next_tier_needs(self) -> list[str]:
        """What the sponsor would need for the next tier (English; ``next_tier_needs_zh`` in Chinese)."""
        return self.next_tier_needs_en

    def criterion(self, cid: str) -> Criterion:
        for c in self.criteria:
            if c.id == cid:
                return c
        raise KeyError(cid)

    def met(self, cid: str) -> bool | None:
        return self.criterion(cid).met

    def summary(self, lang: str = "zh") -> str:
        return self.summary_zh if lang == "zh" else self.summary_en

    def to_dict(self) -> dict:
        """review.json ``tier`` object (schema_version "1"), with extra bilingual fields."""
        decisive = set(self.decisive)
        return {
            "proposed": self.proposed.value,
            "label_zh": self.label_zh,
            "label_en": self.label_en,
            "clause": self.proposed.clause,
            "decisive": list(self.decisive),
            "summary_zh": self.summary_zh,
            "summary_en": self.summary_en,
            "criteria": [c.to_dict(c.id in decisive) for c in self.criteria],
            "next_tier": self.next_tier.value if self.next_tier else None,
            "next_tier_needs": list(self.next_tier_needs_en),
            "next_tier_needs_zh": list(self.next_tier_needs_zh),
            "rules": {"path": self.rules_path, "sha256": self.rules_sha256},
        }


def evaluate_criteria(findings: list, inputs: TierInputs, facts: TierFacts, rules: Rules
                      ) -> tuple[list[Criterion], bool]:
    """Every criterion in the order of evidence-tiers.md, and whether T0.no_safety_data applies at step 1."""
    ctx = Context(findings, inputs, facts, rules)
    out = [ctx.result(cid) for cid in CRITERION_IDS]
    return out, ctx.early_no_safety


def _by_tier(crit: list[Criterion], tier: Tier) -> list[Criterion]:
    return [c for c in crit if c.tier is tier]


def classify(findings: list, inputs: TierInputs, facts: TierFacts, rules: Rules | None = None) -> TierResult:
    """Propose a tier from the findings (:class:`~workbench.findings.Finding`), the analyses the criteria read
    (:class:`TierInputs`) and the study facts. ``rules`` defaults to the shipped rules file."""
    rules = rules if rules is not None else default_rules()
    crit, early = evaluate_criteria(findings, inputs, facts, rules)
    by_id = {c.id: c for c in crit}

    t0_now = [cid for cid in ("T0.critical_findings", "T0.no_dosed_subjects") if by_id[cid].met is True]
    if early:
        t0_now.append("T0.no_safety_data")
    t1_met = [c.id for c in _by_tier(crit, Tier.T1) if c.met is True]
    if t0_now:
        proposed, decisive = Tier.T0, t0_now
    elif t1_met:
        proposed, decisive = Tier.T1, t1_met
    elif all(c.met is True for c in _by_tier(crit, Tier.T4)):
        proposed, decisive = Tier.T4, [c.id for c in _by_tier(crit, Tier.T4)]
    elif all(c.met is True for c in _by_tier(crit, Tier.T3)):
        proposed, decisive = Tier.T3, [c.id for c in _by_tier(crit, Tier.T3)]
    elif by_id["T2.evaluable_safety"].met is True:
        proposed, decisive = Tier.T2, ["T2.evaluable_safety"]
    else:
        proposed, decisive = Tier.T0, ["T0.no_safety_data"]

    next_tier, needs = _next_tier_needs(proposed, crit, decisive)
    summary_en, summary_zh = _summaries(proposed, decisive, by_id, next_tier, needs)
    return TierResult(proposed=proposed, criteria=crit, decisive=decisive, summary_en=summary_en,
                      summary_zh=summary_zh, next_tier=next_tier,
                      next_tier_needs_en=[n[0] for n in needs], next_tier_needs_zh=[n[1] for n in needs],
                      rules_path=rules.path, rules_sha256=rules.sha256)


def _need(c: Criterion) -> tuple[str, str]:
    en = c.need_en or c.spec.title_en
    zh = c.need_zh or c.spec.title_zh
    return en, zh


def _next_tier_needs(proposed: Tier, crit: list[Criterion], decisive: list[str]
                     ) -> tuple[Tier | None, list[tuple[str, str]]]:
    """The next tier up (T0/T1 → T2 → T3 → T4) and what it needs, one (en, zh) pair per item."""
    by_id = {c.id: c for c in crit}
    items: list[Criterion] = []
    if proposed is Tier.T4:
        return None, []
    if proposed is Tier.T3:
        target = Tier.T4
        items = [c for c in _by_tier(crit, Tier.T4) if c.met is not True]
    elif proposed is Tier.T2:
        target = Tier.T3
        items = [c for c in _by_tier(crit, Tier.T3) if c.met is not True]
    else:  # T0 or T1: resolve what blocks, then T2's criterion
        target = Tier.T2
        items = [by_id[cid] for cid in decisive]
        if proposed is Tier.T0:
            items += [c for c in _by_tier(crit, Tier.T1) if c.met is True]
        if by_id["T2.evaluable_safety"].met is not True:
            items.append(by_id["T2.evaluable_safety"])
    seen: set[str] = set()
    out: list[tuple[str, str]] = []
    for c in items:
        en, zh = _need(c)
        if en not in seen:
            seen.add(en)
            out.append((en, zh))
    return target, out


def _summaries(proposed: Tier, decisive: list[str], by_id: dict[str, Criterion], next_tier: Tier | None,
               needs: list[tuple[str, str]]) -> tuple[str, str]:
    reasons_en = "; ".join(f"{cid}: {by_id[cid].evidence_en}" for cid in decisive)
    reasons_zh = "；".join(f"{cid}：{by_id[cid].evidence_zh}" for cid in decisive)
    en = (f"Proposed tier {proposed.value} — {proposed.label_en} ({proposed.clause}). "
          f"Decisive: {', '.join(decisive)}. {reasons_en}.")
    zh = (f"建议证据等级 {proposed.value}——{proposed.label_zh}（{proposed.clause}）。"
          f"决定性标准：{'、'.join(decisive)}。{reasons_zh}。")
    if next_tier is None:
        en += " Highest tier: nothing further needed."
        zh += "已为最高等级。"
    elif needs:
        en += f" {proposed.value} → {next_tier.value} needs: " + "; ".join(n[0] for n in needs) + "."
        zh += f"{proposed.value} → {next_tier.value} 还需：" + "；".join(n[1] for n in needs) + "。"
    return en, zh
