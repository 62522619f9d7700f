"""The clean study: every check runs, none reports a critical, major or minor finding."""
from __future__ import annotations

import re

import pytest

from workbench.checks import registry, scorecard
from workbench.checks.runner import completeness

CJK = re.compile(r"[\u4e00-\u9fff]")


def test_clean_has_no_load_issues(clean_sub):
    assert clean_sub.load_issues == []
    assert clean_sub.manifest_problems == []


def test_clean_gives_only_info(clean_run):
    bad = [(f.check_id, f.severity.value, f.message_en) for f in clean_run.findings if f.severity.value != "info"]
    assert bad == []


@pytest.mark.parametrize("check_id", registry.ids())
def test_check_quiet_and_runs_on_clean(check_id, clean_run):
    result = {r.check_id: r for r in clean_run.results}[check_id]
    assert result.status in ("pass", "not_applicable"), (result.status, result.reason_en)
    if result.status == "not_applicable":
        assert result.reason_en and CJK.search(result.reason_zh)


def test_clean_not_applicable_only_where_the_study_makes_it_irrelevant(clean_run):
    na = {r.check_id for r in clean_run.results if r.status == "not_applicable"}
    package = {"PKG-001", "PKG-002", "PKG-003", "REC-001", "REC-002", "REC-003", "REC-004", "REC-005"}
    assert na == {"SCR-006", "FUP-004", "EFF-004"} | package  # no children, allogeneic product, no data package


def test_clean_info_findings(clean_run):
    info = {f.check_id for f in clean_run.findings}
    assert {"ADM-006", "CMC-004", "CMC-005", "FUP-002", "SAF-006"} <= info
    for f in clean_run.findings:
        assert f.message_en and CJK.search(f.message_zh)


def test_clean_scorecard(clean_run):
    card = scorecard(clean_run)
    assert all(v["status"] == "complete" for v in card.values()), card
    assert completeness(clean_run) == 1.0
