"""Exports of a review beside review.json and report.html (review-output.md "Exports"): ``tables.xlsx`` (one sheet
per standard table), ``review.docx`` (the reviewer's report with every table and the figures as images) and
``tables/<id>.csv`` (each table as shown). ``workbench review`` writes them; the app's Export tab offers them for
download.

    from workbench.review import run_review
    from workbench import exports
    review = run_review("sample_data/rct-ucmsc-koa")
    exports.write_exports(review, "out/", lang="en")     # {name: path}
"""
from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

from .docx import review_docx, start_images
from .xlsx import tables_xlsx

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def table_csv(table, lang: str = "zh") -> str:
    """One table as shown (row labels and cell texts; a listing's fields), CSV text; an empty table's CSV holds
    its note (why it is empty)."""
    import pandas as pd

    if table.empty and table.note(lang):
        return pd.DataFrame({"note": [table.note(lang)]}).to_csv(index=False, lineterminator="\n")
    return table.to_frame(lang).to_csv(index=False, lineterminator="\n")


def tables_of(review) -> list:
    if review.tables is None:
        from ..tables import build_tables

        review.tables = build_tables(review.submission)
    return review.tables


def csv_zip(review, lang: str = "zh") -> bytes:
    """Every table's CSV in one zip (``tables/<id>.csv``), for a single download."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for t in tables_of(review):
            z.writestr(f"tables/{t.id}.csv", "\ufeff" + table_csv(t, lang))
    return buf.getvalue()


def write_exports(review, out_dir: str | os.PathLike, lang: str = "zh", doc: dict | None = None,
                  images=True, audit=None) -> dict[str, Path]:
    """Write tables.xlsx, review.docx and tables/<id>.csv into ``out_dir`` (atomically, file by file).
    ``images``: draw the figures into review.docx (True), leave them out (False), or a :func:`start_images` job.
    ``audit``: the decision store's trail for this submission (review.docx then carries the signatures)."""
    from ..review import atomic_write

    out = Path(out_dir)
    tables = tables_of(review)
    paths: dict[str, Path] = {}
    paths["tables.xlsx"] = out / "tables.xlsx"
    atomic_write(paths["tables.xlsx"], tables_xlsx(tables, lang, review.submission.submission_id))
    data, _ = review_docx(review, lang, doc, images=images, audit=audit)
    paths["review.docx"] = out / "review.docx"
    atomic_write(paths["review.docx"], data)
    for t in tables:   # UTF-8 with a byte-order mark: spreadsheet programs then read the Chinese text right
        atomic_write(out / "tables" / f"{t.id}.csv", ("\ufeff" + table_csv(t, lang)).encode("utf-8"))
    paths["tables/"] = out / "tables"
    return paths


__all__ = ["DOCX_MIME", "XLSX_MIME", "csv_zip", "review_docx", "start_images", "table_csv", "tables_xlsx",
           "write_exports"]
