"""First-in-human dose escalation of an iPSC-derived dopaminergic progenitor product (Parkinson's disease)."""
from __future__ import annotations

from .. import cmc
from ..adam import ADAM_FORMATS, adam_datasets, package_files
from ..documents import build_documents
from ..finalize import finalize, supp_dlt
from ..spec import ArmDef, EfficacyDef, StudySpec, VisitDef, rng_for
from ..study import simulate
from ..summary import summarise
from ..vocab import SOC, STANDARD_LABS, Drug, pluripotent_attributes
from ..writers import Sample
from .common import IE_EN, MFG_SITE, SPONSOR, STOP_TUMOUR, arms_yaml, doc_plan, readme, sites


def fih_ipsc_parkinson() -> Sample:
    title = "人诱导多能干细胞来源多巴胺能神经前体细胞（HX-DAP01）治疗帕金森病的首次人体剂量递增备案临床研究"
    LT = "LONG-TERM FOLLOW-UP"
    spec = StudySpec(
        studyid="HX-DAP-101", ae_set="pd", sites=sites(["xuanwu", "ruijin"]),
        arms=[ArmDef("DL1", "HX-DAP01 1.0x10^6 cells", 3, 1.0e6, "cells", 1.0e6, "cells"),
              ArmDef("DL2", "HX-DAP01 3.0x10^6 cells", 3, 3.0e6, "cells", 3.0e6, "cells"),
              ArmDef("DL3", "HX-DAP01 6.0x10^6 cells", 6, 6.0e6, "cells", 6.0e6, "cells"),
              ArmDef("DL4", "HX-DAP01 1.0x10^7 cells", 6, 1.0e7, "cells", 1.0e7, "cells")],
        visits=[VisitDef(1, "SCREENING", -30, "SCREENING", screening=True),
                VisitDef(2, "DAY 1", 0, "TREATMENT", eff=True),
                VisitDef(3, "DAY 7", 6, "TREATMENT", 1),
                VisitDef(4, "WEEK 2", 13, "TREATMENT", 1),
                VisitDef(5, "WEEK 4", 27, "TREATMENT", 2),
                VisitDef(6, "WEEK 12", 83, "FOLLOW-UP", 5, eff=True),
                VisitDef(7, "MONTH 6", 181, "FOLLOW-UP", 7, eff=True),
                VisitDef(8, "MONTH 9", 272, "FOLLOW-UP", 7),
                VisitDef(9, "MONTH 12", 364, "FOLLOW-UP", 7, eff=True),
                VisitDef(10, "MONTH 18", 546, "FOLLOW-UP", 10, eff=True),
                VisitDef(11, "MONTH 24", 728, "FOLLOW-UP", 10, eff=True),
                VisitDef(12, "MONTH 36", 1093, LT, 14, eff=True),
                VisitDef(13, "MONTH 48", 1458, LT, 14, eff=True),
                VisitDef(14, "MONTH 60", 1830, LT, 10, eff=True)],
        epochs=[("TREATMENT", 0), ("FOLLOW-UP", 36), (LT, 745)],
        start="2019-03-04", cutoff="2025-09-30", extrt="HX-DAP01", exroute="INTRACEREBRAL",
        schedule="escalation", cohorts=[("DL1", 3), ("DL2", 3), ("DL3", 3), ("DL4", 3), ("DL3", 3), ("DL4", 3)],
        sentinel=14, cohort_gap=42, consent_to_dose=(21, 42), age=(58, 6, 45, 70), female=0.4,
        labs=STANDARD_LABS,
        efficacy=EfficacyDef("QS", "UPDRS3", "MDS-UPDRS Part III Motor Examination Score (OFF)", "MDS-UPDRS", "",
                             "MONTH 12", (38, 8), (0, 132), {a: (-2.0, 9.0) for a in ("DL1", "DL2", "DL3", "DL4")},
                             {"WEEK 12": 0.3, "MONTH 6": 0.7, "MONTH 18": 1.1, "MONTH 24": 1.0, "MONTH 36": 0.6,
                              "MONTH 48": 0.3, "MONTH 60": 0.0}, noise=3.0),
        ae_per_subject=9, ae_horizon=1825, n_screen_fail=3, ie_criteria=IE_EN,
        cm_background=[(Drug("LEVODOPA/BENSERAZIDE", "LEVODOPA;BENSERAZIDE", "DOPA AND DOPA DERIVATIVES", 250, "mg",
                             "TID", "ORAL"), 1.0),
                       (Drug("PRAMIPEXOLE", "PRAMIPEXOLE", "DOPAMINE AGONISTS", 0.25, "mg", "TID", "ORAL"), 0.6)],
        cm_protocol=[(Drug("TACROLIMUS", "TACROLIMUS", "CALCINEURIN INHIBITORS", 1, "mg", "BID", "ORAL"), -2, 365),
                     (Drug("CEFUROXIME", "CEFUROXIME", "ANTIBACTERIALS FOR SYSTEMIC USE", 1.5, "g", "ONCE",
                           "INTRAVENOUS"), 0, 1)],
        primary_dx=("PARKINSON'S DISEASE", "Parkinson's disease", SOC["nerv"]), dx_years=(5, 12),
        lot_prefix="DAP", admins_per_lot=3, procver=[("P1", None)], seed=101)
    study = simulate(spec)
    # DLTs (flag in SUPPAE): BOIN path DL1 0/3, DL2 0/3, DL3 0/3, DL4 2/3 -> DL3 1/3 -> DL4 1/3 (stop at N=18)
    coh = study.subj.set_index("USUBJID")["cohort"]
    in_cohort = lambda k: [u for u in study.dosed() if coh[u] == k]  # noqa: E731
    c4, c5, c6 = in_cohort(4), in_cohort(5), in_cohort(6)
    study.add_ae(c4[0], 12, "Dyskinesia", SOC["nerv"], "GRAFT-INDUCED DYSKINESIA", 3, False, "RELATED", 30, dlt=True)
    study.add_ae(c4[2], 3, "Seizure", SOC["nerv"], "FOCAL SEIZURE WITH IMPAIRED AWARENESS", 3, True,
                 "PROBABLY RELATED", 4, dlt=True)
    study.add_ae(c5[1], 9, "Confusional state", SOC["psych"], "POSTOPERATIVE CONFUSION", 3, False, "RELATED", 6,
                 dlt=True)
    study.add_ae(c6[0], 20, "Dyskinesia", SOC["nerv"], "OFF-MEDICATION DYSKINESIA", 3, False, "RELATED", 40,
                 dlt=True)
    study.add_ae(study.dosed("DL2", completed=True)[1], 420, "Pneumonia", SOC["inf"], "COMMUNITY ACQUIRED PNEUMONIA", 3,
                 True, "NOT RELATED", 12)
    rng = rng_for(spec.seed, "cmc")
    cmc.add_failed_lots(study, [("REJECTED", "mycoplasma contamination", "P1")], rng)
    domains = finalize(study)
    domains["SUPPAE"] = supp_dlt(study)
    manifest = {
        "submission_id": "HX-DAP-101", "title": title, "sponsor": SPONSOR["huaxia"],
        "product": {"name": "HX-DAP01 人诱导多能干细胞来源多巴胺能神经前体细胞注射液", "cell_type": "IPSC_DERIVED",
                    "source": "allogeneic", "gene_modified": False, "commercial_process_version": "P1"},
        "study": {
            "design": "dose_escalation", "stage": "exploratory", "first_in_human": True, "blinding": "open",
            "independent_review_committee": False, "population": "patients",
            "indication": "Parkinson's disease with motor fluctuations (Hoehn-Yahr 2.5-4 OFF)",
            "life_threatening": False, "adult_data_before_pediatric": True, "sentinel_interval_days": 14,
            "arms": arms_yaml(spec),
            "dlt": {"window_days": 28, "target_rate": 0.3, "definition": "flag", "min_grade": 3},
            "stopping_rules": [{"id": "SR1", "description": "any related grade >=4 adverse event",
                                "scope": "study", "min_grade": 4, "related_only": True, "serious_only": False,
                                "terms": [], "threshold": 1}, STOP_TUMOUR],
            "primary_endpoint": {"domain": "QS", "testcd": "UPDRS3", "visit": "MONTH 12", "type": "clinical",
                                 "better": "lower"},
            "followup": {"required_days": 1825},
            "background_therapy": ["LEVODOPA;BENSERAZIDE", "PRAMIPEXOLE"],
            "aesi_terms": ["Dyskinesia", "Seizure"]},
        "next_stage": {"stage": "exploratory", "dose": 6.0e6, "dose_unit": "cells", "frequency": {"administrations": 1},
                       "population": "Parkinson's disease with motor fluctuations, expansion cohort at dose level 3"},
        "prior_exploratory_evidence": False}
    plan = doc_plan(spec, "huaxia", manifest["product"]["name"], title, biodistribution=True)
    docs = build_documents(study, plan)
    release = cmc.release_table(study, pluripotent_attributes("FOXA2_LMX1A", 82, "46,XY",
                                                              "pmol dopamine per 10^6 cells", 24, 10), rng,
                                commercial="P1")
    sample = Sample(
        name="fih-ipsc-parkinson",
        readme=readme("fih-ipsc-parkinson", (
            "First-in-human 3+3/BOIN dose escalation of an allogeneic iPSC-derived dopaminergic progenitor product "
            "(4 dose levels, 18 dosed, single intracerebral administration, 14-day sentinel interval, 5-year "
            "follow-up with a long-term follow-up consent) in SAS transport v5 files with DLT flags in SUPPAE; "
            "it shows a BOIN MTD at dose level 3 (DLTs 0/3, 0/3, 1/6, 3/6), no efficacy signal on MDS-UPDRS "
            "part III, and a clean package whose proposed tier is T2; with its analysis datasets (ADSL, ADAE, ADLBHY "
            "in analysis/adam/datasets/, their define.xml, reviewer guides and programs) it is also a CDE data package "
            "whose ADaM agrees with the SDTM on every reconciled record.")),
        datasets=domains, formats={}, default_format="xpt5", manifest=manifest,
        batches=cmc.batches_table(study, MFG_SITE["huaxia"]), release=release, docs=docs, doc_plan=plan,
        studyid=spec.studyid)
    sample.adam, sample.adam_formats = adam_datasets(domains), ADAM_FORMATS
    sample.package_files = package_files(spec.studyid)
    sample.expectations = {"tier": "T2", "mtd_arm": "DL3", "efficacy_signal": False, "stopping_rules_met": [],
                           "planted_findings": [], **summarise(sample, study)}
    return sample
