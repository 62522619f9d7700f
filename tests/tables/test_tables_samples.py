"""Every standard table on every bundled sample: present where its domain exists, saying why where it does not
(never a table of zeros); the tables of domains no sample has (EG, DV, IS) on a planted study, checked by hand;
unknown (not 0) without EX or AE."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from factory import clean_study, load_study, usubjid

from workbench import load_submission, tables

SAMPLES = Path(__file__).resolve().parents[2] / "sample_data"
NEEDS = {   # table id -> the domain whose absence empties it
    "disposition": "DM", "demographics": "DM", "exposure": "EX", "ae_overview": "EX", "ae_soc_pt": "AE",
    "ae_max_grade": "AE", "ae_related_soc_pt": "AE", "ae_leading_to_discontinuation": "AE", "aesi_soc_pt": "AE",
    "sae_listing": "AE", "death_listing": "DM", "lab_summary": "LB", "lab_shift": "LB", "hepatic": "LB",
    "hys_law_listing": "LB", "vitals_summary": "VS", "ecg_summary": "EG", "cm_summary": "CM", "deviations": "DV",
    "immunogenicity": "IS"}


@pytest.mark.parametrize("name", sorted(p.name for p in SAMPLES.iterdir() if p.is_dir()))
def test_every_table_present_or_saying_why(name):
    sub = load_submission(SAMPLES / name)
    built = tables.build_tables(sub)
    assert [t.id for t in built] == list(tables.TABLE_IDS) == list(NEEDS)
    for t in built:
        assert t.reason_code != "error", (t.id, t.note_en)
        dom = NEEDS[t.id]
        if sub.domain(dom) is None:
            assert t.rows == [] and t.reason_code == f"no_{dom.lower()}", (name, t.id)
            assert dom in t.note_en and dom in t.note_zh
        else:
            assert t.rows or t.reason_code in ("none", "no_aeacn"), (name, t.id, t.note_en)
            assert t.rows or (t.note_en and t.note_zh)
        for r in t.rows:   # every cell is {n, pct, text}; counts carry their column's percentage
            for key, cell in r.cells.items():
                assert {"n", "pct", "text"} <= set(cell), (t.id, r.label_en, key)
                col = next(c for c in t.columns if c.key == key)
                if cell["pct"] is not None:
                    assert cell["pct"] == round(100 * cell["n"] / col.n, 1)


def _planted(tmp_path):
    study = clean_study()
    dv = [{"STUDYID": "SCX-001", "DOMAIN": "DV", "USUBJID": usubjid(n), "DVSEQ": 1, "DVTERM": term,
           "DVDECOD": decod, "DVCAT": cat} for n, term, decod, cat in (
        (1, "Visit out of window", "VISIT WINDOW", "MINOR"), (4, "Visit out of window", "VISIT WINDOW", "MINOR"),
        (4, "Missed ECG", "PROCEDURE NOT DONE", "MINOR"), (5, "Wrong dose prepared", "DOSING ERROR", "MAJOR"))]
    is_ = [{"STUDYID": "SCX-001", "DOMAIN": "IS", "USUBJID": usubjid(n), "ISSEQ": k, "ISTESTCD": "ADA",
            "ISTEST": "Anti-product antibodies", "ISORRES": res, "ISSTRESC": res, "VISIT": visit, "VISITNUM": vn}
           for k, (n, res, visit, vn) in enumerate((
               (1, "NEGATIVE", "BASELINE", 1), (2, "NEGATIVE", "BASELINE", 1), (4, "NEGATIVE", "BASELINE", 1),
               (1, "POSITIVE", "WEEK 4", 4), (2, "阴性", "WEEK 4", 4), (4, "阳性", "WEEK 4", 4),
               (5, "INDETERMINATE", "WEEK 4", 4)), start=1)]
    eg = [{"STUDYID": "SCX-001", "DOMAIN": "EG", "USUBJID": usubjid(n), "EGSEQ": 1, "EGTESTCD": "QTCF",
           "EGTEST": "QTcF", "EGORRES": str(v), "EGSTRESN": v, "EGSTRESU": "ms", "EGBLFL": bl, "VISIT": visit,
           "EGDTC": dtc} for n, v, bl, visit, dtc in (
        (1, 400, "Y", "SCREENING", "2021-02-25"), (1, 420, None, "WEEK 4", "2021-03-29"),
        (2, 410, "Y", "SCREENING", "2021-03-05"), (2, 440, None, "WEEK 4", "2021-04-07"))]
    study.tables.update({"DV": pd.DataFrame(dv), "IS": pd.DataFrame(is_), "EG": pd.DataFrame(eg)})
    return load_study(study, tmp_path)


def test_deviations_immunogenicity_ecg_by_hand(tmp_path):
    sub = _planted(tmp_path)
    dv = tables.build_table(sub, "deviations")
    assert dv.population == "screened" and [c.n for c in dv.columns] == [3, 4, 8]   # DL1 1-3, DL2 4-7, all 8
    rows = {(r.key.get("class"), r.key.get("term")): r.cells for r in dv.rows}
    assert rows[("MINOR", None)]["Total"]["n"] == 2 and rows[("MINOR", "VISIT WINDOW")]["DL2"]["text"] == "1 (25.0)"
    assert rows[("MAJOR", "DOSING ERROR")]["DL2"]["n"] == 1 and dv.rows[0].key == {"class": "MINOR"}
    im = tables.build_table(sub, "immunogenicity")
    r = {(x.key.get("visit"), x.key.get("result")): x.cells for x in im.rows if "result" in x.key}
    assert r[("WEEK 4", "tested")]["Total"]["n"] == 4
    assert r[("WEEK 4", "positive")]["DL1"]["n"] == 1 and r[("WEEK 4", "positive")]["DL2"]["n"] == 1   # 阳性 read
    assert r[("BASELINE", "positive")]["Total"]["n"] == 0
    assert any("INDETERMINATE" in f for f in im.footnotes_en)
    eg = tables.build_table(sub, "ecg_summary")
    stat = {(x.key.get("visit"), x.key.get("statistic"), bool(x.key.get("change"))): x.cells for x in eg.rows
            if "statistic" in x.key}
    assert stat[(None, "mean_sd", False)]["DL1"]["values"][0] == pytest.approx(405.0)
    assert stat[("WEEK 4", "mean_sd", True)]["DL1"]["values"][0] == pytest.approx(25.0)   # +20 and +30


def test_without_ex_counts_are_unknown_not_zero(tmp_path):
    study = clean_study()
    del study.tables["EX"]
    sub = load_study(study, tmp_path)
    disp = tables.build_table(sub, "disposition")
    dosed = next(r for r in disp.rows if r.key == {"status": "dosed"})
    assert all(c["n"] is None and c["text"] == "unknown" and c["text_zh"] == "未知" for c in dosed.cells.values())
    assert next(r for r in disp.rows if r.key == {"status": "screened"}).cells["Total"]["n"] == 8
    for tid in ("exposure", "ae_overview", "ae_soc_pt", "lab_shift"):
        t = tables.build_table(sub, tid)
        assert t.rows == [] and t.reason_code == "no_ex" and "EX" in t.note_en, tid
    demo = tables.build_table(sub, "demographics")
    assert demo.population == "enrolled" and demo.columns[-1].n == 7


def test_without_ae_the_overview_says_unknown(tmp_path):
    study = clean_study()
    del study.tables["AE"]
    sub = load_study(study, tmp_path)
    ov = tables.build_table(sub, "ae_overview")
    assert ov.rows[0].cells["Total"]["n"] == 6   # dosed: known
    assert all(c["text"] == "unknown" for r in ov.rows[1:] for c in r.cells.values())
    for tid in ("ae_soc_pt", "ae_max_grade", "aesi_soc_pt", "sae_listing"):
        t = tables.build_table(sub, tid)
        assert t.rows == [] and t.reason_code == "no_ae", tid


def test_html_formatter_escapes_and_shows_unknown(tmp_path):
    study = clean_study()
    study.tables["AE"].loc[0, "AEDECOD"] = "<script>alert(1)</script>"
    del study.tables["EX"]
    sub = load_study(study, tmp_path)
    html = tables.table_html(tables.build_table(sub, "disposition"), "zh", code="x = 1 < 2")
    assert "未知" in html and "(N=8)" in html and "合计" in html and "x = 1 &lt; 2" in html
    study = clean_study()
    study.tables["AE"].loc[0, "AEDECOD"] = "<script>alert(1)</script>"
    sub = load_study(study, tmp_path / "b")
    html = tables.table_html(tables.build_table(sub, "ae_soc_pt"), "en")
    assert "<script>" not in html and "&lt;script&gt;" in html
