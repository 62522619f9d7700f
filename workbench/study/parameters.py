"""The study parameters in force: the sponsor's declarations (submission.yaml) under the reviewer's rules.

One function, :func:`effective_parameters`, decides the required follow-up, the DLT window, target rate,
definition and grade, the stopping rules and the SAE reporting limit; FUP-002, the follow-up and DLT analyses,
the timeline, the tier criteria (through the analyses) and the study card all read it. Three cases per
parameter:

- declared and at least as strict as the reviewer's rules: the sponsor's value;
- declared but below a guideline floor or less strict than the reviewer's limit: the reviewer's value, and an
  :class:`Override` (field, sponsor value, reviewer value, reason) that the review shows;
- not declared: the rules' default, recorded as a :class:`DefaultUsed` (ADM-007 names them).

A required follow-up the reviewer supplies in the overlay (:mod:`workbench.overlay`, e.g. for a bare folder) is the
reviewer's own value for this study and is used as given; ``followup_declared`` stays the sponsor's declaration.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from ..manifest import StoppingRule
from ..memo import memo
from ..submission import Submission

G_FOLLOWUP = "G-3.1b"


@dataclass(frozen=True)
class Override:
    """A sponsor's declaration replaced by the reviewer's value (``sponsor`` as declared, ``reviewer`` in force)."""

    field: str             # submission.yaml path, e.g. "study.followup.required_days"
    sponsor: Any
    reviewer: Any
    rule: str              # the rules key that decided, e.g. "followup_floor_days.MSC"
    reason_en: str
    reason_zh: str

    def to_dict(self) -> dict:
        return {"field": self.field, "sponsor": self.sponsor, "reviewer": self.reviewer, "rule": self.rule,
                "reason": self.reason_en, "reason_zh": self.reason_zh}

    def text(self, lang: str = "en") -> str:
        """'study.followup.required_days: 90 declared, 730 in force (reason)'."""
        if lang == "zh":
            return f"{self.field}：申报 {self.sponsor}，按审评规则采用 {self.reviewer}（{self.reason_zh}）"
        return f"{self.field}: {self.sponsor} declared, {self.reviewer} in force ({self.reason_en})"


@dataclass(frozen=True)
class DefaultUsed:
    """A parameter submission.yaml does not declare, and the rules' default used for it."""

    field: str
    value: Any
    rule: str

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class StudyParameters:
    """The values in force for one submission under one rules file (build with :func:`effective_parameters`)."""

    required_followup_days: int
    followup_declared: int | None
    followup_floor: int
    followup_floor_rule: str           # e.g. "followup_floor_days.MSC", "gene_modified_floor_days"
    dlt_window_days: int
    dlt_target_rate: float
    dlt_definition: str
    dlt_min_grade: int
    stopping_rules: tuple[StoppingRule, ...]
    sae_report_days: int
    overrides: tuple[Override, ...] = ()
    defaults: tuple[DefaultUsed, ...] = ()
    followup_supplied: int | None = None   # the reviewer's overlay value (workbench.overlay), used as given

    def override(self, field: str) -> Override | None:
        return next((o for o in self.overrides if o.field == field), None)

    def default(self, field: str) -> DefaultUsed | None:
        return next((d for d in self.defaults if d.field == field), None)

    def followup_source(self) -> tuple[str, str]:
        """Where the required follow-up comes from, in words (en, zh)."""
        o = self.override("study.followup.required_days")
        where = self.followup_floor_rule
        if self.followup_supplied is not None:
            return ("supplied by the reviewer (overlay)", "审评人员补充（overlay）")
        if o is not None:
            return (f"the reviewer's guideline floor ({where}, {G_FOLLOWUP}) overrides the {o.sponsor} days "
                    f"declared in submission.yaml",
                    f"审评规则的指导原则下限（{where}，{G_FOLLOWUP}）取代 submission.yaml 申报的 {o.sponsor} 天")
        if self.followup_declared is not None:
            return ("declared in submission.yaml", "submission.yaml 申报")
        return (f"not declared: the reviewer's floor {where} ({G_FOLLOWUP})",
                f"未申报：采用审评规则下限 {where}（{G_FOLLOWUP}）")

    def to_dict(self) -> dict:
        """The parameters in force with their overrides and defaults (review.json ``parameters``)."""
        return {"required_followup_days": self.required_followup_days, "followup_declared": self.followup_declared,
                "followup_floor": self.followup_floor, "followup_floor_rule": self.followup_floor_rule,
                "dlt": {"window_days": self.dlt_window_days, "target_rate": self.dlt_target_rate,
                        "definition": self.dlt_definition, "min_grade": self.dlt_min_grade},
                "stopping_rules": [r.model_dump() for r in self.stopping_rules],
                "sae_report_days": self.sae_report_days,
                "overrides": [o.to_dict() for o in self.overrides],
                "defaults": [d.to_dict() for d in self.defaults]}


def _floor(sub: Submission) -> tuple[int, str]:
    rules = sub.rules_in_force
    product = sub.m.product
    floor, key = rules.followup_floor_days.of(product.cell_type)
    rule = f"followup_floor_days.{key}"
    if product.gene_modified and rules.gene_modified_floor_days > floor:
        floor, rule = rules.gene_modified_floor_days, "gene_modified_floor_days"
    return floor, rule


def _limited(field: str, declared, default, limit, stricter, rule_default: str, rule_limit: str,
             why_en: str, why_zh: str, overrides: list, defaults: list):
    """The value in force of one parameter: the default when not declared; the limit when the declaration is
    less strict than it (``stricter(a, b)``: a is at least as strict as b)."""
    if declared is None:
        defaults.append(DefaultUsed(field, default, rule_default))
        return default
    if limit is not None and not stricter(declared, limit):
        overrides.append(Override(field, declared, limit, rule_limit, why_en, why_zh))
        return limit
    return declared


@memo
def effective_parameters(sub: Submission) -> StudyParameters:
    """The study parameters in force: submission.yaml's declarations raised to the reviewer's floors and limits
    (the rules file in force), with every override and every default used."""
    rules = sub.rules_in_force
    study = sub.m.study
    overrides: list[Override] = []
    defaults: list[DefaultUsed] = []

    floor, floor_rule = _floor(sub)
    overlay = getattr(sub, "overlay", None)
    supplied = overlay.required_followup_days if overlay else None   # the reviewer's own value for this study
    declared = sub.manifest.study.followup.required_days if sub.manifest is not None else None
    ct = sub.m.product.cell_type or "cell type not declared"
    gm = ", gene-modified" if sub.m.product.gene_modified else ""
    gm_zh = "、基因修饰" if sub.m.product.gene_modified else ""
    if supplied is not None:
        required = supplied
    elif declared is None:
        required = floor
        defaults.append(DefaultUsed("study.followup.required_days", floor, floor_rule))
    elif declared < floor:
        required = floor
        overrides.append(Override(
            "study.followup.required_days", declared, floor, floor_rule,
            f"below the guideline floor of {floor} days for this product ({ct}{gm}; {G_FOLLOWUP})",
            f"低于该产品（{ct}{gm_zh}）的指导原则随访下限 {floor} 天（{G_FOLLOWUP}）"))
    else:
        required = declared

    dlt = study.dlt
    window = _limited("study.dlt.window_days", dlt.window_days, rules.default_window_days, rules.min_window_days,
                      lambda a, b: a >= b, "default_window_days", "min_window_days",
                      f"shorter than the reviewer's minimum DLT window of {rules.min_window_days} days",
                      f"短于审评规则的最短 DLT 观察期 {rules.min_window_days} 天", overrides, defaults)
    target = _limited("study.dlt.target_rate", dlt.target_rate, rules.default_dlt_target_rate,
                      rules.max_dlt_target_rate, lambda a, b: a <= b, "default_dlt_target_rate",
                      "max_dlt_target_rate",
                      f"above the reviewer's maximum target DLT rate of {rules.max_dlt_target_rate:g}",
                      f"高于审评规则的最高目标 DLT 发生率 {rules.max_dlt_target_rate:g}", overrides, defaults)
    definition = _limited("study.dlt.definition", dlt.definition, rules.default_dlt_definition, None,
                          lambda a, b: True, "default_dlt_definition", "", "", "", overrides, defaults)
    grade = _limited("study.dlt.min_grade", dlt.min_grade, rules.default_dlt_min_grade, rules.max_dlt_min_grade,
                     lambda a, b: a <= b, "default_dlt_min_grade", "max_dlt_min_grade",
                     f"a DLT grade threshold above the reviewer's maximum of grade {rules.max_dlt_min_grade}",
                     f"DLT 分级阈值高于审评规则的上限 {rules.max_dlt_min_grade} 级", overrides, defaults)

    cap = rules.stopping_rule_max_threshold
    stopping = []
    for r in study.stopping_rules:
        if cap is not None and r.threshold > cap:
            overrides.append(Override(
                f"study.stopping_rules[{r.id}].threshold", r.threshold, cap, "stopping_rule_max_threshold",
                f"more subjects than the reviewer's maximum of {cap} before the rule pauses the study (G-2.1.3c)",
                f"触发前允许的受试者数多于审评规则上限 {cap} 例（G-2.1.3c）"))
            r = r.model_copy(update={"threshold": cap})
        stopping.append(r)

    return StudyParameters(required, declared, floor, floor_rule, window, target, definition, grade, tuple(stopping),
                           rules.sae_report_days, tuple(overrides), tuple(defaults), followup_supplied=supplied)


__all__ = ["DefaultUsed", "Override", "StudyParameters", "effective_parameters"]
