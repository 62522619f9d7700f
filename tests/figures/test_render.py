"""Every figure renders in both languages, with traces, and every label in the chosen language."""
from __future__ import annotations

import json
import re

import plotly.graph_objects as go
import pytest

from workbench import figures
from workbench.figures.labels import LABELS, t

CJK = re.compile(r"[\u4e00-\u9fff]")


def _figs(results, lang):
    return {
        "dose_response": figures.dose_response(results.dlt, lang=lang),
        "efficacy_by_dose": figures.efficacy_by_dose(results.efficacy, lang=lang),
        "teae_heatmap": figures.teae_heatmap(results.safety, lang=lang),
        "top_pt_bars": figures.top_pt_bars(results.safety, lang=lang),
        "risk_difference_forest": figures.risk_difference_forest(results.safety, lang=lang),
        "km_curves": figures.km_curves(results.safety, lang=lang),
        "swimmer": figures.swimmer(results.timeline, lang=lang),
        "follow_up_distribution": figures.follow_up_distribution(results.follow_up, lang=lang),
        "cmc_viability": figures.cmc_control_chart(results.cmc, "VIABILITY", lang=lang),
        "cmc_sterility": figures.cmc_control_chart(results.cmc, "STERILITY", lang=lang),
        "completeness": figures.completeness_heatmap(
            [{"check_id": "SAF-001", "element": "safety", "status": "pass", "n_findings": 0},
             {"check_id": "SAF-002", "element": "safety", "status": "fail", "worst_severity": "major",
              "n_findings": 3},
             {"check_id": "EFF-001", "element": "efficacy", "status": "not_applicable"}], lang=lang),
    }


def _texts(fig: go.Figure) -> list[str]:
    """Title, axis titles, annotations, legend names and hover templates/texts of a figure."""
    lay = fig.layout
    out = [lay.title.text or ""]
    for ax in (lay.xaxis, lay.yaxis):
        if ax.title and ax.title.text:
            out.append(ax.title.text)
    out += [a.text for a in lay.annotations if a.text]
    for tr in fig.data:
        if getattr(tr, "showlegend", None) is not False and tr.name:
            out.append(tr.name)
        ht = getattr(tr, "hovertemplate", None)
        if ht:
            out.append(ht)
        hx = getattr(tr, "hovertext", None)
        if hx is not None and not isinstance(hx, str):
            out += [str(h) for h in hx]
    return out


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_figure_renders(results, lang, tmp_path):
    for name, fig in _figs(results, lang).items():
        assert isinstance(fig, go.Figure), name
        assert len(fig.data) > 0, name
        html = fig.to_html(include_plotlyjs=False, full_html=True)
        assert "cdn.plot.ly" not in html and "<script src=\"https://" not in html, name
        (tmp_path / f"{name}-{lang}.html").write_text(html, encoding="utf-8")
        json.loads(fig.to_json())
        title = fig.layout.title.text
        if lang == "zh":
            assert CJK.search(title), (name, title)
            assert any(CJK.search(s) for s in _texts(fig)[1:]), name
        else:
            texts = _texts(fig)
            assert not any(CJK.search(s) for s in texts), (name, [s for s in texts if CJK.search(s)])


def test_dose_response_content(results):
    fig = figures.dose_response(results.dlt, lang="en")
    names = [tr.name for tr in fig.data]
    assert t("observed_rate", "en") in names and t("isotonic", "en") in names and t("mtd", "en") in names
    assert any(s.y0 == 0.3 for s in fig.layout.shapes)                  # target line
    assert fig.layout.xaxis.type == "linear"                            # 1e6..3e6 spans less than 10x


def test_dose_axis_log_when_span_exceeds_10x():
    dlt = {"target_rate": 0.25, "levels": [
        {"arm": "A", "dose": 1e5, "dose_unit": "cells/kg", "n": 3, "n_dlt": 0, "rate": 0.0, "ci_low": 0.0,
         "ci_high": 0.71, "isotonic": 0.02},
        {"arm": "B", "dose": 1e7, "dose_unit": "cells/kg", "n": 3, "n_dlt": 3, "rate": 1.0, "ci_low": 0.29,
         "ci_high": 1.0, "isotonic": 0.98, "eliminated": True}],
        "mtd": {"arm": "A", "dose": 1e5}, "all_doses_too_toxic": False}
    fig = figures.dose_response(dlt, lang="zh")
    assert fig.layout.xaxis.type == "log"
    assert t("eliminated", "zh") in [tr.name for tr in fig.data]


def test_figures_accept_dicts(results):
    d = results.to_dict()
    for fig in (figures.dose_response(d["dlt"]), figures.efficacy_by_dose(d["efficacy"]),
                figures.teae_heatmap(d["safety"]), figures.km_curves(d["safety"]),
                figures.follow_up_distribution(d["follow_up"]), figures.cmc_control_chart(d["cmc"], "viability")):
        assert len(fig.data) > 0


def test_empty_inputs_give_explanatory_figures():
    for fig in (figures.dose_response({}), figures.efficacy_by_dose({"reason": "x", "reason_zh": "原因"}),
                figures.teae_heatmap({}), figures.top_pt_bars({}), figures.risk_difference_forest({}),
                figures.km_curves({}), figures.swimmer(None), figures.follow_up_distribution({}),
                figures.cmc_control_chart({}, "VIABILITY"), figures.completeness_heatmap([])):
        assert isinstance(fig, go.Figure) and fig.layout.annotations
    fig = figures.efficacy_by_dose({"reason": "x", "reason_zh": "原因"}, lang="zh")
    assert fig.layout.annotations[0].text == "原因"


def test_scorecard_heatmap(results):
    card = {"safety": {"status": "gaps", "checks_run": 9, "passed": 7, "not_applicable": 1, "errors": 0,
                       "critical": 0, "major": 2, "minor": 0, "info": 1},
            "efficacy": {"status": "complete", "checks_run": 4, "passed": 4, "not_applicable": 0, "errors": 0,
                         "critical": 0, "major": 0, "minor": 0, "info": 0}}
    fig = figures.completeness_heatmap(card, lang="zh")
    assert fig.data[0].type == "heatmap" and "安全性评价" in list(fig.data[0].y)


def test_swimmer_hover_names_subject_and_aeseq(results):
    fig = figures.swimmer(results.timeline, lang="en")
    ae_traces = [tr for tr in fig.data if tr.name and tr.name.startswith("AE grade")]
    assert ae_traces and all("AESEQ" in tr.hovertemplate and "Subject" in tr.hovertemplate for tr in ae_traces)
    assert any(getattr(s, "x0", None) == results.timeline.required_days for s in fig.layout.shapes)


def test_webgl_for_large_scatter(results):
    import pandas as pd

    tl = results.timeline
    many = pd.concat([tl.events] * 400, ignore_index=True)       # > 1000 AE markers
    big = type(tl)(tl.required_days, tl.subjects, tl.doses, many)
    fig = figures.swimmer(big, lang="en")
    assert any(tr.type == "scattergl" for tr in fig.data)
    small = figures.swimmer(tl, lang="en")
    assert not any(tr.type == "scattergl" for tr in small.data)


def test_all_figures_and_label_table(results):
    figs = figures.all_figures(results, lang="en")
    assert {"dose_response", "swimmer", "cmc:VIABILITY", "cmc:STERILITY"} <= set(figs)
    for key, (zh, en) in LABELS.items():
        assert zh and en and not CJK.search(en), key
    with pytest.raises(ValueError):
        t("arm", "fr")
