"""run_analyses on a larger in-memory study stays fast and its review.json part stays bounded."""
from __future__ import annotations

import json
import time

from analysis_builders import build_large_sub
from workbench.analyses import run_analyses
from workbench.analyses.safety import LISTING_LIMIT


def test_thousand_subjects():
    sub = build_large_sub(n_subjects=1000, lb_per_subject=100, ae_per_subject=10)
    t0 = time.perf_counter()
    res = run_analyses(sub)
    elapsed = time.perf_counter() - t0
    assert res.errors == {}
    d = res.to_dict()
    text = json.dumps(d, allow_nan=False)
    assert len(d["safety"]["late_events"]) <= LISTING_LIMIT <= d["safety"]["late_events_total"]
    assert len(text) < 2_000_000
    assert d["efficacy"]["comparison"]["kind"] == "welch" and d["efficacy"]["comparison"]["n_control"] > 200
    assert sum(r["dosed"] for r in d["exposure"]) == 1000
    assert elapsed < 30, elapsed
