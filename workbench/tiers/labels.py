"""Evidence tiers T0–T4 and the criterion catalogue (evidence-tiers.md), in both languages."""
from __future__ import annotations

from dataclasses import dataclass

from ..enums import TIER_CODES, TIER_LABELS, Tier


@dataclass(frozen=True)
class CriterionSpec:
    """A criterion of evidence-tiers.md: stable id, tier, and what it asks, in both languages."""

    id: str
    tier: Tier
    title_en: str
    title_zh: str


# Evaluation order of evidence-tiers.md: T0 → T1 → T4 → T3 → T2 (criteria listed in the spec's order).
CRITERIA: tuple[CriterionSpec, ...] = (
    CriterionSpec("T0.critical_findings", Tier.T0, "a finding of severity critical", "存在严重（critical）问题"),
    CriterionSpec("T0.no_dosed_subjects", Tier.T0, "no subject was dosed with the product", "无受试者接受研究产品给药"),
    CriterionSpec("T0.no_safety_data", Tier.T0, "no safety data can be evaluated", "无可评价的安全性数据"),
    CriterionSpec("T1.stopping_rule_unresolved", Tier.T1,
                  "a stopping rule is met and no STOPPING_RULE_REVIEW document exists",
                  "触发暂停/终止规则且无 STOPPING_RULE_REVIEW 评估文件"),
    CriterionSpec("T1.related_death", Tier.T1, "a related TEAE with fatal outcome", "存在与研究产品相关的致死性不良事件"),
    CriterionSpec("T1.related_tumorigenicity", Tier.T1,
                  "a related TEAE in the neoplasm SOC or with a tumour/teratoma/ectopic-tissue term",
                  "存在与研究产品相关的肿瘤（良性、恶性）、畸胎瘤或异位组织形成不良事件"),
    CriterionSpec("T1.related_sae_rate", Tier.T1,
                  "related serious TEAE subjects / dosed subjects above the threshold in a dose arm",
                  "某剂量组相关严重不良事件受试者比例超过阈值"),
    CriterionSpec("T1.all_doses_too_toxic", Tier.T1, "the MTD procedure eliminates the lowest dose",
                  "MTD 判定程序剔除了最低剂量（所有剂量毒性过高）"),
    CriterionSpec("T4.randomized_controlled", Tier.T4,
                  "randomized controlled design at a confirmatory stage", "随机对照设计且为确证性阶段"),
    CriterionSpec("T4.clinical_endpoint", Tier.T4, "primary endpoint is a clinical endpoint", "主要终点为临床终点"),
    CriterionSpec("T4.efficacy_significant", Tier.T4, "efficacy signal with a two-sided p-value below the threshold",
                  "有效性信号且双侧 p 值低于阈值"),
    CriterionSpec("T4.safety_set_size", Tier.T4, "enough dosed subjects in active arms", "试验组给药受试者数量足够"),
    CriterionSpec("T4.follow_up", Tier.T4,
                  "enough dosed subjects meet the required follow-up (deaths count as meeting)",
                  "足够比例的给药受试者达到规定随访时长（死亡计为达到）"),
    CriterionSpec("T4.dose_explored", Tier.T4, "at least two dose levels in the data, or prior exploratory evidence",
                  "数据中至少两个剂量水平，或已有前期探索性证据"),
    CriterionSpec("T4.biology_known", Tier.T4, "BIODISTRIBUTION_REPORT and NONCLINICAL_SUMMARY documents present",
                  "具备体内分布（BIODISTRIBUTION_REPORT）和非临床研究总结（NONCLINICAL_SUMMARY）文件"),
    CriterionSpec("T4.no_major_findings_open", Tier.T4, "no open major finding on efficacy, safety or follow-up",
                  "有效性、安全性、随访要素无未解决的主要问题"),
    CriterionSpec("T3.efficacy_signal", Tier.T3, "efficacy signal on the primary endpoint", "主要终点显示有效性信号"),
    CriterionSpec("T3.dosed_subjects", Tier.T3, "enough dosed subjects in the arm(s) showing the signal",
                  "显示有效性信号的组别给药受试者数量足够"),
    CriterionSpec("T3.safety_followup", Tier.T3, "enough dosed subjects followed for the DLT window",
                  "足够比例的给药受试者随访达到 DLT 观察期"),
    CriterionSpec("T2.evaluable_safety", Tier.T2, "enough dosed subjects followed for the DLT window",
                  "足够数量的给药受试者随访达到 DLT 观察期"),
)

CRITERION_IDS = tuple(c.id for c in CRITERIA)
CRITERION_SPECS = {c.id: c for c in CRITERIA}


__all__ = ["CRITERIA", "CRITERION_IDS", "CRITERION_SPECS", "CriterionSpec", "TIER_CODES", "TIER_LABELS", "Tier"]
