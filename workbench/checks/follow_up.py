"""Follow-up results (G-4.1.2, G-3.1b/c/d): FUP-001 .. FUP-004."""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ..findings import Element
from ..units import to_number
from .helpers import (
    col,
    dates,
    day_text,
    docs_of,
    first_dose_of,
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


@check("FUP-002", U, "major / info", "G-3.1b", "Follow-up long enough for the product's risk", "随访时间满足产品风险要求")
def follow_up_length(sub, out):
    """Follow-up shorter than required for a dosed subject who neither died nor withdrew with a reason (major); proportion meeting it (info)."""
    dosed = sorted(sub.study.dosed)
    if not dosed:
        return NotApplicable("no dosed subjects", "无已给药受试者")
    m = sub.m
    req = m.required_followup_days
    if sub.overlay and sub.overlay.required_followup_days:
        src_en, src_zh = "supplied by the reviewer (overlay)", "审评人员补充（overlay）"
    elif m.study.followup.required_days:
        src_en, src_zh = "declared in submission.yaml", "submission.yaml 申报"
    else:
        ct = m.product.cell_type or "cell type not declared"
        src_en, src_zh = f"default for {ct}, G-3.1b", f"{ct} 的默认要求，G-3.1b"
    fu = sub.study.follow_up_days.reindex(pd.Index(dosed, dtype=object))
    died = set(sub.study.deaths["USUBJID"].dropna())
    disp = sub.study.disposition
    withdrew = set(disp.loc[disp["HAS_REASON"] & ~disp["COMPLETED"] & ~disp["DEATH"], "USUBJID"])
    meets = fu >= req
    short = ~meets & ~fu.index.isin(died) & ~fu.index.isin(withdrew)
    fd = sub.study.first_dose
    lc = sub.study.last_contact
    completed = set(disp.loc[disp["COMPLETED"], "USUBJID"])
    short_ids = list(fu.index[short.to_numpy()])
    done = [u for u in short_ids if u in completed]
    rest = [u for u in short_ids if u not in completed]
    def one(u):
        first = day_text(fd.at[u, "FIRST_LO"], fd.at[u, "FIRST_HI"]) if u in fd.index else "unknown"
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

    per_subject(out, "major", done, one, many_completed, domain="SV", record="DSDECOD=COMPLETED")
    per_subject(out, "major", rest, one,
                lambda n, ex_en, ex_zh: (f"{n} dosed subjects were followed for less than the required {req} days "
                                         f"({src_en}) and neither died nor left with a reason ({ex_en})",
                                         f"{n} 名已给药受试者随访短于要求的 {req} 天（{src_zh}），且未死亡、未记录退出原因"
                                         f"（{ex_zh}）"), domain="SV")
    n, N = int(meets.sum()), len(dosed)
    nd = len(set(dosed) & died - set(fu.index[meets.to_numpy()]))
    nw = len((set(dosed) & withdrew) - died - set(fu.index[meets.to_numpy()]))
    med = fu.median()
    out.add("info", f"{n} of {N} dosed subjects ({pct(n, N)}) were followed for at least {req} days ({src_en}); "
                    f"median follow-up {num(med)} days; {nd} died and {nw} withdrew before reaching it",
            f"{N} 名已给药受试者中 {n} 名（{pct(n, N)}）随访至少 {req} 天（{src_zh}）；中位随访 {num(med)} 天；"
            f"{nd} 名在此之前死亡，{nw} 名退出", domain="SV")
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
