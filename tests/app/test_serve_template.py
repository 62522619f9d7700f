"""`workbench serve`'s page template: offline, with the installed plotly.js beside it and JupyterLab's plotly
extension left out (the app's figures load plotly.js when first drawn, widgets.figure_html)."""
from __future__ import annotations

import json
from pathlib import Path

import plotly

from workbench.serve import CDN_MARKERS, PLOTLY_JS, TEMPLATE, offline_template, write_voila_config


def test_template_carries_the_installed_plotly_js_and_no_cdn(tmp_path):
    target = offline_template(tmp_path) / "voila" / "templates" / TEMPLATE
    shipped = Path(plotly.__file__).parent / "package_data" / PLOTLY_JS
    assert (target / "static" / PLOTLY_JS).read_bytes() == shipped.read_bytes()
    pages = "".join(p.read_text(encoding="utf-8") for p in target.rglob("*.j2"))
    assert not any(m in pages for m in CDN_MARKERS)


def test_voila_leaves_the_plotly_extension_out(tmp_path):
    config = json.loads(write_voila_config(tmp_path).read_text(encoding="utf-8"))
    assert config["VoilaConfiguration"]["extension_denylist"] == ["jupyterlab-plotly"]
    assert config["VoilaConfiguration"]["file_allowlist"] == []


def test_kernels_of_workbench_serve_draw_with_the_served_plotly_js(tmp_path):
    from workbench.serve import SERVED_PLOTLY_ENV, serve_env

    assert serve_env(tmp_path, None, "zh")[SERVED_PLOTLY_ENV] == "1"
