"""Reviewer-standard tables and listings (review-output.md "Standard tables"), computed from the study model.

Public API::

    import workbench
    from workbench import tables
    sub = workbench.load_submission("sample_data/rct-ucmsc-koa")
    t = tables.build_table(sub, "ae_soc_pt")     # a Table: columns with N, rows of {n, pct, text} cells
    t.to_dict()                                  # the review.json form
    t.to_frame("en")                             # as shown (text), a DataFrame
    tables.build_tables(sub)                     # every table id, in the order of the specification
    tables.table_html(t, "zh")                   # formatted HTML (the app and report.html use it)

Every builder is a pure function ``f(sub) -> Table``. A table whose domain is absent is still built, with a
note saying why it is empty (``note_zh`` / ``note_en`` / ``reason_code``) - never a table of zeros. A builder
that raises gives a table with the error as its note; the others are still built.
"""
from __future__ import annotations

import logging
from collections.abc import Callable

from ..submission import Submission
from .adverse import ae_leading_to_discontinuation, ae_max_grade, ae_overview, ae_related_soc_pt, ae_soc_pt, aesi_soc_pt
from .domains import cm_summary, deviations, immunogenicity
from .html import table_html
from .labels import TITLES, failed
from .labs import ecg_summary, hepatic, hys_law_listing, lab_shift, lab_summary, vitals_summary
from .listings import death_listing, sae_listing
from .subjects import demographics, disposition, exposure
from .table import Column, Row, Table

log = logging.getLogger(__name__)

# table id -> builder, in the order of review-output.md "Standard tables"
BUILDERS: dict[str, Callable[[Submission], Table]] = {
    "disposition": disposition,
    "demographics": demographics,
    "exposure": exposure,
    "ae_overview": ae_overview,
    "ae_soc_pt": ae_soc_pt,
    "ae_max_grade": ae_max_grade,
    "ae_related_soc_pt": ae_related_soc_pt,
    "ae_leading_to_discontinuation": ae_leading_to_discontinuation,
    "aesi_soc_pt": aesi_soc_pt,
    "sae_listing": sae_listing,
    "death_listing": death_listing,
    "lab_summary": lab_summary,
    "lab_shift": lab_shift,
    "hepatic": hepatic,
    "hys_law_listing": hys_law_listing,
    "vitals_summary": vitals_summary,
    "ecg_summary": ecg_summary,
    "cm_summary": cm_summary,
    "deviations": deviations,
    "immunogenicity": immunogenicity,
}
TABLE_IDS = tuple(BUILDERS)


def table_ids() -> list[str]:
    return list(BUILDERS)


def build_table(sub: Submission, table_id: str) -> Table:
    """One table by id (KeyError for an unknown id); a failing builder gives a table with the error as its note.
    A filtered view's table (:func:`workbench.filters.subset`) states its filter."""
    builder = BUILDERS[table_id]
    try:
        table = builder(sub)
    except Exception as exc:  # noqa: BLE001 - one broken table must not hide the others
        log.warning("table %s could not be produced: %s: %s", table_id, type(exc).__name__, exc)
        log.debug("table %s", table_id, exc_info=True)
        table = failed(table_id, exc)
    view_filter = sub.__dict__.get("view_filter")
    if view_filter is not None:
        table.filter = view_filter.to_dict()
    return table


def build_tables(sub: Submission, only: list[str] | None = None) -> list[Table]:
    """Every table (or ``only`` these ids), in the order of the specification."""
    return [build_table(sub, tid) for tid in BUILDERS if only is None or tid in only]


def tables_to_dict(tables: list[Table]) -> list[dict]:
    """The review.json ``tables`` array."""
    return [t.to_dict() for t in tables]


__all__ = ["BUILDERS", "Column", "Row", "TABLE_IDS", "TITLES", "Table", "build_table", "build_tables", "table_html",
           "table_ids", "tables_to_dict"]
