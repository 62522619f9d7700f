"""Small shared pieces: HTML tables, styles, plotly display in an Output."""
from __future__ import annotations

import html

import ipywidgets as w
import pandas as pd

STYLE = """
<style>
.wb-table { border-collapse: collapse; font-size: 13px; margin: 4px 0 10px 0; }
.wb-table th, .wb-table td { border: 1px solid #c9d3dd; padding: 3px 6px; text-align: left; vertical-align: top; }
.wb-table th { background: #eef3f8; }
.wb-badge { display: inline-block; padding: 6px 14px; border-radius: 6px; color: #fff; font-size: 18px; }
.wb-T0 { background: #8a1c1c; } .wb-T1 { background: #c0392b; } .wb-T2 { background: #d68910; }
.wb-T3 { background: #2874a6; } .wb-T4 { background: #1e8449; }
.wb-sev-critical { color: #8a1c1c; font-weight: bold; } .wb-sev-major { color: #c0392b; }
.wb-sev-minor { color: #7d6608; } .wb-sev-info { color: #52606d; }
.wb-st-complete { background: #d5f5e3; } .wb-st-gaps { background: #fdebd0; } .wb-st-unusable { background: #f5b7b1; }
.wb-warn { background: #fdebd0; border-left: 4px solid #d68910; padding: 6px 10px; }
.wb-error { background: #f5b7b1; border-left: 4px solid #8a1c1c; padding: 6px 10px; }
.wb-ok { background: #d5f5e3; border-left: 4px solid #1e8449; padding: 6px 10px; }
.wb-muted { color: #52606d; font-size: 12px; }
.wb-identity { background: #eef3f8; border-left: 4px solid #2874a6; padding: 6px 10px; margin: 6px 0; }
.wb-identity-id { font-family: monospace; }
.wb-hash { font-family: monospace; font-size: 11px; word-break: break-all; }
.wb-export-links a { display: inline-block; margin: 6px 8px 0 0; padding: 4px 12px; border: 1px solid #2874a6;
  border-radius: 4px; color: #2874a6; text-decoration: none; }
.wb-export-links a:hover { background: #eef3f8; }
</style>
"""
from workbench.tables.html import SUBJECT_COLUMNS, TABLE_CSS, subject_html  # noqa: E402  (shared with report.html)

STYLE = STYLE.replace("</style>", TABLE_CSS + "</style>")


def esc(v) -> str:
    if v is None or (isinstance(v, float) and v != v):
        return ""
    if isinstance(v, float):
        return f"{v:.4g}"
    return html.escape(str(v))


def html_table(df: pd.DataFrame, max_rows: int = 200, classes: dict[int, str] | None = None, link=None,
               subject_columns=SUBJECT_COLUMNS) -> str:
    """An escaped HTML table of at most ``max_rows`` rows (row classes optional). ``link``: subject id -> the
    address of its profile (:func:`workbench.tables.html.subject_html`), applied to the ``subject_columns``."""
    if df is None or len(df) == 0:
        return ""
    head = "".join(f"<th>{esc(c)}</th>" for c in df.columns)
    linked = [link is not None and str(c) in subject_columns for c in df.columns]
    body = []
    for i, row in enumerate(df.head(max_rows).itertuples(index=False)):
        cls = f' class="{classes[i]}"' if classes and i in classes else ""
        body.append(f"<tr{cls}>" + "".join(f"<td>{subject_html(v, link) if s and esc(v) else esc(v)}</td>"
                                           for s, v in zip(linked, row)) + "</tr>")
    more = f"<div class='wb-muted'>… {len(df) - max_rows} more</div>" if len(df) > max_rows else ""
    return f"<table class='wb-table'><tr>{head}</tr>{''.join(body)}</table>{more}"


def plotly_bundle(fig) -> dict:
    """The mime bundle plotly's ``plotly_mimetype`` renderer displays for ``fig`` (same JSON, same config),
    built without ``plotly.io``'s renderer registry: importing that registry imports nbformat, hence
    jsonschema and rfc3987-syntax, which compiles some forty grammars - seconds of a kernel's start."""
    import json

    from plotly.io._json import to_json
    from plotly.io._utils import validate_coerce_fig_to_dict
    from plotly.offline.offline import _get_jconfig

    fig_dict = validate_coerce_fig_to_dict(fig, True)
    config = _get_jconfig({})
    if config:
        fig_dict["config"] = config
    return {"application/vnd.plotly.v1+json": json.loads(to_json(fig_dict, validate=False, remove_uids=False))}


def figure_output(fig) -> w.Output:
    """A plotly figure in an Output widget, offline: under `workbench serve` drawn by the plotly.js it serves
    (:mod:`widgets.figure_html`), elsewhere plotly's mime bundle; while the page's figures are held
    (:mod:`widgets.deferred`), a placeholder until the page has painted."""
    from .deferred import GATE

    out = w.Output()
    GATE.show(out, fig)
    return out


def heading(text: str, level: int = 3) -> w.HTML:
    return w.HTML(f"<h{level}>{html.escape(text)}</h{level}>")
