"""Efficacy evaluation (G-4.1.2, G-2.3.1, G-2.3.2a, G-2.1.3b): EFF-001 .. EFF-005."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..dates import on_or_after
from ..findings import Element
from ..units import to_number
from .helpers import col, dates, first_dose_of, listing, norm_in, num, pct, yes
from .registry import NotApplicable, check

E = Element.EFFICACY
CONFIRMATORY = {"confirmatory", "exploratory_and_confirmatory"}


def _endpoint_records(sub):
    """(endpoint, records of its TESTCD with VALUE) or a NotApplicable when EFF-001 reports the gap."""
    pe = sub.m.study.primary_endpoint
    if pe is None:
        return None, NotApplicable("primary endpoint not declared (reported by EFF-001)", "未申报主要终点（由 EFF-001 报告）")
    df = sub.domain(pe.domain)
    tcol = f"{pe.domain}TESTCD"
    if df is None or tcol not in df.columns or "USUBJID" not in df.columns:
        return None, NotApplicable(f"{pe.domain} data for the primary endpoint absent (reported by EFF-001)",
                                   f"主要终点的 {pe.domain} 数据缺失（由 EFF-001 报告）")
    sel = norm_in(sub, pe.domain, tcol, {pe.testcd})
    recs = df[sel]
    value = to_number(col(recs, f"{pe.domain}STRESN"))
    value = value.where(value.notna(), to_number(col(recs, f"{pe.domain}ORRES")))
    return (pe, recs.assign(VALUE=value), sel), None


@check("EFF-001", E, "major", "G-4.1.2", "Primary endpoint declared and present in the data", "主要终点已申报且数据中存在")
def endpoint_declared(sub, out):
    """Primary endpoint not declared (or no target visit), or its domain / TESTCD absent from the data."""
    pe = sub.m.study.primary_endpoint
    if pe is None:
        why = " (no submission.yaml)" if sub.manifest is None else ""
        out.add("major", f"Primary endpoint not declared{why}: efficacy cannot be evaluated",
                f"未申报主要终点{'（无 submission.yaml）' if why else ''}：无法评价有效性",
                record="FIELD=study.primary_endpoint")
        return None
    df = sub.domain(pe.domain)
    tcol = f"{pe.domain}TESTCD"
    if df is None:
        out.add("major", f"Primary endpoint {pe.testcd}: domain {pe.domain} is not in the data",
                f"主要终点 {pe.testcd}：数据中无 {pe.domain} 域", domain=pe.domain, record=f"{tcol}={pe.testcd}")
    elif tcol not in df.columns or not norm_in(sub, pe.domain, tcol, {pe.testcd}).any():
        out.add("major", f"Primary endpoint {pe.testcd}: no {pe.domain} record with {tcol}={pe.testcd}",
                f"主要终点 {pe.testcd}：{pe.domain} 中无 {tcol}={pe.testcd} 的记录", domain=pe.domain,
                record=f"{tcol}={pe.testcd}")
    if not pe.visit:
        out.add("major", f"Primary endpoint {pe.testcd}: the assessment visit (primary_endpoint.visit) is not declared",
                f"主要终点 {pe.testcd}：未申报评价访视（primary_endpoint.visit）", record="FIELD=study.primary_endpoint.visit")
    return None


@check("EFF-002", E, "major", "G-2.3.2a", "Primary endpoint reflects clinical benefit", "主要终点反映临床获益")
def endpoint_type(sub, out):
    """Biomarker primary endpoint (any stage), or validated surrogate without prior exploratory validation in a confirmatory study."""
    pe = sub.m.study.primary_endpoint
    if pe is None:
        return NotApplicable("primary endpoint not declared (reported by EFF-001)", "未申报主要终点（由 EFF-001 报告）")
    stage = sub.m.study.stage
    if pe.type == "biomarker":
        out.add("major", f"Primary endpoint {pe.testcd} is a biomarker: biomarkers and cytokines are not accepted as "
                         "primary efficacy endpoints of confirmatory evidence",
                f"主要终点 {pe.testcd} 为生物标志物：生物标志物或细胞因子不能作为确证性证据的主要疗效终点",
                domain=pe.domain, record="FIELD=study.primary_endpoint.type")
    elif pe.type == "validated_surrogate" and stage in CONFIRMATORY and not sub.m.prior_exploratory_evidence:
        out.add("major", f"Primary endpoint {pe.testcd} is a surrogate in a confirmatory study without prior exploratory "
                         "validation (prior_exploratory_evidence: false)",
                f"主要终点 {pe.testcd} 为替代终点，确证性研究前未在探索性研究中验证（prior_exploratory_evidence: false）",
                domain=pe.domain, record="FIELD=study.primary_endpoint.type")
    return None


@check("EFF-003", E, "major", "G-4.1.2", "Primary endpoint measured at baseline and at the target visit",
       "主要终点在基线和目标访视均有测量")
def endpoint_values(sub, out):
    """Dosed subject without a baseline or target-visit value of the primary endpoint (with the missing proportion)."""
    got, na = _endpoint_records(sub)
    if na is not None:
        return na
    pe, recs, sel = got
    dosed = sorted(sub.study.dosed)
    if not dosed:
        return NotApplicable("no dosed subjects", "无已给药受试者")
    dom = pe.domain
    valid = recs["VALUE"].notna().to_numpy()
    blfl = yes(sub, dom, f"{dom}BLFL")[sel]
    d = dates(sub, dom, f"{dom}DTC")
    rec_dates = type(d)(d.lo[sel], d.hi[sel], d.status[sel])
    fd = first_dose_of(sub, dom, rows=sel)
    pre = on_or_after(fd, rec_dates) >= 0.5
    base = valid & (blfl | pre)
    subjects = pd.Index(dosed, dtype=object)
    no_base = ~subjects.isin(recs["USUBJID"][base])
    no_target = np.zeros(len(subjects), dtype=bool)
    if pe.visit:
        target = valid & norm_in(sub, dom, "VISIT", {pe.visit.strip().upper()})[sel]
        no_target = ~subjects.isin(recs["USUBJID"][target])
    lacking = no_base | no_target
    missing = []
    for u, b, t in zip(subjects[lacking], no_base[lacking].tolist(), no_target[lacking].tolist(), strict=True):
        missing.append((u, ["baseline"] * b + [f"{pe.visit} value"] * t, ["基线"] * b + [f"{pe.visit} 访视值"] * t))
    n, N = len(missing), len(dosed)
    share_en = f"{n} of {N} dosed subjects ({pct(n, N)}) lack a baseline or {pe.visit or 'target-visit'} value"
    share_zh = f"{N} 名已给药受试者中 {n} 名（{pct(n, N)}）缺少基线或 {pe.visit or '目标访视'} 值"
    for u, en, zh in missing:
        out.add("major", f"Subject {u}: primary endpoint {pe.testcd} has no {' and no '.join(en)} ({share_en})",
                f"受试者 {u}：主要终点 {pe.testcd} 缺少{'和'.join(zh)}（{share_zh}）", domain=dom, usubjid=u,
                record=f"{dom}TESTCD={pe.testcd}")
    return None


@check("EFF-004", E, "major", "G-2.3.1", "Independent review for open autologous confirmatory studies",
       "开放或单盲的自体产品确证性研究设独立评审委员会")
def independent_review(sub, out):
    """Autologous product in an open or single-blind confirmatory study without an independent review committee."""
    st, prod = sub.m.study, sub.m.product
    if prod.source != "autologous":
        return NotApplicable("not an autologous product", "非自体来源产品")
    if st.stage not in CONFIRMATORY:
        return NotApplicable("not a confirmatory study", "非确证性研究")
    if st.blinding == "double" or st.independent_review_committee:
        return None
    blind = st.blinding or "not declared"
    out.add("major", f"Autologous product, confirmatory study with blinding '{blind}' and no independent review committee "
                     "(or sensitivity analyses) declared",
            f"自体来源产品的确证性研究，盲法为“{blind}”，且未设立独立评审委员会（或敏感性分析）",
            record="FIELD=study.independent_review_committee")
    return None


_OUTCOMES = {"efficacy": ("change from baseline in {ep}", "{ep} 较基线变化"),
             "any_teae": ("subjects with a TEAE", "发生 TEAE 的受试者比例"),
             "related_teae": ("subjects with a related TEAE", "发生相关 TEAE 的受试者比例")}


def _group_text(g, ep: str, threshold: float) -> tuple[str, str, bool]:
    """One line per outcome: the value per group and the heterogeneity test."""
    en, zh = [], []
    for key, t in g.tests.items():
        what_en, what_zh = (s.format(ep=ep or "the primary endpoint") for s in _OUTCOMES[key])
        if key == "efficacy":
            vals = [f"{r.GROUP} {num(r.EFF_MEAN)} (n {r.EFF_N})" for r in g.rows.itertuples() if r.EFF_N]
        else:
            col_, pct_ = ("TEAE", "TEAE_PCT") if key == "any_teae" else ("RELATED", "RELATED_PCT")
            vals = [f"{r.GROUP} {getattr(r, col_)}/{r.DOSED} ({num(getattr(r, pct_))}%)" for r in g.rows.itertuples()]
        p = t.get("p_value")
        if p is None:
            test_en, test_zh = f"not tested ({t.get('note', '')})", f"未检验（{t.get('note_zh', '')}）"
        else:
            flag_en = f"{g.by} effect, p < {threshold:g}" if t["heterogeneous"] else f"no {g.by} effect at p < {threshold:g}"
            flag_zh = (f"存在{'中心' if g.by == 'site' else '操作者'}效应，p < {threshold:g}" if t["heterogeneous"]
                       else f"在 p < {threshold:g} 水平无{'中心' if g.by == 'site' else '操作者'}效应")
            note, note_zh = (f"; {t['note']}", f"；{t['note_zh']}") if t.get("note") else ("", "")
            test_en, test_zh = (f"p = {p:.3g}, {t['method']}{note}: {flag_en}",
                                f"p = {p:.3g}，{t['method_zh']}{note_zh}：{flag_zh}")
        en.append(f"{what_en}: {listing(vals, 12)}; {test_en}")
        zh.append(f"{what_zh}：{listing(vals, 12, sep='、')}；{test_zh}")
    return "; ".join(en), "；".join(zh), bool(g.effect)


@check("EFF-005", E, "info", "G-2.1.3b", "Efficacy and adverse events by site and operator",
       "按研究中心和操作者的有效性与不良事件")
def site_heterogeneity(sub, out):
    """Efficacy and AE rates by site (and by operator where EX records one), each with a heterogeneity test; a site
    or operator effect is named for the reviewer (analysis ``sites``)."""
    from ..analyses.sites import site_analysis

    res = site_analysis(sub)
    if not res.groups:
        why = res.reason_dict() or {"reason": "nothing to compare", "reason_zh": "无可比较的分组"}
        return NotApplicable(why["reason"], why["reason_zh"])
    for g in res.groups:
        en, zh, effect = _group_text(g, res.endpoint, res.threshold_p)
        who_en = f"{len(g.rows)} sites (DM.SITEID)" if g.by == "site" else f"{len(g.rows)} operators (EX.{g.variable})"
        who_zh = f"{len(g.rows)} 个研究中心（DM.SITEID）" if g.by == "site" else f"{len(g.rows)} 名操作者（EX.{g.variable}）"
        lead_en = (f"{g.by.capitalize()} effect to review" if effect else f"No {g.by} effect") + f" across {who_en}"
        lead_zh = (f"{'研究中心' if g.by == 'site' else '操作者'}间存在差异，需关注" if effect else
                   f"{'研究中心' if g.by == 'site' else '操作者'}间无明显差异") + f"（{who_zh}）"
        out.add("info", f"{lead_en} (G-2.1.3b): {en}", f"{lead_zh}（G-2.1.3b）：{zh}",
                domain="EX" if g.by == "operator" else "DM", record=f"BY={g.by.upper()}")
    return None
