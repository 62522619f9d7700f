"""Builders of in-memory submissions for the analysis and figure tests (no files, no sample data)."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from workbench.manifest import Manifest
from workbench.submission import Submission


def manifest(**study) -> Manifest:
    """A manifest with the given ``study`` fields (arms, dlt, primary_endpoint, ...) and MSC product."""
    product = study.pop("product", {"cell_type": "MSC", "commercial_process_version": "P2"})
    return Manifest.model_validate({"submission_id": "T-1", "product": product, "study": study})


def make_sub(datasets: dict[str, list[dict] | pd.DataFrame], man: Manifest | None = None, **kw) -> Submission:
    """A Submission from lists of records per domain (upper-case columns)."""
    ds = {k.upper(): (v if isinstance(v, pd.DataFrame) else pd.DataFrame(v)) for k, v in datasets.items()}
    return Submission(root=Path("."), submission_id="T-1", manifest=man, datasets=ds, **kw)


ARMS = [{"armcd": "PBO", "dose": 0, "control": True},
        {"armcd": "DL1", "dose": 1.0, "dose_unit": "10^6 cells/kg"},
        {"armcd": "DL2", "dose": 3.0, "dose_unit": "10^6 cells/kg"}]


def dm_rows(spec: dict[str, int], start: str = "2021-01-{:02d}") -> list[dict]:
    """DM rows: ``{"DL1": 3}`` -> subjects S-DL1-1..3 in arm DL1."""
    rows = []
    for arm, k in spec.items():
        for i in range(1, k + 1):
            rows.append({"USUBJID": f"S-{arm}-{i}", "ARMCD": arm, "ACTARMCD": arm, "SITEID": "01", "AGE": 50})
    return rows


def ex_rows(spec: dict[str, int], dose: dict[str, float], date: str = "2021-01-10", unit="10^6 cells/kg") -> list[dict]:
    rows = []
    for arm, k in spec.items():
        for i in range(1, k + 1):
            rows.append({"USUBJID": f"S-{arm}-{i}", "EXDOSE": dose[arm], "EXDOSU": unit, "EXSTDTC": date,
                         "EXLOT": f"L-{arm}", "EXROUTE": "INTRAVENOUS"})
    return rows


def build_small_sub() -> Submission:
    """3 arms (PBO, DL1, DL2) x 3 subjects, dosed 2021-01-10, followed to 2023-02-01 except S-DL2-3."""
    spec = {"PBO": 3, "DL1": 3, "DL2": 3}
    dm = dm_rows(spec)
    ex = ex_rows(spec, {"PBO": 0, "DL1": 1.0, "DL2": 3.0})
    sv = [{"USUBJID": r["USUBJID"], "SVSTDTC": "2023-02-01" if r["USUBJID"] != "S-DL2-3" else "2021-01-20",
           "EPOCH": "LONG-TERM FOLLOW-UP" if r["USUBJID"] == "S-DL1-1" else "FOLLOW-UP"} for r in dm]
    ae = [
        {"USUBJID": "S-DL1-1", "AESEQ": 1, "AETERM": "Headache", "AEDECOD": "Headache", "AEBODSYS": "Nervous system disorders",
         "AESTDTC": "2021-01-12", "AESER": "N", "AEREL": "RELATED", "AETOXGR": 1},
        {"USUBJID": "S-DL1-1", "AESEQ": 2, "AETERM": "Headache", "AEDECOD": "Headache", "AEBODSYS": "Nervous system disorders",
         "AESTDTC": "2021-02-12", "AESER": "N", "AEREL": "NOT RELATED", "AETOXGR": 2},
        {"USUBJID": "S-DL2-1", "AESEQ": 1, "AETERM": "Fever", "AEDECOD": "Pyrexia", "AEBODSYS": "General disorders",
         "AESTDTC": "2021-01-11", "AESER": "Y", "AEREL": "RELATED", "AETOXGR": 3, "AEDLT": "Y"},
        {"USUBJID": "S-DL2-2", "AESEQ": 1, "AETERM": "Fever", "AEDECOD": "Pyrexia", "AEBODSYS": "General disorders",
         "AESTDTC": "2022-03", "AESER": "N", "AEREL": "N", "AETOXGR": 1},
        {"USUBJID": "S-PBO-1", "AESEQ": 1, "AETERM": "Headache", "AEDECOD": "Headache", "AEBODSYS": "Nervous system disorders",
         "AESTDTC": "2020-12-01", "AESER": "N", "AEREL": "N", "AETOXGR": 1},   # before dosing: not a TEAE
    ]
    qs = []
    for r in dm:
        u, arm = r["USUBJID"], r["ARMCD"]
        base = 60.0
        delta = {"PBO": -2.0, "DL1": -10.0, "DL2": -25.0}[arm] + int(u[-1])
        qs.append({"USUBJID": u, "QSTESTCD": "WOMACT", "QSSTRESN": base, "QSBLFL": "Y", "VISIT": "BASELINE",
                   "QSDTC": "2021-01-05"})
        qs.append({"USUBJID": u, "QSTESTCD": "WOMACT", "QSSTRESN": base + delta, "VISIT": "WEEK 48",
                   "QSDTC": "2021-12-10"})
    man = manifest(design="randomized_controlled", arms=ARMS,
                   dlt={"window_days": 28, "target_rate": 0.3, "definition": "flag"},
                   primary_endpoint={"domain": "QS", "testcd": "WOMACT", "visit": "WEEK 48", "better": "lower",
                                     "responder_change": -20},
                   stopping_rules=[{"id": "SR1", "scope": "cohort", "min_grade": 3, "related_only": True,
                                    "threshold": 1}])
    return make_sub({"DM": dm, "EX": ex, "SV": sv, "AE": ae, "QS": qs}, man)


def build_large_sub(n_subjects: int = 10_000, lb_per_subject: int = 100, ae_per_subject: int = 10,
                    seed: int = 1) -> Submission:
    """A large synthetic controlled dose-escalation submission, built with numpy (for timing run_analyses)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    arms = np.array(["PBO", "DL1", "DL2", "DL3"])
    doses = {"PBO": 0.0, "DL1": 1.0, "DL2": 3.0, "DL3": 10.0}
    subj = np.array([f"S{i:06d}" for i in range(n_subjects)], dtype=object)
    arm = arms[rng.integers(0, 4, n_subjects)]
    base = np.datetime64("2021-01-01") + rng.integers(0, 365, n_subjects).astype("timedelta64[D]")
    dm = pd.DataFrame({"USUBJID": subj, "ARMCD": arm, "ACTARMCD": arm, "SITEID": "01", "AGE": 50})
    ex = pd.DataFrame({"USUBJID": subj, "EXDOSE": [doses[a] for a in arm], "EXDOSU": "10^6 cells/kg",
                       "EXSTDTC": base.astype(str), "EXLOT": [f"L{i % 20}" for i in range(n_subjects)]})
    k = lb_per_subject
    lb_days = base.repeat(k) + np.tile(np.arange(k) * 8, n_subjects).astype("timedelta64[D]")
    lb = pd.DataFrame({"USUBJID": subj.repeat(k), "LBTESTCD": np.tile(["ALT", "AST", "CRP", "HGB"], n_subjects * k // 4 + 1)[:n_subjects * k],
                       "LBSTRESN": rng.normal(30, 5, n_subjects * k), "LBDTC": lb_days.astype(str),
                       "VISIT": np.tile([f"WEEK {i}" for i in range(k)], n_subjects),
                       "LBBLFL": np.tile(["Y"] + [None] * (k - 1), n_subjects)})
    m = ae_per_subject
    ae_days = base.repeat(m) + rng.integers(-10, 800, n_subjects * m).astype("timedelta64[D]")
    socs = ["General disorders", "Nervous system disorders", "Infections and infestations", "Investigations"]
    pts = {s: [f"{s[:5]} PT{j}" for j in range(15)] for s in socs}
    soc = np.array(socs)[rng.integers(0, 4, n_subjects * m)]
    ae = pd.DataFrame({"USUBJID": subj.repeat(m), "AESEQ": np.tile(np.arange(1, m + 1), n_subjects),
                       "AEBODSYS": soc, "AEDECOD": [pts[s][j] for s, j in zip(soc, rng.integers(0, 15, n_subjects * m))],
                       "AESTDTC": ae_days.astype(str), "AESER": np.where(rng.random(n_subjects * m) < 0.03, "Y", "N"),
                       "AEREL": np.where(rng.random(n_subjects * m) < 0.3, "RELATED", "NOT RELATED"),
                       "AETOXGR": rng.integers(1, 5, n_subjects * m),
                       "AEDLT": np.where(rng.random(n_subjects * m) < 0.01, "Y", None)})
    ae["AETERM"] = ae["AEDECOD"]
    man = manifest(design="randomized_controlled", arms=ARMS + [{"armcd": "DL3", "dose": 10.0,
                                                                   "dose_unit": "10^6 cells/kg"}],
                   primary_endpoint={"domain": "LB", "testcd": "ALT", "visit": "WEEK 48", "better": "lower",
                                     "responder_change": -5},
                   stopping_rules=[{"id": "SR1", "scope": "cohort", "min_grade": 4, "related_only": True,
                                    "threshold": 2}])
    return make_sub({"DM": dm, "EX": ex, "LB": lb, "AE": ae}, man)


def build_rich_sub() -> Submission:
    """build_small_sub plus CMC tables, a death and more AEs: every figure has something to draw."""
    sub = build_small_sub()
    sub.manifest.study.design = "dose_escalation"     # placebo-controlled escalation: an MTD is selected
    sub.datasets["AE"] = pd.concat([sub.datasets["AE"], pd.DataFrame([
        {"USUBJID": "S-PBO-2", "AESEQ": 1, "AETERM": "Fever", "AEDECOD": "Pyrexia", "AEBODSYS": "General disorders",
         "AESTDTC": "2021-02-01", "AESER": "N", "AEREL": "N", "AETOXGR": 1},
        {"USUBJID": "S-DL2-2", "AESEQ": 2, "AETERM": "Sepsis", "AEDECOD": "Sepsis",
         "AEBODSYS": "Infections and infestations", "AESTDTC": "2021-06-01", "AEENDTC": "2021-06-20", "AESER": "Y",
         "AEREL": "NOT RELATED", "AETOXGR": 5, "AEOUT": "FATAL"},
    ])], ignore_index=True)
    sub.datasets["DM"].loc[sub.datasets["DM"]["USUBJID"] == "S-DL2-2", ["DTHFL", "DTHDTC"]] = ["Y", "2021-06-20"]
    lots = ["L-PBO", "L-DL1", "L-DL2", "L-C1", "L-C2", "L-F"]
    sub.batches = pd.DataFrame({"LOTID": lots, "PROCVER": ["P1", "P1", "P1", "P2", "P2", "P2"],
                                "MFGDT": ["2020-01-01", "2020-02-01", "2020-03-01", "2021-01-01", "2021-02-01",
                                          "2021-03-01"],
                                "STATUS": ["RELEASED"] * 5 + ["FAILED"], "FAILREASON": [None] * 5 + ["sterility"]})
    rt = [{"LOTID": l_, "ATTRIBUTE": "VIABILITY", "RESULT": str(v), "UNIT": "%", "SPEC_LOW": 70}
          for l_, v in zip(lots, [92, 94, 96, 99, 80, 75])]
    rt += [{"LOTID": l_, "ATTRIBUTE": "STERILITY", "RESULT": "NEGATIVE" if l_ != "L-F" else "POSITIVE",
            "SPEC_TEXT": "NEGATIVE"} for l_ in lots]
    sub.release_tests = pd.DataFrame(rt)
    return sub
