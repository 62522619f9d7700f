"""Manifest checks: submission.yaml present (MAN-001) and valid, with every data arm declared (MAN-002)."""
from __future__ import annotations

from ..findings import Element
from ..manifest import ProblemKind
from ..study import role_rule_text
from ..text import norm_value
from .helpers import listing, num
from .registry import check

C = Element.COMPLIANCE


@check("MAN-001", C, "major", "G-4.0", "Study manifest (submission.yaml) supplied", "提供研究清单（submission.yaml）")
def manifest_present(sub, out):
    """submission.yaml is missing: study metadata is inferred from the data where possible."""
    if sub.manifest is not None or any(p.kind == ProblemKind.UNREADABLE for p in sub.manifest_problems):
        return None  # present (an unreadable file is MAN-002's finding)
    model = sub.study
    arms = model.arms
    shown_en, shown_zh = [], []
    for a in arms.itertuples():
        dose = f"{num(a.DOSE)} {a.DOSE_UNIT or ''}".strip() if a.DOSE == a.DOSE and a.DOSE is not None else "dose unknown"
        dose_zh = dose if dose != "dose unknown" else "剂量未知"
        if a.CONTROL:
            shown_en.append(f"{a.ARM} (control: {role_rule_text(a.ROLE_RULE, a.ROLE_EVIDENCE, 'en')}; {dose})")
            shown_zh.append(f"{a.ARM}（对照组：{role_rule_text(a.ROLE_RULE, a.ROLE_EVIDENCE, 'zh')}；{dose_zh}）")
        else:
            shown_en.append(f"{a.ARM} ({dose})")
            shown_zh.append(f"{a.ARM}（{dose_zh}）")
    facts = [(k, f) for k, f in model.design.inferred().items() if k not in ("title", "sponsor")]
    facts_en = "; ".join(f"{k} {f.value} ({f.source})" for k, f in facts)
    facts_zh = "；".join(f"{k} {f.value}（{f.source}）" for k, f in facts)
    arms_en = f"; arms from the data: {listing(shown_en, 10)}" if shown_en else ""
    arms_zh = f"；数据中的组别：{listing(shown_zh, 10, sep='、')}" if shown_zh else ""
    days = sub.m.required_followup_days
    where = "bare folder of datasets" if sub.bare else "submission folder"
    where_zh = "数据集裸文件夹" if sub.bare else "申报资料文件夹"
    out.add("major",
            f"submission.yaml is missing ({where}): product, cell type, primary endpoint and stopping rules are not "
            f"declared{arms_en}{'; from the trial design datasets: ' + facts_en if facts else ''}; required "
            f"follow-up defaults to {days} days",
            f"缺少 submission.yaml（{where_zh}）：产品、细胞类型、主要终点和停止规则均未申报{arms_zh}"
            f"{'；来自试验设计数据集：' + facts_zh if facts else ''}；要求随访时间按默认 {days} 天计",
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
    declared = {norm_value(a.armcd) for a in sub.m.study.arms}
    shown = sorted(a.armcd for a in sub.m.study.arms)
    sa = sub.study.subject_arms
    reported: set = set()
    for var, column in (("ARMCD", "PLANNED_ARM"), ("ACTARMCD", "ARM")):
        if var not in dm.columns:
            continue
        codes = sa[column].dropna()
        extra = codes[~codes.map(norm_value).isin(declared)]
        for code, n in extra.groupby(extra).size().items():
            if code in reported:
                continue  # already reported for ARMCD
            reported.add(code)
            out.add("major",
                    f"Arm {code} (DM.{var}, {n} subject(s)) is not declared in submission.yaml study.arms "
                    f"(declared: {listing(shown) or 'none'})",
                    f"组别 {code}（DM.{var}，{n} 名受试者）未在 submission.yaml 的 study.arms 中申报"
                    f"（已申报：{listing(shown, sep='、') or '无'}）",
                    domain="DM", record=f"{var}={code}")
