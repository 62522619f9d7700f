"""Guideline coverage: every clause of the guideline digest -> the checks, analyses and tier criteria that serve it,
or why the data cannot show it.

The matrix is computed from the three registries (checks carry ``clause``, analyses ``clauses``, tier criteria their
tier's clause) and the one data table below (:data:`LIMITS`) of what submitted data cannot show. A clause is

- **served** when a built-in check, analysis or criterion cites it and :data:`LIMITS` names no part the data cannot
  show;
- **partly** served when it is cited and :data:`LIMITS` names the part that is not checkable from data;
- **not checkable from data** when nothing cites it; :data:`LIMITS` must then say why (a clause with neither is an
  error, and a test fails).

``python -m workbench.coverage --write docs/guideline-coverage.md`` rewrites the committed document (a test fails
when it is stale).
"""
from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

# The digest's clauses (guideline-digest.md): id, the guideline's own section number, the requirement in brief.
CLAUSES: tuple[tuple[str, str, str], ...] = (
    ("G-1.3", "一（三）", "definition of stem-cell related products"),
    ("G-2.1.1", "二（一）1", "full ethics review; GCP, Declaration of Helsinki, CIOMS"),
    ("G-2.1.2a", "二（一）2（1）", "healthy volunteers normally not enrolled"),
    ("G-2.1.2b", "二（一）2（2）", "refractory patients; background therapy kept stable"),
    ("G-2.1.2c", "二（一）2（3）", "children only after adult safety data, or with a justification"),
    ("G-2.1.3a", "二（一）3（1）", "existing therapy paused at screening: risk assessment and rescue plan"),
    ("G-2.1.3b", "二（一）3（2）", "training of investigators and staff; SOPs; careful administration records"),
    ("G-2.1.3c", "二（一）3（3）", "stopping rules that pause enrolment and dosing until evaluated"),
    ("G-2.1.3d", "二（一）3（4）", "risk-control plan"),
    ("G-2.1.4a", "二（一）4（1）", "individualised products: manufacturing failures, subjects not treated"),
    ("G-2.1.4b", "二（一）4（2）", "feasibility of transport, storage and preparation before FIH"),
    ("G-2.1.4c", "二（一）4（3）", "complete nonclinical studies"),
    ("G-2.2.1", "二（二）1", "exploratory aims: safety, tolerability, dose; stem-cell risks; survival, distribution"),
    ("G-2.2.2a", "二（二）2（2）", "dose increments and cohort sizes justified by risk"),
    ("G-2.2.2b", "二（二）2（3）", "FIH: staggered (sentinel) dosing; single administration"),
    ("G-2.2.2c", "二（二）2（4）", "MTD by escalation; later doses within the explored range"),
    ("G-2.2.3", "二（二）3", "controls in exploratory trials where needed"),
    ("G-2.2.4", "二（二）4", "phase I/II: rules for moving from escalation to expansion"),
    ("G-2.3.1", "二（三）1", "confirmatory: RCT, blinding; IRC or sensitivity analyses for autologous products"),
    ("G-2.3.2a", "二（三）2", "confirmatory endpoints reflect clinical benefit; surrogates validated first"),
    ("G-2.3.2b", "二（三）2", "durability of effect; immune response to repeated allogeneic dosing"),
    ("G-2.3.2c", "二（三）2", "continued safety monitoring incl. delayed events; safety set large enough"),
    ("G-2.3.2d", "二（三）2", "major CMC changes before the confirmatory trial, impact assessed"),
    ("G-3.1a", "三（一）", "long-term follow-up of treated subjects: efficacy, immune function, tumours, persistence"),
    ("G-3.1b", "三（一）", "MSC at least 2 years of follow-up; other types adjusted to risk"),
    ("G-3.1c", "三（一）", "a separate long-term follow-up study needs its own consent"),
    ("G-3.1d", "三（一）", "children: growth and development monitored"),
    ("G-3.2", "三（二）", "post-marketing studies, real-world data, PSUR"),
    ("G-4.0", "四", "registered-study results as evidence; CSR per ICH E3; next development plan"),
    ("G-4.1.1", "四（一）1", "process and quality consistency"),
    ("G-4.1.2", "四（一）2", "compliance and data integrity; the key information"),
    ("G-4.2.1", "四（二）1", "conclusion 1: high safety risk"),
    ("G-4.2.2", "四（二）2", "conclusion 2: preliminary safety; expand within the explored dose and frequency"),
    ("G-4.2.3", "四（二）3", "conclusion 3: preliminary efficacy; confirmatory trial"),
    ("G-4.2.4", "四（二）4", "conclusion 4: sufficient for benefit-risk assessment"),
)

# What submitted data cannot show, per clause (English, Chinese). For a clause some check, analysis or criterion
# cites, the part beyond the data ("partly"); for a clause nothing cites, why it is not checkable from data.
LIMITS: dict[str, tuple[str, str]] = {
    "G-1.3": ("a definition of the products the guideline covers; the product type is declared in submission.yaml, "
              "not derived from data", "指导原则适用产品的定义；产品类型在 submission.yaml 中申报，不能由数据推断"),
    "G-2.1.1": ("the quality of the ethics review and GCP conduct are judged from the documents and inspection; the "
                "data show consent dates against ethics approval and the first dose",
                "伦理审查质量和 GCP 执行情况需依据文件和检查判断；数据仅能显示知情同意日期与伦理批准、首次给药的先后"),
    "G-2.1.3a": ("whether existing therapy was paused for the trial, and its risk assessment and rescue plan, are "
                 "protocol content; no SDTM variable or document type carries them",
                 "是否为试验暂停原有治疗及其风险评估和补救方案属于方案内容，无对应的 SDTM 变量或文件类型"),
    "G-2.1.3b": ("whether training was adequate and the SOP followed is judged from the documents; the data show the "
                 "documents exist and outcomes by site and operator", "培训是否充分、SOP 是否遵循需依据文件判断；数据显示文件是否存在以及按中心和操作者的结果"),
    "G-2.1.3d": ("the plan's content (prevention, identification, diagnosis, handling, follow-up of each risk) is "
                 "read by the reviewer; its presence is checked", "风险控制方案的内容需审评人员阅读判断；仅检查其是否提供"),
    "G-2.1.4a": ("the replacement policy for subjects not treated is protocol content",
                 "未能给药受试者的替换策略属于方案内容"),
    "G-2.1.4b": ("the feasibility evaluation of transport, site storage and preparation is a pre-FIH study with no "
                 "document type of its own in the submission format", "运输、中心储存和配制的可行性评估为首次人体试验前的研究，申报格式中无对应文件类型"),
    "G-2.1.4c": ("the completeness of nonclinical studies is assessed by nonclinical reviewers; the presence of a "
                 "NONCLINICAL_SUMMARY is required by T4.biology_known", "非临床研究是否完整由非临床审评人员评价；T4.biology_known 仅要求提供 NONCLINICAL_SUMMARY"),
    "G-2.2.1": ("pharmacodynamic and biological-activity markers are analysed only when declared as the primary "
                "endpoint", "药效学及生物学活性指标仅在申报为主要终点时分析"),
    "G-2.2.2a": ("the justification of dose increments and cohort sizes by risk is protocol reasoning; the data show "
                 "the doses and cohort sizes per level", "剂量递增幅度和队列规模的风险依据属于方案论证；数据显示各剂量组的剂量和例数"),
    "G-2.2.3": ("whether a control was needed (confounding background therapy, a poorly understood disease course) "
                "is a clinical judgement; the arms and their roles are shown with the study model",
                "是否需要设置对照（合并用药干扰、疾病进程认识不足）属于临床判断；研究模型显示各组及其角色"),
    "G-2.2.4": ("the rules for moving from escalation to expansion are protocol text, not data",
                "从剂量递增转入扩展阶段的原则属于方案文本，不在数据中"),
    "G-2.3.1": ("blinding and the choice of control are declared, not derived from data; sensitivity analyses in "
                "place of an IRC are not recognised", "盲法和对照选择为申报信息而非由数据推断；不识别替代 IRC 的敏感性分析"),
    "G-2.3.2d": ("whether the clinical impact of a process change was assessed is judged from the "
                 "COMPARABILITY_REPORT's content", "工艺变更对临床影响的评估需依据 COMPARABILITY_REPORT 的内容判断"),
    "G-3.1a": ("immune function (e.g. lymphocyte subsets) appears only as laboratory results, not analysed as such",
               "免疫功能（如淋巴细胞亚群）仅作为实验室检查结果显示，未专门分析"),
    "G-3.2": ("post-marketing studies and PSURs come after registration, outside a registered-study submission",
              "上市后研究和 PSUR 在上市之后，不属于备案研究申报资料"),
    "G-4.0": ("the CSR's conformity with ICH E3 is judged from the document", "临床研究报告是否符合 ICH E3 需依据文件判断"),
    "G-4.1.2": ("GCP violations and harm to subjects found at inspection are outside the data",
                "检查中发现的 GCP 违规和受试者权益受损不在数据中"),
    "G-4.2.1": ("whether nonclinical safety signals are excluded by the human data is judged from the nonclinical "
                "reports", "人体数据能否排除非临床安全性信号需依据非临床报告判断"),
    "G-4.2.4": ("whether mechanism, proliferation, survival, distribution and differentiation are known is judged "
                "from the documents (their presence is required)", "作用机制、增殖、存活、分布和分化特性是否明确需依据文件判断（仅要求文件存在）"),
}

SERVED, PARTLY, NOT_CHECKABLE = "served", "partly", "not checkable from data"


@dataclass
class ClauseCoverage:
    id: str
    section: str
    requirement: str
    checks: list[str] = field(default_factory=list)
    analyses: list[str] = field(default_factory=list)
    criteria: list[str] = field(default_factory=list)

    @property
    def served_by(self) -> list[str]:
        return self.checks + self.analyses + self.criteria

    @property
    def limit(self) -> tuple[str, str] | None:
        return LIMITS.get(self.id)

    @property
    def status(self) -> str | None:
        """served / partly / not checkable from data; None when nothing serves it and no reason is given."""
        if self.served_by:
            return PARTLY if self.limit else SERVED
        return NOT_CHECKABLE if self.limit else None


def resolve(ref: str) -> list[str]:
    """Clause ids a reference names: a digest id, or a section number of the guideline that belongs to exactly one
    clause (``四（二）2`` -> G-4.2.2). A reference to a group of clauses (``G-2.2.2``, ``三（一）``) or to another
    guideline names none: it is listed apart (:func:`other_references`), never counted for a lettered clause."""
    ref = ref.strip()
    if ref in {c[0] for c in CLAUSES}:
        return [ref]
    by_section = [c[0] for c in CLAUSES if c[1] == ref]
    return by_section if len(by_section) == 1 else []


def _parts(text) -> list[str]:
    parts = text if isinstance(text, (list, tuple)) else re.split(r"\s*,\s*", str(text or ""))
    return [p.strip() for p in parts if str(p).strip()]


def _served() -> list[tuple[str, str, str]]:
    """(kind, name, reference) for every clause reference of the built-in registries."""
    from .analyses import registry as analyses
    from .checks import registry as checks
    from .tiers import criteria_registry

    out = [("check", s.id, r) for s in checks.specs() if s.builtin for r in _parts(s.clause)]
    out += [("analysis", f"analyses.{s.name}", r) for s in analyses.entries() if s.builtin for r in _parts(s.clauses)]
    out += [("criterion", e.id, r) for e in criteria_registry.entries() for r in _parts(e.clauses)]
    return out


def coverage() -> list[ClauseCoverage]:
    """The matrix from the built-in registries (analysts' own checks and analyses are left out)."""
    rows = {c[0]: ClauseCoverage(*c) for c in CLAUSES}
    where = {"check": "checks", "analysis": "analyses", "criterion": "criteria"}
    for kind, name, ref in _served():
        for cid in resolve(ref):
            bucket = getattr(rows[cid], where[kind])
            if name not in bucket:
                bucket.append(name)
    return list(rows.values())


def other_references() -> dict[str, list[str]]:
    """References that name no single clause (a group such as ``G-2.2.2``, or another guideline): ref -> users."""
    out: dict[str, list[str]] = {}
    for _, name, ref in _served():
        if not resolve(ref) and name not in out.setdefault(ref, []):
            out[ref].append(name)
    return out


def counts(rows: list[ClauseCoverage] | None = None) -> dict[str, int]:
    rows = coverage() if rows is None else rows
    out = {SERVED: 0, PARTLY: 0, NOT_CHECKABLE: 0}
    for r in rows:
        if r.status is not None:
            out[r.status] += 1
    return out


def markdown() -> str:
    """docs/guideline-coverage.md."""
    rows = coverage()
    n = counts(rows)
    lines = [
        "# Guideline coverage · 指导原则覆盖矩阵",
        "",
        "Generated by `python -m workbench.coverage --write docs/guideline-coverage.md` from the check, analysis and",
        "tier-criterion registries (their `clause` / `clauses`) and the table `workbench.coverage.LIMITS` of what",
        "submitted data cannot show. Do not edit by hand: a test fails when this file is stale or when a clause",
        "has neither something serving it nor a reason it is not checkable from data.",
        "",
        f"**{len(rows)} clauses: {n[SERVED]} served, {n[PARTLY]} partly served, "
        f"{n[NOT_CHECKABLE]} not checkable from data.**",
        "",
        "| clause | section | requirement | served by | status | what the data cannot show |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        by = ", ".join(f"`{x}`" for x in r.served_by) or "—"
        limit = r.limit[0] if r.limit else ""
        lines.append(f"| {r.id} | {r.section} | {r.requirement} | {by} | {r.status or 'MISSING'} | {limit} |")
    others = other_references()
    if others:
        lines += ["", "References to a group of clauses or to another guideline (not counted above):", ""]
        lines += [f"- {ref}: {', '.join(f'`{n}`' for n in names)}" for ref, names in sorted(others.items())]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Write or check the guideline coverage matrix.")
    ap.add_argument("--write", metavar="FILE", help="write the matrix to FILE (e.g. docs/guideline-coverage.md)")
    args = ap.parse_args(argv)
    missing = [r.id for r in coverage() if r.status is None]
    text = markdown()
    if args.write:
        Path(args.write).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    if missing:
        print(f"clauses with neither a check, analysis or criterion nor a reason: {', '.join(missing)}",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
