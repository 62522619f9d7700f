"""Figures drawn once the page has painted.

plotly.js is the heaviest part of a review page in the browser: the first figure on a page loads and evaluates its
4.7 MB bundle and draws (about 0.5 s of the browser's main thread on the 2-core reference machine, measured with a
CPU profile in ``benchmarks/``), and until then the page's tables are not shown. A Voila page therefore holds its
figures (:meth:`FigureGate.hold`): each figure's place shows a one-line placeholder of the figure's height, the
page's tables and text paint, the page's script reports that through a hidden text box (:class:`PaintSignal`), and
the kernel then puts the figures in (:meth:`FigureGate.release`). Should the report never come (a browser without
the script), the figures are put in after ``fallback_s`` seconds. Figures shown after the release are drawn at once,
and so is every figure outside a Voila page (tests, analysts' notebooks): the gate starts open.
"""
from __future__ import annotations

import logging
import threading

import ipywidgets as w
from IPython.display import Javascript, display

log = logging.getLogger(__name__)

PLACEHOLDER = "图表绘制中… / Drawing the figure…"

# Reports once that the app's widgets have been painted: waits for the hidden box (the app's last widget), then for
# the next frame to be painted.
SCRIPT = """
(function () {
  var tries = 0;
  function report() {
    var box = document.querySelector('.wb-painted input');
    if (!box) { if (++tries < 600) { setTimeout(report, 50); } return; }
    requestAnimationFrame(function () { setTimeout(function () {
      box.value = 'painted';
      box.dispatchEvent(new Event('input', {bubbles: true}));
    }, 0); });
  }
  report();
})();
"""


def _output_of(bundle: dict) -> tuple[dict]:
    return ({"output_type": "display_data", "data": bundle, "metadata": {}},)


class FigureGate:
    """Where a page's figures wait until the page has painted (one page per kernel)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._held = False
        self._pending: list[tuple[w.Output, object]] = []
        self._timer: threading.Timer | None = None

    @property
    def held(self) -> bool:
        return self._held

    def hold(self, fallback_s: float = 10.0) -> None:
        """Hold figures from now on until :meth:`release` (called at the latest after ``fallback_s`` seconds)."""
        with self._lock:
            self._held = True
            if self._timer is not None:
                self._timer.cancel()
            self._timer = threading.Timer(fallback_s, self.release)
            self._timer.daemon = True
            self._timer.start()

    def show(self, out: w.Output, fig) -> None:
        """Put ``fig`` into ``out`` now, or, while held, a placeholder of its height and the figure on release."""
        with self._lock:
            if self._held:
                from .figure_html import height_style

                style = height_style(getattr(getattr(fig, "layout", None), "height", None))
                out.outputs = _output_of({"text/html": f"<div class='wb-muted wb-figure-pending'{style}>"
                                                       f"{PLACEHOLDER}</div>",
                                          "text/plain": PLACEHOLDER})
                self._pending.append((out, fig))
                return
        _draw(out, fig)

    def release(self) -> None:
        """Draw the held figures (in the order they were placed) and draw later ones at once."""
        with self._lock:
            pending, self._pending, self._held = self._pending, [], False
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
        for out, fig in pending:
            try:
                _draw(out, fig)
            except Exception:  # noqa: BLE001 - one figure never stops the others; the log has the traceback
                log.exception("drawing a held figure failed")


def _draw(out: w.Output, fig) -> None:
    """Under `workbench serve`, the figure drawn by the plotly.js it serves (widgets.figure_html); elsewhere (an
    analyst's JupyterLab, a plain Voila) plotly's own mime bundle for the plotly extension there."""
    import os

    from workbench.serve import SERVED_PLOTLY_ENV

    from .common import plotly_bundle
    from .figure_html import figure_html_bundle

    bundle = plotly_bundle(fig)
    if os.environ.get(SERVED_PLOTLY_ENV) == "1":
        bundle = figure_html_bundle(bundle["application/vnd.plotly.v1+json"])
    out.outputs = _output_of(bundle)


GATE = FigureGate()


class PaintSignal(w.VBox):
    """Invisible: the text box the page's script writes into once the page has painted; then ``gate`` (default: the
    page's, :data:`GATE`) is released."""

    def __init__(self, gate: FigureGate | None = None, **kw):
        self.gate = gate if gate is not None else GATE
        self.box = w.Text(value="", layout=w.Layout(display="none"))
        self.box.add_class("wb-painted")
        self.box.observe(self._painted, names="value")
        self.out = w.Output(layout=w.Layout(height="0px"))
        with self.out:
            display(Javascript(SCRIPT))
        super().__init__([self.box, self.out], layout=w.Layout(height="0px"), **kw)

    def _painted(self, change) -> None:
        if change["new"] == "painted":
            self.gate.release()
