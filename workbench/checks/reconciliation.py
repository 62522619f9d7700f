"""Reconciliation of the sponsor's analysis datasets (ADaM) with the raw data (SDTM): REC-001 .. REC-005.

The comparisons are made once by :func:`workbench.reconciliation.reconciliation` (which review.json and the app
show in full); these checks turn its disagreements into findings, one defect one finding: the records of one
subject with the same reason are one finding, and more than MAX_PER_COLUMN subjects with the same reason are one
finding with their count and examples.
"""
from __future__ import annotations

from collections import defaultdict

from ..findings import Element
from .helpers import MAX_PER_COLUMN, listing
from .registry import NotApplicable, check

C, S, F = Element.COMPLIANCE, Element.SAFETY, Element.FOLLOW_UP


def _report(sub, out, item_id: str):
    from ..reconciliation import reconciliation

    rec = reconciliation(sub)
    if rec is None:
        return NotApplicable("no analysis datasets (ADaM) in this submission", "本申报资料无分析数据集（ADaM）")
    item = rec.item(item_id)
    if item.status != "compared":
        return NotApplicable(item.reason_en or "not applicable", item.reason_zh or "不适用")
    groups: dict[tuple, list] = defaultdict(list)
    for d in item.disagreements:
        groups[(d.dataset, d.variable, d.kind)].append(d)
    for (dataset, variable, _kind), ds in groups.items():
        by_subject: dict = defaultdict(list)
        for d in ds:
            by_subject[d.usubjid].append(d)
        if len(by_subject) > MAX_PER_COLUMN:
            subjects = [u for u in by_subject if u is not None]
            first = ds[0]
            out.add("major", f"{dataset}.{variable}: {len(ds)} record(s) of {len(by_subject)} subjects disagree with "
                             f"the SDTM for the same reason (subjects {listing(subjects, 6)}); e.g. {first.reason_en}",
                    f"{dataset}.{variable}：{len(by_subject)} 名受试者的 {len(ds)} 条记录因同一原因与 SDTM 不一致"
                    f"（受试者 {listing(subjects, 6, '、')}）；例如 {first.reason_zh}",
                    domain=dataset, record=first.record)
            continue
        for u, rows in by_subject.items():
            same = len({r.detail("en") for r in rows}) == 1
            if len(rows) == 1 or not same:
                for r in rows:
                    out.add("major", r.reason_en, r.reason_zh, domain=dataset, usubjid=u, record=r.record)
                continue
            records = _records([r.record for r in rows])
            out.add("major", f"Subject {u}, {len(rows)} {dataset} records ({records}): {rows[0].detail('en')}",
                    f"受试者 {u}，{dataset} 的 {len(rows)} 条记录（{records}）：{rows[0].detail('zh')}",
                    domain=dataset, usubjid=u, record=records)
    return None


def _records(records: list) -> str:
    """'AESEQ=1,2,3,4' for records with one key, else the records listed."""
    keys = {str(r).split("=", 1)[0] for r in records if r and "=" in str(r)}
    if len(keys) == 1 and all(r and "=" in str(r) for r in records):
        key = keys.pop()
        values = sorted((str(r).split("=", 1)[1] for r in records), key=_natural)
        return f"{key}=" + ",".join(values)
    return listing(sorted((str(r) for r in records), key=_natural), 8)


def _natural(text: str):
    """Sort key: numbers by value ('2' before '10'), then text."""
    try:
        return (0, float(text), "")
    except ValueError:
        return (1, 0.0, text)


def _reconciliation_check(check_id: str, element: Element, title_en: str, title_zh: str, doc: str, name: str):
    """Register REC-00n: a check reporting the disagreements of reconciliation item ``check_id``."""
    def run(sub, out):
        return _report(sub, out, check_id)

    run.__name__ = run.__qualname__ = name
    run.__doc__ = doc
    return check(check_id, element, "major", "G-4.1.2", title_en, title_zh)(run)


# id, element, title (en, zh), what it compares, function name
_ITEMS = (
    ("REC-001", C, "ADSL population flags and actual treatment agree with SDTM", "ADSL 人群标志与实际治疗与 SDTM 一致",
     "SAFFL against dosed (EX), TRT01A against the actual arm, ADSL subjects against DM.", "adsl_population"),
    ("REC-002", C, "ADSL treatment start and end dates agree with EX", "ADSL 治疗起止日期与 EX 一致",
     "TRTSDT / TRTEDT against the first and last administration in EX.", "adsl_treatment_dates"),
    ("REC-003", S, "ADAE treatment-emergent flag agrees with the TEAE definition", "ADAE 治疗期出现标志与 TEAE 定义一致",
     "ADAE.TRTEMFL against this product's TEAE definition, record by record, with the inferred reason.",
     "adae_treatment_emergent"),
    ("REC-004", S, "Hepatic / Hy's law flags agree with the hepatic analysis", "肝脏指标 / Hy's law 标志与肝脏分析一致",
     "ADLBHY (or ADLB criterion flags) against the library's hepatic analysis, subject by subject.", "adam_hepatic"),
    ("REC-005", F, "ADSL deaths and end-of-study status agree with DM / DS", "ADSL 死亡与研究结束状态与 DM / DS 一致",
     "DTHFL against deaths in DM, DS and AE; EOSSTT against the disposition in DS.", "adsl_end_of_study"),
)
for _item in _ITEMS:
    _reconciliation_check(*_item)
