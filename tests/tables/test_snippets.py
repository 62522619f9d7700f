"""The "code" toggle: every table and figure the app shows carries a few lines of public-API Python; executed
here, each rebuilds exactly what the app shows (tables by their review.json form, figures by their JSON)."""
from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest

from workbench.review import run_review
from workbench.sections import SECTIONS, section_blocks

SAMPLES = Path(__file__).resolve().parents[2] / "sample_data"


def _rounded(v):
    if isinstance(v, float):
        return float(f"{v:.10g}") if math.isfinite(v) else v
    if isinstance(v, dict):
        return {k: _rounded(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_rounded(x) for x in v]
    return v


def _fig_json(fig) -> dict:
    return _rounded(json.loads(fig.to_json()))


@pytest.fixture(scope="module")
def review():
    return run_review(SAMPLES / "fih-ipsc-parkinson")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_snippet_rebuilds_what_the_app_shows(review, lang):
    checked = {"std": 0, "figure": 0}
    for section in SECTIONS:
        for b in section_blocks(review, section, lang):
            if b.kind not in ("std", "figure"):
                continue
            assert b.code, (section, b.title_en)
            assert "workbench.load_submission(" in b.code and not re.search(r"(?<![\w'])_\w|\._", b.code), b.code
            ns: dict = {}
            exec(compile(b.code, f"<code of {b.title_en}>", "exec"), ns)   # noqa: S102 - the snippet under test
            if b.kind == "std":
                assert ns["table"].to_dict() == b.std_table.to_dict(), b.title_en
            else:
                assert _fig_json(ns["fig"]) == _fig_json(b.figure), b.title_en
            checked[b.kind] += 1
    assert checked["std"] == 20 and checked["figure"] >= 10, checked


def test_lab_test_choice_snippet(review):
    from workbench.figures import lab_over_time, lab_tests
    from workbench.snippets import figure_code

    labs = review.analyses.labs
    key, label = lab_tests(labs)[-1]
    code = figure_code(review, "lab_over_time", "en", test=key)
    ns: dict = {}
    exec(compile(code, "<lab code>", "exec"), ns)   # noqa: S102
    assert _fig_json(ns["fig"]) == _fig_json(lab_over_time(labs, "en", test=key))
    assert label.split(" ")[0] in ns["fig"].layout.title.text
