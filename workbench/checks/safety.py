"""Safety evaluation (G-4.1.2, G-2.1.3, G-2.2.1, G-3.1a): SAF-001 .. SAF-009."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..dates import before, on_or_after, parse_dtc
from ..findings import Element
from ..study import vocabulary_gaps
from ..study.events import SERIOUSNESS_CRITERIA
from ..study.stopping import stopping_rules as evaluate_stopping_rules
from .helpers import (
    MAX_PER_COLUMN,
    coded,
    col,
    consent_of,
    dates,
    day_text,
    docs_of,
    examples,
    first_dose_of,
    ids,
    listing,
    need,
    need_dm,
    rec_key,
    required_fields,
    yes,
)
from .registry import NotApplicable, check

F = Element.SAFETY


def _who(u, key) -> tuple[str, str]:
    return (f"Subject {u}, AE {key}", f"受试者 {u}，AE {key}")


@check("SAF-001", F, "critical / major", "G-4.1.2", "Adverse event data present and complete", "不良事件数据存在且完整")
def ae_complete(sub, out):
    """AE missing (critical); AETERM or AESTDTC missing on a record, or AEREL, AESER or severity (AESEV / AETOXGR)
    blank or outside its vocabulary (major; one finding per distinct value, with its count)."""
    ae = sub.domain("AE")
    if ae is None:
        out.add("critical", "AE (adverse events) is missing: safety cannot be evaluated",
                "缺少 AE（不良事件）数据集：无法评价安全性", domain="AE")
        return None
    required_fields(out, "major", ae, "AE", ("AETERM", "AESTDTC"), label="AETERM", sub=sub)
    v = sub.vocab
    events = sub.study.adverse_events
    has_grade = coded(sub, "AE", "AETOXGR").present if "AETOXGR" in ae.columns else np.zeros(len(ae), dtype=bool)
    for var, vocab, rows, reading_en, reading_zh in (
            ("AEREL", v.causality, None, "counted as related (conservative) when treatment-emergent",
             "如为治疗期不良事件，按“相关”计（保守处理）"),
            ("AESER", v.yes_no, None, "serious only if a seriousness criterion (AESDTH, AESLIFE, …) is Y",
             "仅当严重性标准（AESDTH、AESLIFE 等）为 Y 时按严重计"),
            ("AESEV", v.severity, ~has_grade, "grade unknown (no AETOXGR)", "分级未知（无 AETOXGR）")):
        if var not in ae.columns:
            if var == "AESEV" and "AETOXGR" in ae.columns:
                continue
            out.add("major", f"AE has no {var} variable: {reading_en} for all {len(ae)} records",
                    f"AE 缺少变量 {var}：全部 {len(ae)} 条记录{reading_zh}", domain="AE")
            continue
        for gap in vocabulary_gaps(sub, events, var, vocab, rows=rows):
            shown = "blank" if gap.value is None else f"'{gap.value}'"
            shown_zh = "为空" if gap.value is None else f"为“{gap.value}”（不在词表中）"
            outside = "" if gap.value is None else " (not in the vocabulary of the rules file)"
            out.add("major", f"AE: {var} is {shown}{outside} on {gap.count} record(s); {reading_en} "
                             f"({', '.join(gap.examples)}{', …' if gap.count > len(gap.examples) else ''})",
                    f"AE：{gap.count} 条记录的 {var} {shown_zh}；{reading_zh}"
                    f"（{'、'.join(gap.examples)}{'等' if gap.count > len(gap.examples) else ''}）",
                    domain="AE", usubjid=gap.usubjid,
                    record=gap.record or f"{var}={gap.value if gap.value is not None else ''}")
    return None


@check("SAF-002", F, "major", "G-4.1.2", "Adverse events coded (MedDRA PT and SOC)", "不良事件已编码（MedDRA PT 与 SOC）")
def ae_coded(sub, out):
    """AEDECOD or AEBODSYS missing on an AE record."""
    if (na := need(sub, "AE", "SAF-001")) is not None:
        return na
    required_fields(out, "major", sub.domain("AE"), "AE", ("AEDECOD", "AEBODSYS"), label="AETERM", sub=sub)
    return None


@check("SAF-003", F, "major", "G-4.1.2", "SAE report on file for every serious adverse event",
       "每例严重不良事件均有 SAE 报告")
def sae_reported(sub, out):
    """Serious AE (AESER='Y') of a subject who has no SAE_REPORT document."""
    if (na := need(sub, "AE", "SAF-001")) is not None:
        return na
    ae = sub.study.adverse_events
    if ae.empty or "USUBJID" not in ae.columns:
        return None
    reported = set(docs_of(sub, "SAE_REPORT")["USUBJID_N"].dropna())
    miss = ae["SERIOUS"] & ~ids(ae["USUBJID"]).isin(reported)
    if not miss.any():
        return None
    if sub.documents is None or miss.sum() > MAX_PER_COLUMN:   # one defect: no index, or no reports at all
        subjects = sorted(ae.loc[miss, "USUBJID"].dropna().unique().tolist())
        why_en = "there is no documents index (documents/index.csv)" if sub.documents is None else \
            "no SAE_REPORT document for these subjects"
        why_zh = "没有文件索引（documents/index.csv）" if sub.documents is None else "这些受试者均无 SAE_REPORT 文件"
        out.add("major", f"{int(miss.sum())} serious adverse event(s) of {len(subjects)} subject(s) have no SAE report: "
                         f"{why_en} ({listing(subjects, 6)})",
                f"{len(subjects)} 名受试者的 {int(miss.sum())} 例严重不良事件无 SAE 报告：{why_zh}"
                f"（{listing(subjects, 6, sep='、')}）", domain="AE",
                usubjid=subjects[0] if len(subjects) == 1 else None, record="DOCTYPE=SAE_REPORT")
        return None
    rows = ae[miss].assign(KEY=rec_key(ae, "AE", miss), TERM=col(ae, "AETERM")[miss],
                           START=col(ae, "AESTDTC")[miss])
    out.add_rows("major", rows,
                 "Subject {USUBJID}, AE {KEY}: serious adverse event '{TERM}' (start {START}) has no SAE_REPORT document",
                 "受试者 {USUBJID}，AE {KEY}：严重不良事件“{TERM}”（开始 {START}）无 SAE_REPORT 文件",
                 domain="AE", record_col="KEY")
    return None


@check("SAF-004", F, "major", "G-4.1.2", "Deaths consistent across DM, DS and AE", "DM、DS 与 AE 中的死亡信息一致")
def deaths_consistent(sub, out):
    """A death recorded in one of DM (DTHFL/DTHDTC), DS (DEATH) or AE (fatal) but not the others, or with different dates."""
    if (na := need_dm(sub)) is not None:
        return na
    dm = sub.domain("DM")
    if "USUBJID" not in dm.columns:
        return None
    sources: dict[str, set] = {}
    flag = yes(sub, "DM", "DTHFL")
    dthdtc = col(dm, "DTHDTC")
    has_dt = dthdtc.notna()
    sources["DM"] = set(dm.loc[flag | has_dt, "USUBJID"].dropna())
    ds_dates = pd.DataFrame(columns=["LO", "HI", "TEXT"])
    if sub.has("DS"):
        ds = sub.domain("DS")
        disp = sub.study.disposition
        sources["DS"] = set(disp.loc[disp["DEATH"], "USUBJID"])
        if "USUBJID" in ds.columns:
            dd = disp[disp["DEATH"]]
            d = parse_dtc(dd["DSSTDTC"])
            ds_dates = pd.DataFrame({"USUBJID": dd["USUBJID"].to_numpy(), "LO": d.lo, "HI": d.hi,
                                     "TEXT": dd["DSSTDTC"].to_numpy()})
            ds_dates = ds_dates.dropna(subset=["LO"]).drop_duplicates("USUBJID").set_index("USUBJID")
    if sub.has("AE"):
        ae = sub.study.adverse_events
        sources["AE"] = set(col(ae, "USUBJID")[ae["FATAL"]].dropna()) if len(ae) else set()
    names = {"DM": ("DM (DTHFL/DTHDTC)", "DM（DTHFL/DTHDTC）"), "DS": ("DS (DSDECOD=DEATH)", "DS（DSDECOD=DEATH）"),
             "AE": ("AE (fatal outcome)", "AE（结局为死亡）")}
    dm_idx = dm.drop_duplicates("USUBJID").set_index("USUBJID")
    dm_d = dates(sub, "DM", "DTHDTC")
    dm_dates = pd.DataFrame({"LO": dm_d.lo, "HI": dm_d.hi}, index=dm["USUBJID"].to_numpy())
    dm_dates = dm_dates[~dm_dates.index.duplicated()]
    for u in sorted(set().union(*sources.values())):
        has = [s for s in sources if u in sources[s]]
        lacks = [s for s in sources if u not in sources[s]]
        en, zh = [], []
        if lacks:
            en.append(f"death recorded in {', '.join(names[s][0] for s in has)} but not in "
                      f"{', '.join(names[s][0] for s in lacks)}")
            zh.append(f"死亡记录见于 {'、'.join(names[s][1] for s in has)}，但 {'、'.join(names[s][1] for s in lacks)} 中无记录")
        if u in sources["DM"] and u in dm_idx.index:
            fl = sub.vocab.yes_no.category(dm_idx.at[u, "DTHFL"] if "DTHFL" in dm_idx.columns else None)
            dt = dm_idx.at[u, "DTHDTC"] if "DTHDTC" in dm_idx.columns else None
            if fl != "yes":
                en.append("DM.DTHDTC is given but DM.DTHFL is not 'Y'")
                zh.append("DM.DTHDTC 有值但 DM.DTHFL 不是“Y”")
            elif dt is None or dt != dt:
                en.append("DM.DTHFL='Y' without DM.DTHDTC")
                zh.append("DM.DTHFL='Y' 但缺少 DM.DTHDTC")
            if u in ds_dates.index and u in dm_dates.index:
                a, b = dm_dates.loc[u], ds_dates.loc[u]
                if a.HI < b.LO or b.HI < a.LO:
                    en.append(f"death date differs: DM.DTHDTC {day_text(a.LO, a.HI)} vs DS.DSSTDTC {b.TEXT}")
                    zh.append(f"死亡日期不一致：DM.DTHDTC {day_text(a.LO, a.HI)}，DS.DSSTDTC {b.TEXT}")
        if en:
            out.add("major", f"Subject {u}: " + "; ".join(en), f"受试者 {u}：" + "；".join(zh), domain="DM", usubjid=u)
    return None


@check("SAF-005", F, "major / info", "G-2.1.3c", "Stopping rules declared, and evaluated when met",
       "已申报停止规则，触发后已评估")
def stopping_rules(sub, out):
    """Stopping rule met without STOPPING_RULE_REVIEW (major), met and reviewed (info); FIH study without stopping rules (major)."""
    rules = sub.m.study.stopping_rules
    if not rules:
        if sub.m.study.first_in_human:
            out.add("major", "First-in-human study without stopping rules in submission.yaml (study.stopping_rules)",
                    "首次人体试验未在 submission.yaml 中申报研究停止规则（study.stopping_rules）",
                    record="FIELD=study.stopping_rules")
            return None
        return NotApplicable("no stopping rules declared and not a first-in-human study",
                             "未申报停止规则，且非首次人体试验")
    reviews = docs_of(sub, "STOPPING_RULE_REVIEW")
    reviewed = len(reviews) > 0
    for r in evaluate_stopping_rules(sub):
        if not r["met"]:
            continue
        where = ", ".join(f"{k}: {v}" for k, v in sorted(r["by_cohort"].items()) if v >= r["threshold"])
        subs = listing(r["subjects"])
        desc = f" ({r['description']})" if r.get("description") else ""
        if reviewed:
            docids = listing(reviews["DOCID"].dropna().astype(str).tolist()) or "—"
            out.add("info", f"Stopping rule {r['id']}{desc} was met ({where} subjects; threshold {r['threshold']}) and "
                            f"reviewed (STOPPING_RULE_REVIEW {docids}); subjects: {subs}",
                    f"停止规则 {r['id']}{desc} 已触发（{where} 名受试者；阈值 {r['threshold']}），已评估"
                    f"（STOPPING_RULE_REVIEW {docids}）；受试者：{subs}", domain="AE", record=f"RULE={r['id']}")
        else:
            out.add("major", f"Stopping rule {r['id']}{desc} was met ({where} subjects; threshold {r['threshold']}) "
                             f"but there is no STOPPING_RULE_REVIEW document; subjects: {subs}",
                    f"停止规则 {r['id']}{desc} 已触发（{where} 名受试者；阈值 {r['threshold']}），但无 "
                    f"STOPPING_RULE_REVIEW 评估文件；受试者：{subs}", domain="AE", record=f"RULE={r['id']}")
    return None


@check("SAF-006", F, "info", "G-2.2.1, G-3.1a", "Adverse events of special interest listed", "特别关注的不良事件列表")
def aesi_listing(sub, out):
    """List AESI: neoplasm SOC, tumour/neoplasm/teratoma/ectopic terms, GvHD/rejection, infusion reactions, manifest aesi_terms."""
    if (na := need(sub, "AE", "SAF-001")) is not None:
        return na
    ae = sub.study.adverse_events
    if ae.empty:
        return None
    hit = ae[ae["AESI"]]
    if hit.empty:
        return None
    rows = pd.DataFrame(index=hit.index).assign(
                      KEY=rec_key(ae, "AE", ae["AESI"]), USUBJID=col(hit, "USUBJID"),
                      TERM=col(hit, "AEDECOD").fillna(col(hit, "AETERM")),
                      SOC=col(hit, "AEBODSYS"), START=col(hit, "AESTDTC"),
                      G=hit["GRADE"].map(lambda g: "—" if g != g else str(int(g))),
                      SER=np.where(hit["SERIOUS"], "serious", "non-serious"),
                      SER_ZH=np.where(hit["SERIOUS"], "严重", "非严重"),
                      REL=np.where(hit["RELATED"], "related", "not related"),
                      REL_ZH=np.where(hit["RELATED"], "相关", "不相关"))
    out.add_rows("info", rows,
                 "Subject {USUBJID}, AE {KEY}: adverse event of special interest '{TERM}' ({SOC}; start {START}; "
                 "grade {G}; {SER}; {REL})",
                 "受试者 {USUBJID}，AE {KEY}：特别关注的不良事件“{TERM}”（{SOC}；开始 {START}；{G} 级；{SER_ZH}；{REL_ZH}）",
                 domain="AE", record_col="KEY")
    return None


@check("SAF-007", F, "major", "G-4.1.2", "Adverse event dates plausible", "不良事件日期合理")
def ae_dates(sub, out):
    """AE start before informed consent, or AE end before AE start."""
    if (na := need(sub, "AE", "SAF-001")) is not None:
        return na
    ae = sub.domain("AE")
    if "USUBJID" not in ae.columns or ae.empty:
        return None
    start = dates(sub, "AE", "AESTDTC")
    end = dates(sub, "AE", "AEENDTC")
    cons = consent_of(sub, "AE")
    pre = before(start, cons)
    rev = before(end, start)
    bad = pre | rev
    if not bad.any():
        return None
    keys = rec_key(ae, "AE", bad)
    st, en_, term = col(ae, "AESTDTC"), col(ae, "AEENDTC"), col(ae, "AETERM")
    for i in np.flatnonzero(bad):
        idx = ae.index[i]
        u, k = ae.at[idx, "USUBJID"], keys.at[idx]
        en, zh = [], []
        if pre[i]:
            c = day_text(cons.lo[i], cons.hi[i])
            en.append(f"starts ({st.at[idx]}) before informed consent ({c})")
            zh.append(f"开始日期（{st.at[idx]}）早于知情同意日期（{c}）")
        if rev[i]:
            en.append(f"ends ({en_.at[idx]}) before it starts ({st.at[idx]})")
            zh.append(f"结束日期（{en_.at[idx]}）早于开始日期（{st.at[idx]}）")
        out.add("major", f"Subject {u}, AE {k} ({term.at[idx]}) " + " and ".join(en),
                f"受试者 {u}，AE {k}（{term.at[idx]}）" + "，且".join(zh), domain="AE", usubjid=u, record=k)
    return None


@check("SAF-008", F, "major", "G-2.2.1", "Post-dose laboratory safety data", "给药后实验室安全性数据")
def lab_safety(sub, out):
    """No LB data, or a dosed subject without a post-dose LB record."""
    dosed = sub.study.dosed
    lb = sub.domain("LB")
    if lb is None:
        out.add("major", "LB (laboratory) is missing: no laboratory safety data", "缺少 LB（实验室检查）数据集：无实验室安全性数据",
                domain="LB")
        return None
    if not dosed:
        return None
    if "USUBJID" not in lb.columns or lb.empty:
        out.add("major", "LB holds no subject records: no laboratory safety data", "LB 无受试者记录：无实验室安全性数据",
                domain="LB")
        return None
    rec = dates(sub, "LB", "LBDTC")
    if not rec.known.any():
        out.add("major", "LB has no usable LBDTC dates: post-dose laboratory records cannot be identified",
                "LB 中无可用的 LBDTC 日期：无法识别给药后的实验室检查记录", domain="LB")
        return None
    fd = first_dose_of(sub, "LB")
    after = on_or_after(rec, fd)
    not_bl = ~yes(sub, "LB", "LBBLFL")
    post = not_bl & ((after >= 0.5) | (np.isnan(fd.lo) & rec.known))
    have = set(coded(sub, "LB", "USUBJID").present_uniques(post))
    fdf = sub.study.first_dose
    for u in sorted(set(dosed) - have):
        when = day_text(fdf.at[u, "FIRST_LO"], fdf.at[u, "FIRST_HI"]) if u in fdf.index else "unknown"
        out.add("major", f"Subject {u}: no post-dose laboratory (LB) record (first dose {when})",
                f"受试者 {u}：无给药后实验室（LB）记录（首次给药 {when}）", domain="LB", usubjid=u)
    return None


@check("SAF-009", F, "major", "G-2.1.3d", "Risk-control plan on file", "已提供风险控制方案")
def risk_control_plan(sub, out):
    """No RISK_CONTROL_PLAN document in the documents index."""
    if len(docs_of(sub, "RISK_CONTROL_PLAN")) == 0:
        where = "" if sub.documents is not None else " (no documents/index.csv)"
        out.add("major", f"No RISK_CONTROL_PLAN document{where}: the prevention, identification and handling of "
                         "specific risks is not shown",
                f"无 RISK_CONTROL_PLAN（风险控制方案）文件{'（无 documents/index.csv）' if where else ''}：未说明特定风险的预防、识别和处理",
                record="DOCTYPE=RISK_CONTROL_PLAN")
    return None


@check("SAF-012", F, "minor", "G-4.1.2", "Seriousness consistent with its criteria", "严重性与严重性标准一致")
def seriousness_consistent(sub, out):
    """AESER is N although a seriousness criterion (AESDTH, AESLIFE, AESHOSP, AESDISAB, AESCONG, AESMIE) is Y;
    the AE counts as serious."""
    if (na := need(sub, "AE", "SAF-001")) is not None:
        return na
    ae = sub.study.adverse_events
    bad = ae["SERIOUS_CONFLICT"].to_numpy(dtype=bool) if len(ae) else np.zeros(0, dtype=bool)
    if not bad.any():
        return None
    crit = [c for c in SERIOUSNESS_CRITERIA if c in ae.columns]
    which = pd.Series([", ".join(c for c in crit if yes(sub, "AE", c)[i]) for i in np.flatnonzero(bad)],
                      index=ae.index[bad])
    keys = rec_key(ae, "AE", bad)
    rows = ae[bad].assign(KEY=keys, CRIT=which, TERM=col(ae, "AETERM")[bad])
    if len(rows) > MAX_PER_COLUMN:
        ex_en, ex_zh = examples(rows["KEY"], rows["USUBJID"])
        out.add("minor", f"AE: AESER is N on {len(rows)} records whose seriousness criteria say serious; they are "
                         f"counted as serious (e.g. {ex_en})",
                f"AE：{len(rows)} 条记录 AESER 为 N，但严重性标准提示为严重，已按严重计（例如 {ex_zh}）", domain="AE")
        return None
    out.add_rows("minor", rows,
                 "Subject {USUBJID}, AE {KEY} ('{TERM}'): AESER is N but {CRIT} is Y; counted as serious",
                 "受试者 {USUBJID}，AE {KEY}（“{TERM}”）：AESER 为 N，但 {CRIT} 为 Y；已按严重计",
                 domain="AE", record_col="KEY")
    return None
