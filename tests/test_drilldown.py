"""Drill-down from a finding to exactly the records behind it."""
from __future__ import annotations

from pathlib import Path

from workbench.drilldown import records_for
from workbench.review import run_review

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data" / "defects-trace-cmc"


def test_lot_finding_shows_only_that_lot():
    review = run_review(SAMPLE)
    f = next(f for f in review.findings if f.check_id == "CMC-002" and f.severity.value == "critical")
    lot = f.record.split("=", 1)[1]
    tables = dict(records_for(review.submission, f))
    assert set(tables["EX"]["EXLOT"]) == {lot}
    assert set(tables["cmc/batches.csv"]["LOTID"]) == {lot}
    assert set(tables["cmc/release_tests.csv"]["LOTID"]) == {lot}


def test_subject_record_finding_shows_that_record():
    review = run_review(SAMPLE)
    f = next(f for f in review.findings if f.check_id == "TRC-002")
    tables = dict(records_for(review.submission, f))
    ae = tables["AE"]
    assert len(ae) == 1 and ae.iloc[0]["USUBJID"] == f.usubjid


def test_unmatched_key_returns_nothing_not_everything():
    from workbench.findings import Element, Finding, Severity

    review = run_review(SAMPLE)
    f = Finding("XYZ-001", Element.SAFETY, Severity.MAJOR, "x", "x", "G-4.1.2", domain="AE", record="NOPE=1")
    assert records_for(review.submission, f) == []
