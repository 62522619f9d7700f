"""Safety: TEAE rule with partial dates, subject (not event) counts, SOC/PT, risk differences, KM, listings."""
from __future__ import annotations

import numpy as np
import pytest
from statsmodels.duration.survfunc import SurvfuncRight

from analysis_builders import ARMS, dm_rows, ex_rows, make_sub, manifest
from workbench.analyses.km import kaplan_meier, km_median
from workbench.analyses.safety import safety_analysis

SOC_N = "Nervous system disorders"
SOC_G = "General disorders"


def _ae(u, seq, pt, soc, start, ser="N", rel="N", grade=1, **kw):
    return {"USUBJID": u, "AESEQ": seq, "AETERM": pt, "AEDECOD": pt, "AEBODSYS": soc, "AESTDTC": start,
            "AESER": ser, "AEREL": rel, "AETOXGR": grade, **kw}


def _sub(ae, spec=None, date="2021-03-15"):
    spec = spec or {"PBO": 2, "DL1": 4}
    man = manifest(arms=ARMS[:2])
    dm = dm_rows(spec)
    sv = [{"USUBJID": r["USUBJID"], "SVSTDTC": "2022-06-30"} for r in dm]
    return make_sub({"DM": dm, "EX": ex_rows(spec, {"PBO": 0, "DL1": 1.0}, date=date), "AE": ae, "SV": sv}, man)


def test_teae_partial_dates_conservative():
    # first dose 2021-03-15
    ae = [_ae("S-DL1-1", 1, "Headache", SOC_N, "2021-03"),      # same month, day unknown: undecidable -> TEAE
          _ae("S-DL1-1", 2, "Nausea", SOC_G, "2021-02"),        # month before: not TEAE
          _ae("S-DL1-1", 3, "Rash", SOC_G, "2021"),             # same year: undecidable -> TEAE
          _ae("S-DL1-1", 4, "Cough", SOC_G, "2021-03-14"),      # day before: not TEAE
          _ae("S-DL1-1", 5, "Fatigue", SOC_G, "2021-03-15"),    # same day: TEAE
          _ae("S-DL1-1", 6, "Pain", SOC_G, "2020"),             # year before: not TEAE
          _ae("S-DL1-1", 7, "Chills", SOC_G, None)]             # no date: TEAE (conservative, analyses.md)
    sub = _sub(ae)
    teae = sub.study.adverse_events.set_index("AESEQ")["TEAE"]
    assert teae.to_dict() == {1: True, 2: False, 3: True, 4: False, 5: True, 6: False, 7: True}


def test_overview_counts_subjects_not_events():
    ae = [_ae("S-DL1-1", i, "Headache", SOC_N, "2021-04-01", ser="Y", rel="RELATED", grade=3) for i in range(1, 6)]
    ae += [_ae("S-DL1-2", 1, "Headache", SOC_N, "2021-04-01", rel="POSSIBLY RELATED"),
           _ae("S-DL1-2", 2, "Pyrexia", SOC_G, "2021-04-02", rel="UNLIKELY RELATED"),
           _ae("S-PBO-1", 1, "Pyrexia", SOC_G, "2021-04-02", grade=5, AEOUT="FATAL")]
    s = safety_analysis(_sub(ae)).to_dict()
    ov = {r["arm"]: r for r in s["overview"]}
    assert ov["DL1"]["dosed"] == 4 and ov["DL1"]["any_teae"] == 2 and ov["DL1"]["any_teae_pct"] == 50.0
    assert ov["DL1"]["related_teae"] == 2 and ov["DL1"]["serious"] == 1 and ov["DL1"]["grade3plus"] == 1
    assert ov["DL1"]["related_serious"] == 1 and ov["DL1"]["fatal"] == 0
    assert ov["PBO"]["fatal"] == 1 and ov["PBO"]["grade3plus"] == 1 and ov["PBO"]["control"] is True
    assert s["overview_total"]["any_teae"] == 3 and s["overview_total"]["dosed"] == 6
    # SOC/PT: a subject counts once per SOC and once per PT; sorted by overall frequency
    rows = s["by_soc_pt"]
    assert [(r["soc"], r["pt"]) for r in rows] == [(SOC_G, None), (SOC_G, "Pyrexia"), (SOC_N, None),
                                                    (SOC_N, "Headache")]
    head = rows[3]
    assert head["n"] == 2 and head["by_arm"]["DL1"] == {"n": 2, "pct": 50.0} and head["by_arm"]["PBO"]["n"] == 0
    assert rows[0]["n"] == 2 and rows[0]["by_arm"]["PBO"]["n"] == 1
    # risk differences vs control per PT (Newcombe)
    rd = [r for r in s["risk_differences"] if r["pt"] == "Headache"]
    assert len(rd) == 1 and rd[0]["risk_difference"] == pytest.approx(0.5)
    assert rd[0]["ci_low"] < 0.5 < rd[0]["ci_high"] and s["risk_difference_method"] == "newcombe_hybrid_score"
    # related fatal listing is empty (the fatal AE is not related); deaths listing from AE
    assert s["related_fatal"] == [] and [d["usubjid"] for d in s["deaths"]] == ["S-PBO-1"]


def test_t1_listings_and_aesi_and_late_events():
    ae = [_ae("S-DL1-1", 1, "Teratoma", "Neoplasms benign, malignant and unspecified (incl cysts and polyps)",
              "2021-06-01", ser="Y", rel="RELATED", grade=3),
          _ae("S-DL1-2", 3, "Sepsis", "Infections and infestations", "2021-06-01", ser="Y", rel="Y", grade=5),
          _ae("S-DL1-3", 1, "Infusion related reaction", SOC_G, "2021-03-15", rel="NOT RELATED"),
          _ae("S-DL1-4", 2, "Arthralgia", "Musculoskeletal", "2022-04-01")]
    s = safety_analysis(_sub(ae)).to_dict()
    assert s["related_tumorigenicity"] == [{"usubjid": "S-DL1-1", "aeseq": 1, "aedecod": "Teratoma",
                                            "aebodsys": "Neoplasms benign, malignant and unspecified "
                                                        "(incl cysts and polyps)", "arm": "DL1"}]
    assert [(r["usubjid"], r["aeseq"], r["aedecod"]) for r in s["related_fatal"]] == [("S-DL1-2", 3, "Sepsis")]
    assert {r["aedecod"] for r in s["aesi"]} == {"Teratoma", "Infusion related reaction"}
    # 2022-04-01 is 382 days after 2021-03-15
    assert [(r["usubjid"], r["onset_day"]) for r in s["late_events"]] == [("S-DL1-4", 382.0)]


def test_kaplan_meier_hand_worked():
    # times 1, 2+, 3, 3, 4+, 5 (6 subjects):
    #   t=1: n=6, d=1 -> S = 5/6 ; t=3: n=4, d=2 -> S = 5/6·2/4 = 5/12 ; t=5: n=1, d=1 -> S = 0
    #   Greenwood at t=3: S²·(1/(6·5) + 2/(4·2)) = (5/12)²·0.28333
    km = kaplan_meier([1, 2, 3, 3, 4, 5], [1, 0, 1, 1, 0, 1])
    assert km["TIME"].tolist() == [0, 1, 2, 3, 4, 5]
    assert km["SURVIVAL"].tolist() == pytest.approx([1, 5 / 6, 5 / 6, 5 / 12, 5 / 12, 0])
    assert km["AT_RISK"].tolist() == [6, 6, 5, 4, 2, 1]
    se3 = km.loc[km["TIME"] == 3, "SE"].item()
    assert se3 == pytest.approx(5 / 12 * np.sqrt(1 / 30 + 2 / 8))
    assert km_median(km) == 3.0
    # against statsmodels' product-limit estimator
    sf = SurvfuncRight(np.array([1, 2, 3, 3, 4, 5.0]), np.array([1, 0, 1, 1, 0, 1]))
    ours = km[km["EVENTS"] > 0]
    assert ours["SURVIVAL"].to_numpy() == pytest.approx(sf.surv_prob)
    assert ours["SE"].to_numpy()[:-1] == pytest.approx(sf.surv_prob_se[:-1])


def test_kaplan_meier_log_log_limits_bracket_estimate():
    km = kaplan_meier([2, 4, 4, 6, 8, 9, 12], [1, 1, 0, 1, 0, 1, 0])
    mid = km[(km["SURVIVAL"] > 0) & (km["SURVIVAL"] < 1)]
    assert (mid["CI_LOW"] < mid["SURVIVAL"]).all() and (mid["SURVIVAL"] < mid["CI_HIGH"]).all()
    assert km_median(km) == 9.0


def test_km_first_serious_from_submission():
    ae = [_ae("S-DL1-1", 1, "Sepsis", SOC_G, "2021-03-25", ser="Y"),     # event at day 10
          _ae("S-DL1-1", 2, "Sepsis", SOC_G, "2021-04-25", ser="Y"),     # later serious: ignored
          _ae("S-DL1-2", 1, "Headache", SOC_N, "2021-03-20")]            # not serious
    s = safety_analysis(_sub(ae))
    km = {k.arm: k for k in s.km}
    assert km["DL1"].events == 1 and km["DL1"].n == 4
    curve = km["DL1"].curve
    assert curve.loc[curve["TIME"] == 10, "SURVIVAL"].item() == pytest.approx(0.75)


def test_no_ae_domain_gives_reason_not_error():
    sub = _sub([])
    del sub.datasets["AE"]
    s = safety_analysis(sub).to_dict()
    # no AE: TEAE counts are unknown (null), never 0; the dosed count is still known
    ov = s["overview"][0]
    assert s["reason_code"] == "no_ae" and ov["any_teae"] is None and ov["related_teae"] is None \
        and ov["dosed"] > 0 and s["by_soc_pt"] == []
