"""The reviewer's rules above the sponsor's declarations (issue 16): guideline floors a declaration cannot lower,
stricter reviewer values, defaults when nothing is declared, every override shown, the merged thresholds hashed."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
for p in (str(ROOT), str(ROOT / "tests")):
    if p not in sys.path:
        sys.path.insert(0, p)

from factory import clean_study, load_study, write_study  # noqa: E402
from tierdata import classify, t4_analyses, t4_facts  # noqa: E402

from workbench.checks import run_checks  # noqa: E402
from workbench.review import run_review  # noqa: E402
from workbench.rules import RulesError, load_rules, values_sha256  # noqa: E402


def _rules(tmp_path, text: str, name: str = "reviewer.yaml"):
    f = tmp_path / name
    f.write_text(text, encoding="utf-8")
    return f


def _params(tmp_path, study, rules_text: str | None = None):
    sub = load_study(study, tmp_path)
    if rules_text is not None:
        sub.use_rules(load_rules(_rules(tmp_path, rules_text)))
    return sub, sub.study.parameters


# --------------------------------------------------------------------------- done when


def test_reviewer_floor_overrides_a_declared_90_days(tmp_path):
    """A reviewer's rules file with MSC follow-up 730 days overrides a submission declaring 90: FUP-002 and
    T4.follow_up use 730, and the review says the sponsor's value was overridden."""
    study = clean_study()
    study.manifest["study"]["followup"]["required_days"] = 90
    for n in (1, 2):                       # two subjects followed 200 days only: short of 730, not of 90
        study.stop_follow_up(n, 200)
    folder = write_study(study, tmp_path / "sub")
    rules = _rules(tmp_path, "followup_floor_days:\n  MSC: 730\n")
    review = run_review(folder, rules_path=rules)
    doc = json.loads(json.dumps(review.to_dict()))
    # the override, in review.json, the study card and the parameters
    expected = {"field": "study.followup.required_days", "sponsor": 90, "reviewer": 730,
                "rule": "followup_floor_days.MSC"}
    [o] = doc["overrides"]
    assert {k: o[k] for k in expected} == expected and "G-3.1b" in o["reason"] and "G-3.1b" in o["reason_zh"]
    assert doc["study"]["overrides"] == doc["overrides"] and doc["study"]["required_followup_days"] == 730
    assert doc["parameters"]["required_followup_days"] == 730 and doc["parameters"]["followup_declared"] == 90
    # FUP-002 uses 730 and says whose value it is
    fup = [f for f in review.findings if f.check_id == "FUP-002"]
    majors = sorted(f.usubjid for f in fup if f.severity.value == "major")
    assert majors == ["SCX-001-0001", "SCX-001-0002"]
    assert all("required 730 days" in f.message_en and "overrides the 90 days declared" in f.message_en
               and "730" in f.message_zh and "90" in f.message_zh for f in fup if f.severity.value == "major")
    # T4.follow_up uses 730: 4 of 6 meet it, and its evidence names the override
    t4 = next(c for c in doc["tier"]["criteria"] if c["id"] == "T4.follow_up")
    assert t4["values"]["required_days"] == 730 and t4["values"]["required_days_declared"] == 90
    assert t4["values"]["meeting_requirement"] == 4 and t4["values"]["dosed"] == 6
    assert "730 days" in t4["evidence"] and "overrides the 90 days declared" in t4["evidence"]
    assert "730" in t4["evidence_zh"] and "90" in t4["evidence_zh"]
    assert doc["analyses"]["follow_up_summary"]["required_days"] == 730
    assert doc["analyses"]["follow_up_summary"]["overrides"] == doc["overrides"]


def test_without_the_floor_the_declaration_would_have_passed(tmp_path):
    """The same submission under a rules file whose MSC floor is 60 days: 90 is kept, no override, no major."""
    study = clean_study()
    study.manifest["study"]["followup"]["required_days"] = 90
    for n in (1, 2):
        study.stop_follow_up(n, 200)
    review = run_review(write_study(study, tmp_path / "sub"),
                        rules_path=_rules(tmp_path, "followup_floor_days: {MSC: 60}\n"))
    assert review.to_dict()["overrides"] == []
    assert not [f for f in review.findings if f.check_id == "FUP-002" and f.severity.value == "major"]
    assert review.tier.criterion("T4.follow_up").values["required_days"] == 90


# --------------------------------------------------------------------------- floors and limits


@pytest.mark.parametrize("cell_type,gene_modified,floor,rule", [
    ("MSC", False, 730, "followup_floor_days.MSC"),
    ("ESC_DERIVED", False, 1825, "followup_floor_days.ESC_DERIVED"),
    ("IPSC_DERIVED", False, 1825, "followup_floor_days.IPSC_DERIVED"),
    ("HSC", False, 365, "followup_floor_days.HSC"),
    ("HSC", True, 1825, "gene_modified_floor_days"),
    (None, False, 365, "followup_floor_days.not_declared"),
])
def test_floor_by_cell_type(tmp_path, cell_type, gene_modified, floor, rule):
    study = clean_study()
    study.manifest["product"]["cell_type"] = cell_type
    study.manifest["product"]["gene_modified"] = gene_modified
    del study.manifest["study"]["followup"]["required_days"]
    _, p = _params(tmp_path, study)
    assert (p.required_followup_days, p.followup_floor_rule, p.followup_declared) == (floor, rule, None)
    assert p.default("study.followup.required_days").value == floor and p.overrides == ()


def test_a_declaration_above_the_floor_stands(tmp_path):
    study = clean_study()
    study.manifest["study"]["followup"]["required_days"] = 1000
    _, p = _params(tmp_path, study)
    assert p.required_followup_days == 1000 and p.overrides == ()


def test_reviewer_dlt_values_override_less_strict_declarations(tmp_path):
    study = clean_study()
    study.manifest["study"]["dlt"] = {"window_days": 14, "target_rate": 0.40, "definition": "grade", "min_grade": 4}
    study.manifest["study"]["stopping_rules"][0]["threshold"] = 3
    sub, p = _params(tmp_path, study, "stopping_rule_max_threshold: 2\n")
    assert (p.dlt_window_days, p.dlt_target_rate, p.dlt_min_grade, p.dlt_definition) == (28, 0.33, 3, "grade")
    got = {o.field: (o.sponsor, o.reviewer, o.rule) for o in p.overrides}
    assert got == {"study.dlt.window_days": (14, 28, "min_window_days"),
                   "study.dlt.target_rate": (0.40, 0.33, "max_dlt_target_rate"),
                   "study.dlt.min_grade": (4, 3, "max_dlt_min_grade"),
                   "study.stopping_rules[SR1].threshold": (3, 2, "stopping_rule_max_threshold")}
    assert all(o.reason_en and o.reason_zh for o in p.overrides)
    # the analyses and the stopping rules read the values in force
    from workbench.analyses import dlt_analysis, stopping_rules_analysis

    d = dlt_analysis(sub)
    assert (d.window_days, d.target_rate, d.min_grade) == (28, 0.33, 3)
    assert {o["field"] for o in d.to_dict()["overrides"]} == {"study.dlt.window_days", "study.dlt.target_rate",
                                                              "study.dlt.min_grade"}
    assert stopping_rules_analysis(sub).rules[0]["threshold"] == 2


def test_stricter_declarations_are_kept(tmp_path):
    study = clean_study()
    study.manifest["study"]["dlt"] = {"window_days": 42, "target_rate": 0.25, "definition": "grade", "min_grade": 2}
    _, p = _params(tmp_path, study)
    assert (p.dlt_window_days, p.dlt_target_rate, p.dlt_min_grade) == (42, 0.25, 2) and p.overrides == ()


def test_every_default_in_the_rules_file_takes_effect(tmp_path):
    """default_window_days (and the other DLT defaults) apply when submission.yaml declares nothing: the manifest
    no longer supplies 28 of its own."""
    study = clean_study()
    del study.manifest["study"]["dlt"]
    sub, p = _params(tmp_path, study, "default_window_days: 35\ndefault_dlt_target_rate: 0.25\n"
                                      "default_dlt_definition: grade\ndefault_dlt_min_grade: 2\n")
    assert (p.dlt_window_days, p.dlt_target_rate, p.dlt_definition, p.dlt_min_grade) == (35, 0.25, "grade", 2)
    assert {d.field for d in p.defaults} >= {"study.dlt.window_days", "study.dlt.target_rate",
                                             "study.dlt.definition", "study.dlt.min_grade"}
    from workbench.analyses import dlt_analysis, follow_up_analysis

    assert dlt_analysis(sub).window_days == 35 and follow_up_analysis(sub).window_days == 35
    assert sub.m.study.dlt.window_days is None   # not declared: the manifest says so


def test_rules_refuse_a_default_weaker_than_its_own_limit(tmp_path):
    with pytest.raises(RulesError) as exc:
        load_rules(_rules(tmp_path, "default_window_days: 14\n"))
    assert "default_window_days" in str(exc.value) and "min_window_days" in str(exc.value)


def test_floor_file_changes_one_cell_type_and_rejects_unknown_ones(tmp_path):
    r = load_rules(_rules(tmp_path, "followup_floor_days:\n  ESC_DERIVED: 3650\n"))
    assert r.followup_floor_days.ESC_DERIVED == 3650 and r.followup_floor_days.MSC == 730
    with pytest.raises(RulesError, match="followup_floor_days.MSCC"):
        load_rules(_rules(tmp_path, "followup_floor_days: {MSCC: 1}\n", "bad.yaml"))


# --------------------------------------------------------------------------- the rules hash


def test_rules_hash_is_of_the_thresholds_in_force(tmp_path):
    shipped = load_rules(None)
    assert shipped.sha256 == values_sha256(shipped.values())
    same = load_rules(_rules(tmp_path, "# restating a shipped value\nt2_min_evaluable: 3\n"))
    assert same.sha256 == shipped.sha256 and same.path != shipped.path
    other = load_rules(_rules(tmp_path, "t2_min_evaluable: 4\n", "other.yaml"))
    assert other.sha256 != shipped.sha256
    text = json.dumps(shipped.values(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    import hashlib

    assert shipped.sha256 == hashlib.sha256(text.encode("utf-8")).hexdigest()


# --------------------------------------------------------------------------- T2 counts the product's subjects


def test_t2_evaluable_safety_counts_active_arms_only():
    """Two active subjects followed for the window and forty controls: not enough safety data on the product
    (the control subjects once made it 42 >= 3)."""
    a = t4_analyses(active=(1, 1), control=40)
    res = classify([], a, t4_facts(), load_rules(None))
    t2 = res.criterion("T2.evaluable_safety")
    assert t2.met is False and t2.values["followed_window"] == 2 and t2.values["dosed"] == 2
    assert "control arms not counted (40 followed)" in t2.evidence_en and "对照组不计入" in t2.evidence_zh
    a = t4_analyses(active=(2, 1), control=40)
    assert classify([], a, t4_facts(), load_rules(None)).criterion("T2.evaluable_safety").met is True


def test_clean_study_has_no_override(tmp_path):
    sub = load_study(clean_study(), tmp_path)
    assert sub.study.parameters.overrides == ()
    assert not [f for f in run_checks(sub).findings if f.severity.value != "info"]


def test_a_reviewer_overlay_value_is_used_as_given(tmp_path):
    """The overlay is the reviewer's own statement for this study (workbench.overlay): used as given, not raised
    to the floor, and named as its source; the sponsor's declaration stays recorded."""
    from workbench.overlay import Overlay

    study = clean_study()
    study.manifest["study"]["followup"]["required_days"] = 90
    sub = load_study(study, tmp_path)
    assert sub.study.parameters.required_followup_days == 730               # the floor over the sponsor's 90
    sub.use_overlay(Overlay.parse({"required_followup_days": 1000}))
    p = sub.study.parameters
    assert (p.required_followup_days, p.followup_declared, p.overrides) == (1000, 90, ())
    assert p.followup_source() == ("supplied by the reviewer (overlay)", "审评人员补充（overlay）")


def test_a_lengthened_dlt_window_is_named_in_the_tier_evidence(tmp_path):
    study = clean_study()
    study.manifest["study"]["dlt"]["window_days"] = 14
    review = run_review(write_study(study, tmp_path / "sub"))
    assert review.tier.criterion("T2.evaluable_safety").values["window_days"] == 28
    for cid in ("T2.evaluable_safety", "T3.safety_followup"):
        c = review.tier.criterion(cid)
        assert "the reviewer's minimum window" in c.evidence_en and "14 days declared" in c.evidence_en, c.evidence_en
        assert "申报 14 天" in c.evidence_zh
    assert review.to_dict()["analyses"]["dlt"]["overrides"][0]["reviewer"] == 28
