"""Which figure function draws each section figure, from a review's results (figures never recompute).

Each hook returns a plotly figure, a dict of titled figures, or None when the review has no data for it.
"""
from __future__ import annotations

from . import figures


def _res(review, name):
    return getattr(review.analyses, name, None) if review.analyses is not None else None


def _dict(review, name):
    """The analysis result's ``to_dict()`` (what the figure functions draw from), computed once per review
    instead of once per figure and language."""
    res = _res(review, name)
    if res is None:
        return None
    cache = review.__dict__.setdefault("_figure_data", {})
    if name not in cache or cache[name][0] is not res:
        cache[name] = (res, res.to_dict())
    return cache[name][1]


def completeness(review, lang):
    return figures.completeness_heatmap([r.to_dict() for r in review.checks.results], lang)


def cmc(review, lang):
    res = _dict(review, "cmc")
    return figures.cmc_control_charts(res, lang) if res is not None else None


def dose_response(review, lang):
    res = _dict(review, "dlt")
    return figures.dose_response(res, lang) if res is not None else None


def efficacy(review, lang):
    res = _dict(review, "efficacy")
    return figures.efficacy_by_dose(res, lang) if res is not None else None


def soc_heatmap(review, lang):
    res = _dict(review, "safety")
    return figures.teae_heatmap(res, lang) if res is not None else None


def top_pts(review, lang):
    res = _dict(review, "safety")
    return figures.top_pt_bars(res, lang) if res is not None else None


def forest(review, lang):
    res = _dict(review, "safety")
    return figures.risk_difference_forest(res, lang) if res is not None else None


def swimmer(review, lang):
    res = _res(review, "timeline")
    return figures.swimmer(res, lang) if res is not None else None


def km(review, lang):
    res = _dict(review, "safety")
    return figures.km_curves(res, lang) if res is not None else None


def follow_up(review, lang):
    res = _res(review, "follow_up")
    return figures.follow_up_distribution(res, lang) if res is not None else None
