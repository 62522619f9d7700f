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


def _hook(analysis: str, draw, as_dict: bool = True):
    """A hook drawing ``draw(result, lang)`` from one analysis (its dict form unless ``as_dict`` is False)."""
    def hook(review, lang):
        res = _dict(review, analysis) if as_dict else _res(review, analysis)
        return draw(res, lang) if res is not None else None
    hook.__name__ = draw.__name__
    return hook


cmc = _hook("cmc", figures.cmc_control_charts)
dose_response = _hook("dlt", figures.dose_response)
efficacy = _hook("efficacy", figures.efficacy_by_dose)
soc_heatmap = _hook("safety", figures.teae_heatmap)
top_pts = _hook("safety", figures.top_pt_bars)
forest = _hook("safety", figures.risk_difference_forest)
km = _hook("safety", figures.km_curves)
swimmer = _hook("timeline", figures.swimmer, as_dict=False)
follow_up = _hook("follow_up", figures.follow_up_distribution, as_dict=False)
edish = _hook("labs", figures.edish, as_dict=False)
lab_over_time = _hook("labs", figures.lab_over_time, as_dict=False)
