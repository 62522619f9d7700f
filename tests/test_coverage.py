"""The guideline coverage matrix: generated from the registries, every clause accounted for, the committed file current."""
from __future__ import annotations

from pathlib import Path

from workbench import coverage as cov

DOC = Path(__file__).resolve().parents[1] / "docs" / "guideline-coverage.md"


def test_every_clause_is_served_or_says_why_not():
    rows = cov.coverage()
    assert [r.id for r in rows] == [c[0] for c in cov.CLAUSES] and len(rows) == 35
    missing = [r.id for r in rows if r.status is None]
    assert missing == [], f"clauses with neither a check/analysis/criterion nor a reason in LIMITS: {missing}"
    assert set(cov.LIMITS) <= {c[0] for c in cov.CLAUSES}            # no reason for a clause that does not exist
    assert all(en.strip() and zh.strip() for en, zh in cov.LIMITS.values())
    n = cov.counts(rows)
    assert sum(n.values()) == 35 and n[cov.NOT_CHECKABLE] == sum(1 for r in rows if not r.served_by)


def test_issue_16_clauses_are_now_served():
    """The clauses the issue found unserved: served now, or not checkable with the reason."""
    by = {r.id: r for r in cov.coverage()}
    assert "analyses.durability" in by["G-2.3.2b"].served_by and "analyses.immunogenicity" in by["G-2.3.2b"].served_by
    assert by["G-2.3.2b"].status == cov.SERVED
    assert by["G-2.2.2a"].status == cov.PARTLY and "analyses.dlt" in by["G-2.2.2a"].served_by
    for cid in ("G-2.1.3a", "G-2.1.4b", "G-2.2.3", "G-2.2.4"):
        assert by[cid].status == cov.NOT_CHECKABLE and by[cid].limit
    assert {"SAF-010", "SAF-005"} <= set(by["G-2.1.3c"].checks) and "SAF-011" in by["G-4.2.1"].checks
    assert "FUP-005" in by["G-3.1c"].checks and "MAN-003" in by["G-4.2.2"].checks and "MAN-003" in by["G-4.0"].checks
    assert "EFF-005" in by["G-2.1.3b"].checks and "analyses.persistence" in by["G-3.1a"].served_by


def test_references_resolve_to_single_clauses_only():
    assert cov.resolve("G-4.1.2") == ["G-4.1.2"] and cov.resolve("四（二）2") == ["G-4.2.2"] and cov.resolve("四") == ["G-4.0"]
    assert cov.resolve("G-2.2.2") == [] and cov.resolve("三（一）") == [] and cov.resolve("数据递交指导原则") == []
    others = cov.other_references()
    assert others["G-2.2.2"] == ["ADM-007"] and "FUP-002" in others["三（一）"]


def test_an_analysts_check_does_not_change_the_matrix():
    from workbench.checks import check, registry

    before = cov.markdown()

    @check("ZZZ-001", "safety", "info", "G-2.2.3", "An analyst's check", "分析人员的检查")
    def _mine(sub, out):
        """An analyst's check."""
    try:
        assert cov.markdown() == before
    finally:
        registry.unregister("ZZZ-001")


def test_committed_matrix_is_current():
    assert DOC.read_text(encoding="utf-8") == cov.markdown(), \
        "docs/guideline-coverage.md is stale: run .venv/bin/python -m workbench.coverage --write docs/guideline-coverage.md"


def test_cli_writes_and_fails_on_a_missing_reason(tmp_path, monkeypatch):
    out = tmp_path / "m.md"
    assert cov.main(["--write", str(out)]) == 0 and out.read_text(encoding="utf-8") == cov.markdown()
    monkeypatch.delitem(cov.LIMITS, "G-2.2.4")
    assert cov.main(["--write", str(out)]) == 1 and "| G-2.2.4 |" in out.read_text(encoding="utf-8")
    assert "MISSING" in out.read_text(encoding="utf-8")
