"""Autologous bone-marrow MSC in decompensated cirrhosis, with manufacturing failures."""
from __future__ import annotations

import numpy as np
import pandas as pd

from .. import cmc
from ..documents import build_documents
from ..finalize import finalize
from ..spec import ArmDef, DeathDef, EfficacyDef, StudySpec, VisitDef, rng_for
from ..study import Study, simulate
from ..summary import summarise
from ..vocab import SOC, STANDARD_LABS, Drug, msc_attributes
from ..writers import Sample
from .common import MFG_SITE, SPONSOR, STOP_TUMOUR, arms_yaml, doc_plan, readme, sites


def auto_msc_cirrhosis() -> Sample:
    title = "自体骨髓间充质干细胞外周静脉输注治疗乙型肝炎相关失代偿期肝硬化的单臂探索性备案临床研究"
    spec = StudySpec(
        studyid="KN-ABM-102", ae_set="cirrhosis", sites=sites(["nanfang", "pla5", "sysu3"]),
        arms=[ArmDef("BMMSC", "Autologous BM-MSC 1.0x10^6 cells/kg x2", 30, 1.0, "10^6 cells/kg", 1.0e6,
                     "cells/kg")],
        visits=[VisitDef(1, "SCREENING", -35, "SCREENING", screening=True),
                VisitDef(2, "BONE MARROW HARVEST", -28, "SCREENING", 0, lb=False),
                VisitDef(3, "DAY 1", 0, "TREATMENT", eff=True),
                VisitDef(4, "WEEK 1", 6, "TREATMENT", 1),
                VisitDef(5, "WEEK 4", 28, "TREATMENT", 0, eff=True),
                VisitDef(6, "WEEK 8", 55, "FOLLOW-UP", 3),
                VisitDef(7, "WEEK 12", 83, "FOLLOW-UP", 5, eff=True),
                VisitDef(8, "WEEK 24", 167, "FOLLOW-UP", 7, eff=True),
                VisitDef(9, "WEEK 48", 335, "FOLLOW-UP", 10, eff=True),
                VisitDef(10, "WEEK 72", 503, "FOLLOW-UP", 10, eff=True),
                VisitDef(11, "WEEK 104", 735, "FOLLOW-UP", 14, eff=True)],
        epochs=[("TREATMENT", 0), ("FOLLOW-UP", 35)], dose_days=[0, 28],
        start="2020-09-07", cutoff="2024-03-31", extrt="AUTOLOGOUS BM-MSC (KN-BM01)", exroute="INTRAVENOUS",
        schedule="parallel", enrol_span=420, consent_to_dose=(33, 40), age=(50, 9, 25, 70), female=0.25,
        labs=STANDARD_LABS + ["INR"],
        lab_overrides={"ALB": (30, 4), "BILI": (38, 12), "PLAT": (75, 25), "INR": (1.45, 0.15), "ALT": (45, 15),
                       "AST": (60, 18), "HGB": (112, 14), "AFP": (6, 3)},
        efficacy=EfficacyDef("LB", "MELD", "MELD Score", "CLINICAL SCORE", "", "WEEK 24", (15.5, 3.0), (6, 40),
                             {"BMMSC": (-3.0, 3.5)},
                             {"WEEK 4": 0.3, "WEEK 12": 0.7, "WEEK 48": 1.0, "WEEK 72": 0.9, "WEEK 104": 0.8},
                             noise=1.0),
        ae_per_subject=6, ae_horizon=730, n_nottrt=5, nottrt_day=-3, rfst_visit="BONE MARROW HARVEST",
        deaths=[DeathDef("BMMSC", 402, "Hepatic failure", SOC["hep"], "DECOMPENSATED HEPATIC FAILURE"),
                DeathDef("BMMSC", 618, "Oesophageal varices haemorrhage", SOC["gi"], "OESOPHAGEAL VARICEAL BLEEDING")],
        n_screen_fail=4, ie_criteria=[("IN03", "Child-Pugh class B or C, MELD 10-25", "INCLUSION"),
                                      ("EX04", "Hepatocellular carcinoma on imaging", "EXCLUSION"),
                                      ("EX05", "Active gastrointestinal bleeding within 4 weeks", "EXCLUSION")],
        cm_background=[(Drug("ENTECAVIR", "ENTECAVIR", "DIRECT ACTING ANTIVIRALS", 0.5, "mg", "QD", "ORAL"), 0.95),
                       (Drug("SPIRONOLACTONE", "SPIRONOLACTONE", "DIURETICS", 40, "mg", "QD", "ORAL"), 0.7),
                       (Drug("PROPRANOLOL", "PROPRANOLOL", "BETA BLOCKING AGENTS", 10, "mg", "BID", "ORAL"), 0.5)],
        primary_dx=("HEPATITIS B RELATED DECOMPENSATED CIRRHOSIS", "Hepatic cirrhosis", SOC["hep"]),
        dx_years=(2, 12), lot_scheme="autologous", lot_prefix="ABM", harvest_day=-28, procver=[("P2", None)],
        seed=303)
    study = simulate(spec)
    dosed = study.dosed()
    study.add_ae(dosed[4], 140, "Peritonitis bacterial", SOC["inf"], "SPONTANEOUS BACTERIAL PERITONITIS", 3, True,
                 "NOT RELATED", 14)
    study.add_ae(dosed[15], 260, "Hepatic encephalopathy", SOC["nerv"], "HEPATIC ENCEPHALOPATHY GRADE 3", 3, True,
                 "NOT RELATED", 8)
    cmc.mark_failed(study, [("FAILED", "insufficient expansion"), ("FAILED", "bacterial contamination"),
                            ("FAILED", "insufficient expansion"), ("REJECTED", "mycoplasma contamination"),
                            ("REJECTED", "post-thaw viability below specification")])
    slow = _operators(study, rng_for(spec.seed, "operators"))
    _coherent_meld(study)
    domains = finalize(study)
    manifest = {
        "submission_id": spec.studyid, "title": title, "sponsor": SPONSOR["kangning"],
        "product": {"name": "KN-BM01 自体骨髓间充质干细胞注射液", "cell_type": "MSC", "source": "autologous",
                    "gene_modified": False, "commercial_process_version": "P2"},
        "study": {
            "design": "single_arm", "stage": "exploratory", "first_in_human": False, "blinding": "open",
            "independent_review_committee": False, "population": "patients",
            "indication": "hepatitis B related decompensated liver cirrhosis", "life_threatening": False,
            "arms": arms_yaml(spec),
            "dlt": {"window_days": 28, "target_rate": 0.3, "definition": "grade", "min_grade": 3},
            "stopping_rules": [{"id": "SR1", "description": "two or more related grade >=4 adverse events",
                                "scope": "study", "min_grade": 4, "related_only": True, "serious_only": False,
                                "terms": [], "threshold": 2}, STOP_TUMOUR],
            "primary_endpoint": {"domain": "LB", "testcd": "MELD", "visit": "WEEK 24", "type": "clinical",
                                 "better": "lower"},
            "followup": {"required_days": 730},
            "background_therapy": ["ENTECAVIR"], "aesi_terms": []},
        "next_stage": {"stage": "exploratory", "dose": 1.0e6, "dose_unit": "cells/kg",
                       "frequency": {"administrations": 2, "interval_days": 28},
                       "population": "hepatitis B related decompensated cirrhosis, MELD 10-25"},
        "prior_exploratory_evidence": False}
    plan = doc_plan(spec, "kangning", manifest["product"]["name"], title, biodistribution=True)
    docs = build_documents(study, plan)
    rng = rng_for(spec.seed, "cmc")
    sex = dict(zip(study.subj.index, study.subj["SEX"]))
    kary = {lot: "46,XX" if sex[si] == "F" else "46,XY" for lot, si in zip(study.lots["LOTID"], study.lots["_si"])}
    release = cmc.release_table(study, msc_attributes(), rng, karyotypes=kary, commercial="P2")
    sample = Sample(
        name="auto-msc-cirrhosis",
        readme=readme("auto-msc-cirrhosis", (
            "Single-arm exploratory study of autologous bone-marrow MSC (two infusions, 1x10^6 cells/kg) in "
            "hepatitis B related decompensated cirrhosis across 3 sites, in mixed XLSX, CSV, SAS v8 and Parquet "
            "files: 30 subjects enrolled and harvested, 5 lots failed or were rejected (contamination, insufficient "
            "expansion, low viability) so 5 subjects were never dosed (DS 'MANUFACTURING FAILURE', ACTARMCD NOTTRT); "
            "it shows a clear MELD improvement at week 24 in the 25 dosed subjects and a clean package whose "
            "proposed tier is T3 (manufacturing failures are information only). EX records who thawed and infused "
            "the cells (EXOPER): the subjects of one newly trained operator improved less, an operator effect that "
            "EFF-005 shows to the reviewer (G-2.1.3b).")),
        datasets=domains, formats={"DM": "xlsx", "DS": "xlsx", "EX": "xlsx", "AE": "csv", "CM": "csv", "MH": "csv",
                                   "SV": "csv", "IE": "csv", "LB": "xpt8", "VS": "parquet"},
        default_format="csv", manifest=manifest, batches=cmc.batches_table(study, MFG_SITE["kangning"]),
        release=release, docs=docs, doc_plan=plan, studyid=spec.studyid)
    planted = [{"check_id": "EFF-005", "severity": "info", "usubjid": None, "record": "BY=OPERATOR", "domain": "EX",
                "what": f"operator effect: MELD improved less in the subjects infused by {SLOW_OPERATOR} "
                        f"({', '.join(slow)})"}]
    sample.expectations = {"tier": "T3", "mtd_arm": None, "efficacy_signal": True, "stopping_rules_met": [],
                           "planted_findings": planted, **summarise(sample, study)}
    return sample


SLOW_OPERATOR = "02-OP2"   # newly trained: thawed and prepared the cells of site 02's later subjects
OPERATORS = {"01": ["01-OP1", "01-OP2"], "02": ["02-OP1", SLOW_OPERATOR], "03": ["03-OP1"]}


def _operators(study: Study, rng: np.random.Generator) -> list[str]:
    """EX.EXOPER: the operator who thawed, prepared and infused the cells (one per subject, from the site's staff;
    at site 02 the later subjects by the newly trained operator). Their subjects' MELD improves 3 points less from
    week 4 on. Returns those subjects."""
    s, ex = study.subj, study.tables["EX"]
    dosed = s[s["dosed"]].sort_values(["dose0", "USUBJID"], kind="stable")
    op: dict[int, str] = {}
    for sid, g in dosed.groupby("SITEID", sort=True):
        staff = OPERATORS[sid]
        for k, si in enumerate(g.index):
            op[si] = SLOW_OPERATOR if sid == "02" and k >= len(g) // 2 else staff[int(rng.integers(0, len(staff) - (sid == "02")))]
    ex["EXOPER"] = ex["_si"].map(op).astype(object)
    slow = sorted(int(si) for si, o in op.items() if o == SLOW_OPERATOR)
    lb = study.tables["LB"]
    dose0 = s["dose0"].to_numpy(dtype=float)
    hit = (lb["LBTESTCD"] == "MELD").to_numpy() & lb["_si"].isin(slow).to_numpy() & \
        (lb["LBDTC"].to_numpy(dtype=float) - dose0[lb["_si"].to_numpy(dtype=int)] >= 20)
    new = np.minimum(lb.loc[hit, "LBSTRESN"].to_numpy(dtype=float) + 3, 40)
    lb.loc[hit, "LBSTRESN"] = new
    txt = pd.Series(new).map(lambda v: f"{v:g}").to_numpy(dtype=object)
    lb.loc[hit, "LBORRES"] = txt
    lb.loc[hit, "LBSTRESC"] = txt
    return [s.at[si, "USUBJID"] for si in slow]


def _coherent_meld(study: Study) -> None:
    """Bilirubin consistent with MELD, INR and creatinine at each visit (MELD = 3.78 ln bili[mg/dL] + 11.2 ln INR
    + 9.57 ln creat[mg/dL] + 6.43, UNOS; inputs floored at 1)."""
    lb = study.tables["LB"]
    key = ["_si", "LBDTC"]
    meld = lb[lb["LBTESTCD"] == "MELD"].set_index(key)["LBSTRESN"]
    inr = lb[lb["LBTESTCD"] == "INR"].set_index(key)["LBSTRESN"].reindex(meld.index)
    cr = lb[lb["LBTESTCD"] == "CREAT"].set_index(key)["LBSTRESN"].reindex(meld.index) / 88.4
    ln_bili = (meld - 6.43 - 11.2 * np.log(np.maximum(inr, 1)) - 9.57 * np.log(np.maximum(cr, 1))) / 3.78
    bili = np.round(np.maximum(np.exp(ln_bili), 0.8) * 17.1, 1)
    m = (lb["LBTESTCD"] == "BILI").to_numpy()
    idx = pd.MultiIndex.from_frame(lb.loc[m, key])
    new = bili.reindex(idx).to_numpy()
    ok = ~np.isnan(new)
    rows = np.flatnonzero(m)[ok]
    lb.loc[rows, "LBSTRESN"] = new[ok]
    txt = np.char.mod("%.1f", new[ok]).astype(object)
    lb.loc[rows, "LBORRES"] = txt
    lb.loc[rows, "LBSTRESC"] = txt
    lb.loc[rows, "LBNRIND"] = np.where(new[ok] > 20.5, "HIGH", np.where(new[ok] < 3.4, "LOW", "NORMAL"))
