"""Reconciliation: the sponsor's analysis datasets (ADaM) re-derived from the raw data (SDTM) with the study model
and compared record by record (check-catalogue.md REC-001 .. REC-005; docs/package.md).

    from workbench.reconciliation import reconciliation
    rec = reconciliation(sub)            # None when the submission has no ADaM datasets and is no data package
    rec.item("REC-003").disagreements    # subject, record, both values and the reason of each disagreement

Each item counts its comparisons and agreements per variable; every disagreement names the subject, the record,
the ADaM value and the SDTM-derived value. Computed once per submission (memo) and shared by the REC checks,
review.json ``reconciliation`` and the app.
"""
from __future__ import annotations

from ..memo import memo
from ..submission import Submission
from .events import treatment_emergent
from .hepatic import hepatic_flags
from .result import ITEMS, Disagreement, ItemResult, Reconciliation, VariableCount, not_applicable
from .subjects import end_of_study, population, treatment_dates

BUILDERS = {"REC-001": population, "REC-002": treatment_dates, "REC-003": treatment_emergent,
            "REC-004": hepatic_flags, "REC-005": end_of_study}


@memo
def reconciliation(sub: Submission) -> Reconciliation | None:
    """Every reconciliation item of ``sub`` (None when it has no ADaM dataset and is not a data package)."""
    if not sub.adam and sub.package is None:
        return None
    if not sub.adam:
        items = {k: not_applicable(k, "no analysis datasets (ADaM) supplied (reported by PKG-002)",
                                   "未提供分析数据集（ADaM）（由 PKG-002 报告）") for k in BUILDERS}
    else:
        items = {k: build(sub) for k, build in BUILDERS.items()}
    return Reconciliation(sorted(sub.adam), items)


__all__ = ["ITEMS", "Disagreement", "ItemResult", "Reconciliation", "VariableCount", "reconciliation"]
