"""Randomised placebo-controlled umbilical-cord MSC study in knee osteoarthritis (also the scaled study)."""
from __future__ import annotations

from .. import cmc
from ..documents import build_documents
from ..finalize import finalize
from ..long_term import ImmuneTest, immunogenicity, trial_summary
from ..spec import ArmDef, DeathDef, EfficacyDef, StudySpec, VisitDef, rng_for
from ..study import Study, simulate
from ..summary import summarise
from ..vocab import HOSPITAL_ORDER, SOC, STANDARD_LABS, Drug, msc_attributes
from ..writers import Sample
from .common import (MFG_SITE, SPONSOR, STOP_TUMOUR, arms_yaml, doc_plan, donor_karyotypes, readme,
                     sites)


def rct_spec(n_per_arm: int = 60, seed: int = 202, n_sites: int = 6, ae_per_subject: float = 4.0,
             scaled: bool = False, cutoff: str = "2024-09-30", ongoing_at_cutoff: bool = False) -> StudySpec:
    LT = "LONG-TERM FOLLOW-UP"
    keys = ["sph", "westchina", "xiangya", "pkuph", "qilu", "zju1"]
    keys += [k for k in HOSPITAL_ORDER if k not in keys]
    n_sites = min(n_sites, len(keys))
    n_total = 3 * n_per_arm
    return StudySpec(
        studyid="UCM-KOA-201" if not scaled else "UCM-KOA-201S", ae_set="koa", sites=sites(keys[:n_sites]),
        arms=[ArmDef("DL1", "UC-MSC 2.0x10^7 cells", n_per_arm, 20.0, "10^6 cells", 2.0e7, "cells"),
              ArmDef("DL2", "UC-MSC 5.0x10^7 cells", n_per_arm, 50.0, "10^6 cells", 5.0e7, "cells"),
              ArmDef("PBO", "Placebo", n_per_arm, 0.0, "10^6 cells", 0.0, None, control=True)],
        visits=[VisitDef(1, "SCREENING", -21, "SCREENING", screening=True),
                VisitDef(2, "DAY 1", 0, "TREATMENT", eff=True),
                VisitDef(3, "WEEK 1", 6, "TREATMENT", 1),
                VisitDef(4, "WEEK 4", 27, "FOLLOW-UP", 3, eff=True),
                VisitDef(5, "WEEK 12", 83, "FOLLOW-UP", 5, eff=True),
                VisitDef(6, "WEEK 24", 167, "FOLLOW-UP", 7, eff=True),
                VisitDef(7, "WEEK 48", 335, "FOLLOW-UP", 10, eff=True),
                VisitDef(8, "MONTH 18", 546, LT, 14, eff=True),
                VisitDef(9, "MONTH 24", 735, LT, 14, eff=True)],
        epochs=[("TREATMENT", 0), ("FOLLOW-UP", 8), (LT, 350)],
        start="2021-03-15", cutoff=cutoff, extrt="UC-MSC (TY-UCM02)", exroute="INTRA-ARTICULAR",
        schedule="parallel", enrol_span=min(420, 120 + n_total // 2), consent_to_dose=(7, 28),
        age=(60, 7, 40, 75), female=0.68, labs=STANDARD_LABS,
        efficacy=EfficacyDef("QS", "WOMACT", "WOMAC Total Score", "WOMAC", "", "WEEK 48", (50, 10), (0, 96),
                             {"PBO": (-12.0, 10.0), "DL1": (-19.0, 10.0), "DL2": (-21.0, 10.0)},
                             {"WEEK 4": 0.35, "WEEK 12": 0.65, "WEEK 24": 0.9, "MONTH 18": 0.95, "MONTH 24": 0.9},
                             noise=4.0, components=[("WOMACP", "WOMAC Pain Subscale", 20 / 96),
                                                    ("WOMACS", "WOMAC Stiffness Subscale", 8 / 96),
                                                    ("WOMACF", "WOMAC Physical Function Subscale", 68 / 96)]),
        ae_per_subject=ae_per_subject, ae_horizon=730, sae_fraction=0.04,
        n_withdraw=max(1, round(n_total * 0.055)), withdraw_days=(360, 700),
        deaths=[DeathDef("DL2", 590, "Myocardial infarction", SOC["card"], "ACUTE MYOCARDIAL INFARCTION")],
        n_death=max(0, round(n_total * 0.004) - 1), death_days=(400, 700),
        n_screen_fail=max(2, round(n_total * 0.08)), ie_criteria=[
            ("IN03", "Kellgren-Lawrence grade 2-3 on standing radiograph", "INCLUSION"),
            ("IN05", "WOMAC total score >= 30 at screening", "INCLUSION"),
            ("EX02", "Intra-articular corticosteroid within 3 months", "EXCLUSION"),
            ("EX06", "Inflammatory arthritis", "EXCLUSION")],
        cm_background=[(Drug("CELECOXIB", "CELECOXIB", "ANTIINFLAMMATORY AND ANTIRHEUMATIC PRODUCTS, NON-STEROIDS",
                             200, "mg", "QD", "ORAL"), 0.45),
                       (Drug("GLUCOSAMINE", "GLUCOSAMINE", "OTHER ANTIINFLAMMATORY AND ANTIRHEUMATIC AGENTS", 1500,
                             "mg", "QD", "ORAL"), 0.3)],
        primary_dx=("OSTEOARTHRITIS OF THE TARGET KNEE", "Osteoarthritis", SOC["msk"]), dx_years=(2, 10),
        lot_prefix="UCM", admins_per_lot=10 if not scaled else max(10, n_total // 40),
        procver=[("P1", 5), ("P2", None)], randomized=True, ongoing_at_cutoff=ongoing_at_cutoff, seed=seed)


def rct_manifest(spec: StudySpec, title: str) -> dict:
    return {
        "submission_id": spec.studyid, "title": title, "sponsor": SPONSOR["tianyuan"],
        "product": {"name": "TY-UCM02 人脐带间充质干细胞注射液", "cell_type": "MSC", "source": "allogeneic",
                    "gene_modified": False, "commercial_process_version": "P2"},
        "study": {
            "design": "randomized_controlled", "stage": "exploratory_and_confirmatory", "first_in_human": False,
            "blinding": "double", "independent_review_committee": True, "population": "patients",
            "indication": "knee osteoarthritis (Kellgren-Lawrence grade 2-3)", "life_threatening": False,
            "arms": arms_yaml(spec),
            "dlt": {"window_days": 28, "target_rate": 0.3, "definition": "grade", "min_grade": 3},
            "stopping_rules": [{"id": "SR1", "description": "two or more related grade >=4 adverse events in one arm",
                                "scope": "cohort", "min_grade": 4, "related_only": True, "serious_only": False,
                                "terms": [], "threshold": 2}, STOP_TUMOUR],
            "primary_endpoint": {"domain": "QS", "testcd": "WOMACT", "visit": "WEEK 48", "type": "clinical",
                                 "better": "lower", "responder_change": -20},
            "followup": {"required_days": 730},
            "background_therapy": ["CELECOXIB", "GLUCOSAMINE"],
            "aesi_terms": ["Joint effusion"]},
        "next_stage": {"stage": "confirmatory", "dose": 5.0e7, "dose_unit": "cells", "frequency": {"administrations": 1},
                       "population": "adults with knee osteoarthritis (Kellgren-Lawrence grade 2-3) after failure of "
                                     "conservative treatment"},
        "prior_exploratory_evidence": True}


def rct_build(spec: StudySpec, name: str, plant_extras: bool = True, binder: bool = False) -> tuple[Sample, Study]:
    title = "同种异体人脐带间充质干细胞（TY-UCM02）关节腔注射治疗膝骨关节炎的随机、双盲、安慰剂对照备案临床研究"
    study = simulate(spec)
    if plant_extras:
        # one related serious post-injection flare in the high dose; one unrelated neoplasm (AESI) under placebo
        study.add_ae(study.dosed("DL2")[7], 2, "Joint effusion", SOC["msk"], "SEVERE KNEE EFFUSION AFTER INJECTION", 3,
                     True, "RELATED", 9)
        study.add_ae(study.dosed("PBO", completed=True)[11], 400, "Lung adenocarcinoma", SOC["neo"],
                     "LUNG ADENOCARCINOMA", 3, True, "NOT RELATED", None)
    rng = rng_for(spec.seed, "cmc")
    cmc.add_failed_lots(study, [("REJECTED", "endotoxin above specification", "P2")], rng)
    if plant_extras:   # donor-specific anti-HLA antibodies after an allogeneic product (G-2.3.2b, G-3.1a)
        study.tables["IS"] = immunogenicity(study, [DSA], rng_for(spec.seed, "immunogenicity"))
    domains = finalize(study)
    if spec.ongoing_at_cutoff:   # the cut-off of the data, so that subjects still followed are seen as such
        domains["TS"] = trial_summary(spec.studyid, spec.cutoff, "UC-MSC in knee osteoarthritis (TY-UCM02)")
    manifest = rct_manifest(spec, title)
    plan = doc_plan(spec, "tianyuan", manifest["product"]["name"], title, comparability=True, commercial="P2",
                 sap_before=float(study.subj["dose0"].max()) + 300, binder=binder)
    docs = build_documents(study, plan)
    kary = donor_karyotypes(study, rng)
    release = cmc.release_table(study, msc_attributes(), rng, karyotypes=kary, commercial="P2")
    sample = Sample(name=name, readme="", datasets=domains, formats={"DM": "csv-bom", "DS": "csv-bom"},
                    default_format="parquet", manifest=manifest, batches=cmc.batches_table(study, MFG_SITE["tianyuan"]),
                    release=release, cmc_format="csv-bom", docs=docs, doc_plan=plan, index_format="csv-bom",
                    studyid=spec.studyid)
    return sample, study



DSA = ImmuneTest("DSA", "Donor-Specific Anti-HLA Antibody", "ALLOANTIBODY", "SERUM",
                 ("SCREENING", "WEEK 4", "WEEK 24", "WEEK 48"), 0.03, {"DL1": 0.05, "DL2": 0.08, "PBO": 0.0})
KOA_CUTOFF = "2023-10-11"   # eight subjects are still in their second year of follow-up at the cut-off


def rct_ucmsc_koa() -> Sample:
    sample, study = rct_build(rct_spec(cutoff=KOA_CUTOFF, ongoing_at_cutoff=True), "rct-ucmsc-koa")
    sample.readme = readme("rct-ucmsc-koa", (
        "Randomised, double-blind, placebo-controlled study of allogeneic umbilical-cord MSC in knee osteoarthritis "
        "(DL1 2x10^7 cells, DL2 5x10^7 cells, placebo; 60 per arm, 6 sites) with 2-year follow-up including a "
        "separately consented long-term follow-up epoch, a process change P1->P2 covered by a comparability report, "
        "Parquet datasets and UTF-8-with-BOM CSV; it shows a clear WOMAC benefit at week 48 (about -8 points versus "
        "placebo) and a complete package whose proposed tier is T4. At the data cut-off (TS DCUTDTC 2023-10-11) "
        "eight subjects are still in their second year of follow-up (DS 'ONGOING'): FUP-002 lists each with the "
        "expected completion date, and they do not block T4 (long-term follow-up need not be complete, guideline "
        "三（一）). Donor-specific anti-HLA antibodies (IS) and the WOMAC response over two years show immunogenicity "
        "and durability (G-2.3.2b); the next stage proposed (submission.yaml next_stage) stays within the doses "
        "explored."))
    sample.expectations = {"tier": "T4", "mtd_arm": None, "efficacy_signal": True, "stopping_rules_met": [],
                           "planted_findings": [], **summarise(sample, study)}
    return sample
