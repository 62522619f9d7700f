"""A plotly figure as a small HTML output that loads plotly.js on first use.

JupyterLab's plotly renderer (the ``jupyterlab-plotly`` extension) is one 4.7 MB chunk that Voila loads and evaluates
on every page, figure or not, before the page's widgets are shown: about half a second of a warm review page on the
2-core reference machine (``benchmarks/app_pages.py``; CPU profile in docs/app.md). `workbench serve` therefore
leaves that extension out and serves the plotly.js of the installed plotly package itself
(:func:`workbench.serve.offline_template`); a figure's output is a ``<div>`` and a script that loads it once per page,
when the first figure is drawn, and draws with ``Plotly.newPlot`` - the same figure JSON and configuration as
plotly's own renderer (:func:`widgets.common.plotly_bundle`). Nothing comes from the network. Used in the kernels
of `workbench serve` only (it sets ``WORKBENCH_SERVED_PLOTLY``); elsewhere figures stay plotly's mime bundle.
"""
from __future__ import annotations

import functools
import json
import uuid

from workbench.serve import PLOTLY_JS, TEMPLATE

# Draws the figure into the div ``id``; loads plotly.js next to the page's template files once, queuing the figures
# that arrive while it loads. `window.Plotly` is kept by the page for the figure hooks of widgets.links.
LOADER = """
(function () {
  var div = document.getElementById(__ID__), fig = __FIG__;
  if (!div) { return; }
  function draw() {
    div.innerHTML = '';
    window.Plotly.newPlot(div, fig.data || [], fig.layout || {}, fig.config || {});
  }
  if (window.Plotly && window.Plotly.newPlot) { draw(); return; }
  var waiting = window.__wbPlotlyWaiting = window.__wbPlotlyWaiting || [];
  waiting.push(draw);
  if (waiting.length > 1) { return; }
  var s = document.createElement('script');
  s.src = (document.body.dataset.baseUrl || '/voila/') + __SRC__;
  s.onload = function () { window.__wbPlotlyWaiting.splice(0).forEach(function (f) { f(); }); };
  s.onerror = function () {
    window.__wbPlotlyWaiting = [];
    div.textContent = 'plotly.js could not be loaded / 无法加载 plotly.js';
  };
  document.head.appendChild(s);
})();
"""


def _js_literal(value) -> str:
    """``value`` as JSON safe inside an HTML <script> element (no "</script>", "<!--" or "&" can appear)."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def height_style(height) -> str:
    """The style attribute keeping a figure's place at its height (empty when the figure sets none)."""
    return f" style='min-height:{int(height)}px'" if isinstance(height, int | float) else ""


@functools.cache
def _plotly_src() -> str:
    from importlib.metadata import version

    return f"templates/{TEMPLATE}/static/{PLOTLY_JS}?v={version('plotly')}"


def figure_html_bundle(figure_json: dict) -> dict:
    """The output bundle drawing ``figure_json`` (plotly's figure dictionary: data, layout, config)."""
    div_id = f"wb-fig-{uuid.uuid4().hex[:12]}"
    style = height_style((figure_json.get("layout") or {}).get("height"))
    src = _plotly_src()
    script = (LOADER.replace("__ID__", json.dumps(div_id)).replace("__SRC__", json.dumps(src))
              .replace("__FIG__", _js_literal(figure_json)))
    title = ((figure_json.get("layout") or {}).get("title") or {})
    title = title.get("text") if isinstance(title, dict) else title
    return {"text/html": f"<div id='{div_id}' class='wb-figure'{style}></div><script>{script}</script>",
            "text/plain": f"[figure] {title or ''}".strip()}
