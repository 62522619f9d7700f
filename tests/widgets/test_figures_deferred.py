"""Figures in the app: drawn by plotly.js loaded once per page (widgets.figure_html), and held until the page has
painted (widgets.deferred)."""
from __future__ import annotations

import json
import re
import time

import ipywidgets as w
import plotly.graph_objects as go
import pytest

from widgets.common import figure_output, plotly_bundle
from widgets.deferred import PLACEHOLDER, FigureGate, PaintSignal
from widgets.figure_html import figure_html_bundle
from workbench.serve import PLOTLY_JS, SERVED_PLOTLY_ENV, TEMPLATE


@pytest.fixture(autouse=True)
def _served(monkeypatch):
    """As in a kernel of `workbench serve` (which sets this for its kernels)."""
    monkeypatch.setenv(SERVED_PLOTLY_ENV, "1")


def _fig(title="Dose <b>&</b> response"):
    fig = go.Figure(go.Scatter(x=[1, 2], y=[3, 4], text=["</script><script>alert(1)</script>", "血红蛋白"]))
    fig.update_layout(title=title, height=420, meta={"wb_subject": "y"})
    return fig


def _script_of(bundle: dict) -> str:
    return re.search(r"<script>(.*)</script>$", bundle["text/html"], re.S).group(1)


def test_html_bundle_carries_the_same_figure_json():
    fig = _fig()
    figure_json = plotly_bundle(fig)["application/vnd.plotly.v1+json"]
    bundle = figure_html_bundle(figure_json)
    script = _script_of(bundle)
    literal = re.search(r"fig = (\{.*?\});\n", script, re.S).group(1)
    assert json.loads(literal) == figure_json   # same data, layout (meta for the subject links) and config
    assert "</script><script>alert" not in bundle["text/html"]   # text in the data cannot end the script
    assert bundle["text/html"].count("<script>") == 1 and "min-height:420px" in bundle["text/html"]
    assert f"templates/{TEMPLATE}/static/{PLOTLY_JS}?v=" in script
    assert "http" not in script                  # served by this server, relative to the page's base URL
    assert bundle["text/plain"] == "[figure] Dose <b>&</b> response"


def test_each_figure_has_its_own_place():
    figure_json = plotly_bundle(_fig())["application/vnd.plotly.v1+json"]
    ids = {re.search(r"id='([^']+)'", figure_html_bundle(figure_json)["text/html"]).group(1) for _ in range(20)}
    assert len(ids) == 20


def _html_of(out: w.Output) -> str:
    (output,) = out.outputs
    return output["data"]["text/html"]


def test_open_gate_draws_at_once(monkeypatch):
    monkeypatch.setattr("widgets.deferred.GATE", FigureGate())
    out = figure_output(_fig())
    assert "Plotly.newPlot" in _html_of(out)


def test_outside_workbench_serve_figures_are_plotlys_own_bundle(monkeypatch):
    """An analyst's JupyterLab has plotly's extension and not the served plotly.js: the mime bundle there."""
    monkeypatch.delenv(SERVED_PLOTLY_ENV)
    monkeypatch.setattr("widgets.deferred.GATE", FigureGate())
    fig = _fig()
    (output,) = figure_output(fig).outputs
    assert output["data"] == plotly_bundle(fig)


def test_held_figures_wait_for_the_paint_report_and_come_in_order():
    gate = FigureGate()
    gate.hold(fallback_s=60)
    outs = [w.Output() for _ in range(3)]
    for i, out in enumerate(outs):
        gate.show(out, _fig(title=f"figure {i}"))
    assert all(PLACEHOLDER in _html_of(o) and "min-height:420px" in _html_of(o) for o in outs)
    signal = PaintSignal(gate)
    signal.box.value = "something else"
    assert gate.held and PLACEHOLDER in _html_of(outs[0])
    signal.box.value = "painted"                  # what the page's script writes once it has painted
    assert not gate.held
    assert [o.outputs[0]["data"]["text/plain"] for o in outs] == [f"[figure] figure {i}" for i in range(3)]
    later = w.Output()
    gate.show(later, _fig())                      # after the release: drawn at once
    assert "Plotly.newPlot" in _html_of(later)


def test_held_figures_come_without_a_report_after_the_fallback():
    gate = FigureGate()
    gate.hold(fallback_s=0.3)
    out = w.Output()
    gate.show(out, _fig())
    assert PLACEHOLDER in _html_of(out)
    deadline = time.monotonic() + 5   # the timer's thread draws after it has opened the gate: wait for the figure
    while "Plotly.newPlot" not in _html_of(out) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "Plotly.newPlot" in _html_of(out) and not gate.held


def test_a_failing_figure_does_not_stop_the_others():
    gate = FigureGate()
    gate.hold(fallback_s=60)
    bad, good = w.Output(), w.Output()
    gate.show(bad, object())                      # not a figure: plotly cannot serialise it
    gate.show(good, _fig())
    gate.release()
    assert "Plotly.newPlot" in _html_of(good)


@pytest.mark.parametrize("held", [True, False])
def test_the_app_holds_figures_only_in_a_voila_page(held, monkeypatch):
    """open_review (the Voila entry point) holds the page's figures; a ReviewApp built elsewhere draws at once."""
    from pathlib import Path

    from widgets.app import ReviewApp
    from workbench.review import run_review

    gate = FigureGate()
    monkeypatch.setattr("widgets.deferred.GATE", gate)
    if held:
        gate.hold(fallback_s=60)
    review = run_review(Path(__file__).resolve().parents[2] / "sample_data" / "fih-ipsc-parkinson")
    app = ReviewApp(review, None, "tester", "en")
    app.tabs.selected_index = app.tabs.children.index(app.tabs.children[0])
    figures = [o for o in _walk(app.tabs.children[0]) if isinstance(o, w.Output) and o.outputs]
    assert figures, "the overview has a figure"
    assert all((PLACEHOLDER in _html_of(o)) == held for o in figures)
    assert app.painted in app.children            # the paint report is part of the page
    app.painted.box.value = "painted"
    assert all("Plotly.newPlot" in _html_of(o) for o in figures)


def _walk(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from _walk(child)
