"""Concomitant medication (G-4.1.2, G-2.1.2b): CON-001, CON-002."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..findings import Element
from .helpers import (
    col,
    dates,
    day_text,
    first_dose_of,
    need,
    norm,
    rec_key,
    required_fields,
)
from .registry import NotApplicable, check

M = Element.CONMED


@check("CON-001", M, "critical / major", "G-4.1.2", "Concomitant medication recorded and coded", "合并用药已记录并编码")
def cm_complete(sub, out):
    """CM missing (critical); CMTRT or CMSTDTC missing (CMSTRF/CMSTRTPT accepted), or CMDECOD missing (major)."""
    cm = sub.domain("CM")
    if cm is None:
        out.add("critical", "CM (concomitant medications) is missing: concomitant medication cannot be evaluated",
                "缺少 CM（合并用药）数据集：无法评价合并用药", domain="CM")
        return None
    required_fields(out, "major", cm, "CM", ("CMTRT", ("CMSTDTC", "CMSTRF", "CMSTRTPT"), "CMDECOD"), label="CMTRT",
                    sub=sub)
    return None


@check("CON-002", M, "major", "G-2.1.2b", "Background therapy kept stable after the first dose", "首次给药后背景治疗保持稳定")
def background_stable(sub, out):
    """Background therapy (manifest background_therapy) started, stopped or dose-changed after the first dose."""
    bg = {str(t).strip().upper() for t in sub.m.study.background_therapy if str(t).strip()}
    if not bg:
        return NotApplicable("no background therapy declared", "未申报背景治疗")
    if (na := need(sub, "CM", "CON-001")) is not None:
        return na
    cm = sub.domain("CM")
    if "USUBJID" not in cm.columns or cm.empty:
        return None
    match = norm(col(cm, "CMCLAS")).isin(bg) | norm(col(cm, "CMDECOD")).isin(bg) | \
        norm(col(cm, "CMTRT")).isin(bg)
    match &= cm["USUBJID"].isin(sub.study.dosed)
    if not match.any():
        return None
    st, en = dates(sub, "CM", "CMSTDTC"), dates(sub, "CM", "CMENDTC")
    fd = first_dose_of(sub, "CM")
    m = match.to_numpy()
    started = m & (st.lo > fd.hi)   # certainly after the first-dose day
    stopped = m & (en.lo > fd.hi)
    if not (started | stopped).any():
        return None
    drug = norm(col(cm, "CMDECOD")).fillna(norm(col(cm, "CMTRT")))
    prior = pd.DataFrame({"U": cm["USUBJID"], "D": drug, "EARLY": m & (st.hi <= fd.lo)})
    had_before = set(map(tuple, prior.loc[prior["EARLY"], ["U", "D"]].to_numpy().tolist()))
    keys = rec_key(cm, "CM", started | stopped)
    trt = col(cm, "CMTRT")
    dose = col(cm, "CMDOSE").fillna(col(cm, "CMDOSTXT"))
    for i in np.flatnonzero(started | stopped):
        idx = cm.index[i]
        u, k = cm.at[idx, "USUBJID"], keys.at[idx]
        first = day_text(fd.lo[i], fd.hi[i])
        what_en, what_zh = [], []
        if started[i]:
            changed = (u, drug.at[idx]) in had_before
            s = day_text(st.lo[i], st.hi[i])
            what_en.append(f"{'dose changed' if changed else 'started'} on {s}")
            what_zh.append(f"于 {s} {'调整剂量' if changed else '开始使用'}")
        if stopped[i]:
            e = day_text(en.lo[i], en.hi[i])
            what_en.append(f"stopped on {e}")
            what_zh.append(f"于 {e} 停用")
        d = dose.at[idx]
        d_txt = f", dose {d}" if d is not None and d == d else ""
        out.add("major", f"Subject {u}, CM {k}: background therapy {trt.at[idx]}{d_txt} {' and '.join(what_en)}, "
                         f"after the first dose ({first}); background therapy should be kept stable",
                f"受试者 {u}，CM {k}：背景治疗 {trt.at[idx]}{d_txt} 在首次给药（{first}）后{'，并'.join(what_zh)}；背景治疗应保持稳定",
                domain="CM", usubjid=u, record=k)
    return None
