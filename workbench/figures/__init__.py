"""Plotly figures drawn from analysis results (never recomputing statistics), labelled in Chinese or English.

Every function takes a result from :func:`workbench.analyses.run_analyses` (or its ``to_dict()`` form),
a ``lang`` of 'zh' (default) or 'en', and returns a ``plotly.graph_objects.Figure``. Nothing here decides
how plotly.js is embedded: the report and the app do that (offline).
"""
from __future__ import annotations

from .cmc import cmc_control_chart, cmc_control_charts
from .completeness import completeness_heatmap
from .dose import dose_response, efficacy_by_dose
from .follow_up import follow_up_distribution
from .labels import LABELS, t
from .labs import edish, lab_over_time, lab_tests
from .safety import km_curves, risk_difference_forest, teae_heatmap, top_pt_bars
from .swimmer import swimmer


def all_figures(results, lang: str = "zh") -> dict:
    """Every figure of one review (name -> figure; CMC charts as 'cmc:<ATTRIBUTE>'), skipping failed analyses."""
    figs = {}
    if results.dlt is not None:
        figs["dose_response"] = dose_response(results.dlt, lang)
    if results.efficacy is not None:
        figs["efficacy_by_dose"] = efficacy_by_dose(results.efficacy, lang)
    if results.safety is not None:
        figs["teae_heatmap"] = teae_heatmap(results.safety, lang)
        figs["top_pt_bars"] = top_pt_bars(results.safety, lang)
        figs["risk_difference_forest"] = risk_difference_forest(results.safety, lang)
        figs["km_curves"] = km_curves(results.safety, lang)
    if results.timeline is not None:
        figs["swimmer"] = swimmer(results.timeline, lang)
    if results.follow_up is not None:
        figs["follow_up_distribution"] = follow_up_distribution(results.follow_up, lang)
    if getattr(results, "labs", None) is not None:
        figs["edish"] = edish(results.labs, lang)
        figs["lab_over_time"] = lab_over_time(results.labs, lang)
    if results.cmc is not None:
        for attr, fig in cmc_control_charts(results.cmc, lang).items():
            figs[f"cmc:{attr}"] = fig
    return figs


__all__ = ["LABELS", "all_figures", "cmc_control_chart", "cmc_control_charts", "completeness_heatmap",
           "dose_response", "edish", "efficacy_by_dose", "follow_up_distribution", "km_curves", "lab_over_time",
           "lab_tests", "risk_difference_forest",
           "swimmer", "t", "teae_heatmap", "top_pt_bars"]
