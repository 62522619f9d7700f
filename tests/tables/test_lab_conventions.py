"""The laboratory conventions of review-output.md on a hand-made LB, every expected number worked out by hand.

Factory study: DL1 dosed subjects 1 (first dose 2021-03-01), 2 (2021-03-10), 3; DL2 dosed 4 (2021-04-15), 5, 6;
subject 8 is a screen failure (never dosed)."""
from __future__ import annotations

import pandas as pd
import pytest
from factory import clean_study, load_study, usubjid

from workbench import tables
from workbench.analyses.labs import hepatic_subjects, labs_analysis


def rec(n, code, dtc, value, uln, visit, nrind=None, blfl=None, lo=None):
    return {"STUDYID": "SCX-001", "DOMAIN": "LB", "USUBJID": usubjid(n), "LBTESTCD": code, "LBTEST": code,
            "LBORRES": str(value), "LBSTRESN": value, "LBSTRESU": "U/L" if code != "BILI" else "umol/L",
            "LBSTNRLO": lo, "LBSTNRHI": uln, "LBNRIND": nrind, "LBBLFL": blfl, "VISIT": visit, "LBDTC": dtc}


LB = [
    # subject 1: flagged baseline wins over a later pre-dose record; a record on the first-dose day is neither
    rec(1, "ALT", "2021-02-20", 30, 40, "SCREENING", "NORMAL", "Y"),
    rec(1, "ALT", "2021-02-27", 35, 40, "SCREENING 2", "NORMAL"),
    rec(1, "ALT", "2021-03-01", 50, 40, "DAY 1", "HIGH"),
    rec(1, "ALT", "2021-03-08", 130, 40, "WEEK 1", "HIGH"),          # 3.25 x ULN
    rec(1, "ALT", "2021-03-15", 20, 40, "WEEK 2", "LOW"),            # worst stays HIGH
    rec(1, "BILI", "2021-02-20", 10, 20, "SCREENING", "NORMAL", "Y"),
    rec(1, "BILI", "2021-03-08", 45, 20, "WEEK 1", "HIGH"),          # 2.25 x ULN -> potential Hy's law
    # subject 2: no flag -> last record on or before the first dose; categories derived from the range
    rec(2, "ALT", "2021-03-01", 25, 40, "SCREENING", lo=10),
    rec(2, "ALT", "2021-03-09", 28, 40, "SCREENING 2", lo=10),       # baseline 28, NORMAL (derived)
    rec(2, "ALT", "2021-03", 5, 40, "WEEK 1", lo=10),                # partial date in the dosing month: post, LOW
    rec(2, "ALT", "2021-04-10", 100, 40, "MONTH 1", lo=10),          # 2.5 x ULN, HIGH (derived)
    rec(2, "AST", "2021-03-09", 30, 40, "SCREENING 2"),
    rec(2, "AST", "2021-04-10", 140, 40, "MONTH 1"),                 # 3.5 x ULN: AST only
    # subject 4: 'H' / 'N' through the vocabulary; the unscheduled record counts for the peaks, not by visit
    rec(4, "ALT", "2021-04-10", 45, 40, "SCREENING", "H"),
    rec(4, "ALT", "2021-05-01", 38, 40, "WEEK 2", "N"),
    rec(4, "ALT", "2021-05-10", 300, 40, "UNSCHEDULED 1", "H"),      # 7.5 x ULN
    rec(4, "BILI", "2021-05-01", 50, 20, "WEEK 2", "H"),             # 2.5 x ULN
    # subject 8: a screen failure, never dosed: outside the safety population
    rec(8, "ALT", "2021-05-01", 500, 40, "SCREENING", "H"),
]


@pytest.fixture(scope="module")
def sub(tmp_path_factory):
    study = clean_study()
    study.tables["LB"] = pd.DataFrame(LB)
    return load_study(study, tmp_path_factory.mktemp("labs"))


def test_hepatic_peaks_and_hys_law_by_hand(sub):
    h = hepatic_subjects(sub).set_index("USUBJID")
    assert set(h.index) == {usubjid(1), usubjid(2), usubjid(4)}
    assert h.loc[usubjid(1), "ALT_X"] == pytest.approx(3.25) and h.loc[usubjid(1), "BILI_X"] == pytest.approx(2.25)
    assert h.loc[usubjid(2), "AST_X"] == pytest.approx(3.5) and h.loc[usubjid(2), "ALT_X"] == pytest.approx(2.5)
    assert h.loc[usubjid(4), "ALT_X"] == pytest.approx(7.5)
    assert sorted(h.index[h["HYS_LAW"]]) == [usubjid(1), usubjid(4)]
    d = labs_analysis(sub).to_dict()["hepatic"]
    arms = {a["arm"]: a for a in d["arms"]}
    assert {k: arms["DL1"][k] for k in ("dosed", "evaluable", "alt_3x", "ast_3x", "alt_or_ast_3x", "bili_2x",
                                        "hys_law")} == {"dosed": 3, "evaluable": 2, "alt_3x": 1, "ast_3x": 1,
                                                        "alt_or_ast_3x": 2, "bili_2x": 1, "hys_law": 1}
    assert arms["DL1"]["subjects"]["ast_3x"] == [usubjid(2)]
    assert {k: arms["DL2"][k] for k in ("evaluable", "alt_3x", "bili_2x", "hys_law")} == \
        {"evaluable": 1, "alt_3x": 1, "bili_2x": 1, "hys_law": 1}
    assert d["total"]["hys_law"] == 2 and d["total"]["subjects"]["hys_law"] == [usubjid(1), usubjid(4)]


def test_hepatic_table_and_listing(sub):
    t = tables.build_table(sub, "hepatic")
    row = {r.key["criterion"]: r for r in t.rows}
    assert row["hys_law"].cells["DL1"] == {"n": 1, "pct": 33.3, "text": "1 (33.3)"}
    assert row["evaluable"].cells["Total"]["n"] == 3 and [c.n for c in t.columns] == [3, 3, 6]
    listing = tables.build_table(sub, "hys_law_listing")
    assert listing.kind == "listing"
    assert [(r.cells["usubjid"]["text"], r.cells["alt_x"]["text"], r.cells["bili_x"]["text"]) for r in listing.rows] \
        == [(usubjid(1), "3.25", "2.25"), (usubjid(4), "7.50", "2.50")]


def test_shift_baseline_to_worst(sub):
    t = tables.build_table(sub, "lab_shift")
    alt = {(r.key["baseline"], r.key["worst"]): r.cells for r in t.rows if r.key.get("test") == "ALT" and r.level == 1}
    assert alt[("NORMAL", "HIGH")]["DL1"]["n"] == 2          # subjects 1 (flagged) and 2 (derived)
    assert alt[("HIGH", "HIGH")]["DL2"]["n"] == 1            # subject 4: the unscheduled 300 U/L is the worst
    assert alt[("HIGH", "NORMAL")]["DL2"]["n"] == 0
    assert sum(c["Total"]["n"] for c in alt.values()) == 3   # the screen failure is not counted
    head = next(r for r in t.rows if r.level == 0 and r.key.get("test") == "ALT")
    assert head.cells["DL1"]["n"] == 2 and head.cells["DL2"]["n"] == 1


def test_summary_by_visit_with_change(sub):
    t = tables.build_table(sub, "lab_summary")
    rows = [r for r in t.rows if r.key.get("test") == "ALT"]
    stat = {(r.key.get("visit"), r.key.get("statistic"), bool(r.key.get("change"))): r.cells for r in rows
            if "statistic" in r.key}
    assert stat[(None, "mean_sd", False)]["DL1"]["values"][0] == pytest.approx(29.0)     # baseline 30 and 28
    assert stat[("WEEK 1", "n", False)]["DL1"]["n"] == 2
    assert stat[("WEEK 1", "mean_sd", False)]["DL1"]["values"][0] == pytest.approx(67.5)  # 130 and 5
    assert stat[("WEEK 1", "mean_sd", True)]["DL1"]["values"][0] == pytest.approx(38.5)   # +100 and -23
    visits = {r.key.get("visit") for r in rows}
    assert "DAY 1" not in visits and "UNSCHEDULED 1" not in visits and "SCREENING 2" not in visits
    assert stat[("WEEK 2", "mean_sd", False)]["DL2"]["values"][0] == pytest.approx(38.0)


def test_without_lb_every_lab_table_says_why(tmp_path):
    study = clean_study()
    del study.tables["LB"]
    s = load_study(study, tmp_path)
    for tid in ("lab_summary", "lab_shift", "hepatic", "hys_law_listing"):
        t = tables.build_table(s, tid)
        assert t.rows == [] and t.reason_code == "no_lb" and "LB" in t.note_en and "LB" in t.note_zh, tid
    assert labs_analysis(s).to_dict()["hepatic"]["reason_code"] == "no_lb"


def test_lb_with_no_usable_record_gives_empty_tables_not_errors(tmp_path):
    study = clean_study()
    study.tables["LB"] = pd.DataFrame([rec(8, "ALT", "2021-05-01", 500, 40, "SCREENING", "H")])  # screen failure only
    s = load_study(study, tmp_path)
    for tid in ("lab_summary", "lab_shift", "hepatic", "hys_law_listing"):
        t = tables.build_table(s, tid)
        assert t.reason_code != "error", (tid, t.note_en)
    assert labs_analysis(s).to_dict()["hepatic"]["total"]["evaluable"] == 0
