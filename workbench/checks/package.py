"""The data package against the CDE's 2020 guideline on clinical trial data submission (药物临床试验数据递交指导
原则（试行））: PKG-001 naming and format, PKG-002 required components, PKG-003 define.xml against the ADaM datasets.

They apply to a data package (docs/package.md); today's layouts (a submission folder, a bare folder) are not
held to the guideline's file conventions. The SDTM define.xml is compared with the data by TRC-005 in every
layout; PKG-003 compares the ADaM define.xml.
"""
from __future__ import annotations

import re
from pathlib import PurePosixPath

from ..findings import Element
from .helpers import MAX_PER_COLUMN, listing, variables_against_define
from .registry import NotApplicable, check

C = Element.COMPLIANCE
# the stem-cell guideline's clause of data integrity and traceability, which the package serves; the file
# conventions themselves are the CDE data submission guideline's, named in every message
CLAUSE = "G-4.1.2"
GUIDE_EN, GUIDE_ZH = "the CDE data submission guideline", "《药物临床试验数据递交指导原则》"
NAME_RE = re.compile(r"[a-z][a-z0-9]{0,7}")
MAX_FILE_BYTES = 4 * 1024 ** 3                 # larger files are split (and the split documented)
XPT_V5 = b"HEADER RECORD*******LIBRARY HEADER RECORD!!!!!!!"
XPT_V8 = b"HEADER RECORD*******LIBV8   HEADER RECORD!!!!!!!"


def _package(sub):
    if sub.package is None:
        return None, NotApplicable("not a CDE/eCTD data package: the guideline's file conventions apply to a data "
                                   "package (docs/package.md)",
                                   "不是 CDE/eCTD 数据包：数据递交指导原则的文件规范适用于数据包（见 docs/package.md）")
    return sub.package, None


def _report_files(out, severity: str, hits: list[tuple[str, str, str, str | None]], summary_en: str,
                  summary_zh: str) -> None:
    """One finding per file (path, en, zh, domain), or one for all when more than MAX_PER_COLUMN share the defect."""
    if len(hits) > MAX_PER_COLUMN:
        paths = [h[0] for h in hits]
        out.add(severity, f"{summary_en}: {len(hits)} files ({listing(paths, 6)})",
                f"{summary_zh}：{len(hits)} 个文件（{listing(paths, 6, '、')}）", record=f"PATH={paths[0]}")
        return
    for path, en, zh, domain in hits:
        out.add(severity, en, zh, domain=domain, record=f"PATH={path}")


def _header(sub, rel: str) -> bytes:
    try:
        with open(sub.root / rel, "rb") as fh:
            return fh.read(80)
    except OSError:
        return b""


@check("PKG-001", C, "minor / major", CLAUSE, "Dataset names and format follow the data submission guideline",
       "数据集命名与格式符合数据递交指导原则")
def package_naming_format(sub, out):
    """Names: lowercase letters/digits, at most 8 characters, starting with a letter, extension .xpt (minor).
    Format: SAS transport version 5 (major). Size: a file over 4 GB is to be split, and the split documented (major)."""
    pkg, na = _package(sub)
    if na:
        return na
    refused = {i.path for i in sub.load_issues if i.reason.value == "unrecognised_name"}
    names, sizes = [], []
    formats: dict[str, list] = {}        # one group per format found (CSV, SAS transport v8 ...)
    for f in pkg.files:
        if f.kind not in ("sdtm_dataset", "adam_dataset"):
            continue
        p = PurePosixPath(f.path)
        dom = p.stem.upper() if len(p.stem) <= 8 else None
        part = f.part
        if not NAME_RE.fullmatch(p.stem) or (p.suffix.lower() == ".xpt" and p.suffix != ".xpt"):
            note_en = "; the file was not read" if f.path in refused else ""
            note_zh = "；该文件未读取" if f.path in refused else ""
            names.append((f.path, f"{part} dataset file {f.path}: the name {p.name} is outside the naming of "
                                  f"{GUIDE_EN} (lowercase letters and digits, at most 8 characters, starting with a "
                                  f"letter, extension .xpt){note_en}",
                          f"{part} 数据集文件 {f.path}：文件名 {p.name} 不符合{GUIDE_ZH}的命名规则（小写字母和数字，不超过 8 个"
                          f"字符，以字母开头，扩展名 .xpt）{note_zh}", dom))
        if p.suffix.lower() != ".xpt":
            fmt = p.suffix.lstrip(".").upper()
            formats.setdefault(fmt, []).append((
                f.path, f"{part} dataset file {f.path} is {fmt}, not SAS transport version 5 (.xpt) as {GUIDE_EN} "
                        f"requires",
                f"{part} 数据集文件 {f.path} 为 {fmt} 格式，不是{GUIDE_ZH}要求的 SAS 传输文件第 5 版（.xpt）", dom))
        elif _header(sub, f.path).startswith(XPT_V8):
            formats.setdefault("XPT8", []).append((
                f.path, f"{part} dataset file {f.path} is SAS transport version 8, not version 5 as {GUIDE_EN} "
                        f"requires",
                f"{part} 数据集文件 {f.path} 为 SAS 传输文件第 8 版，不是{GUIDE_ZH}要求的第 5 版", dom))
        if f.size is not None and f.size > MAX_FILE_BYTES:
            gb = f.size / 1024 ** 3
            sizes.append((f.path, f"{part} dataset file {f.path} is {gb:.1f} GB: {GUIDE_EN} asks for a dataset over "
                                  f"4 GB to be split into smaller files and the split described in the reviewer guide",
                          f"{part} 数据集文件 {f.path} 大小为 {gb:.1f} GB：{GUIDE_ZH}要求超过 4 GB 的数据集拆分为较小的文件，"
                          f"并在数据审阅说明中说明拆分方式", dom))
    _report_files(out, "minor", names, f"Dataset file names outside the naming of {GUIDE_EN}",
                  f"数据集文件名不符合{GUIDE_ZH}的命名规则")
    for fmt, hits in sorted(formats.items()):
        en, zh = ("SAS transport version 8", "SAS 传输文件第 8 版") if fmt == "XPT8" else (fmt, f"{fmt} 格式")
        _report_files(out, "major", hits, f"Dataset files in {en}, not SAS transport version 5",
                      f"数据集文件为{zh}，不是 SAS 传输文件第 5 版")
    _report_files(out, "major", sizes, "Dataset files over 4 GB, not split", "数据集文件超过 4 GB 且未拆分")
    return None


def _missing(out, what_en: str, what_zh: str, path: str) -> None:
    out.add("major", f"Data package: missing {what_en}, required by {GUIDE_EN} (expected {path})",
            f"数据包：缺少{GUIDE_ZH}要求的{what_zh}（应位于 {path}）", record=f"PATH={path}")


@check("PKG-002", C, "major", CLAUSE, "Data package complete: define.xml, ADSL, reviewer guides, programs",
       "数据包完整：数据说明文件、ADSL、数据审阅说明、程序")
def package_components(sub, out):
    """A required component missing: define.xml for SDTM and ADaM, ADSL when ADaM is present, the reviewer guides
    (SDRG / ADRG), the analysis programs; analysis datasets absent altogether is one finding."""
    pkg, na = _package(sub)
    if na:
        return na
    sdtm_dir = pkg.sdtm_folder or "tabulations/sdtm"
    if not pkg.sdtm_define:
        _missing(out, "the SDTM define.xml (data definition file)", "SDTM 数据说明文件（define.xml）",
                 pkg.sdtm_define_expected)
    if not pkg.guides["SDRG"]:
        _missing(out, "the SDTM reviewer guide (SDRG)", "SDTM 数据审阅说明（SDRG）", f"{sdtm_dir}/csdrg.pdf")
    adam_files = pkg.dataset_files["ADaM"]
    adam_dir = pkg.adam_folder or "analysis/adam/datasets"
    if not adam_files:
        out.add("major", f"Data package: no analysis datasets (ADaM) in {adam_dir}/: {GUIDE_EN} requires them with "
                         f"ADSL, their define.xml, the ADaM reviewer guide (ADRG) and the analysis programs",
                f"数据包：{adam_dir}/ 中无分析数据集（ADaM）：{GUIDE_ZH}要求提交分析数据集（含 ADSL）及其数据说明文件"
                f"（define.xml）、分析数据审阅说明（ADRG）和分析程序", record=f"PATH={adam_dir}/")
        return None
    if not any(PurePosixPath(p).stem.upper() == "ADSL" for p in adam_files):
        _missing(out, "ADSL (the subject-level analysis dataset, required whenever ADaM is submitted)",
                 "ADSL（受试者水平分析数据集，提交 ADaM 时必须提供）", f"{adam_dir}/adsl.xpt")
    if not pkg.adam_define:
        _missing(out, "the ADaM define.xml (data definition file)", "ADaM 数据说明文件（define.xml）",
                 pkg.adam_define_expected)
    if not pkg.guides["ADRG"]:
        _missing(out, "the ADaM reviewer guide (ADRG)", "分析数据审阅说明（ADRG）", f"{adam_dir}/adrg.pdf")
    if not pkg.programs:
        programs = adam_dir.rsplit("/", 1)[0] + "/programs" if "/" in adam_dir else "analysis/adam/programs"
        _missing(out, "the analysis programs (no file in a programs/ folder)", "分析程序（programs/ 文件夹中无文件）",
                 f"{programs}/")
    return None


@check("PKG-003", C, "minor", CLAUSE, "ADaM define.xml matches the analysis datasets", "ADaM 数据说明文件与分析数据集一致")
def package_define(sub, out):
    """Datasets or variables in the ADaM define.xml but not supplied, or supplied but not defined."""
    pkg, na = _package(sub)
    if na:
        return na
    if not pkg.dataset_files["ADaM"]:
        return NotApplicable("no analysis datasets (reported by PKG-002)", "无分析数据集（由 PKG-002 报告）")
    if sub.adam_define is None:
        if pkg.adam_define:
            return NotApplicable("the ADaM define.xml could not be read (reported by TRC-007)",
                                 "ADaM define.xml 无法读取（由 TRC-007 报告）")
        return NotApplicable("no ADaM define.xml (reported by PKG-002)", "无 ADaM define.xml（由 PKG-002 报告）")
    where = pkg.adam_define
    define = {k.upper(): {v.upper() for v in vs} for k, vs in sub.adam_define.items()}
    supplied = {PurePosixPath(p).stem.upper() for p in pkg.dataset_files["ADaM"]}
    data = {d: set(df.columns) for d, df in sub.adam.items()}
    for d in sorted(supplied - set(define)):
        out.add("minor", f"ADaM dataset {d} is supplied but not defined in {where}",
                f"分析数据集 {d} 已提供，但 {where} 中未定义", domain=d)
    for d in sorted(set(define) - supplied):
        out.add("minor", f"ADaM dataset {d} is defined in {where} but not supplied",
                f"{where} 定义了分析数据集 {d}，但未提供该数据集", domain=d)
    variables_against_define(out, data, define, where, "the dataset", "数据集")
    return None
