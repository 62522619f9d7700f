"""Every figure text in both languages, in one place (zh default, en)."""
from __future__ import annotations

LANGS = ("zh", "en")

LABELS: dict[str, tuple[str, str]] = {   # key -> (中文, English)
    # common
    "arm": ("组别", "Arm"),
    "dose": ("剂量", "Dose"),
    "control": ("对照", "control"),
    "subjects": ("受试者", "Subjects"),
    "subject": ("受试者", "Subject"),
    "n": ("例数", "n"),
    "no_data": ("无可用数据", "No data available"),
    "ci95": ("95% 置信区间", "95% CI"),
    "days": ("天", "days"),
    "day": ("天数", "Day"),
    "percent_subjects": ("受试者比例（%）", "Subjects (%)"),
    "showing_n_of_m": ("显示 {n}/{m} 例", "showing {n} of {m}"),
    # dose-response (DLT)
    "dlt_title": ("剂量-毒性关系：DLT 发生率（目标 {target:.0%}）", "Dose–toxicity: DLT rate (target {target:.0%})"),
    "dlt_rate": ("DLT 发生率", "DLT rate"),
    "observed_rate": ("观察到的 DLT 率（95% 精确置信区间）", "Observed DLT rate (exact 95% CI)"),
    "isotonic": ("保序回归估计（BOIN）", "Isotonic estimate (BOIN)"),
    "target": ("目标 DLT 率", "Target DLT rate"),
    "mtd": ("MTD", "MTD"),
    "eliminated": ("已剔除（毒性过高）", "Eliminated (too toxic)"),
    "n_dlt": ("DLT 例数", "Subjects with DLT"),
    "n_evaluable": ("可评价例数", "Evaluable"),
    "all_too_toxic": ("所有剂量毒性过高：未选出 MTD", "All doses too toxic: no MTD"),
    "no_mtd": ("未选出 MTD", "No MTD selected"),
    # efficacy
    "eff_title": ("疗效-剂量关系：{endpoint}（{visit}）", "Efficacy by dose: {endpoint} ({visit})"),
    "mean_change": ("相对基线的平均变化（95% 置信区间）", "Mean change from baseline (95% CI)"),
    "change": ("相对基线的变化", "Change from baseline"),
    "responder_rate": ("应答率（95% 精确置信区间）", "Responder rate (exact 95% CI)"),
    "responders": ("应答者", "Responders"),
    "better_lower": ("数值越低越好", "lower is better"),
    "better_higher": ("数值越高越好", "higher is better"),
    "mean": ("均值", "Mean"),
    "primary_welch": ("{label} vs 对照：{est:.2f}（95% CI {lo:.2f}, {hi:.2f}；Welch P = {p}）",
                      "{label} vs control: {est:.2f} (95% CI {lo:.2f}, {hi:.2f}; Welch p = {p})"),
    "primary_one_sample": ("{label} 相对基线：{est:.2f}（95% CI {lo:.2f}, {hi:.2f}；单样本 t 检验 P = {p}）",
                           "{label} change from baseline: {est:.2f} (95% CI {lo:.2f}, {hi:.2f}; one-sample t p = {p})"),
    # safety
    "heatmap_title": ("各系统器官分类（SOC）TEAE 发生率（受试者 %）", "TEAE incidence by system organ class (subjects %)"),
    "soc": ("系统器官分类", "System organ class"),
    "pt": ("首选术语", "Preferred term"),
    "top_pt_title": ("最常见的 {k} 个首选术语（TEAE，受试者 %）", "Top {k} preferred terms (TEAE, subjects %)"),
    "rd_title": ("TEAE 风险差（{comparison} vs 对照，Newcombe 95% 置信区间）",
                 "TEAE risk difference ({comparison} vs control, Newcombe 95% CI)"),
    "risk_difference": ("风险差（试验组 − 对照组）", "Risk difference (active − control)"),
    "active": ("试验组", "Active"),
    "pooled": ("试验组合并", "Pooled active"),
    "km_title": ("首次严重 TEAE 的 Kaplan–Meier 曲线", "Kaplan–Meier: time to first serious TEAE"),
    "km_y": ("无严重 TEAE 的比例", "Proportion free of serious TEAE"),
    "km_x": ("首次给药后天数", "Days since first dose"),
    "censored": ("删失", "Censored"),
    "at_risk": ("风险人数", "At risk"),
    "survival": ("估计值", "Estimate"),
    # swimmer
    "swimmer_title": ("受试者时间线（首次给药后天数）", "Subject timelines (days since first dose)"),
    "follow_up_bar": ("随访期", "Follow-up"),
    "administration": ("给药", "Administration"),
    "ae_grade": ("不良事件 {g} 级", "AE grade {g}"),
    "ae_grade_unknown": ("不良事件（分级未知）", "AE (grade unknown)"),
    "serious_ae": ("严重不良事件", "Serious AE"),
    "death": ("死亡", "Death"),
    "last_contact": ("末次接触", "Last contact"),
    "required_fu": ("要求的随访期（{d} 天）", "Required follow-up ({d} days)"),
    "aeseq": ("AESEQ", "AESEQ"),
    "term": ("术语", "Term"),
    "grade": ("分级", "Grade"),
    "serious": ("严重", "Serious"),
    "related": ("相关", "Related"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    # follow-up
    "fu_title": ("随访时间分布与要求（{d} 天）", "Follow-up distribution against the requirement ({d} days)"),
    "fu_days": ("随访天数（末次接触 − 首次给药）", "Follow-up days (last contact − first dose)"),
    "meeting": ("达到要求", "meeting requirement"),
    "median": ("中位数", "Median"),
    "range": ("范围", "Range"),
    # CMC
    "cmc_title": ("质量属性控制图：{attribute}", "Control chart: {attribute}"),
    "lot_order": ("批次（按生产顺序）", "Lot (manufacturing order)"),
    "result": ("检测结果", "Result"),
    "spec_low": ("质量标准下限", "Specification lower limit"),
    "spec_high": ("质量标准上限", "Specification upper limit"),
    "clinical_mean": ("临床批次均值", "Clinical-lot mean"),
    "band_3sd": ("临床批次均值 ± 3SD", "Clinical-lot mean ± 3 SD"),
    "process": ("工艺版本 {v}", "Process {v}"),
    "process_unknown": ("工艺版本未知", "Process unknown"),
    "lot": ("批号", "Lot"),
    "status": ("状态", "Status"),
    "clinical_lot": ("临床使用批次", "Used in the clinical study"),
    "not_clinical_lot": ("未用于临床研究的批次", "Not used in the clinical study"),
    "outside_band": ("商业化工艺批次超出临床范围", "Commercial lot outside clinical range"),
    "text_attribute": ("文本型结果：{attribute}（符合/不符合）", "Text result: {attribute} (pass/fail)"),
    "within_spec": ("符合标准", "Within specification"),
    "out_of_spec": ("不符合标准", "Out of specification"),
    "not_judged": ("未判定", "Not judged"),
    # completeness
    "comp_title": ("关键信息要素完整性（检查状态）", "Completeness of key information (check status)"),
    "comp_counts_title": ("关键信息要素完整性（检查与发现计数）", "Completeness of key information (checks and findings)"),
    "element": ("要素", "Element"),
    "check": ("检查", "Check"),
    "check_no": ("检查序号", "Check #"),
    "findings": ("发现数", "Findings"),
    "st_pass": ("通过", "pass"),
    "st_fail_critical": ("未通过（严重）", "fail (critical)"),
    "st_fail_major": ("未通过（主要）", "fail (major)"),
    "st_fail_minor": ("未通过（次要）", "fail (minor)"),
    "st_fail": ("未通过", "fail"),
    "st_info": ("提示", "info"),
    "st_not_applicable": ("不适用", "not applicable"),
    "st_error": ("运行错误", "error"),
    "count": ("计数", "Count"),
    "checks_run": ("已运行", "checks run"),
    "passed": ("通过", "passed"),
    "not_applicable": ("不适用", "not applicable"),
    "errors": ("错误", "errors"),
    "critical": ("严重", "critical"),
    "major": ("主要", "major"),
    "minor": ("次要", "minor"),
    "info": ("提示", "info"),
}


def check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, not {lang!r}")
    return lang


def t(key: str, lang: str = "zh", **fmt) -> str:
    """The label ``key`` in ``lang`` ('zh' or 'en'), formatted with ``fmt``."""
    zh, en = LABELS[key]
    text = zh if check_lang(lang) == "zh" else en
    return text.format(**fmt) if fmt else text
