"""Golden review.json: every bundled sample and a scaled 300-subject submission review as recorded (floats
to 10 significant digits, everything else exactly), and every report figure is the same figure.

A failure names the first differing path (e.g. ``$.findings[12].message_en``). When a change is
*meant* to alter results, regenerate deliberately: ``.venv/bin/python tests/golden/regenerate.py``
and review the diff. Reviews run with "today" pinned (findings that compare dates with today must not
drift with the calendar) and with WORKBENCH_CACHE_DIR pointed at a fresh folder.
"""
from __future__ import annotations

import pytest

from golden_support import (CASES, FIGURES_PATH, cache_env, case_folder, figure_hashes, first_difference, golden_path,
                            read_figure_goldens, read_golden, review_and_document, rounded, strip)


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    return tmp_path_factory.mktemp("golden-cases")


@pytest.fixture(scope="module")
def reviewed(scratch):
    """case -> (Review, review.json document), each case reviewed once for both tests."""
    done: dict = {}

    def get(case):
        if case not in done:
            with cache_env(scratch / "cache"):
                review, doc = review_and_document(case_folder(case, scratch))
            done[case] = (review, strip(doc, case))
        return done[case]
    return get


@pytest.mark.parametrize("case", CASES)
def test_review_matches_golden(case, reviewed):
    assert golden_path(case).exists(), f"no golden for {case}: run .venv/bin/python tests/golden/regenerate.py {case}"
    diff = first_difference(read_golden(case), reviewed(case)[1])
    assert diff is None, (f"{case} differs from tests/golden/data/{case}.json.gz at {diff}\n"
                          f"(if intended: .venv/bin/python tests/golden/regenerate.py {case})")


@pytest.mark.parametrize("case", CASES)
def test_report_figures_match_golden(case, reviewed):
    """Every report figure (both languages) is the same figure as recorded (canonical JSON, hashed)."""
    expected = read_figure_goldens().get(case)
    assert expected, f"no figure goldens for {case}: run .venv/bin/python tests/golden/regenerate.py {case}"
    diff = first_difference(expected, figure_hashes(reviewed(case)[0]))
    assert diff is None, (f"{case}: report figure differs from tests/golden/data/figures.json at {diff}\n"
                          f"(if intended: .venv/bin/python tests/golden/regenerate.py {case})")


def test_goldens_stay_small():
    total = sum(golden_path(c).stat().st_size for c in CASES if golden_path(c).exists())
    total += FIGURES_PATH.stat().st_size if FIGURES_PATH.exists() else 0
    assert total < 2 * 1024 ** 2, f"committed goldens are {total} bytes (keep < 2 MB)"


def test_comparison_tolerates_last_bits_only():
    """A library release may change the last bits of a float; a real change of a result is still caught."""
    golden = {"km": {"ci_low": [1.0, 0.7483850241947579]}, "n": 3, "label": "DL1"}
    assert first_difference(golden, {"km": {"ci_low": [1.0, 0.7483850241947578]}, "n": 3, "label": "DL1"}) is None
    assert "ci_low[1]" in first_difference(golden, {"km": {"ci_low": [1.0, 0.7483851]}, "n": 3, "label": "DL1"})
    assert "$.n" in first_difference(golden, {"km": golden["km"], "n": 3.0, "label": "DL1"})  # 3 vs 3.0
    assert "$.label" in first_difference(golden, {"km": golden["km"], "n": 3, "label": "DL2"})
    assert rounded({"y": [0.7483850241947579]}) == rounded({"y": [0.7483850241947578]})
    assert rounded({"y": [0.7483850241947579]}) != rounded({"y": [0.74838503]})
