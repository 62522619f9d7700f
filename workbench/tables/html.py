"""The one HTML formatter of standard tables (used by report.html and by the app's widgets): header with each
column's N, indented row labels, n (%) cells, population, footnotes, the note of an empty table, and the
"code" toggle. Pure functions returning HTML strings; every text is escaped.

Subject ids (a listing's ``usubjid`` column, a result frame's ``USUBJID`` / ``usubjid``) become links when the caller
gives a ``link`` function (subject id -> address, or None for no link): the reviewer app passes one that opens the
subject's profile; report.html passes none (plain ids)."""
from __future__ import annotations

import html
from collections.abc import Callable

from .format import cell_text
from .table import Table

TABLE_CSS = """
.wb-std-table { margin: 4px 0 14px 0; }
.wb-std { border-collapse: collapse; font-size: 13px; margin: 2px 0 4px 0; width: auto; }
.wb-std th, .wb-std td { border: 1px solid #c9d3dd; padding: 3px 8px; vertical-align: top; }
.wb-std th { background: #eef3f8; text-align: center; font-weight: 600; }
.wb-std td.wb-num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
.wb-std td.wb-txt { text-align: left; }
.wb-std tr.wb-parent td.wb-lbl { font-weight: 600; }
.wb-std tr.wb-group td { background: #f7f9fb; }
.wb-std .wb-unknown { color: #8a5a00; font-style: italic; }
.wb-std-meta { color: #52606d; font-size: 12px; margin: 2px 0; }
.wb-std-note { background: #fdf6e3; border-left: 4px solid #d68910; padding: 5px 10px; font-size: 13px; }
.wb-std-foot { color: #52606d; font-size: 12px; margin: 2px 0 0 0; padding-left: 1.4em; }
.wb-std-group > summary { cursor: pointer; font-weight: 600; font-size: 13px; margin: 3px 0; }
.wb-code > summary { cursor: pointer; color: #2874a6; font-size: 12px; }
a.wb-subject-link { color: #1a5490; text-decoration: underline dotted; white-space: nowrap; }
a.wb-subject-link:hover { text-decoration: underline; }
.wb-code pre { background: #f4f6f8; border: 1px solid #d8dee4; padding: 6px 10px; font-size: 12px;
  white-space: pre-wrap; }
"""

WORDS = {
    "population": ("分析人群", "Population"), "filter": ("筛选条件", "Filter"), "code": ("代码", "Code"),
    "more_rows": ("另有 {n} 行未显示（完整内容见 tables.xlsx / review.json）",
                  "{n} more rows not shown (all of them in tables.xlsx / review.json)"),
    "groups": ("共 {n} 组，点击展开", "{n} groups; click one to open it"),
}
COLLAPSE_ROWS = 120      # a grouped table longer than this shows each group folded (<details>)


SUBJECT_COLUMNS = frozenset({"usubjid", "USUBJID"})
SubjectLink = Callable[[str], "str | None"]    # subject id -> the address of its profile (None: no link)


def subject_html(usubjid, link: SubjectLink | None = None, shown: str | None = None) -> str:
    """A subject id as HTML: a link ``<a class='wb-subject-link' data-usubjid=… href=…>`` when ``link`` gives an
    address for it, else the escaped id (``shown``: the text to show instead of the id)."""
    text = _e(usubjid if shown is None else shown)
    if link is None or usubjid is None or str(usubjid).strip() in ("", "—"):
        return text
    href = link(str(usubjid))
    if not href:
        return text
    return f"<a class='wb-subject-link' data-usubjid='{_e(usubjid)}' href='{_e(href)}'>{text}</a>"


def _filter_key(key: str, lang: str) -> str:
    from ..filters import FILTER_KEY_NAMES

    zh, en = FILTER_KEY_NAMES.get(key, (key, key))
    return zh if lang == "zh" else en


def _w(key: str, lang: str, **fmt) -> str:
    zh, en = WORDS[key]
    return (zh if lang == "zh" else en).format(**fmt)


def _e(v) -> str:
    return html.escape("" if v is None else str(v))


def _head(t: Table, lang: str) -> str:
    cells = [] if t.kind == "listing" else ["<th></th>"]
    for c in t.columns:
        n = f"<br><span class='wb-n'>(N={c.n})</span>" if c.n is not None else ""
        cells.append(f"<th>{_e(c.title(lang))}{n}</th>")
    return "<thead><tr>" + "".join(cells) + "</tr></thead>"


def _row(t: Table, r, lang: str, parent: bool = False, link: SubjectLink | None = None) -> str:
    listing = t.kind == "listing"
    parts = []
    if not listing:
        pad = 0.4 + 1.3 * r.level
        parts.append(f"<td class='wb-lbl' style='padding-left:{pad:.1f}em'>{_e(r.label(lang))}</td>")
    for c in t.columns:
        cell = r.cells.get(c.key)
        cls = "wb-txt" if listing else "wb-num"
        inner = _e(cell_text(cell, lang))
        if cell and cell.get("text_zh"):
            inner = f"<span class='wb-unknown'>{inner}</span>"
        elif link is not None and listing and c.key in SUBJECT_COLUMNS:
            inner = subject_html((r.key or {}).get("usubjid", cell_text(cell, lang)), link, cell_text(cell, lang))
        parts.append(f"<td class='{cls}'>{inner}</td>")
    group = " wb-group" if not listing and not r.cells else ""
    group += " wb-parent" if parent else ""
    return f"<tr class='wb-l{r.level}{group}'>" + "".join(parts) + "</tr>"


def _grid(t: Table, rows, lang: str, link: SubjectLink | None = None) -> str:
    parents = [i + 1 < len(rows) and rows[i + 1].level > r.level for i, r in enumerate(rows)]
    return f"<table class='wb-std'>{_head(t, lang)}<tbody>" + \
        "".join(_row(t, r, lang, p, link) for r, p in zip(rows, parents)) + "</tbody></table>"


def code_html(code: str | None, lang: str) -> str:
    """The "code" toggle: the few lines of public-API Python that rebuild a table or figure."""
    if not code:
        return ""
    return f"<details class='wb-code'><summary>{_e(_w('code', lang))}</summary><pre>{_e(code)}</pre></details>"


def table_html(t: Table, lang: str = "zh", max_rows: int = 5000, code: str | None = None,
               title: bool = False, link: SubjectLink | None = None) -> str:
    """A standard table as formatted HTML in one language (``title``: with its title as an h4; ``link``: subject
    id -> address, making a listing's subject ids links)."""
    out = [f"<div class='wb-std-table' data-table-id='{_e(t.id)}'>"]
    if title:
        out.append(f"<h4>{_e(t.title(lang))}</h4>")
    meta = f"{_w('population', lang)}: {_e(t.population_label(lang))}"
    if t.filter:
        meta += f" · {_w('filter', lang)}: " + _e(("；" if lang == "zh" else ", ").join(
            f"{_filter_key(k, lang)} = {v}" for k, v in t.filter.items()))
    out.append(f"<p class='wb-std-meta'>{meta}</p>")
    if t.note(lang) and t.empty:
        out.append(f"<div class='wb-std-note'>{_e(t.note(lang))}</div>")
    elif t.rows:
        rows = t.rows[:max_rows]
        groups = [i for i, r in enumerate(rows) if r.level == 0]
        if t.kind != "listing" and len(rows) > COLLAPSE_ROWS and 1 < len(groups) < len(rows):
            out.append(f"<p class='wb-std-meta'>{_e(_w('groups', lang, n=len(groups)))}</p>")
            for a, b in zip(groups, groups[1:] + [len(rows)]):
                out.append(f"<details class='wb-std-group'><summary>{_e(rows[a].label(lang))}</summary>"
                           f"{_grid(t, rows[a:b], lang, link)}</details>")
        else:
            out.append(_grid(t, rows, lang, link))
        if len(t.rows) > max_rows:
            out.append(f"<p class='wb-std-meta'>{_e(_w('more_rows', lang, n=len(t.rows) - max_rows))}</p>")
    foot = t.footnotes(lang)
    if foot:
        out.append("<ol class='wb-std-foot'>" + "".join(f"<li>{_e(f)}</li>" for f in foot) + "</ol>")
    out.append(code_html(code, lang))
    out.append("</div>")
    return "".join(out)


def _plain(v, lang: str) -> str:
    """A result value for a reviewer: yes/no for booleans, '—' for missing, lists and mappings as text."""
    import math

    import numpy as np

    if v is None or v is np.nan:
        return "—"
    if isinstance(v, (bool, np.bool_)):
        return ("是" if v else "否") if lang == "zh" else ("yes" if v else "no")
    if isinstance(v, (float, np.floating)):
        if not math.isfinite(float(v)):
            return "—"
        return str(int(v)) if float(v).is_integer() and abs(v) < 1e15 else f"{float(v):.4g}"
    if isinstance(v, (list, tuple, set, frozenset)):
        if v and all(isinstance(x, dict) for x in v):   # records (e.g. results by lot): their count
            return f"{len(v)} 项" if lang == "zh" else f"{len(v)} items"
        return ", ".join(_plain(x, lang) for x in v) if v else "—"
    if isinstance(v, dict):
        return "; ".join(f"{k}: {_plain(x, lang)}" for k, x in v.items()) if v else "—"
    try:
        import pandas as pd

        if pd.isna(v):
            return "—"
    except (TypeError, ValueError):
        pass
    from ..i18n import humanise, value_label

    text = str(v)
    return value_label(text, lang) if text in ("cohort", "study", "welch") else humanise(text, lang)


def _frame_cell(v, lang: str, link: SubjectLink | None) -> str:
    shown = _plain(v, lang)
    return subject_html(v, link, shown) if link is not None and shown != "—" else _e(shown)


def frame_html(df, lang: str = "zh", max_rows: int = 200, classes: dict[int, str] | None = None,
               link: SubjectLink | None = None) -> str:
    """A result DataFrame (analysis rows, findings, documents) as an HTML table for a reviewer: headers through
    :func:`workbench.i18n.column_label`, values through :func:`_plain` (no ``True`` / ``nan`` shown); subject ids
    (``USUBJID`` / ``usubjid`` columns) as they are, links when ``link`` is given."""
    from ..i18n import column_label

    if df is None or len(df) == 0:
        return ""
    head = "".join(f"<th>{_e(column_label(str(c), lang))}</th>" for c in df.columns)
    subject_cols = [str(c) in SUBJECT_COLUMNS for c in df.columns]
    body = []
    for i, row in enumerate(df.head(max_rows).itertuples(index=False)):
        cls = f" class='{_e(classes[i])}'" if classes and i in classes else ""
        body.append(f"<tr{cls}>" + "".join(f"<td>{_frame_cell(v, lang, link if s else None)}</td>"
                                           for s, v in zip(subject_cols, row)) + "</tr>")
    more = ""
    if len(df) > max_rows:
        more = f"<p class='wb-std-meta'>{_e(_w('more_rows', lang, n=len(df) - max_rows))}</p>"
    return f"<table class='wb-table wb-frame'><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>{more}"
