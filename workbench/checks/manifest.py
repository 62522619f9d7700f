"""Manifest checks: submission.yaml present (MAN-001) and valid, with every data arm declared (MAN-002)."""
from __future__ import annotations

from .. import derive
from ..findings import Element
from ..manifest import ProblemKind
from ._common import NO_ARM, listing, norm, num
from .registry import check

C = Element.COMPLIANCE


@check("MAN-001", C, "major", "G-4.0", "Study manifest (submission.yaml) supplied", "提供研究清单（submission.yaml）")
def manifest_present(sub, out):
    """submission.yaml is missing: study metadata is inferred from the data where possible."""
    if sub.manifest is not None or any(p.kind == ProblemKind.UNREADABLE for p in sub.manifest_problems):
        return None  # present (an unreadable file is MAN-002's finding)
    arms = derive.arm_doses(sub)
    inferred = [f"{a.ARM} ({num(a.DOSE)} {a.DOSE_UNIT or ''})".replace(" )", ")") for a in arms.itertuples()]
    arms_en = f"; arms inferred from EX: {listing(inferred)}" if inferred else ""
    arms_zh = f"；根据 EX 推断的组别：{listing(inferred, sep='、')}" if inferred else ""
    days = sub.m.required_followup_days
    where = "bare folder of datasets" if sub.bare else "submission folder"
    where_zh = "数据集裸文件夹" if sub.bare else "申报资料文件夹"
    out.add("major",
            f"submission.yaml is missing ({where}): product, design, arms, endpoints and stopping rules are not "
            f"declared; study metadata inferred from the data where possible{arms_en}; required follow-up "
            f"defaults to {days} days",
            f"缺少 submission.yaml（{where_zh}）：产品、设计、组别、终点和停止规则均未申报；已尽可能根据数据推断研究信息"
            f"{arms_zh}；要求随访时间按默认 {days} 天计",
            record="FILE=submission.yaml")


@check("MAN-002", C, "minor/major", "G-4.0", "Study manifest valid and consistent with the data",
       "研究清单有效且与数据一致")
def manifest_valid(sub, out):
    """Invalid manifest field (major), unknown key (minor), arm in DM not declared in the manifest (major)."""
    for p in sub.manifest_problems:
        sev = "minor" if p.kind == ProblemKind.UNKNOWN_KEY else "major"
        out.add(sev, p.message_en, p.message_zh, record=f"FIELD={p.field}")
    dm = sub.domain("DM")
    if sub.manifest is None or dm is None or "USUBJID" not in dm.columns:
        return None
    declared = {a.armcd.strip().upper() for a in sub.m.study.arms}
    for var in ("ARMCD", "ACTARMCD"):
        if var not in dm.columns:
            continue
        arm = norm(dm[var])
        extra = arm.notna() & ~arm.isin(NO_ARM | declared)
        if not extra.any():
            continue
        counts = dm.loc[extra, "USUBJID"].groupby(arm[extra]).nunique()
        for code, n in counts.items():
            if var == "ACTARMCD" and "ARMCD" in dm.columns and code in set(norm(dm["ARMCD"]).dropna()):
                continue  # already reported for ARMCD
            out.add("major",
                    f"Arm {code} (DM.{var}, {n} subject(s)) is not declared in submission.yaml study.arms "
                    f"(declared: {listing(sorted(declared)) or 'none'})",
                    f"组别 {code}（DM.{var}，{n} 名受试者）未在 submission.yaml 的 study.arms 中申报"
                    f"（已申报：{listing(sorted(declared), sep='、') or '无'}）",
                    domain="DM", record=f"{var}={code}")
