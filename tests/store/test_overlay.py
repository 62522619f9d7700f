"""The reviewer overlay: validated, applied to the review (shown as reviewer-supplied), stored in the same
hash-chained log, and a decision recorded before it becomes stale."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from workbench.overlay import Overlay, OverlayError
from workbench.review import run_review
from workbench.store import DecisionStore

SAMPLES = Path(__file__).resolve().parents[2] / "sample_data"
BARE_OVERLAY = {"cell_type": "MSC", "design": "randomized_controlled", "stage": "exploratory",
                "primary_endpoint": {"domain": "QS", "testcd": "WOMACT", "visit": "WEEK 48", "type": "clinical",
                                     "better": "lower"},
                "required_followup_days": 730, "note": "from the protocol synopsis, p. 3"}


def test_overlay_validation_names_the_field():
    with pytest.raises(OverlayError, match="cell_type"):
        Overlay.parse({"cell_type": "MSCX"})
    with pytest.raises(OverlayError, match="unknown field 'colour'"):
        Overlay.parse({"colour": "red"})
    assert not Overlay.parse({"note": "nothing else"})          # an overlay that states nothing is no overlay


def test_overlay_changes_the_review_of_a_bare_submission_and_says_so():
    bare = SAMPLES / "bare-sdtm"
    before = run_review(bare).to_dict()
    ov = Overlay.parse(BARE_OVERLAY)
    after_review = run_review(bare, overlay=ov)
    after = after_review.to_dict()
    assert "overlay" not in before and after["overlay"]["fields"]["cell_type"] == "MSC"
    assert after["overlay"]["sha256"] == ov.sha256
    assert after["study"]["required_followup_days"] == 730 and before["study"]["required_followup_days"] == 365
    assert after["study"]["facts"]["design"] == {"value": "randomized_controlled", "origin": "overlay",
                                                 "source": "reviewer overlay"}
    assert after["analyses"]["efficacy"]["endpoint"] == "WOMACT"
    assert before["analyses"]["efficacy"]["reason_code"] == "no_endpoint"
    fup = [f for f in after["findings"] if f["check_id"] == "FUP-002" and f["severity"] == "info"]
    assert fup and "supplied by the reviewer (overlay)" in fup[0]["message_en"]
    assert after_review.submission.manifest is None          # the submission itself is not changed


def test_control_arm_from_the_overlay(tmp_path):
    sub_review = run_review(SAMPLES / "rct-ucmsc-koa", overlay=Overlay.parse({"control_arms": ["DL1"]}))
    arms = sub_review.submission.study.arms.set_index("ARM")
    assert arms.loc["DL1", "CONTROL"] and arms.loc["DL1", "ROLE_RULE"] == "overlay"
    assert arms.loc["PBO", "ROLE_RULE"] == "manifest"        # the manifest's own declarations stay


def test_overlay_in_the_store_makes_an_earlier_decision_stale(tmp_path):
    store = DecisionStore(f"sqlite:///{tmp_path / 'd.sqlite'}")
    ish, rsh = "a" * 64, "b" * 64
    store.confirm("BARE", ish, rsh, "Reviewer A", proposed="T0")
    assert not store.current("BARE", ish, rsh).stale
    entry = store.record_overlay("BARE", ish, rsh, "Reviewer A", Overlay.parse(BARE_OVERLAY))
    ov, e = store.overlay("BARE")
    assert ov == Overlay.parse(BARE_OVERLAY) and e.seq == entry.seq and e.reason == BARE_OVERLAY["note"]
    cur = store.current("BARE", ish, rsh)
    assert cur.stale and "overlay" in cur.stale_reasons_en[0]
    assert store.verify_chain().ok
    from workbench.store import signature_rows

    row = signature_rows(store.history("BARE"), "en")[-1]
    assert row["meaning"].startswith("Reviewer overlay: cell type: MSC")


def test_review_command_with_overlay_file(tmp_path):
    f = tmp_path / "overlay.yaml"
    f.write_text("cell_type: MSC\nrequired_followup_days: 730\n", encoding="utf-8")
    out = tmp_path / "out"
    run = subprocess.run([sys.executable, "-m", "workbench.cli", "review", str(SAMPLES / "bare-sdtm"), "--out",
                          str(out), "--overlay", str(f)], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert json.loads((out / "review.json").read_text())["overlay"]["fields"] == {"cell_type": "MSC",
                                                                                  "required_followup_days": 730}
    f.write_text("cell_type: [", encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "workbench.cli", "review", str(SAMPLES / "bare-sdtm"), "--out",
                          str(tmp_path / "o2"), "--overlay", str(f)], capture_output=True, text=True, timeout=300)
    assert run.returncode == 2 and "overlay.yaml" in run.stderr
