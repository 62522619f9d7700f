"""An analyst's check registered with the decorator appears in run_checks and the scorecard."""
from __future__ import annotations

import pytest

from workbench.checks import NotApplicable, registry, run_checks, scorecard
from workbench.checks.registry import CheckRegistrationError


def test_custom_check_reported(temp_check, clean_sub):
    @temp_check("XLB-001", "safety", "major", "G-2.2.1", "ALT measured at week 4", "第 4 周检测 ALT")
    def alt_week4(sub, out):
        """Dosed subject without an ALT result at WEEK 4."""
        lb = sub.domain("LB")
        have = set(lb.loc[(lb["LBTESTCD"] == "ALT") & (lb["VISIT"] == "WEEK 4"), "USUBJID"])
        for u in sorted({"SCX-001-0001", "GHOST"} - have):
            out.add("major", f"Subject {u}: no ALT at week 4", f"受试者 {u}：第 4 周无 ALT", domain="LB", usubjid=u)

    assert "XLB-001" in registry.ids()
    assert not registry.get("XLB-001").builtin
    run = run_checks(clean_sub)
    mine = [f for f in run.findings if f.check_id == "XLB-001"]
    assert [(f.usubjid, f.severity.value, f.guideline_ref) for f in mine] == [("GHOST", "major", "G-2.2.1")]
    assert {r.check_id: r.status for r in run.results}["XLB-001"] == "fail"
    card = scorecard(run)
    assert card["safety"]["major"] == 1 and card["safety"]["status"] == "gaps"


def test_custom_check_not_applicable_and_error(temp_check, clean_sub):
    @temp_check("XNA-001", "efficacy", "major", "G-4.1.2", "Irrelevant here", "此处不适用")
    def irrelevant(sub, out):
        """Never applies."""
        return NotApplicable("not relevant", "不相关")

    @temp_check("XER-001", "efficacy", "major", "G-4.1.2", "Broken", "出错")
    def broken(sub, out):
        """Raises."""
        raise RuntimeError("boom")

    run = run_checks(clean_sub, only=["XNA-001", "XER-001"])
    status = {r.check_id: r.status for r in run.results}
    assert status == {"XNA-001": "not_applicable", "XER-001": "error"}


def test_custom_check_unregistered_after_previous_test():
    assert "XLB-001" not in registry.ids() and "XNA-001" not in registry.ids()


def test_duplicate_id_rejected(temp_check):
    with pytest.raises(CheckRegistrationError):
        temp_check("SAF-001", "safety", "major", "G-4.1.2", "dup", "重复")(lambda sub, out: None)
