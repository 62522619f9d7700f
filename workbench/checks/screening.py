"""Subject screening, enrolment and baseline (G-4.1.2, G-2.1.1, G-2.1.2): SCR-001 .. SCR-007."""
from __future__ import annotations

import numpy as np

from ..dates import on_or_after
from ..findings import Element
from ..units import to_number
from .helpers import (
    MAX_PER_COLUMN,
    coded,
    consent_record,
    dates,
    day_text,
    first_dose_of,
    listing,
    need_dm,
    norm,
    per_subject,
    per_subject_min,
    present,
    present_in,
    rec_key,
    yes,
)
from .registry import NotApplicable, check

S = Element.SCREENING

GENERIC_SF_TERMS = {"SCREEN FAILURE", "SCREEN FAILED", "SCREEN FAIL", "SCREENING FAILURE", "SCREENING FAILED"}
# collection dates of procedures that require consent (first study procedure, SCR-003)
PROCEDURE_SOURCES = (("EX", "EXSTDTC"), ("SV", "SVSTDTC"), ("IE", "IEDTC"), ("LB", "LBDTC"), ("VS", "VSDTC"),
                     ("EG", "EGDTC"), ("PE", "PEDTC"), ("QS", "QSDTC"), ("RS", "RSDTC"), ("FA", "FADTC"),
                     ("MB", "MBDTC"), ("IS", "ISDTC"), ("TU", "TUDTC"), ("TR", "TRDTC"))


@check("SCR-001", S, "critical", "G-4.1.2", "Demographics (DM) present with unique subjects",
       "人口学数据（DM）存在且受试者唯一")
def dm_present(sub, out):
    """DM missing, or USUBJID duplicated (or blank) in DM."""
    dm = sub.domain("DM")
    if dm is None:
        out.add("critical", "DM (demographics) is missing: subjects cannot be identified",
                "缺少 DM（人口学）数据集：无法识别受试者", domain="DM")
        return None
    if "USUBJID" not in dm.columns:
        out.add("critical", "DM has no USUBJID variable: subjects cannot be identified",
                "DM 缺少 USUBJID 变量：无法识别受试者", domain="DM")
        return None
    u = dm["USUBJID"]
    blank = ~present(u)
    if blank.any():
        rows = rec_key(dm, "DM", blank)
        out.add("critical", f"DM: {int(blank.sum())} record(s) without USUBJID ({', '.join(rows.head(5))})",
                f"DM：{int(blank.sum())} 条记录缺少 USUBJID（{'、'.join(rows.head(5))}）", domain="DM",
                record=rows.iloc[0])
    dup = u[u.notna() & u.duplicated(keep=False)]
    for usubjid, n in dup.value_counts(sort=False).sort_index().items():
        out.add("critical", f"Subject {usubjid} appears {n} times in DM (USUBJID must be unique)",
                f"受试者 {usubjid} 在 DM 中出现 {n} 次（USUBJID 必须唯一）", domain="DM", usubjid=usubjid)
    return None


@check("SCR-002", S, "major", "G-4.1.2", "Screening and eligibility data present", "筛选与入选/排除数据完整")
def screening_data(sub, out):
    """No IE and no screen-failure records in DS/DM; or a screen failure without a recorded reason."""
    ie = sub.domain("IE")
    has_ie = ie is not None and len(ie) > 0
    subj = sub.study.subjects
    sf = set(subj.index[(subj["SCREEN_FAIL"] | subj["NOT_ASSIGNED"]).to_numpy(dtype=bool)])
    if not has_ie and not sf:
        out.add("major", "No screening or eligibility data: no IE records and no screen failures in DS or DM",
                "无筛选或入选/排除数据：既无 IE 记录，DS 或 DM 中也无筛选失败记录", domain="IE")
        return None
    if not sf:
        return None
    with_reason = set()
    if has_ie and "USUBJID" in ie.columns:
        with_reason |= set(ie["USUBJID"].dropna())
    disp = sub.study.disposition
    if len(disp):
        t = norm(disp["TERM"]).fillna("")
        ok = disp["SCREEN_FAIL"] & (t != "") & ~t.isin(GENERIC_SF_TERMS)
        with_reason |= set(disp.loc[ok, "USUBJID"])
    missing = sorted(set(sf) - with_reason)
    limit = len(sf) - 1 if len(sf) > 1 else MAX_PER_COLUMN   # every screen failure without one: one finding
    per_subject(out, "major", missing,
                lambda u: (f"Subject {u} is a screen failure but no reason is recorded (no IE record, no DS reason)",
                           f"受试者 {u} 筛选失败，但未记录原因（无 IE 记录，DS 中无原因）"),
                lambda n, ex_en, ex_zh: (
                    f"{n} of {len(sf)} screen failures have no recorded reason: no IE records, and DS says only "
                    f"'screen failure' ({ex_en})",
                    f"{len(sf)} 名筛选失败受试者中 {n} 名未记录原因：无 IE 记录，DS 中仅记录“筛选失败”（{ex_zh}）"),
                domain="DS", limit=min(limit, MAX_PER_COLUMN))
    return None


@check("SCR-003", S, "critical / major", "G-2.1.1, G-4.1.2", "Informed consent before any study procedure",
       "知情同意先于任何研究操作")
def consent_first(sub, out):
    """Consent (DM.RFICDTC) after first dose or first study procedure (critical); missing for an enrolled subject (major)."""
    if (na := need_dm(sub)) is not None:
        return na
    subj = sub.study.subjects
    cons = sub.study.consent
    fd = sub.study.first_dose
    proc = per_subject_min(sub, PROCEDURE_SOURCES)
    frame = cons.join(fd, how="left").join(proc.add_prefix("P_"), how="left")
    dose_before = (frame["FIRST_HI"] < frame["LO"]).fillna(False)
    proc_before = (frame["P_HI"] < frame["LO"]).fillna(False) & ~dose_before
    for u, r in frame[dose_before].iterrows():
        out.add("critical",
                f"Subject {u}: informed consent ({r.TEXT}) is after the first dose ({day_text(r.FIRST_LO, r.FIRST_HI)})",
                f"受试者 {u}：知情同意日期（{r.TEXT}）晚于首次给药日期（{day_text(r.FIRST_LO, r.FIRST_HI)}）",
                domain="DM", usubjid=u, record=consent_record(r))
    for u, r in frame[proc_before].iterrows():
        when = day_text(r.P_LO, r.P_HI)
        out.add("critical",
                f"Subject {u}: informed consent ({r.TEXT}) is after a study procedure ({r.P_DOMAIN}.{r.P_VAR} {when})",
                f"受试者 {u}：知情同意日期（{r.TEXT}）晚于研究操作日期（{r.P_DOMAIN}.{r.P_VAR} {when}）",
                domain="DM", usubjid=u, record=consent_record(r))
    enrolled = subj.index[subj["ENROLLED"].to_numpy(dtype=bool)]
    missing = sorted(cons.index[(cons["STATUS"] == "missing").to_numpy()].intersection(enrolled))
    if len(missing) > MAX_PER_COLUMN or (len(missing) > 1 and len(missing) == len(enrolled)):
        dm = sub.domain("DM")
        empty = "RFICDTC" not in dm.columns or not present_in(sub, "DM", "RFICDTC").any()
        why_en = "DM has no RFICDTC values" if empty else "DM.RFICDTC is empty for them"
        why_zh = "DM 中无 RFICDTC 取值" if empty else "其 DM.RFICDTC 为空"
        every = len(missing) == len(enrolled)
        out.add("major", f"Informed consent date is missing for {'all ' if every else ''}{len(missing)} of {len(enrolled)} "
                         f"enrolled subjects: {why_en} and DS has no informed-consent record for them "
                         f"(e.g. {listing(missing, 5)})",
                f"{len(enrolled)} 名入组受试者中{'全部 ' if every else ' '}{len(missing)} 名缺少知情同意日期：{why_zh}，"
                f"DS 中也无其知情同意记录（例如 {listing(missing, 5, sep='、')}）", domain="DM", record="VAR=RFICDTC")
        return None
    for u in missing:
        out.add("major", f"Subject {u}: informed consent date is missing (DM.RFICDTC empty, no DS consent record)",
                f"受试者 {u}：缺少知情同意日期（DM.RFICDTC 为空，DS 中无知情同意记录）",
                domain="DM", usubjid=u)
    return None


@check("SCR-004", S, "major", "G-4.1.2", "Baseline characteristics complete", "基线特征完整")
def baseline_complete(sub, out):
    """AGE, SEX, ARMCD, SITEID (enrolled) or RFSTDTC (dosed) missing; dosed subject without a baseline VS or LB record."""
    if (na := need_dm(sub)) is not None:
        return na
    subj = sub.study.subjects
    dm = sub.domain("DM")
    dmi = dm[dm["USUBJID"].notna()].drop_duplicates("USUBJID").set_index("USUBJID")
    enrolled = dmi.loc[subj.index[subj["ENROLLED"].to_numpy(dtype=bool)]]
    dosed = dmi.loc[subj.index[(subj["ENROLLED"] & subj["DOSED"]).to_numpy(dtype=bool)]]
    checks = [(v, enrolled) for v in ("AGE", "SEX", "ARMCD", "SITEID")] + [("RFSTDTC", dosed)]
    per_subject: dict[str, list[str]] = {}
    for var, who in checks:
        if len(who) == 0:
            continue
        if var not in dm.columns:
            out.add("major", f"DM has no {var} variable: baseline characteristic missing for all subjects",
                    f"DM 缺少变量 {var}：所有受试者均缺少该基线特征", domain="DM")
            continue
        miss = ~present(who[var])
        if var == "AGE":
            miss |= to_number(who[var]).isna()  # 'forty' is no usable age
        if miss.all() and len(who) > 1:
            out.add("major", f"DM: {var} is missing for all {len(who)} enrolled subjects",
                    f"DM：全部 {len(who)} 名入组受试者均缺少 {var}", domain="DM")
            continue
        for u in who.index[miss.to_numpy()]:
            per_subject.setdefault(u, []).append(var)
    for u in sorted(per_subject):
        v = per_subject[u]
        out.add("major", f"Subject {u}: baseline characteristic(s) missing in DM: {', '.join(v)}",
                f"受试者 {u}：DM 中缺少基线特征 {'、'.join(v)}", domain="DM", usubjid=u)
    dosed = subj.index[subj["DOSED"]]
    if len(dosed) == 0:
        return None
    if not sub.has("VS") and not sub.has("LB"):
        out.add("major", f"Neither VS nor LB is supplied: no baseline measurement for the {len(dosed)} dosed subjects",
                f"未提供 VS 和 LB：{len(dosed)} 名已给药受试者均无基线测量", domain="VS")
        return None
    have: set = set()
    for dom in ("VS", "LB"):
        df = sub.domain(dom)
        if df is None or "USUBJID" not in df.columns or len(df) == 0:
            continue
        flagged = yes(sub, dom, f"{dom}BLFL")
        rec = dates(sub, dom, f"{dom}DTC")
        fd = first_dose_of(sub, dom)
        pre = on_or_after(fd, rec)  # first dose >= record: record on or before the first dose
        ok = flagged | (pre >= 0.5) | (np.isnan(fd.lo) & rec.known)
        have |= set(coded(sub, dom, "USUBJID").present_uniques(ok))
    for u in sorted(set(dosed) - have):
        out.add("major", f"Subject {u}: no baseline VS or LB record (--BLFL='Y' or on/before the first dose)",
                f"受试者 {u}：无基线 VS 或 LB 记录（--BLFL='Y' 或首次给药当日及之前）", domain="LB", usubjid=u)
    return None


@check("SCR-005", S, "major", "G-2.1.2a", "No healthy volunteers", "未纳入健康受试者")
def healthy_volunteers(sub, out):
    """The manifest declares population: healthy_volunteers."""
    if sub.manifest is None:
        return NotApplicable("population not declared (no submission.yaml; see MAN-001)",
                             "未申报受试人群（无 submission.yaml，见 MAN-001）")
    if sub.m.study.population == "healthy_volunteers":
        out.add("major", "Healthy volunteers were enrolled (submission.yaml population: healthy_volunteers); "
                         "stem-cell studies should normally enrol patients",
                "纳入了健康受试者（submission.yaml population: healthy_volunteers）；干细胞临床试验通常不应纳入健康志愿者",
                record="FIELD=study.population")
    return None


@check("SCR-006", S, "major", "G-2.1.2c", "Children dosed only after adult safety data", "儿童给药前已有成人安全性数据")
def children_after_adults(sub, out):
    """A subject under 18 dosed before any adult, or manifest adult_data_before_pediatric: false."""
    if (na := need_dm(sub)) is not None:
        return na
    subj = sub.study.subjects
    children = subj[(subj["AGE_Y"] < 18) & subj["ENROLLED"]]
    if children.empty:
        return NotApplicable("no subjects under 18", "无 18 岁以下受试者")
    if sub.manifest is not None and sub.m.study.adult_data_before_pediatric is False:
        out.add("major", f"submission.yaml declares adult_data_before_pediatric: false with {len(children)} subject(s) "
                         "under 18 enrolled; a justification for not studying adults first is required",
                f"submission.yaml 申报 adult_data_before_pediatric: false，且入组了 {len(children)} 名 18 岁以下受试者；"
                "需提供不先开展成人研究的依据", record="FIELD=study.adult_data_before_pediatric")
    fd = sub.study.first_dose
    if fd.empty:
        return None
    ages = subj["AGE_Y"].reindex(fd.index)
    adult_lo = fd.loc[(ages >= 18).to_numpy(), "FIRST_LO"].min()
    kids = fd[(ages < 18).to_numpy() & fd["FIRST_HI"].notna().to_numpy()]
    if np.isnan(adult_lo):
        early = kids
    else:
        early = kids[kids["FIRST_HI"] < adult_lo]
    for u, r in early.iterrows():
        age = subj.at[u, "AGE_Y"]
        when = day_text(r.FIRST_LO, r.FIRST_HI)
        if np.isnan(adult_lo):
            en = f"Subject {u} (age {age:.0f}) was dosed on {when} and no adult was dosed in the study"
            zh = f"受试者 {u}（{age:.0f} 岁）于 {when} 给药，而研究中无成人受试者给药"
        else:
            en = f"Subject {u} (age {age:.0f}) was dosed on {when}, before any adult (first adult dose {day_text(adult_lo)})"
            zh = f"受试者 {u}（{age:.0f} 岁）于 {when} 给药，早于任何成人受试者（首例成人给药 {day_text(adult_lo)}）"
        out.add("major", en, zh, domain="EX", usubjid=u)
    return None


@check("SCR-007", S, "major", "G-4.1.2", "Disposition recorded for every enrolled subject", "每名入组受试者均有处置记录")
def disposition_recorded(sub, out):
    """Enrolled subject without a DS disposition event (completed, or discontinued with a reason)."""
    if (na := need_dm(sub)) is not None:
        return na
    subj = sub.study.subjects
    enrolled = subj.index[subj["ENROLLED"]]
    if len(enrolled) == 0:
        return NotApplicable("no enrolled subjects", "无入组受试者")
    if not sub.has("DS"):
        out.add("major", f"DS (disposition) is missing: no completion or discontinuation for {len(enrolled)} enrolled "
                         "subjects", f"缺少 DS（处置）数据集：{len(enrolled)} 名入组受试者无完成或退出记录", domain="DS")
        return None
    disp = sub.study.disposition
    any_event = set(disp["USUBJID"])
    reasoned = set(disp.loc[disp["HAS_REASON"], "USUBJID"])
    for u in sorted(set(enrolled) - any_event):
        out.add("major", f"Subject {u}: no disposition event in DS (completed or discontinued)",
                f"受试者 {u}：DS 中无处置事件（完成或退出）", domain="DS", usubjid=u)
    for u in sorted((set(enrolled) & any_event) - reasoned):
        terms = disp.loc[disp["USUBJID"] == u, "DECOD"].dropna().unique().tolist()
        shown = ", ".join(terms) or "blank"
        out.add("major", f"Subject {u}: disposition event ({shown}) gives no reason",
                f"受试者 {u}：处置事件（{shown}）未说明原因", domain="DS", usubjid=u)
    return None
