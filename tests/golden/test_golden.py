"""Golden review.json: every bundled sample and a scaled 300-subject submission review exactly as recorded.

A failure names the first differing path (e.g. ``$.findings[12].message_en``). When a change is
*meant* to alter results, regenerate deliberately: ``.venv/bin/python tests/golden/regenerate.py``
and review the diff. Each case is reviewed twice, with a cold and then a warm dataset cache, so the
cache can never change results.
"""
from __future__ import annotations

import pytest

from golden_support import CASES, cache_env, case_folder, golden_path, first_difference, read_golden, review_document, strip


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    return tmp_path_factory.mktemp("golden-cases")


@pytest.mark.parametrize("case", CASES)
def test_review_matches_golden(case, scratch, tmp_path):
    assert golden_path(case).exists(), f"no golden for {case}: run .venv/bin/python tests/golden/regenerate.py {case}"
    expected = read_golden(case)
    folder = case_folder(case, scratch)
    with cache_env(tmp_path / "cache"):
        for state in ("cold cache", "warm cache"):
            actual = strip(review_document(folder), case)
            diff = first_difference(expected, actual)
            assert diff is None, (f"{case} ({state}) differs from tests/golden/data/{case}.json.gz at {diff}\n"
                                  f"(if intended: .venv/bin/python tests/golden/regenerate.py {case})")


def test_goldens_stay_small():
    total = sum(golden_path(c).stat().st_size for c in CASES if golden_path(c).exists())
    assert total < 2 * 1024 ** 2, f"committed goldens are {total} bytes (keep < 2 MB)"
