"""Follow-up results (G-4.1.2, G-3.1b/c/d): FUP-001 .. FUP-005."""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ..dates import parse_dtc
from ..findings import Element
from ..units import to_number
from .helpers import (
    MAX_PER_COLUMN,
    col,
    cutoff,
    dates,
    day_text,
    docs_of,
    first_dose_of,
    listing,
    map_text,
    need,
    need_dm,
    norm,
    num,
    pct,
    per_subject,
)
from .registry import NotApplicable, check

U = Element.FOLLOW_UP
LTFU = "LONGTERMFOLLOWUP"  # SVEPOCH / EPOCH 'LONG-TERM FOLLOW-UP', compared without spaces and hyphens


def _after_first_dose_day(sub, df: pd.DataFrame, var: str, dom: str, fallback: str | None = None) -> np.ndarray:
    """Records that may fall on a day after the subject's first-dose day (unknown first dose: any dated record)."""
    d = dates(sub, dom, var)
    lo, hi = d.lo.copy(), d.hi.copy()
    if fallback and fallback in df.columns:
        f = dates(sub, dom, fallback)
        gap = np.isnan(lo)
        lo[gap], hi[gap] = f.lo[gap], f.hi[gap]
    fd = first_dose_of(sub, dom)
    known = ~np.isnan(hi)
    return known & (np.isnan(fd.lo) | (hi > fd.lo))


@check("FUP-001", U, "major", "G-4.1.2", "Post-dose visits recorded", "记录了给药后访视")
def visits_recorded(sub, out):
    """SV missing, or a dosed subject without any post-dose visit."""
    sv = sub.domain("SV")
    if sv is None:
        out.add("major", "SV (subject visits) is missing: follow-up visits cannot be shown",
                "缺少 SV（访视）数据集：无法证明随访访视", domain="SV")
        return None
    dosed = sub.study.dosed
    if not dosed:
        return NotApplicable("no dosed subjects", "无已给药受试者")
    have = set()
    if "USUBJID" in sv.columns and len(sv):
        post = _after_first_dose_day(sub, sv, "SVSTDTC", "SV", fallback="SVENDTC")
        have = set(sv["USUBJID"][post].dropna())
    fd = sub.study.first_dose
    for u in sorted(set(dosed) - have):
        when = day_text(fd.at[u, "FIRST_LO"], fd.at[u, "FIRST_HI"]) if u in fd.index else "unknown"
        out.add("major", f"Subject {u}: no visit in SV after the first-dose day ({when})",
                f"受试者 {u}：SV 中无首次给药日（{when}）之后的访视", domain="SV", usubjid=u)
    return None


@check("FUP-002", U, "major / info", "G-3.1b, 三（一）", "Follow-up long enough for the product's risk",
       "随访时间满足产品风险要求")
def follow_up_length(sub, out):
    """Follow-up shorter than required (the stricter of followup.required_days and the rules' floor for the cell
    type) for a dosed subject who left early without death or a documented reason (major); a subject still in
    follow-up at the data cut-off, with the expected completion date (info; 三（一）: long-term follow-up need not
    be complete before the next trial); the proportion meeting the requirement (info)."""
    dosed = sorted(sub.study.dosed)
    if not dosed:
        return NotApplicable("no dosed subjects", "无已给药受试者")
    params = sub.study.parameters
    req = params.required_followup_days
    src_en, src_zh = params.followup_source()
    fu = sub.study.follow_up_days.reindex(pd.Index(dosed, dtype=object))
    died = set(sub.study.deaths["USUBJID"].dropna())
    disp = sub.study.disposition
    left = disp[~disp["CATEGORY"].isin(["ongoing", "death"])]     # the subject left the study (or completed it)
    completed = set(left.loc[left["COMPLETED"], "USUBJID"])
    excused = set(left.loc[left["HAS_REASON"] & ~left["COMPLETED"], "USUBJID"])   # documented reason, incl. lost
    gone = set(left["USUBJID"])
    meets = fu >= req
    short_ids = [u for u in fu.index[~meets.to_numpy()] if u not in died]
    cut_day, cut_en, cut_zh = cutoff(sub)
    fd = sub.study.first_dose
    lc = sub.study.last_contact

    def first_of(u):
        return day_text(fd.at[u, "FIRST_LO"], fd.at[u, "FIRST_HI"]) if u in fd.index else "unknown"

    def due_day(u):
        return fd.at[u, "FIRST_HI"] + req if u in fd.index and fd.at[u, "FIRST_HI"] == fd.at[u, "FIRST_HI"] else None

    ongoing = [u for u in short_ids if u not in gone and fu[u] == fu[u] and due_day(u) is not None]
    done = [u for u in short_ids if u in completed]
    rest = [u for u in short_ids if u not in completed and u not in excused and u not in ongoing]

    def one(u):
        first = first_of(u)
        last = day_text(lc[u]) if u in lc.index else "unknown"
        days = fu[u]
        if days != days:
            return (f"Subject {u}: follow-up cannot be computed (first dose {first}, last contact {last}); "
                    f"required {req} days ({src_en})",
                    f"受试者 {u}：无法计算随访时间（首次给药 {first}，末次联系 {last}）；要求 {req} 天（{src_zh}）")
        return (f"Subject {u}: followed {num(days)} days after the first dose ({first} to last contact {last}); "
                f"required {req} days ({src_en})",
                f"受试者 {u}：首次给药后随访 {num(days)} 天（{first} 至末次联系 {last}）；要求 {req} 天（{src_zh}）")

    def many_completed(n, ex_en, ex_zh):   # one defect of the protocol: its follow-up ends before the requirement
        days = fu.reindex(done)
        return (f"{n} dosed subjects completed the study with follow-up shorter than the required {req} days "
                f"({src_en}): median {num(days.median())} days, longest {num(days.max())} ({ex_en})",
                f"{n} 名已给药受试者完成研究时随访短于要求的 {req} 天（{src_zh}）：中位 {num(days.median())} 天，"
                f"最长 {num(days.max())} 天（{ex_zh}）")

    def one_ongoing(u):
        due = day_text(due_day(u))
        last = day_text(lc[u]) if u in lc.index else "unknown"
        past_en = f" (on or before the cut-off; no contact recorded after {last})" if due_day(u) <= cut_day else ""
        past_zh = f"（不晚于截止日期；{last} 之后无联系记录）" if due_day(u) <= cut_day else ""
        return (f"Subject {u}: still in follow-up at {cut_en} (not discontinued, lost or dead): followed "
                f"{num(fu[u])} of the required {req} days (first dose {first_of(u)}; {src_en}); expected to complete "
                f"on {due}{past_en}. Long-term follow-up need not be complete before the next trial "
                "(guideline 三（一）)",
                f"受试者 {u}：{cut_zh}仍在随访中（未退出、未失访、未死亡）：已随访 {num(fu[u])} 天，要求 {req} 天"
                f"（首次给药 {first_of(u)}；{src_zh}）；预计于 {due} 完成{past_zh}。长期随访无需在开展后续试验前完成"
                "（指导原则三（一））")

    def many_ongoing(n, ex_en, ex_zh):
        last_due = day_text(max(due_day(u) for u in ongoing))
        return (f"{n} dosed subjects are still in follow-up at {cut_en} (required {req} days, {src_en}); the last is "
                f"expected to complete on {last_due}. Long-term follow-up need not be complete before the next trial "
                f"(guideline 三（一）) ({ex_en})",
                f"{n} 名已给药受试者在{cut_zh}仍在随访中（要求 {req} 天，{src_zh}）；最晚预计于 {last_due} 完成。"
                f"长期随访无需在开展后续试验前完成（指导原则三（一））（{ex_zh}）")

    per_subject(out, "major", done, one, many_completed, domain="SV", record="DSDECOD=COMPLETED")
    per_subject(out, "major", rest, one,
                lambda n, ex_en, ex_zh: (f"{n} dosed subjects were followed for less than the required {req} days "
                                         f"({src_en}) and neither died nor left with a documented reason ({ex_en})",
                                         f"{n} 名已给药受试者随访短于要求的 {req} 天（{src_zh}），且未死亡、未记录退出原因"
                                         f"（{ex_zh}）"), domain="SV")
    per_subject(out, "info", ongoing, one_ongoing, many_ongoing, domain="SV")
    met = set(fu.index[meets.to_numpy()])
    n, N = len(met), len(dosed)
    nd = len((set(dosed) & died) - met)
    nw = len([u for u in short_ids if u in excused and u not in completed])
    med = fu.median()
    out.add("info", f"{n} of {N} dosed subjects ({pct(n, N)}) were followed for at least {req} days ({src_en}); "
                    f"median follow-up {num(med)} days; before reaching it {nd} died, {nw} left with a documented "
                    f"reason and {len(ongoing)} are still in follow-up at {cut_en}",
            f"{N} 名已给药受试者中 {n} 名（{pct(n, N)}）随访至少 {req} 天（{src_zh}）；中位随访 {num(med)} 天；"
            f"在此之前 {nd} 名死亡、{nw} 名有记录原因退出、{len(ongoing)} 名在{cut_zh}仍在随访中", domain="SV")
    return None


@check("FUP-003", U, "major", "G-3.1c", "Consent for separate long-term follow-up", "单独长期随访研究的知情同意")
def ltfu_consent(sub, out):
    """Subject with LONG-TERM FOLLOW-UP visits (SVEPOCH/EPOCH) without an LTFU_ICF_SIGNED document."""
    if (na := need(sub, "SV", "FUP-001")) is not None:
        return na
    sv = sub.domain("SV")
    if "USUBJID" not in sv.columns:
        return None
    epoch = pd.Series(False, index=sv.index)
    for var in ("SVEPOCH", "EPOCH"):
        if var in sv.columns:
            e = map_text(norm(sv[var]).fillna(""), lambda v: re.sub(r"[^A-Z]", "", v))
            epoch |= e == LTFU
    subjects = set(sv.loc[epoch, "USUBJID"].dropna())
    if not subjects:
        return NotApplicable("no long-term follow-up epoch in SV", "SV 中无长期随访阶段")
    signed = set(docs_of(sub, "LTFU_ICF_SIGNED")["USUBJID_N"].dropna())
    for u in sorted(subjects - signed):
        out.add("major", f"Subject {u} has long-term follow-up visits but no LTFU_ICF_SIGNED document "
                         "(separate consent for the long-term follow-up study)",
                f"受试者 {u} 有长期随访访视，但无 LTFU_ICF_SIGNED（长期随访研究的单独知情同意）文件",
                domain="SV", usubjid=u)
    return None


@check("FUP-004", U, "major", "G-3.1d", "Growth monitored in children", "儿童生长发育监测")
def child_growth(sub, out):
    """A dosed subject under 18 without VS HEIGHT and WEIGHT at two or more post-dose visits."""
    if (na := need_dm(sub)) is not None:
        return na
    subj = sub.study.subjects
    kids = subj[(subj["AGE_Y"] < 18) & subj["DOSED"]]
    if kids.empty:
        return NotApplicable("no dosed subjects under 18", "无 18 岁以下已给药受试者")
    counts = pd.DataFrame(0, index=kids.index, columns=["HEIGHT", "WEIGHT"])
    vs = sub.domain("VS")
    if vs is not None and "USUBJID" in vs.columns and "VSTESTCD" in vs.columns:
        test = norm(vs["VSTESTCD"])
        val = to_number(col(vs, "VSSTRESN"))
        val = val.where(val.notna(), to_number(col(vs, "VSORRES")))
        post = _after_first_dose_day(sub, vs, "VSDTC", "VS")
        sel = test.isin({"HEIGHT", "WEIGHT"}).to_numpy() & val.notna().to_numpy() & post & \
            vs["USUBJID"].isin(kids.index).to_numpy()
        if sel.any():
            visit = col(vs, "VISITNUM").where(col(vs, "VISITNUM").notna(), col(vs, "VISIT"))
            visit = visit.where(visit.notna(), col(vs, "VSDTC"))
            f = pd.DataFrame({"USUBJID": vs["USUBJID"], "TEST": test, "VISIT": visit.astype(str)})[sel]
            c = f.groupby(["USUBJID", "TEST"])["VISIT"].nunique().unstack(fill_value=0)
            counts = counts.add(c.reindex(index=counts.index, columns=counts.columns, fill_value=0), fill_value=0)
    for u, r in counts.iterrows():
        if r["HEIGHT"] >= 2 and r["WEIGHT"] >= 2:
            continue
        age = subj.at[u, "AGE_Y"]
        out.add("major", f"Subject {u} (age {age:.0f}): growth not monitored — post-dose visits with HEIGHT: "
                         f"{int(r['HEIGHT'])}, with WEIGHT: {int(r['WEIGHT'])} (two or more of each required)",
                f"受试者 {u}（{age:.0f} 岁）：未监测生长发育——给药后有身高记录的访视 {int(r['HEIGHT'])} 次、"
                f"体重 {int(r['WEIGHT'])} 次（各需至少 2 次）", domain="VS", usubjid=u)
    return None


@check("FUP-005", U, "major", "G-3.1c", "Long-term follow-up consent obtained before dosing",
       "长期随访知情同意在给药前获得")
def ltfu_consent_before_dose(sub, out):
    """A subject's LTFU_ICF_SIGNED (consent for a separate long-term follow-up study) dated after the subject's
    first dose: the guideline asks for it before the subject takes part in the trial."""
    signed = docs_of(sub, "LTFU_ICF_SIGNED")
    if len(signed) == 0:
        return NotApplicable("no LTFU_ICF_SIGNED document (FUP-003 reports subjects in long-term follow-up "
                             "without one)", "无 LTFU_ICF_SIGNED 文件（FUP-003 报告长期随访受试者缺少该文件）")
    fd = sub.study.first_dose
    d = parse_dtc(col(signed, "DATE"))
    frame = pd.DataFrame({"U": signed["USUBJID_N"].to_numpy(), "LO": d.lo, "DATE": col(signed, "DATE").to_numpy(),
                          "DOCID": col(signed, "DOCID").to_numpy()}).dropna(subset=["U", "LO"])
    if frame.empty:
        return None
    first = frame.sort_values("LO", kind="stable").drop_duplicates("U").set_index("U")   # the earliest consent
    canon = {str(u).strip().upper(): u for u in fd.index}
    late = []
    for key, r in first.iterrows():
        u = canon.get(str(key).strip().upper())
        if u is None or fd.at[u, "FIRST_HI"] != fd.at[u, "FIRST_HI"]:
            continue
        if r["LO"] > fd.at[u, "FIRST_HI"]:     # certainly after the first-dose day
            late.append((u, r, int(r["LO"] - fd.at[u, "FIRST_HI"])))
    if len(late) > MAX_PER_COLUMN:   # one defect of the study's consent process
        days = pd.Series([d for _, _, d in late])
        shown = listing([u for u, _, _ in late], 6)
        out.add("major", f"{len(late)} subjects signed the long-term follow-up consent (LTFU_ICF_SIGNED) after their "
                         f"first dose (median {num(days.median())} days later, up to {num(days.max())}; {shown}); it "
                         "is to be obtained before the subject takes part in the trial",
                f"{len(late)} 名受试者在首次给药后才签署长期随访知情同意（LTFU_ICF_SIGNED）（中位晚 {num(days.median())} 天，"
                f"最长 {num(days.max())} 天；{listing([u for u, _, _ in late], 6, sep='、')}）；应在受试者参加临床试验前获得",
                record="DOCTYPE=LTFU_ICF_SIGNED")
        return None
    for u, r, days in late:
        when = day_text(fd.at[u, "FIRST_LO"], fd.at[u, "FIRST_HI"])
        out.add("major", f"Subject {u}: long-term follow-up consent (LTFU_ICF_SIGNED {r['DOCID']}, {r['DATE']}) "
                         f"was signed {days} days after the first dose ({when}); it is to be obtained before the "
                         "subject takes part in the trial",
                f"受试者 {u}：长期随访知情同意（LTFU_ICF_SIGNED {r['DOCID']}，{r['DATE']}）于首次给药（{when}）后 "
                f"{days} 天签署；应在受试者参加临床试验前获得", usubjid=u, record=f"DOCID={r['DOCID']}")
    return None
