"""One function per criterion of evidence-tiers.md.

Each function reads only the review.json ``analyses`` keys documented in
docs/tiers.md, the findings, the :class:`TierFacts` and the :class:`Rules`, and
returns a :class:`Criterion`: ``met`` True/False/None (None: not evaluable, the
evidence says why), evidence in English and Chinese naming the findings and
numbers behind it, and what would satisfy (or, for T0/T1, resolve) it.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from fractions import Fraction
from typing import Any

from ..findings import ELEMENT_LABELS, SEVERITY_LABELS, Element, Severity
from .facts import TierFacts, dose_levels_from_exposure
from .labels import CRITERION_SPECS, CriterionSpec, Tier
from ..rules import Rules

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


# ---------------------------------------------------------------- helpers --

def num(v: Any) -> float | None:
    """A finite number, or None (bools, NaN, text and missing values are not numbers)."""
    if v is None or isinstance(v, bool):
        return None
    try:
        x = float(v)
    except (TypeError, ValueError):
        return None
    return x if x == x and abs(x) != float("inf") else None


def count(v: Any) -> int | None:
    """A non-negative whole count, or None."""
    x = num(v)
    if x is None or x < 0 or x != int(x):
        return None
    return int(x)


def ge_share(numer: int, denom: int, threshold: float) -> bool:
    """numer/denom >= threshold, exactly (0.8 means 4/5, not the binary float)."""
    return Fraction(numer, denom) >= Fraction(str(threshold))


def gt_share(numer: int, denom: int, threshold: float) -> bool:
    """numer/denom > threshold, exactly."""
    return Fraction(numer, denom) > Fraction(str(threshold))


def fmt(x: Any) -> str:
    """A number as a reviewer reads it: whole numbers without decimals, others with up to 4 significant digits."""
    v = num(x)
    if v is None:
        return "n/a"
    if v == int(v) and abs(v) < 1e15:
        return str(int(v))
    return f"{v:.4g}"


def pct(numer: int, denom: int) -> str:
    return f"{100 * numer / denom:.1f}%"


def _listed(items: list[str], zh: bool = False) -> str:
    head = items[:MAX_LISTED]
    more = len(items) - len(head)
    sep = "，" if zh else ", "
    text = sep.join(head)
    if more:
        text += f" 等另 {more} 项" if zh else f" and {more} more"
    return text


def _counts(ids: list[str]) -> str:
    return ", ".join(f"{cid} ×{n}" for cid, n in sorted(Counter(ids).items()))


def _finding_fields(f: Any) -> tuple[str, str, str]:
    if isinstance(f, Mapping):
        cid, el, sev = f.get("check_id"), f.get("element"), f.get("severity")
    else:
        cid, el, sev = getattr(f, "check_id", None), getattr(f, "element", None), getattr(f, "severity", None)
    el = el.value if isinstance(el, Enum) else el
    sev = sev.value if isinstance(sev, Enum) else sev
    return str(cid or "?"), str(el or ""), str(sev or "").lower()


def _get(d: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(d, Mapping):
            return None
        d = d.get(key)
    return d


def _rows(v: Any) -> list[Mapping] | None:
    if not isinstance(v, (list, tuple)):
        return None
    return [r for r in v if isinstance(r, Mapping)]


def follow_up_rows(a: Mapping) -> list[Mapping] | None:
    """Per-arm follow-up rows: ``analyses.follow_up`` is a list of them (review-output.md); a dict with
    ``arms`` (review.json of workbench 0.1 before this was fixed) is read too. Every arm, control arms
    included: the follow-up criteria are about "dosed subjects", and a control subject with an EX record
    is dosed (analyses.md)."""
    v = a.get("follow_up")
    return _rows(v.get("arms")) if isinstance(v, Mapping) else _rows(v)


def follow_up_value(a: Mapping, key: str) -> Any:
    """``required_days`` / ``window_days``: from ``follow_up_summary``, else the rows, else the old dict form."""
    for v in (_get(a, "follow_up_summary", key), _get(a, "follow_up", key)):
        if v is not None:
            return v
    return next((r.get(key) for r in follow_up_rows(a) or [] if r.get(key) is not None), None)


@dataclass(frozen=True)
class ArmCount:
    arm: str
    control: bool
    dosed: int | None


class Context:
    """Findings, analyses, facts and rules, read once, for all criteria."""

    def __init__(self, findings: list, analyses: Mapping | None, facts: TierFacts, rules: Rules):
        self.findings = [_finding_fields(f) for f in (findings or [])]
        self.a = analyses if isinstance(analyses, Mapping) else {}
        self.facts = facts
        self.rules = rules
        self.arms, self.arms_source = self._arm_counts()
        self.window_days, self.window_source = self._window()

    def _arm_counts(self) -> tuple[list[ArmCount] | None, str | None]:
        for source, rows in (("exposure", _rows(self.a.get("exposure"))),
                             ("safety.overview", _rows(_get(self.a, "safety", "overview"))),
                             ("follow_up", follow_up_rows(self.a))):
            if rows is not None:
                return [ArmCount(str(r.get("arm")), r.get("control") is True, count(r.get("dosed")))
                        for r in rows], source
        return None, None

    def _window(self) -> tuple[int, str]:
        for source, v in (("follow_up.window_days", follow_up_value(self.a, "window_days")),
                          ("dlt.window_days", _get(self.a, "dlt", "window_days"))):
            c = count(v)
            if c:
                return c, source
        return self.rules.default_window_days, "rules.default_window_days"

    @property
    def active(self) -> list[ArmCount] | None:
        return None if self.arms is None else [a for a in self.arms if not a.control]

    def present(self, *check_ids: str) -> tuple[str, ...]:
        """Those of ``check_ids`` that have at least one finding."""
        have = {cid for cid, _, _ in self.findings}
        return tuple(cid for cid in check_ids if cid in have)

    def control_arms(self) -> set[str]:
        return {a.arm for a in (self.arms or []) if a.control}


def _na(cid: str, en: str, zh: str, need_en: str = "", need_zh: str = "", **values: Any) -> Criterion:
    return Criterion(cid, None, en, zh, values=values, need_en=need_en, need_zh=need_zh)


# --------------------------------------------------------------------- T0 --

def t0_critical_findings(c: Context) -> Criterion:
    ids = [cid for cid, _, sev in c.findings if sev == "critical"]
    uniq = tuple(sorted(set(ids)))
    if ids:
        return Criterion("T0.critical_findings", True,
                         f"{len(ids)} critical finding(s): {_counts(ids)}",
                         f"{len(ids)} 项严重问题：{_counts(ids)}",
                         values={"critical": len(ids)}, findings=uniq,
                         need_en=f"resolve the critical findings ({', '.join(uniq)})",
                         need_zh=f"解决严重问题（{'、'.join(uniq)}）")
    return Criterion("T0.critical_findings", False, f"no critical finding among {len(c.findings)} finding(s)",
                     f"{len(c.findings)} 项问题中无严重问题", values={"critical": 0})


def t0_no_dosed_subjects(c: Context) -> Criterion:
    cid = "T0.no_dosed_subjects"
    active = c.active
    need_en, need_zh = "subjects dosed with the product, with exposure data (EX)", "受试者接受研究产品给药并有给药记录（EX）"
    if active is None:
        return _na(cid, "not evaluable: no exposure analysis (analyses.exposure, safety.overview, follow_up)",
                   "无法评价：缺少暴露分析结果（analyses.exposure 等）", need_en, need_zh)
    known = [a for a in active if a.dosed is not None]
    total = sum(a.dosed for a in known)
    ctrl = sum(a.dosed or 0 for a in c.arms or [] if a.control)
    per_arm = ", ".join(f"{a.arm} {a.dosed if a.dosed is not None else 'n/a'}" for a in active) or "none"
    src = f" (from {c.arms_source})" if c.arms_source != "exposure" else ""
    if total == 0 and len(known) < len(active):
        return _na(cid, f"not evaluable: dosed count missing for active arm(s) ({per_arm}){src}",
                   f"无法评价：试验组给药人数缺失（{per_arm}）", need_en, need_zh, active_dosed=None)
    ctrl_en = f"; control arms {ctrl}" if ctrl else ""
    ctrl_zh = f"；对照组 {ctrl} 例" if ctrl else ""
    if total == 0:
        return Criterion(cid, True, f"0 subjects dosed with the product (active arms: {per_arm}{ctrl_en}){src}",
                         f"无受试者接受研究产品给药（试验组：{per_arm}{ctrl_zh}）",
                         values={"active_dosed": 0, "control_dosed": ctrl}, need_en=need_en, need_zh=need_zh)
    return Criterion(cid, False, f"{total} subjects dosed in active arms ({per_arm}{ctrl_en}){src}",
                     f"试验组共 {total} 例受试者给药（{per_arm}{ctrl_zh}）",
                     values={"active_dosed": total, "control_dosed": ctrl})


def t0_no_safety_data(c: Context, t2: Criterion) -> tuple[Criterion, bool]:
    """(criterion, early): early means "no safety analysis at all" (decisive at step 1);
    otherwise the criterion is met when T2.evaluable_safety is not (the step-5 fallback)."""
    cid = "T0.no_safety_data"
    overview = _rows(_get(c.a, "safety", "overview"))
    no_data = None
    if _get(c.a, "safety", "reason_code") == "no_ae":   # the overview's zeros would mean "no AE", not "no data"
        no_data = ("the submission has no AE dataset", "申报资料中没有不良事件数据集（AE）", {"ae_dataset": False})
    elif not overview:
        no_data = (f"analyses.safety.overview is {'missing' if overview is None else 'empty'}",
                   f"安全性概览（analyses.safety.overview）{'缺失' if overview is None else '为空'}", {})
    if no_data:
        why_en, why_zh, extra = no_data
        return Criterion(cid, True, f"no safety data can be evaluated: {why_en}", f"无可评价的安全性数据：{why_zh}",
                         values={"safety_overview": False, **extra},
                         need_en="adverse event data (AE) for the dosed subjects, with a safety analysis",
                         need_zh="提供给药受试者的不良事件数据（AE）及安全性分析"), True
    note_en = " (decisive only when no T1–T3 rule applies: the last step of the evaluation order)"
    note_zh = "（仅在 T1–T3 均不适用时起决定作用：评价顺序的最后一步）"
    if t2.met is True:
        return Criterion(cid, False, f"safety data can be evaluated: {t2.evidence_en}",
                         f"安全性数据可评价：{t2.evidence_zh}", values=dict(t2.values, safety_overview=True)), False
    if t2.met is False:
        return Criterion(cid, True, f"too little safety data to evaluate: {t2.evidence_en}{note_en}",
                         f"安全性数据不足以评价：{t2.evidence_zh}{note_zh}", values=dict(t2.values, safety_overview=True),
                         need_en=t2.need_en, need_zh=t2.need_zh), False
    return Criterion(cid, True, f"safety over the DLT window cannot be evaluated: {t2.evidence_en}{note_en}",
                     f"无法评价 DLT 观察期内的安全性：{t2.evidence_zh}{note_zh}", values=dict(t2.values, safety_overview=True),
                     need_en=t2.need_en, need_zh=t2.need_zh), False


# --------------------------------------------------------------------- T1 --

def t1_stopping_rule_unresolved(c: Context) -> Criterion:
    cid = "T1.stopping_rule_unresolved"
    rules = _rows(c.a.get("stopping_rules"))
    if rules is None:
        return _na(cid, "not evaluable: no stopping-rule analysis (analyses.stopping_rules)",
                   "无法评价：缺少暂停/终止规则分析结果（analyses.stopping_rules）")
    if not rules:
        return Criterion(cid, False, "no stopping rule declared", "未规定暂停/终止规则", values={"rules": 0, "met": []})
    met = [r for r in rules if r.get("met") is True]
    unknown = [r for r in rules if r.get("met") not in (True, False)]
    has_review = "STOPPING_RULE_REVIEW" in c.facts.document_types
    desc = [f"{r.get('id')} ({fmt(r.get('max_subjects'))} subjects, threshold {fmt(r.get('threshold'))})" for r in met]
    desc_zh = [f"{r.get('id')}（{fmt(r.get('max_subjects'))} 例，阈值 {fmt(r.get('threshold'))}）" for r in met]
    ids = [str(r.get("id")) for r in met]
    values = {"rules": len(rules), "met": ids, "review_document": has_review}
    if met and not has_review:
        docs = "" if c.facts.documents_indexed else " (no documents index)"
        return Criterion(cid, True, f"stopping rule met: {_listed(desc)}; no STOPPING_RULE_REVIEW document{docs}",
                         f"触发暂停/终止规则：{_listed(desc_zh, True)}；无 STOPPING_RULE_REVIEW 评估文件",
                         values=values, findings=c.present("SAF-005"),
                         need_en=f"a STOPPING_RULE_REVIEW document evaluating stopping rule(s) {', '.join(ids)} "
                                 f"(cause found, risk controls in place; G-2.1.3c, G-4.2.1)",
                         need_zh=f"提交针对暂停/终止规则 {'、'.join(ids)} 的评估文件 STOPPING_RULE_REVIEW"
                                 f"（查明原因并落实风险控制措施；G-2.1.3c、G-4.2.1）")
    if met:
        return Criterion(cid, False, f"stopping rule met: {_listed(desc)}; reviewed (STOPPING_RULE_REVIEW present)",
                         f"触发暂停/终止规则：{_listed(desc_zh, True)}；已有 STOPPING_RULE_REVIEW 评估文件", values=values)
    if unknown:
        which = ", ".join(str(r.get("id")) for r in unknown)
        return _na(cid, f"not evaluable: 'met' missing for stopping rule(s) {which}",
                   f"无法评价：暂停/终止规则 {'、'.join(str(r.get('id')) for r in unknown)} 缺少是否触发的结果", **values)
    return Criterion(cid, False, f"no stopping rule met ({len(rules)} declared)",
                     f"未触发暂停/终止规则（共 {len(rules)} 条）", values=values)


def _event_list(rows: list[Mapping], soc: bool = False) -> tuple[list[str], list[str]]:
    en, zh = [], []
    for r in rows:
        term = r.get("aedecod") or "?"
        extra = f", {r.get('aebodsys')}" if soc and r.get("aebodsys") else ""
        en.append(f"{r.get('usubjid')} AESEQ={fmt(r.get('aeseq'))} ({term}{extra})")
        soc_zh = "，" + str(r.get("aebodsys")) if extra else ""
        zh.append(f"{r.get('usubjid')} AESEQ={fmt(r.get('aeseq'))}（{term}{soc_zh}）")
    return en, zh


def t1_related_death(c: Context) -> Criterion:
    cid = "T1.related_death"
    rows = _rows(_get(c.a, "safety", "related_fatal"))
    if rows is None:
        overview = _rows(_get(c.a, "safety", "overview"))
        fatal = [count(r.get("fatal")) for r in overview or []]
        if overview and all(f == 0 for f in fatal):
            return Criterion(cid, False, "no fatal TEAE in any arm (safety.overview)", "各组均无致死性不良事件",
                             values={"related_fatal": 0})
        return _na(cid, "not evaluable: no listing of related fatal TEAEs (analyses.safety.related_fatal)",
                   "无法评价：缺少相关致死性不良事件列表（analyses.safety.related_fatal）")
    if rows:
        en, zh = _event_list(rows)
        subjects = sorted({str(r.get("usubjid")) for r in rows})
        return Criterion(cid, True, f"{len(subjects)} subject(s) with a related fatal TEAE: {_listed(en)}",
                         f"{len(subjects)} 例受试者发生与研究产品相关的致死性不良事件：{_listed(zh, True)}",
                         values={"related_fatal": len(subjects), "subjects": subjects},
                         need_en=f"related death(s) of {', '.join(subjects)}: cause identified and risk controls "
                                 f"that ensure timely identification and handling (G-4.2.1)",
                         need_zh=f"受试者 {'、'.join(subjects)} 的相关死亡：查明原因，并有能及时识别和处置风险的控制措施（G-4.2.1）")
    return Criterion(cid, False, "no related TEAE with fatal outcome", "无与研究产品相关的致死性不良事件",
                     values={"related_fatal": 0})


def t1_related_tumorigenicity(c: Context) -> Criterion:
    cid = "T1.related_tumorigenicity"
    rows = _rows(_get(c.a, "safety", "related_tumorigenicity"))
    if rows is None:
        return _na(cid, "not evaluable: no listing of related tumorigenicity TEAEs "
                        "(analyses.safety.related_tumorigenicity)",
                   "无法评价：缺少相关致瘤性不良事件列表（analyses.safety.related_tumorigenicity）")
    if rows:
        en, zh = _event_list(rows, soc=True)
        subjects = sorted({str(r.get("usubjid")) for r in rows})
        return Criterion(cid, True, f"{len(subjects)} subject(s) with a related neoplasm/teratoma/ectopic-tissue TEAE: "
                                    f"{_listed(en)}",
                         f"{len(subjects)} 例受试者发生与研究产品相关的肿瘤/畸胎瘤/异位组织不良事件：{_listed(zh, True)}",
                         values={"related_tumorigenicity": len(subjects), "subjects": subjects},
                         findings=c.present("SAF-006"),
                         need_en=f"related tumorigenicity event(s) in {', '.join(subjects)} excluded by human and "
                                 f"nonclinical data (G-4.2.1)",
                         need_zh=f"以人体及非临床数据排除受试者 {'、'.join(subjects)} 的相关致瘤性风险（G-4.2.1）")
    return Criterion(cid, False, "no related TEAE in the neoplasm SOC or with a tumour/teratoma/ectopic-tissue term",
                     "无与研究产品相关的肿瘤、畸胎瘤或异位组织形成不良事件", values={"related_tumorigenicity": 0})


def t1_related_sae_rate(c: Context) -> Criterion:
    cid = "T1.related_sae_rate"
    thr, min_n = c.rules.related_sae_rate, c.rules.min_arm_dosed_for_rate
    overview = _rows(_get(c.a, "safety", "overview"))
    if overview is None:
        return _na(cid, "not evaluable: no safety overview (analyses.safety.overview)",
                   "无法评价：缺少安全性概览（analyses.safety.overview）", threshold=thr)
    parts_en, parts_zh, over, missing, small = [], [], [], [], []
    arms = []
    ctrl = c.control_arms()
    for r in overview:
        if r.get("control") is True or str(r.get("arm")) in ctrl:
            continue
        arm = str(r.get("arm"))
        dosed, rs = count(r.get("dosed")), count(r.get("related_serious"))
        if dosed is None or dosed < min_n:
            small.append(f"{arm} {dosed if dosed is not None else 'n/a'}")
            continue
        if rs is None:
            missing.append(arm)
            continue
        exceeds = gt_share(rs, dosed, thr)
        arms.append({"arm": arm, "related_serious": rs, "dosed": dosed, "rate": round(rs / dosed, 4),
                     "exceeds": exceeds})
        mark = f" > {fmt(thr)}" if exceeds else ""
        parts_en.append(f"{arm} {rs}/{dosed} = {rs / dosed:.2f}{mark}")
        parts_zh.append(f"{arm} {rs}/{dosed} = {rs / dosed:.2f}{mark}")
        if exceeds:
            over.append(arm)
    values = {"threshold": thr, "min_arm_dosed": min_n, "arms": arms}
    tail_en = f"; arms with < {min_n} dosed not rated: {', '.join(small)}" if small else ""
    tail_zh = f"；给药不足 {min_n} 例的组不计：{'，'.join(small)}" if small else ""
    if over:
        return Criterion(cid, True, f"related serious TEAE rate above {fmt(thr)} in {', '.join(over)}: "
                                    f"{'; '.join(parts_en)}{tail_en}",
                         f"{'、'.join(over)} 组相关严重不良事件发生率超过 {fmt(thr)}：{'；'.join(parts_zh)}{tail_zh}",
                         values=values,
                         need_en=f"related serious TEAE rate ≤ {fmt(thr)} in {', '.join(over)}, or its cause found and "
                                 f"controlled (G-4.2.1)",
                         need_zh=f"{'、'.join(over)} 组相关严重不良事件发生率不超过 {fmt(thr)}，或查明原因并有效控制（G-4.2.1）")
    if missing:
        return _na(cid, f"not evaluable: related_serious missing for {', '.join(missing)}",
                   f"无法评价：{'、'.join(missing)} 组缺少相关严重不良事件人数", **values)
    if not arms:
        return _na(cid, f"not evaluable: no dose arm with ≥ {min_n} dosed subjects{tail_en}",
                   f"无法评价：无给药 ≥ {min_n} 例的剂量组{tail_zh}", **values)
    return Criterion(cid, False, f"related serious TEAE rate ≤ {fmt(thr)} in every rated arm: "
                                 f"{'; '.join(parts_en)}{tail_en}",
                     f"各计入组相关严重不良事件发生率均不超过 {fmt(thr)}：{'；'.join(parts_zh)}{tail_zh}", values=values)


def t1_all_doses_too_toxic(c: Context) -> Criterion:
    cid = "T1.all_doses_too_toxic"
    dlt = c.a.get("dlt")
    if not isinstance(dlt, Mapping):
        return _na(cid, "not evaluable: no DLT/MTD analysis (analyses.dlt)", "无法评价：缺少 DLT/MTD 分析结果（analyses.dlt）")
    levels = _rows(dlt.get("levels")) or []
    low = levels[0] if levels else None
    low_en = f"lowest dose {low.get('arm')}: {fmt(low.get('n_dlt'))}/{fmt(low.get('n'))} with DLT" if low else ""
    low_zh = f"最低剂量 {low.get('arm')}：{fmt(low.get('n_dlt'))}/{fmt(low.get('n'))} 例发生 DLT" if low else ""
    reason = dlt.get("mtd_reason")
    flag = dlt.get("all_doses_too_toxic")
    values = {"target_rate": num(dlt.get("target_rate")), "mtd": dlt.get("mtd") if isinstance(dlt.get("mtd"), Mapping)
              else None}
    if flag is True:
        return Criterion(cid, True, f"the MTD procedure eliminates the lowest dose ({low_en or 'all doses too toxic'}"
                                    f"{'; ' + str(reason) if reason else ''})",
                         f"MTD 判定程序剔除了最低剂量（{low_zh or '所有剂量毒性过高'}）", values=values,
                         need_en="a tolerable dose: a lower dose level not eliminated by the MTD procedure (G-4.2.1)",
                         need_zh="找到可耐受剂量：MTD 判定程序未剔除的更低剂量（G-4.2.1）")
    if flag is False:
        mtd = values["mtd"]
        if mtd:
            en = f"lowest dose not eliminated; MTD {mtd.get('arm')} ({fmt(mtd.get('dose'))})"
            zh = f"最低剂量未被剔除；MTD 为 {mtd.get('arm')}（{fmt(mtd.get('dose'))}）"
        else:
            en = f"lowest dose not eliminated; no MTD selected{': ' + str(reason) if reason else ''}"
            zh = f"最低剂量未被剔除；未选出 MTD{'：' + str(reason) if reason else ''}"
        return Criterion(cid, False, en, zh, values=values)
    return _na(cid, "not evaluable: analyses.dlt.all_doses_too_toxic missing",
               "无法评价：缺少 analyses.dlt.all_doses_too_toxic", **values)


# --------------------------------------------------------------------- T4 --

def t4_randomized_controlled(c: Context) -> Criterion:
    cid = "T4.randomized_controlled"
    r, f = c.rules, c.facts
    designs, stages = " or ".join(r.t4_designs), " or ".join(r.t4_stages)
    need_en = f"a {designs} design at stage {stages} (now design {f.design or 'not declared'}, " \
              f"stage {f.stage or 'not declared'})"
    need_zh = f"采用 {'或'.join(r.t4_designs)} 设计、研究阶段为 {'或'.join(r.t4_stages)}" \
              f"（当前设计：{f.design or '未声明'}，阶段：{f.stage or '未声明'}）"
    values = {"design": f.design, "stage": f.stage}
    if f.design is not None and f.design not in r.t4_designs:
        return Criterion(cid, False, f"design {f.design} is not {designs}",
                         f"设计为 {f.design}，不是 {'或'.join(r.t4_designs)}",
                         values=values, need_en=need_en, need_zh=need_zh)
    if f.stage is not None and f.stage not in r.t4_stages:
        return Criterion(cid, False, f"stage {f.stage} is not {stages}", f"研究阶段为 {f.stage}，不是 {'或'.join(r.t4_stages)}",
                         values=values, need_en=need_en, need_zh=need_zh)
    if f.design is None or f.stage is None:
        missing = [k for k, v in (("study.design", f.design), ("study.stage", f.stage)) if v is None]
        return _na(cid, f"not evaluable: {' and '.join(missing)} not declared in submission.yaml",
                   f"无法评价：submission.yaml 未声明 {'和'.join(missing)}", need_en, need_zh, **values)
    return Criterion(cid, True, f"design {f.design}, stage {f.stage}", f"设计 {f.design}，阶段 {f.stage}", values=values)


def t4_clinical_endpoint(c: Context) -> Criterion:
    cid = "T4.clinical_endpoint"
    allowed = c.rules.t4_endpoint_types
    t = c.facts.endpoint_type
    need_en = f"a primary endpoint of type {' or '.join(allowed)} (now {t or 'not declared'})"
    need_zh = f"主要终点类型为 {'或'.join(allowed)}（当前：{t or '未声明'}）"
    if t is None:
        return _na(cid, "not evaluable: no primary endpoint declared in submission.yaml",
                   "无法评价：submission.yaml 未声明主要终点",
                   need_en, need_zh, endpoint_type=None)
    if t in allowed:
        return Criterion(cid, True, f"primary endpoint type {t}", f"主要终点类型为 {t}", values={"endpoint_type": t})
    return Criterion(cid, False, f"primary endpoint type {t}, not {' or '.join(allowed)}",
                     f"主要终点类型为 {t}，不是 {'或'.join(allowed)}", values={"endpoint_type": t},
                     findings=c.present("EFF-002"),
                     need_en=need_en, need_zh=need_zh)


def _efficacy(c: Context) -> tuple[Mapping | None, Mapping | None, str, str]:
    eff = c.a.get("efficacy")
    if not isinstance(eff, Mapping):
        return None, None, "", ""
    comp = eff.get("comparison") if isinstance(eff.get("comparison"), Mapping) else None
    endpoint = eff.get("endpoint") or "the primary endpoint"
    if comp is None:
        return eff, None, f"{endpoint}", f"{eff.get('endpoint') or '主要终点'}"
    est, lo, hi = comp.get("estimate"), comp.get("ci_low"), comp.get("ci_high")
    kind = comp.get("kind") or "comparison"
    arms = comp.get("arms")
    arms_txt = f", arms {'+'.join(str(a) for a in arms)}" if isinstance(arms, (list, tuple)) and arms else ""
    en = f"{endpoint}: estimate {fmt(est)} (95% CI {fmt(lo)} to {fmt(hi)}), {kind}{arms_txt}"
    zh = f"{eff.get('endpoint') or '主要终点'}：估计值 {fmt(est)}（95% CI {fmt(lo)} 至 {fmt(hi)}），{kind}{arms_txt}"
    return eff, comp, en, zh


def t4_efficacy_significant(c: Context) -> Criterion:
    cid = "T4.efficacy_significant"
    thr = c.rules.t4_p_value
    need_en = f"an efficacy signal on the primary endpoint with two-sided p < {fmt(thr)}"
    need_zh = f"主要终点有效性信号且双侧 p < {fmt(thr)}"
    eff, comp, desc_en, desc_zh = _efficacy(c)
    if eff is None:
        return _na(cid, "not evaluable: no efficacy analysis (analyses.efficacy)", "无法评价：缺少有效性分析结果（analyses.efficacy）",
                   need_en, need_zh, p_value=None, threshold=thr)
    signal = eff.get("signal")
    p = num(comp.get("p_value")) if comp else None
    values = {"signal": signal if isinstance(signal, bool) else None, "p_value": p, "threshold": thr}
    reason = f" ({eff.get('reason')})" if eff.get("reason") else ""
    if signal is False:
        return Criterion(cid, False, f"no efficacy signal: {desc_en}{reason}", f"无有效性信号：{desc_zh}{reason}",
                         values=values, need_en=need_en, need_zh=need_zh)
    if signal is not True:
        return _na(cid, f"not evaluable: efficacy signal not determined{reason}", f"无法评价：未能判定有效性信号{reason}",
                   need_en, need_zh, **values)
    if p is None:
        return _na(cid, f"not evaluable: efficacy signal but no p-value ({desc_en})",
                   f"无法评价：有有效性信号但无 p 值（{desc_zh}）", need_en, need_zh, **values)
    if p < thr:
        return Criterion(cid, True, f"efficacy signal, two-sided p = {p:.3g} < {fmt(thr)}: {desc_en}",
                         f"有有效性信号，双侧 p = {p:.3g} < {fmt(thr)}：{desc_zh}", values=values)
    return Criterion(cid, False, f"efficacy signal but two-sided p = {p:.3g} ≥ {fmt(thr)}: {desc_en}",
                     f"有有效性信号，但双侧 p = {p:.3g} ≥ {fmt(thr)}：{desc_zh}", values=values,
                     need_en=f"{need_en} (now p = {p:.3g})", need_zh=f"{need_zh}（当前 p = {p:.3g}）")


def t4_safety_set_size(c: Context) -> Criterion:
    cid = "T4.safety_set_size"
    need_n = c.rules.t4_min_active_dosed
    active = c.active
    if active is None or any(a.dosed is None for a in active):
        return _na(cid, "not evaluable: dosed subjects per active arm not available (analyses.exposure)",
                   "无法评价：缺少各试验组给药人数（analyses.exposure）", f"≥ {need_n} dosed subjects in active arms",
                   f"试验组给药受试者 ≥ {need_n} 例", active_dosed=None, threshold=need_n)
    total = sum(a.dosed for a in active)
    per_arm = ", ".join(f"{a.arm} {a.dosed}" for a in active)
    values = {"active_dosed": total, "threshold": need_n}
    if total >= need_n:
        return Criterion(cid, True, f"{total} dosed subjects in active arms ≥ {need_n} ({per_arm})",
                         f"试验组给药受试者 {total} 例 ≥ {need_n}（{per_arm}）", values=values)
    return Criterion(cid, False, f"{total} dosed subjects in active arms < {need_n} ({per_arm or 'no active arm'})",
                     f"试验组给药受试者 {total} 例 < {need_n}（{per_arm or '无试验组'}）", values=values,
                     need_en=f"≥ {need_n} dosed subjects in active arms (now {total})",
                     need_zh=f"试验组给药受试者 ≥ {need_n} 例（当前 {total} 例）")


def t4_follow_up(c: Context) -> Criterion:
    cid = "T4.follow_up"
    share = c.rules.follow_up_share
    req = count(follow_up_value(c.a, "required_days"))
    req_txt = f"{req} days" if req else "the required follow-up"
    req_zh = f"{req} 天" if req else "规定随访时长"
    need_en = f"≥ {share:.0%} of dosed subjects followed ≥ {req_txt} (deaths count as meeting)"
    need_zh = f"≥ {share:.0%} 的给药受试者随访 ≥ {req_zh}（死亡计为达到）"
    arms = follow_up_rows(c.a)
    if not arms:
        return _na(cid, "not evaluable: no follow-up analysis per arm (analyses.follow_up)",
                   "无法评价：缺少各组随访分析结果（analyses.follow_up）", need_en, need_zh, threshold=share)
    dosed = meeting = deaths = 0
    for r in arms:
        d, m = count(r.get("dosed")), count(r.get("meeting_requirement"))
        if d is None or m is None:
            return _na(cid, f"not evaluable: dosed or meeting_requirement missing for arm {r.get('arm')}",
                       f"无法评价：{r.get('arm')} 组缺少给药人数或达到随访要求人数", need_en, need_zh, threshold=share)
        # deaths before the requirement when the analysis gives them; else all deaths, capped so no one counts twice
        db = count(r.get("deaths_before_requirement"))
        dd = db if db is not None else (count(r.get("deaths")) or 0)
        dd = max(0, min(dd, d - m))
        dosed, meeting, deaths = dosed + d, meeting + m, deaths + dd
    values = {"dosed": dosed, "meeting_requirement": meeting, "deaths_counted": deaths, "required_days": req,
              "threshold": share}
    if dosed == 0:
        return _na(cid, "not evaluable: no dosed subject", "无法评价：无给药受试者", need_en, need_zh,
                   **values)
    n = meeting + deaths
    values["share"] = round(n / dosed, 4)
    body_en = (f"{n}/{dosed} dosed subjects ({pct(n, dosed)}) followed ≥ {req_txt} or died "
               f"({meeting} met, {deaths} died before)")
    body_zh = f"{n}/{dosed} 例给药受试者（{pct(n, dosed)}）随访 ≥ {req_zh} 或已死亡（达到 {meeting} 例，此前死亡 {deaths} 例）"
    if ge_share(n, dosed, share):
        return Criterion(cid, True, f"{body_en} ≥ {share:.0%}", f"{body_zh} ≥ {share:.0%}", values=values)
    return Criterion(cid, False, f"{body_en} < {share:.0%}", f"{body_zh} < {share:.0%}", values=values,
                     findings=c.present("FUP-001", "FUP-002"), need_en=f"{need_en} (now {pct(n, dosed)})",
                     need_zh=f"{need_zh}（当前 {pct(n, dosed)}）")


def t4_dose_explored(c: Context) -> Criterion:
    cid = "T4.dose_explored"
    min_levels = c.rules.t4_min_dose_levels
    levels = c.facts.dose_levels
    src = "data"
    if levels is None:
        levels, src = dose_levels_from_exposure(c.a.get("exposure")), "data (analyses.exposure)"
    prior = bool(c.facts.prior_exploratory_evidence)
    values = {"dose_levels": levels, "prior_exploratory_evidence": prior, "threshold": min_levels}
    need_en = f"≥ {min_levels} dose levels in the data, or prior exploratory evidence (now {fmt(levels)} level(s))"
    need_zh = f"数据中 ≥ {min_levels} 个剂量水平，或已有前期探索性证据（当前 {fmt(levels)} 个）"
    if prior:
        return Criterion(cid, True, f"prior_exploratory_evidence: true ({fmt(levels)} dose level(s) in the {src})",
                         f"已声明前期探索性证据（数据中 {fmt(levels)} 个剂量水平）", values=values)
    if levels is None:
        return _na(cid, "not evaluable: dose levels unknown (no exposure analysis) and no prior exploratory evidence",
                   "无法评价：剂量水平未知（缺少暴露分析）且未声明前期探索性证据", need_en, need_zh, **values)
    if levels >= min_levels:
        return Criterion(cid, True, f"{levels} dose levels in the {src} ≥ {min_levels}",
                         f"数据中 {levels} 个剂量水平 ≥ {min_levels}", values=values)
    return Criterion(cid, False,
                     f"{levels} dose level(s) in the {src} < {min_levels} and no prior exploratory evidence",
                     f"数据中 {levels} 个剂量水平 < {min_levels}，且未声明前期探索性证据", values=values,
                     need_en=need_en, need_zh=need_zh)


def t4_biology_known(c: Context) -> Criterion:
    cid = "T4.biology_known"
    required = list(c.rules.t4_required_documents)
    missing = [d for d in required if d not in c.facts.document_types]
    values = {"required": required, "missing": missing}
    if not missing:
        return Criterion(cid, True, f"documents present: {', '.join(required) or 'none required'}",
                         f"已有文件：{'、'.join(required) or '无要求'}", values=values)
    idx_en = " (no documents index)" if not c.facts.documents_indexed else ""
    idx_zh = "（无文件索引）" if not c.facts.documents_indexed else ""
    return Criterion(cid, False, f"document(s) missing: {', '.join(missing)}{idx_en}",
                     f"缺少文件：{'、'.join(missing)}{idx_zh}", values=values,
                     need_en=f"{' and '.join(missing)} document(s) "
                             f"(survival, distribution, differentiation known; G-4.2.4)",
                     need_zh=f"提交 {'、'.join(missing)} 文件（明确体内存活、分布、分化特性；G-4.2.4）")


def t4_no_major_findings_open(c: Context) -> Criterion:
    cid = "T4.no_major_findings_open"
    elements, sevs = set(c.rules.t4_major_finding_elements), set(c.rules.t4_major_finding_severities)
    hits = [(cid_, el) for cid_, el, sev in c.findings if el in elements and sev in sevs]
    els = ", ".join(c.rules.t4_major_finding_elements)
    els_zh = "、".join(ELEMENT_LABELS[Element(e)][0] for e in c.rules.t4_major_finding_elements)
    sevs_zh = "/".join(SEVERITY_LABELS[Severity(s)][0] for s in c.rules.t4_major_finding_severities)
    values = {"open": len(hits), "elements": list(c.rules.t4_major_finding_elements),
              "severities": list(c.rules.t4_major_finding_severities)}
    if not hits:
        return Criterion(cid, True, f"no {'/'.join(c.rules.t4_major_finding_severities)} finding in {els}",
                         f"{els_zh}要素无{sevs_zh}问题", values=values)
    ids = [h[0] for h in hits]
    uniq = tuple(sorted(set(ids)))
    by_el = Counter(h[1] for h in hits)
    el_txt = ", ".join(f"{e} {n}" for e, n in sorted(by_el.items()))
    return Criterion(cid, False, f"{len(hits)} open finding(s) in {els} ({el_txt}): {_counts(ids)}",
                     f"{els_zh}要素有 {len(hits)} 项未解决问题（{el_txt}）：{_counts(ids)}", values=values, findings=uniq,
                     need_en=f"resolve or justify the open findings in {els} ({', '.join(uniq)})",
                     need_zh=f"解决或说明{els_zh}要素的未决问题（{'、'.join(uniq)}）")


# --------------------------------------------------------------------- T3 --

def t3_efficacy_signal(c: Context) -> Criterion:
    cid = "T3.efficacy_signal"
    need_en, need_zh = "an efficacy signal on the primary endpoint (95% CI excluding 0 on the favourable side)", \
        "主要终点有效性信号（95% CI 在有利方向上不含 0）"
    eff, comp, desc_en, desc_zh = _efficacy(c)
    if eff is None:
        return _na(cid, "not evaluable: no efficacy analysis (analyses.efficacy)", "无法评价：缺少有效性分析结果（analyses.efficacy）",
                   need_en, need_zh, signal=None)
    signal = eff.get("signal")
    reason = f" ({eff.get('reason')})" if eff.get("reason") else ""
    if signal is True:
        return Criterion(cid, True, f"efficacy signal: {desc_en}", f"有有效性信号：{desc_zh}", values={"signal": True})
    if signal is False:
        return Criterion(cid, False, f"no efficacy signal: {desc_en}{reason}", f"无有效性信号：{desc_zh}{reason}",
                         values={"signal": False}, need_en=need_en, need_zh=need_zh)
    return _na(cid, f"not evaluable: efficacy signal not determined{reason}", f"无法评价：未能判定有效性信号{reason}",
               need_en, need_zh, signal=None)


def t3_dosed_subjects(c: Context) -> Criterion:
    cid = "T3.dosed_subjects"
    need = c.rules.t3_min_dosed
    need_en, need_zh = f"≥ {need} dosed subjects in the arm(s) showing the efficacy signal", \
        f"显示有效性信号的组别给药受试者 ≥ {need} 例"
    eff, comp, _, _ = _efficacy(c)
    if comp is None:
        return _na(cid, "not evaluable: no primary efficacy comparison (analyses.efficacy.comparison)",
                   "无法评价：缺少主要有效性比较结果（analyses.efficacy.comparison）", need_en, need_zh, threshold=need)
    if c.arms is None:
        return _na(cid, "not evaluable: dosed subjects per arm not available (analyses.exposure)",
                   "无法评价：缺少各组给药人数（analyses.exposure）", need_en, need_zh, threshold=need)
    ctrl = c.control_arms()
    arms_in = comp.get("arms")
    if isinstance(arms_in, (list, tuple)) and arms_in:
        names = [str(a) for a in arms_in if str(a) not in ctrl]
        how_en, how_zh = "arm(s) in the comparison", "比较中的试验组"
    else:
        names = [a.arm for a in c.arms if not a.control]
        how_en, how_zh = "all active arms (comparison arms not given)", "全部试验组（比较未列出组别）"
    by = {a.arm: a.dosed for a in c.arms}
    unknown = [n for n in names if by.get(n) is None]
    if unknown or not names:
        return _na(cid, f"not evaluable: dosed count unknown for {', '.join(unknown) or 'the signal arms'}",
                   f"无法评价：{'、'.join(unknown) or '信号组别'}给药人数未知", need_en, need_zh, threshold=need)
    total = sum(by[n] for n in names)
    per = ", ".join(f"{n} {by[n]}" for n in names)
    values = {"arms": names, "dosed": total, "threshold": need}
    if total >= need:
        return Criterion(cid, True, f"{total} dosed subjects ≥ {need} in {how_en}: {per}",
                         f"{how_zh}给药受试者 {total} 例 ≥ {need}：{per}", values=values)
    return Criterion(cid, False, f"{total} dosed subjects < {need} in {how_en}: {per}",
                     f"{how_zh}给药受试者 {total} 例 < {need}：{per}", values=values,
                     need_en=f"{need_en} (now {total})", need_zh=f"{need_zh}（当前 {total} 例）")


def _window_counts(c: Context) -> tuple[int, int, str] | None:
    """(followed for the window, dosed, source) over all arms with dosed subjects; the DLT-evaluable n of
    the active arms as a fallback when there is no follow-up analysis."""
    arms = follow_up_rows(c.a)
    if arms:
        fw = [count(r.get("followed_window")) for r in arms]
        d = [count(r.get("dosed")) for r in arms]
        if all(x is not None for x in fw) and all(x is not None for x in d):
            return sum(fw), sum(d), "follow_up"
    levels = _rows(_get(c.a, "dlt", "levels"))
    if levels and c.active is not None and all(a.dosed is not None for a in c.active):
        n = [count(r.get("n")) for r in levels]
        if all(x is not None for x in n):
            return sum(n), sum(a.dosed for a in c.active), "dlt.levels (DLT-evaluable)"
    return None


def t3_safety_followup(c: Context) -> Criterion:
    cid = "T3.safety_followup"
    share, w = c.rules.t3_window_share, c.window_days
    need_en = f"≥ {share:.0%} of dosed subjects followed for the {w}-day DLT window"
    need_zh = f"≥ {share:.0%} 的给药受试者随访满 {w} 天 DLT 观察期"
    got = _window_counts(c)
    if got is None:
        return _na(cid, "not evaluable: no follow-up per arm (analyses.follow_up)",
                   "无法评价：缺少各组随访结果（analyses.follow_up）", need_en, need_zh, window_days=w, threshold=share)
    fw, dosed, src = got
    values = {"followed_window": fw, "dosed": dosed, "window_days": w, "threshold": share}
    if dosed == 0:
        return _na(cid, "not evaluable: no dosed subject", "无法评价：无给药受试者", need_en, need_zh,
                   **values)
    values["share"] = round(fw / dosed, 4)
    body_en = f"{fw}/{dosed} dosed subjects ({pct(fw, dosed)}) followed ≥ {w} days"
    body_zh = f"{fw}/{dosed} 例给药受试者（{pct(fw, dosed)}）随访 ≥ {w} 天"
    src_en = f" [{src}]" if src != "follow_up" else ""
    if ge_share(fw, dosed, share):
        return Criterion(cid, True, f"{body_en} ≥ {share:.0%}{src_en}", f"{body_zh} ≥ {share:.0%}", values=values)
    return Criterion(cid, False, f"{body_en} < {share:.0%}{src_en}", f"{body_zh} < {share:.0%}", values=values,
                     need_en=f"{need_en} (now {pct(fw, dosed)})", need_zh=f"{need_zh}（当前 {pct(fw, dosed)}）")


# --------------------------------------------------------------------- T2 --

def t2_evaluable_safety(c: Context) -> Criterion:
    cid = "T2.evaluable_safety"
    need, w = c.rules.t2_min_evaluable, c.window_days
    need_en = f"≥ {need} dosed subjects followed for the {w}-day DLT window"
    need_zh = f"≥ {need} 例给药受试者随访满 {w} 天 DLT 观察期"
    got = _window_counts(c)
    if got is None:
        return _na(cid, "not evaluable: no follow-up per arm (analyses.follow_up)",
                   "无法评价：缺少各组随访结果（analyses.follow_up）", need_en, need_zh, window_days=w, threshold=need)
    fw, dosed, src = got
    values = {"followed_window": fw, "dosed": dosed, "window_days": w, "threshold": need}
    src_en = f" [{src}]" if src != "follow_up" else ""
    if fw >= need:
        return Criterion(cid, True, f"{fw} dosed subjects followed ≥ {w} days ≥ {need} (of {dosed} dosed){src_en}",
                         f"{fw} 例给药受试者随访 ≥ {w} 天，≥ {need} 例（共 {dosed} 例给药）", values=values)
    return Criterion(cid, False, f"{fw} dosed subjects followed ≥ {w} days < {need} (of {dosed} dosed){src_en}",
                     f"{fw} 例给药受试者随访 ≥ {w} 天，< {need} 例（共 {dosed} 例给药）", values=values,
                     need_en=f"{need_en} (now {fw})", need_zh=f"{need_zh}（当前 {fw} 例）")
