"""Review-section blocks for the guideline points of issue 16: the reviewer's rules over the sponsor's declarations,
the dose range explored against the next stage (G-2.2.2c), efficacy and adverse events by site and operator
(G-2.1.3b), durability of the response (G-2.3.2b), immunogenicity and persistence (G-2.2.1, G-3.1a).

Each builder reads the review (``review.analyses_dict()`` and the study model) and returns a DataFrame (a table), or
a :class:`~workbench.sections.Block` note saying why there is nothing to show. Used by :mod:`workbench.sections`.
"""
from __future__ import annotations

import pandas as pd

from .i18n import t


def _pick(lang: str, zh: str, en: str) -> str:
    return zh if lang == "zh" else en


def _an(review) -> dict:
    return review.analyses_dict() or {}


def _note(title_zh: str, title_en: str, why: dict | None, fallback: tuple[str, str] = ("无数据", "no data")):
    from .sections import Block

    zh = (why or {}).get("reason_zh") or fallback[0]
    en = (why or {}).get("reason") or fallback[1]
    return Block("note", title_zh, title_en, note_zh=zh, note_en=en)


def overrides(review, lang):
    """Every sponsor value the reviewer's rules replaced: field, declared, in force, rule, reason."""
    p = review.submission.study.parameters
    if not p.overrides:
        return _note("审评规则对申报值的替代", "Reviewer's rules over the sponsor's declarations", None,
                     ("申报值均不低于审评规则（无替代）", "no declaration was below the reviewer's rules (nothing replaced)"))
    return pd.DataFrame([{_pick(lang, "字段", "Field"): o.field, _pick(lang, "申报值", "Declared"): o.sponsor,
                          _pick(lang, "采用值", "In force"): o.reviewer, _pick(lang, "规则", "Rule"): o.rule,
                          _pick(lang, "原因", "Reason"): o.reason_zh if lang == "zh" else o.reason_en}
                         for o in p.overrides])


def parameters(review, lang):
    """The study parameters in force and where each comes from (declared, override, rules default)."""
    p = review.submission.study.parameters
    rows = [("study.followup.required_days", p.required_followup_days), ("study.dlt.window_days", p.dlt_window_days),
            ("study.dlt.target_rate", p.dlt_target_rate), ("study.dlt.definition", p.dlt_definition),
            ("study.dlt.min_grade", p.dlt_min_grade), ("sae_report_days", p.sae_report_days)]
    out = []
    for field, value in rows:
        o, d = p.override(field), p.default(field)
        if o is not None:
            src = _pick(lang, f"审评规则 {o.rule}（申报 {o.sponsor}）", f"reviewer's rules {o.rule} ({o.sponsor} declared)")
        elif d is not None:
            src = _pick(lang, f"未申报：审评规则默认 {d.rule}", f"not declared: rules default {d.rule}")
        elif field == "sae_report_days":
            src = _pick(lang, "审评规则", "reviewer's rules")
        else:
            src = _pick(lang, "submission.yaml 申报", "declared in submission.yaml")
        out.append({_pick(lang, "参数", "Parameter"): field, _pick(lang, "采用值", "In force"): value,
                    _pick(lang, "来源", "Source"): src})
    return pd.DataFrame(out)


def explored(review, lang):
    """G-2.2.2c: highest and lowest dose explored, arms declared above it, the proposed next-stage dose."""
    dlt = _an(review).get("dlt") or {}
    if dlt.get("highest_dose_explored") is None:
        return _note("已探索剂量范围与后续阶段", "Dose range explored and the next stage", dlt or None)
    unit = dlt.get("highest_dose_unit") or ""
    ns = dlt.get("next_stage") or {}
    above = ", ".join(dlt.get("above_explored") or []) or _pick(lang, "无", "none")
    if not ns:
        verdict = _pick(lang, "submission.yaml 未申报 next_stage 剂量", "no next_stage dose in submission.yaml")
    elif not ns.get("comparable"):
        verdict = _pick(lang, "单位不可比较", "unit not comparable")
    elif ns.get("above_explored"):
        verdict = _pick(lang, "高于已探索的最高剂量（G-2.2.2c）", "above the highest dose explored (G-2.2.2c)")
    elif ns.get("below_explored"):
        verdict = _pick(lang, "低于已探索的最低剂量", "below the lowest dose explored")
    else:
        verdict = _pick(lang, "在已探索范围内", "within the range explored")
    return pd.DataFrame([{
        _pick(lang, "最低探索剂量", "Lowest dose explored"): f"{dlt.get('lowest_dose_explored'):.4g} {unit}".strip(),
        _pick(lang, "最高探索剂量", "Highest dose explored"): f"{dlt['highest_dose_explored']:.4g} {unit}".strip(),
        _pick(lang, "高于已探索剂量的申报组别", "Declared arms above it"): above,
        _pick(lang, "拟定后续阶段剂量", "Proposed next-stage dose"):
            f"{ns['dose']:.4g} {ns.get('dose_unit') or ''}".strip() if ns.get("dose") is not None else "—",
        _pick(lang, "判断", "Verdict"): verdict}])


def by_group(by: str):
    """Efficacy and TEAE rates per site (or operator) with the heterogeneity tests (EFF-005)."""
    def build(review, lang):
        s = _an(review).get("sites") or {}
        g = s.get(f"by_{by}")
        title = ("按研究中心", "By site") if by == "site" else ("按操作者", "By operator")
        if not g:
            return _note(title[0], title[1], s if s.get("reason") else None,
                         ("无可比较的分组" if by == "site" else "EX 未记录操作者",
                          "nothing to compare" if by == "site" else "EX records no operator"))
        tests = g.get("tests") or {}
        rows = []
        for r in g["rows"]:
            rows.append({_pick(lang, "分组", "Group"): r["group"], _pick(lang, "给药", "Dosed"): r["dosed"],
                         _pick(lang, "疗效 n", "Efficacy n"): r["efficacy_n"],
                         _pick(lang, "平均变化", "Mean change"): r["mean_change"],
                         "TEAE %": r["any_teae_pct"], _pick(lang, "相关 TEAE %", "Related TEAE %"): r["related_teae_pct"]})
        label = {"efficacy": _pick(lang, "疗效", "efficacy"), "any_teae": "TEAE",
                 "related_teae": _pick(lang, "相关 TEAE", "related TEAE")}
        p_row = {_pick(lang, "分组", "Group"): _pick(lang, "异质性检验 p", "heterogeneity p")}
        for key, col in (("efficacy", _pick(lang, "平均变化", "Mean change")), ("any_teae", "TEAE %"),
                         ("related_teae", _pick(lang, "相关 TEAE %", "Related TEAE %"))):
            tt = tests.get(key) or {}
            p = tt.get("p_value")
            p_row[col] = "—" if p is None else f"{p:.3g}{' *' if tt.get('heterogeneous') else ''} ({label[key]})"
        return pd.DataFrame(rows + [p_row])
    return build


def durability(review, lang):
    d = _an(review).get("durability") or {}
    if not d.get("visits"):
        return _note("疗效的持续性", "Durability of the response", d or None)
    rows = []
    for v in d["visits"]:
        rows.append({t("arm", lang): v["arm"], _pick(lang, "访视", "Visit"): v["visit"] + (" ★" if v["target"] else ""),
                     _pick(lang, "中位天数", "Median day"): v["median_day"], "n": v["n"],
                     _pick(lang, "平均变化", "Mean change"): v["mean_change"],
                     "95% CI": "—" if v["ci_low"] is None else f"{v['ci_low']:.3g} to {v['ci_high']:.3g}",
                     _pick(lang, "应答率", "Responder rate"): v["responder_rate"]})
    return pd.DataFrame(rows)


def sustained(review, lang):
    d = _an(review).get("durability") or {}
    if not d.get("sustained"):
        notes = d.get("notes") or []
        return _note("目标访视应答的维持", "Responses sustained after the target visit", notes[0] if notes else None,
                     ("无应答者定义或无后续访视", "no responder definition or no later visit"))
    return pd.DataFrame([{t("arm", lang): s["arm"], _pick(lang, "目标访视应答者", "Responders at target"):
                          s["responders_at_target"], _pick(lang, "其后有评估", "Assessed later"): s["assessed_later"],
                          _pick(lang, "仍应答", "Still responding"): s["still_responding"],
                          _pick(lang, "维持率", "Sustained rate"): s["sustained_rate"]} for s in d["sustained"]])


def immunogenicity(review, lang):
    d = _an(review).get("immunogenicity") or {}
    if not d.get("by_arm"):
        return _note("免疫原性", "Immunogenicity", d or None)
    return pd.DataFrame([{_pick(lang, "检测", "Test"): r["testcd"], t("arm", lang): r["arm"],
                          _pick(lang, "给药后检测", "Tested after dosing"): r["tested"],
                          _pick(lang, "基线阳性", "Positive at baseline"): r["baseline_positive"],
                          _pick(lang, "给药后阳性", "Positive after dosing"): r["positive"],
                          _pick(lang, "治疗后新发阳性", "Treatment-emergent"): r["te_positive"],
                          "%": r["te_positive_pct"],
                          _pick(lang, "重复给药者新发阳性", "… after repeat doses"):
                              f"{r['repeat_te_positive']}/{r['repeat_dosed']}"} for r in d["by_arm"]])


def persistence(review, lang):
    d = _an(review).get("persistence") or {}
    if not d.get("analytes") and not d.get("parameters"):
        return _note("细胞体内存续与分布", "Cell persistence and biodistribution", d or None)
    rows = [{_pick(lang, "分析物", "Analyte"): f"{r['domain']} {r['testcd']}", _pick(lang, "样本", "Specimen"): r["spec"],
             t("arm", lang): r["arm"], _pick(lang, "采样受试者", "Sampled"): r["sampled"],
             _pick(lang, "检出受试者", "Detected"): r["detected"],
             _pick(lang, "末次检出中位天数", "Last detected, median day"): r["last_detected_median_day"],
             _pick(lang, "末次检出最长天数", "Last detected, longest"): r["last_detected_max_day"],
             _pick(lang, "末次采样仍检出", "Detected at last sample"): r["detected_at_last_sample"]}
            for r in d.get("analytes") or []]
    rows += [{_pick(lang, "分析物", "Analyte"): f"PP {p['testcd']}", t("arm", lang): p["arm"],
              _pick(lang, "采样受试者", "Sampled"): p["n"],
              _pick(lang, "末次检出中位天数", "Last detected, median day"): f"{p['median']} {p['unit'] or ''}".strip()}
             for p in d.get("parameters") or []]
    return pd.DataFrame(rows)
