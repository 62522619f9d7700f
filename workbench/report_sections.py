"""Analyses sections of the static report: the app's section blocks rendered once per language."""
from __future__ import annotations

import html

from .sections import SECTIONS, section_blocks
from .tables.html import TABLE_CSS, code_html, frame_html, table_html

REPORT_SECTIONS = ("traceability", "process_quality", "dose_response", "safety", "follow_up", "reconciliation",
                   "overview")


def _both(render, b_zh, b_en) -> str:
    """A block rendered in both languages (the report shows one at a time)."""
    return f"<div class='zh'>{render('zh', b_zh)}</div><div class='en'>{render('en', b_en)}</div>"


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
            if b_zh.kind == "std":   # the standard tables: one formatter for the app and the report
                tables.append(title + _both(lambda lang, b: table_html(b.std_table, lang, code=b.code), b_zh, b_en))
            elif b_zh.kind == "table":
                tables.append(title + _both(lambda lang, b: frame_html(b.table, lang, max_rows=300), b_zh, b_en))
            elif b_zh.kind == "figure":
                parts = []
                for lang, b in (("zh", b_zh), ("en", b_en)):
                    fig_html = b.figure.to_html(full_html=False, include_plotlyjs=not plotly_included,
                                                config={"responsive": True, "displaylogo": False})
                    plotly_included = True
                    parts.append(f"<div class='{lang}'>{fig_html}{code_html(b.code, lang)}</div>")
                figures.append(title + "".join(parts))
            else:
                tables.append(title + f"<p class='meta'><span class='zh'>{html.escape(b_zh.note_zh)}</span>"
                                      f"<span class='en'>{html.escape(b_en.note_en)}</span></p>")
        if tables or figures:
            if not out:   # the standard tables' style, once
                tables.insert(0, f"<style>{TABLE_CSS}</style>")
            out.append({"title_zh": zh_title, "title_en": en_title, "tables": tables, "figures": figures})
    return out
