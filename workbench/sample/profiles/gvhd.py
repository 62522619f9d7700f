"""Dose escalation of umbilical-cord MSC in steroid-refractory acute GVHD with an unreviewed stopping rule."""
from __future__ import annotations

import numpy as np
import pandas as pd

from .. import cmc
from ..documents import build_documents
from ..finalize import dlt_column, finalize
from ..long_term import PersistenceAssay, persistence
from ..spec import ArmDef, DeathDef, EfficacyDef, StudySpec, VisitDef, rng_for
from ..study import simulate
from ..summary import summarise
from ..vocab import SOC, STANDARD_LABS, Drug, msc_attributes
from ..writers import Sample
from .common import MFG_SITE, SPONSOR, arms_yaml, doc_plan, donor_karyotypes, readme, sites


def safety_signal_agvhd() -> Sample:
    title = "人脐带间充质干细胞治疗激素耐药急性移植物抗宿主病的剂量递增探索性备案临床研究"
    spec = StudySpec(
        studyid="TY-GVHD-104", ae_set="gvhd", sites=sites(["pkuph", "suda1", "nanfang"]),
        arms=[ArmDef("DL1", "UC-MSC 1.0x10^6 cells/kg weekly x4", 3, 1.0, "10^6 cells/kg", 1.0e6, "cells/kg"),
              ArmDef("DL2", "UC-MSC 2.0x10^6 cells/kg weekly x4", 3, 2.0, "10^6 cells/kg", 2.0e6, "cells/kg"),
              ArmDef("DL3", "UC-MSC 4.0x10^6 cells/kg weekly x4", 6, 4.0, "10^6 cells/kg", 4.0e6, "cells/kg")],
        visits=[VisitDef(1, "SCREENING", -5, "SCREENING", screening=True),
                VisitDef(2, "DAY 1", 0, "TREATMENT", eff=True),
                VisitDef(3, "DAY 8", 7, "TREATMENT", 0),
                VisitDef(4, "DAY 15", 14, "TREATMENT", 0),
                VisitDef(5, "DAY 22", 21, "TREATMENT", 0),
                VisitDef(6, "DAY 28", 27, "TREATMENT", 1, eff=True),
                VisitDef(7, "DAY 56", 55, "FOLLOW-UP", 3, eff=True),
                VisitDef(8, "DAY 100", 99, "FOLLOW-UP", 5, eff=True),
                VisitDef(9, "MONTH 6", 181, "FOLLOW-UP", 7),
                VisitDef(10, "MONTH 12", 364, "FOLLOW-UP", 10),
                VisitDef(11, "MONTH 18", 546, "FOLLOW-UP", 14),
                VisitDef(12, "MONTH 24", 735, "FOLLOW-UP", 14)],
        epochs=[("TREATMENT", 0), ("FOLLOW-UP", 29)], dose_days=[0, 7, 14, 21],
        start="2020-05-11", cutoff="2023-03-31", extrt="UC-MSC (TY-UCM02)", exroute="INTRAVENOUS",
        schedule="escalation", cohorts=[("DL1", 3), ("DL2", 3), ("DL3", 3), ("DL3", 3)], sentinel=7, cohort_gap=35,
        consent_to_dose=(2, 5), age=(38, 12, 18, 65), female=0.45, labs=STANDARD_LABS,
        lab_overrides={"PLAT": (85, 30), "HGB": (95, 12), "WBC": (4.0, 1.5), "ALB": (32, 4)},
        efficacy=EfficacyDef("RS", "GVHDGRD", "Acute GVHD Overall Grade (MAGIC)", "MAGIC CRITERIA", "", "DAY 28",
                             (3.1, 0.5), (0, 4), {"DL1": (-1.3, 1.0), "DL2": (-1.5, 1.0), "DL3": (-1.7, 1.0)},
                             {"DAY 56": 1.1, "DAY 100": 1.2}),
        ae_per_subject=10, ae_horizon=730,
        deaths=[DeathDef("DL1", 210, "Acute graft versus host disease", SOC["immune"], "PROGRESSIVE GUT ACUTE GVHD"),
                DeathDef("DL2", 130, "Bronchopulmonary aspergillosis", SOC["inf"], "INVASIVE PULMONARY ASPERGILLOSIS"),
                DeathDef("DL3", 320, "Acute myeloid leukaemia recurrent", SOC["neo"], "AML RELAPSE"),
                DeathDef("DL3", 95, "Septic shock", SOC["inf"], "SEPTIC SHOCK")],
        n_screen_fail=2, ie_criteria=[("IN02", "Grade II-IV acute GVHD refractory to methylprednisolone 2 mg/kg",
                                       "INCLUSION"),
                                      ("EX03", "Uncontrolled infection", "EXCLUSION")],
        cm_background=[(Drug("METHYLPREDNISOLONE", "METHYLPREDNISOLONE", "CORTICOSTEROIDS FOR SYSTEMIC USE", 1,
                             "mg/kg", "QD", "INTRAVENOUS"), 1.0),
                       (Drug("CICLOSPORIN", "CICLOSPORIN", "CALCINEURIN INHIBITORS", 100, "mg", "BID", "ORAL"), 0.9),
                       (Drug("POSACONAZOLE", "POSACONAZOLE", "ANTIMYCOTICS FOR SYSTEMIC USE", 300, "mg", "QD",
                             "ORAL"), 0.7)],
        primary_dx=("STEROID-REFRACTORY ACUTE GVHD", "Acute graft versus host disease", SOC["immune"]),
        dx_years=(0, 0), lot_prefix="TYU", admins_per_lot=8, procver=[("P2", None)], seed=505)
    study = simulate(spec)
    coh = study.subj.set_index("USUBJID")
    c4 = [u for u in study.dosed("DL3") if coh.at[u, "cohort"] == 4]
    alive = [u for u in c4 if coh.at[u, "fate"] != "DEATH"] + [u for u in c4 if coh.at[u, "fate"] == "DEATH"]
    a, b = alive[0], alive[1]
    study.add_ae(a, 9, "Pulmonary embolism", SOC["resp"], "PULMONARY EMBOLISM AFTER INFUSION", 4, True, "RELATED",
                 20, dlt=True)
    study.add_ae(b, 17, "Sepsis", SOC["inf"], "KLEBSIELLA SEPSIS", 4, True, "POSSIBLY RELATED", 14, dlt=True)
    # the pulmonary embolism ends treatment for subject a (infusions 3 and 4 not given); follow-up continues
    ia = study.si(a)
    d0a = float(study.subj.at[ia, "dose0"])
    ex = study.tables["EX"]
    study.tables["EX"] = ex[~((ex["_si"] == ia) & (ex["EXSTDTC"] > d0a + 9))].reset_index(drop=True)
    ae = study.tables["AE"]
    ae.loc[(ae["_si"] == ia) & (ae["AEDECOD"] == "Pulmonary embolism"), "AEACN"] = "DRUG WITHDRAWN"
    ds = study.tables["DS"]
    stop = pd.DataFrame([{"_si": ia, "USUBJID": a, "DSTERM": "PULMONARY EMBOLISM", "DSDECOD": "ADVERSE EVENT",
                          "DSCAT": "DISPOSITION EVENT", "DSSTDTC": d0a + 10}])
    study.tables["DS"] = pd.concat([ds, stop], ignore_index=True)
    study.tables["PC"] = persistence(study, DONOR_DNA, rng_for(spec.seed, "persistence"))
    domains = finalize(study)
    domains["AE"] = domains["AE"].assign(AEDLT=dlt_column(study, 28))
    _gvhd_response(domains, spec)
    manifest = {
        "submission_id": spec.studyid, "title": title, "sponsor": SPONSOR["tianyuan"],
        "product": {"name": "TY-UCM02 人脐带间充质干细胞注射液", "cell_type": "MSC", "source": "allogeneic",
                    "gene_modified": False, "commercial_process_version": "P2"},
        "study": {
            "design": "dose_escalation", "stage": "exploratory", "first_in_human": False, "blinding": "open",
            "independent_review_committee": False, "population": "patients",
            "indication": "steroid-refractory acute graft-versus-host disease (grade II-IV)",
            "life_threatening": True, "arms": arms_yaml(spec),
            "dlt": {"definition": "flag", "min_grade": 3},   # window and target rate not declared (ADM-007)
            "stopping_rules": [{"id": "SR1", "description": "two or more related grade >=4 adverse events in one "
                                "cohort", "scope": "cohort", "min_grade": 4, "related_only": True,
                                "serious_only": False, "terms": [], "threshold": 2},
                               {"id": "SR2", "description": "any treatment-related death", "scope": "study",
                                "min_grade": 5, "related_only": True, "serious_only": False, "terms": [],
                                "threshold": 1}],
            "primary_endpoint": {"domain": "RS", "testcd": "GVHDGRD", "visit": "DAY 28", "type": "clinical",
                                 "better": "lower"},
            "followup": {"required_days": 730}, "background_therapy": [], "aesi_terms": ["Pulmonary embolism"]},
        "next_stage": {"stage": "exploratory", "dose": 2.0e6, "dose_unit": "cells/kg",
                       "frequency": {"administrations": 4, "interval_days": 7},
                       "population": "steroid-refractory grade II-IV acute GVHD, with revised stopping rules"},
        "prior_exploratory_evidence": False}
    plan = doc_plan(spec, "tianyuan", manifest["product"]["name"], title, biodistribution=True, stopping_review=False)
    docs = build_documents(study, plan)
    rng = rng_for(spec.seed, "cmc")
    release = cmc.release_table(study, msc_attributes(), rng, karyotypes=donor_karyotypes(study, rng),
                                commercial="P2")
    sample = Sample(
        name="safety-signal-agvhd",
        readme=readme("safety-signal-agvhd", (
            "Dose escalation of allogeneic umbilical-cord MSC (weekly x4 at 1, 2 and 4x10^6 cells/kg; 3+3+6 dosed) "
            "in life-threatening steroid-refractory acute GVHD, in SAS transport v8 files with the DLT flag as an "
            "AE column (AEDLT); two related grade 4 serious events (pulmonary embolism, sepsis) in the top cohort "
            "meet stopping rule SR1 and no STOPPING_RULE_REVIEW was filed, and the related serious TEAE rate in "
            "DL3 is 2/6 (the embolism also ended that subject's treatment: DS 'ADVERSE EVENT' for the treatment "
            "epoch, then follow-up completed); dosing went on in DL3 after the rule was met (SAF-010), and "
            "submission.yaml leaves the DLT window and target rate undeclared (ADM-007: the reviewer's defaults are "
            "used); donor-specific DNA in blood (PC, qPCR) shows how long the cells persist; it shows a "
            "high-safety-risk conclusion (proposed tier T1) despite GVHD responses.")),
        datasets=domains, formats={}, default_format="xpt8", manifest=manifest,
        batches=cmc.batches_table(study, MFG_SITE["tianyuan"]), release=release, docs=docs, doc_plan=plan,
        studyid=spec.studyid)
    planted = [{"check_id": "SAF-005", "severity": "major", "usubjid": None, "record": "SR1", "domain": "AE",
                "what": "stopping rule SR1 met in DL3 (2 subjects with related grade 4 AEs: "
                        f"{a}, {b}) without a STOPPING_RULE_REVIEW document"}]
    planted += [{"check_id": "SAF-010", "severity": "major", "usubjid": u, "record": "RULE=SR1", "domain": "EX",
                 "what": "dosed after stopping rule SR1 was met, with no STOPPING_RULE_REVIEW"}
                for u in _dosed_after(domains, study, a, b)]
    planted.append({"check_id": "ADM-007", "severity": "minor", "usubjid": None, "record": "FIELD=study.dlt",
                    "domain": None, "what": "dose escalation without a declared DLT window and target rate"})
    sample.expectations = {"tier": "T1", "mtd_arm": "DL3", "efficacy_signal": True,
                           "stopping_rules_met": [{"id": "SR1", "arm": "DL3", "subjects": [a, b]}],
                           "tier_criteria_met": ["T1.stopping_rule_unresolved", "T1.related_sae_rate"],
                           "planted_findings": planted, **summarise(sample, study)}
    return sample


DONOR_DNA = PersistenceAssay(
    "DONORDNA", "Donor-Specific DNA (qPCR)", "BLOOD", "copies/ug DNA", 10.0,
    {"DAY 8": (0.9, 180.0), "DAY 15": (0.9, 200.0), "DAY 22": (0.85, 210.0), "DAY 28": (0.8, 150.0),
     "DAY 56": (0.45, 40.0), "DAY 100": (0.15, 15.0), "MONTH 6": (0.03, 12.0)}, 2.0e6)


def _dosed_after(domains: dict, study, a: str, b: str) -> list[str]:
    """Subjects with an administration after the later onset of the two events that met SR1 (no review filed)."""
    ae = study.tables["AE"]
    onset = ae[ae["USUBJID"].isin([a, b]) & ae["_dlt"].eq("Y")]["AESTDTC"].astype(float).max()
    ex = study.tables["EX"]
    return sorted(set(ex.loc[ex["EXSTDTC"].astype(float) > onset, "USUBJID"]))


def _gvhd_response(domains: dict, spec: StudySpec) -> None:
    """Add RSTESTCD OVRLRESP (CR / PR / NR) derived from the MAGIC grade at each post-baseline assessment."""
    rs = domains["RS"]
    g = rs[rs["RSTESTCD"] == "GVHDGRD"]
    base = g[g["RSBLFL"] == "Y"].set_index("USUBJID")["RSSTRESN"]
    post = g[g["RSBLFL"] != "Y"].copy()
    b = post["USUBJID"].map(base).to_numpy()
    v = post["RSSTRESN"].to_numpy()
    resp = np.where(v == 0, "CR", np.where(v < b, "PR", "NR")).astype(object)
    post["RSTESTCD"] = "OVRLRESP"
    post["RSTEST"] = "Overall Response of Acute GVHD"
    post["RSORRES"] = resp
    post["RSSTRESC"] = resp
    post["RSSTRESN"] = np.nan
    post["RSORRESU"] = None
    post["RSSTRESU"] = None
    both = pd.concat([rs, post], ignore_index=True).sort_values(["USUBJID", "RSDTC", "RSTESTCD"], kind="stable")
    both["RSSEQ"] = both.groupby("USUBJID").cumcount() + 1
    domains["RS"] = both.reset_index(drop=True)
