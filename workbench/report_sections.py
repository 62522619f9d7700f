"""Analyses sections of the static report: the app's section blocks rendered once per language."""
from __future__ import annotations

import html

from .sections import SECTIONS, section_blocks

REPORT_SECTIONS = ("traceability", "process_quality", "dose_response", "safety", "follow_up", "reconciliation",
                   "overview")


def _table_html(df, max_rows: int = 300) -> str:
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in df.columns)
    rows = []
    for row in df.head(max_rows).itertuples(index=False):
        cells = []
        for v in row:
            if v is None or (isinstance(v, float) and v != v):
                cells.append("<td></td>")
            elif isinstance(v, float):
                cells.append(f"<td>{v:.4g}</td>")
            else:
                cells.append(f"<td>{html.escape(str(v))}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    more = f"<p class='meta'>… +{len(df) - max_rows}</p>" if len(df) > max_rows else ""
    return f"<table><tr>{head}</tr>{''.join(rows)}</table>{more}"


def report_sections(review, doc: dict) -> list[dict]:
    """Sections with tables and figures in both languages; plotly.js is inlined once, in the first figure."""
    plotly_included = False
    out = []
    from .reconciliation import reconciliation

    for key in REPORT_SECTIONS:
        if key == "reconciliation" and reconciliation(review.submission) is None:
            continue   # nothing to reconcile: no data package, no ADaM
        zh_title, en_title = SECTIONS[key]
        tables, figures = [], []
        per_lang = {lang: section_blocks(review, key, lang) for lang in ("zh", "en")}
        for b_zh, b_en in zip(per_lang["zh"], per_lang["en"]):
            title = (f"<h3><span class='zh'>{html.escape(b_zh.title_zh)}</span>"
                     f"<span class='en'>{html.escape(b_en.title_en)}</span></h3>")
            if b_zh.kind == "table":
                tables.append(title + _table_html(b_en.table))
            elif b_zh.kind == "figure":
                parts = []
                for lang, b in (("zh", b_zh), ("en", b_en)):
                    fig_html = b.figure.to_html(full_html=False, include_plotlyjs=not plotly_included,
                                                config={"responsive": True, "displaylogo": False})
                    plotly_included = True
                    parts.append(f"<div class='{lang}'>{fig_html}</div>")
                figures.append(title + "".join(parts))
            else:
                tables.append(title + f"<p class='meta'><span class='zh'>{html.escape(b_zh.note_zh)}</span>"
                                      f"<span class='en'>{html.escape(b_en.note_en)}</span></p>")
        if tables or figures:
            out.append({"title_zh": zh_title, "title_en": en_title, "tables": tables, "figures": figures})
    return out
