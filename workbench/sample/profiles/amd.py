"""ESC-derived RPE cells in dry AMD: GB18030 CSV with Chinese verbatim terms and partial dates."""
from __future__ import annotations

import numpy as np

from .. import cmc
from ..documents import build_documents
from ..finalize import finalize
from ..spec import ArmDef, EfficacyDef, StudySpec, VisitDef, day, iso1, rng_for
from ..study import simulate
from ..summary import summarise
from ..vocab import SOC, STANDARD_LABS, Drug, pluripotent_attributes
from ..writers import Sample
from .common import SPONSOR, STOP_TUMOUR, arms_yaml, doc_plan, readme, sites


def gb18030_esc_amd() -> Sample:
    title = "人胚胎干细胞来源视网膜色素上皮细胞视网膜下移植治疗干性年龄相关性黄斑变性的剂量递增备案临床研究"
    LT = "LONG-TERM FOLLOW-UP"
    zh_drug = lambda trt, dec, cls, dose, unit, frq, route, zh: Drug(trt, dec, cls, dose, unit, frq, route, zh)  # noqa
    spec = StudySpec(
        studyid="MH-RPE-105", ae_set="amd", sites=sites(["zoc", "tongren"]),
        arms=[ArmDef("DL1", "hESC-RPE 5.0x10^4 cells", 3, 5.0e4, "cells", 5.0e4, "cells"),
              ArmDef("DL2", "hESC-RPE 1.0x10^5 cells", 3, 1.0e5, "cells", 1.0e5, "cells"),
              ArmDef("DL3", "hESC-RPE 2.0x10^5 cells", 6, 2.0e5, "cells", 2.0e5, "cells")],
        visits=[VisitDef(1, "SCREENING", -30, "SCREENING", screening=True),
                VisitDef(2, "DAY 1", 0, "TREATMENT", eff=True),
                VisitDef(3, "DAY 7", 6, "TREATMENT", 1),
                VisitDef(4, "MONTH 1", 27, "TREATMENT", 3, eff=True),
                VisitDef(5, "MONTH 3", 83, "FOLLOW-UP", 5, eff=True),
                VisitDef(6, "MONTH 6", 181, "FOLLOW-UP", 7, eff=True),
                VisitDef(7, "MONTH 12", 364, "FOLLOW-UP", 10, eff=True),
                VisitDef(8, "MONTH 18", 546, "FOLLOW-UP", 14, eff=True),
                VisitDef(9, "MONTH 24", 728, "FOLLOW-UP", 14, eff=True),
                VisitDef(10, "MONTH 36", 1093, LT, 14, eff=True),
                VisitDef(11, "MONTH 48", 1458, LT, 14, eff=True),
                VisitDef(12, "MONTH 60", 1830, LT, 10, eff=True)],
        epochs=[("TREATMENT", 0), ("FOLLOW-UP", 36), (LT, 745)],
        start="2019-05-13", cutoff="2025-06-30", extrt="hESC-RPE (MH-RPE01)", exroute="SUBRETINAL",
        schedule="escalation", cohorts=[("DL1", 3), ("DL2", 3), ("DL3", 3), ("DL3", 3)], sentinel=14, cohort_gap=42,
        consent_to_dose=(21, 42), age=(68, 6, 55, 80), female=0.55,
        labs=STANDARD_LABS,
        efficacy=EfficacyDef("OE", "BCVA", "Best Corrected Visual Acuity", "VISUAL ACUITY", "LETTERS", "MONTH 12",
                             (48, 9), (0, 100), {a: (1.0, 7.0) for a in ("DL1", "DL2", "DL3")},
                             {"MONTH 1": -0.5, "MONTH 3": 0.5, "MONTH 6": 0.8, "MONTH 18": 0.6, "MONTH 24": 0.2,
                              "MONTH 36": -0.5, "MONTH 48": -1.0, "MONTH 60": -1.5}, noise=3.0,
                             extra={"OELOC": "EYE", "OEMETHOD": "ETDRS CHART"}),
        ae_per_subject=8, ae_horizon=1825, n_screen_fail=2,
        ie_criteria=[("IN03", "地图样萎缩面积 1.25-17.5 mm2", "INCLUSION"),
                     ("EX02", "研究眼合并脉络膜新生血管", "EXCLUSION")],
        cm_background=[(zh_drug("LUTEIN", "LUTEIN", "VITAMINS", 10, "mg", "QD", "ORAL", "叶黄素片"), 0.6)],
        cm_protocol=[(zh_drug("TACROLIMUS", "TACROLIMUS", "CALCINEURIN INHIBITORS", 1, "mg", "BID", "ORAL", "他克莫司胶囊"),
                      -7, 84),
                     (zh_drug("TOBRAMYCIN/DEXAMETHASONE EYE DROPS", "TOBRAMYCIN;DEXAMETHASONE", "OPHTHALMOLOGICALS", 1,
                              "DROP", "QID", "OPHTHALMIC", "妥布霉素地塞米松滴眼液"), 0, 14)],
        primary_dx=("年龄相关性黄斑变性（地图样萎缩）", "Age-related macular degeneration", SOC["eye"]),
        dx_years=(2, 8), lot_prefix="RPE", admins_per_lot=3, procver=[("P1", None)], lang="zh",
        withdraw_reasons=("受试者搬迁至外地",), seed=606)
    study = simulate(spec)
    s = study.subj
    # study eye per subject
    rng = rng_for(spec.seed, "laterality")
    eye = dict(zip(s.index, np.where(rng.random(len(s)) < 0.5, "RIGHT", "LEFT")))
    oe = study.tables["OE"]
    oe["OELAT"] = oe["_si"].map(eye)
    # a DL3 subject with a related serious retinal detachment after the DLT window (not a DLT)
    d3 = study.dosed("DL3")
    study.add_ae(d3[2], 118, "Retinal detachment", SOC["eye"], "孔源性视网膜脱离（研究眼）", 3, True,
                 "POSSIBLY RELATED", 21)
    # an AE two days after dosing, for a subject consented in the previous month: its start is recorded as a month
    cons = s["consent"].to_numpy(dtype=float)
    d0 = s["dose0"].to_numpy(dtype=float)
    month = lambda x: str(iso1(x))[:7]  # noqa: E731
    partial_subject = next(u for u in study.dosed() if month(cons[study.si(u)]) < month(d0[study.si(u)])
                           and int(str(iso1(d0[study.si(u)]))[8:10]) >= 5)
    study.add_ae(partial_subject, 2, "Conjunctival haemorrhage", SOC["eye"], "球结膜下出血", 1, False,
                 "POSSIBLY RELATED", 20)
    # an AE starting in late December and ending in January: its start is later recorded as a year only
    year_subject = study.dosed("DL2")[0]
    yi = study.si(year_subject)
    dec20 = day(f"{str(iso1(d0[yi] + 800))[:4]}-12-20")
    study.add_ae(year_subject, int(dec20 - d0[yi]), "Back pain", SOC["msk"], "腰部疼痛", 1, False, "NOT RELATED", 25)
    domains = finalize(study)
    ae = domains["AE"]
    # partial AE start dates: the same-month one above, and late non-serious AEs whose day was not recorded
    pm = ae.index[(ae["USUBJID"] == partial_subject) & (ae["AETERM"] == "球结膜下出血")]
    late = ae.index[(ae["AESTDY"] > 400) & (ae["AESER"] == "N") &
                    (ae["AEENDTC"].isna() | (ae["AEENDTC"].str[:7] > ae["AESTDTC"].str[:7]))]
    late = list(late[::max(1, len(late) // 4)][:4])
    for r in list(pm) + late:
        ae.at[r, "AESTDTC"] = ae.at[r, "AESTDTC"][:7]
        ae.at[r, "AESTDY"] = np.nan
    ye = ae.index[(ae["USUBJID"] == year_subject) & (ae["AETERM"] == "腰部疼痛")]
    ae.at[ye[0], "AESTDTC"] = ae.at[ye[0], "AESTDTC"][:4]
    ae.at[ye[0], "AESTDY"] = np.nan
    # Chinese arm and treatment descriptions
    arm_zh = {"DL1": "人胚胎干细胞来源视网膜色素上皮细胞 5.0×10^4 个", "DL2": "人胚胎干细胞来源视网膜色素上皮细胞 1.0×10^5 个",
              "DL3": "人胚胎干细胞来源视网膜色素上皮细胞 2.0×10^5 个", "SCRNFAIL": "筛选失败"}
    dm = domains["DM"]
    dm["ARM"] = dm["ARMCD"].map(arm_zh)
    dm["ACTARM"] = dm["ACTARMCD"].map(arm_zh)
    domains["EX"]["EXTRT"] = "人胚胎干细胞来源视网膜色素上皮细胞注射液（MH-RPE01）"
    domains["OE"]["OETEST"] = "最佳矫正视力（ETDRS 字母数）"
    # comorbidity medication started "years ago": year only
    cm = domains["CM"]
    chronic = cm["CMENRTPT"].eq("ONGOING") & ~cm["CMDECOD"].eq("LUTEIN")
    cm.loc[chronic, "CMSTDTC"] = cm.loc[chronic, "CMSTDTC"].str[:4]
    manifest = {
        "submission_id": spec.studyid, "title": title, "sponsor": SPONSOR["minghui"],
        "product": {"name": "MH-RPE01 人胚胎干细胞来源视网膜色素上皮细胞注射液", "cell_type": "ESC_DERIVED",
                    "source": "allogeneic", "gene_modified": False, "commercial_process_version": "P1"},
        "study": {
            "design": "dose_escalation", "stage": "exploratory", "first_in_human": False, "blinding": "open",
            "independent_review_committee": False, "population": "patients",
            "indication": "干性年龄相关性黄斑变性（地图样萎缩） dry age-related macular degeneration",
            "life_threatening": False, "arms": arms_yaml(spec),
            "dlt": {"window_days": 28, "target_rate": 0.3, "definition": "grade", "min_grade": 3},
            "stopping_rules": [{"id": "SR1", "description": "任何与治疗相关的≥4级不良事件 any related grade >=4 AE",
                                "scope": "study", "min_grade": 4, "related_only": True, "serious_only": False,
                                "terms": [], "threshold": 1}, STOP_TUMOUR],
            "primary_endpoint": {"domain": "OE", "testcd": "BCVA", "visit": "MONTH 12", "type": "clinical",
                                 "better": "higher"},
            "followup": {"required_days": 1825}, "background_therapy": ["LUTEIN"],
            "aesi_terms": ["Retinal detachment", "Epiretinal membrane"]},
        "next_stage": {"stage": "exploratory", "dose": 3.0e5, "dose_unit": "cells", "frequency": {"administrations": 1},
                       "population": "干性年龄相关性黄斑变性（地图样萎缩） dry AMD with geographic atrophy"},
        "prior_exploratory_evidence": False}
    plan = doc_plan(spec, "minghui", manifest["product"]["name"], title, biodistribution=True)
    docs = build_documents(study, plan)
    rng = rng_for(spec.seed, "cmc")
    release = cmc.release_table(study, pluripotent_attributes("PMEL17", 93, "46,XX", "% 光感受器外节吞噬阳性细胞", 62,
                                                              40), rng, commercial="P1")
    sample = Sample(
        name="gb18030-esc-amd",
        readme=readme("gb18030-esc-amd", (
            "Dose escalation of human ESC-derived retinal pigment epithelium cells given subretinally (5x10^4, "
            "1x10^5, 2x10^5 cells; 3+3+6 dosed) in dry AMD with 5-year follow-up, where every CSV (datasets, CMC, "
            "documents index) is GB18030-encoded with Chinese verbatim terms (AETERM, CMTRT, MHTERM, DSTERM, IETEST, "
            "site names) beside English MedDRA-like coding, and several AE/CM/MH start dates are partial "
            "('2021-03', '2021'), one of them in the month of the first dose (conservatively treatment-emergent); "
            "it shows no BCVA signal and a clean package whose proposed tier is T2. The next development step it "
            "proposes (submission.yaml next_stage) would give 3x10^5 cells, above the highest dose explored "
            "(MAN-003: a later stage stays within the explored range, G-2.2.2c).")),
        datasets=domains, formats={}, default_format="csv-gb18030", manifest=manifest,
        batches=cmc.batches_table(study, "华南干细胞GMP制备中心（广州）"), release=release, cmc_format="csv-gb18030",
        docs=docs, doc_plan=plan, index_format="csv-gb18030", studyid=spec.studyid)
    sample.expectations = {"tier": "T2", "mtd_arm": "DL3", "efficacy_signal": False, "stopping_rules_met": [],
                           "partial_date_same_month_as_first_dose": {
                               "usubjid": partial_subject,
                               "record": f"AESEQ={int(ae.loc[pm[0], 'AESEQ'])}",
                               "teae": True},
                           "planted_findings": [{"check_id": "MAN-003", "severity": "major", "usubjid": None,
                                                 "record": "FIELD=next_stage.dose", "domain": None,
                                                 "what": "next-stage dose 3x10^5 cells above the highest dose "
                                                         "explored (2x10^5 cells)"}],
                           **summarise(sample, study)}
    return sample
