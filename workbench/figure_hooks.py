"""Which figure function draws each section figure, from a review's results (figures never recompute)."""
from __future__ import annotations


def _missing(name):
    raise NotImplementedError(f"figure {name} not available")


def completeness(review, lang):
    _missing("completeness")


def cmc(review, lang):
    _missing("cmc")


def dose_response(review, lang):
    _missing("dose_response")


def efficacy(review, lang):
    _missing("efficacy")


def soc_heatmap(review, lang):
    _missing("soc_heatmap")


def top_pts(review, lang):
    _missing("top_pts")


def forest(review, lang):
    _missing("forest")


def swimmer(review, lang):
    _missing("swimmer")


def km(review, lang):
    _missing("km")


def follow_up(review, lang):
    _missing("follow_up")
