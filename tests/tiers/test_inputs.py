"""TierInputs: built from the analyses' result objects (the review's path) it equals the one read from the
review.json document (a stored review re-classified), on every bundled sample."""
from __future__ import annotations

from pathlib import Path

import pytest

from workbench.tiers import TierInputs

SAMPLES = sorted(p.name for p in (Path(__file__).resolve().parents[2] / "sample_data").iterdir() if p.is_dir())


@pytest.mark.parametrize("name", SAMPLES)
def test_from_results_equals_from_document(name):
    from workbench.review import run_review

    review = run_review(Path(__file__).resolve().parents[2] / "sample_data" / name)
    typed = TierInputs.from_results(review.analyses)
    read = TierInputs.from_document(review.to_dict()["analyses"])
    assert typed == read
    assert typed.exposure and typed.safety is not None and typed.follow_up_required_days


def test_unknown_values_read_as_unknown_not_zero():
    inputs = TierInputs.from_document({"exposure": [{"arm": "DL1", "dosed": "n/a"}, "junk"],
                                       "safety": {"overview": [{"arm": "DL1", "related_serious": True}]}})
    assert inputs.exposure[0].dosed is None and len(inputs.exposure) == 1
    assert inputs.safety.overview[0].related_serious is None    # a boolean is not a count
