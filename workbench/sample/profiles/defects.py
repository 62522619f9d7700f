"""An MSC study in lupus seeded with traceability and CMC defects (each listed in expectations.yaml)."""
from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd

from .. import cmc
from ..documents import Doc, build_documents
from ..finalize import finalize
from ..spec import ArmDef, EfficacyDef, StudySpec, VisitDef, iso1, rng_for
from ..study import simulate
from ..summary import summarise
from ..vocab import SOC, STANDARD_LABS, Drug, msc_attributes
from ..writers import Sample
from .common import IE_EN, MFG_SITE, SPONSOR, arms_yaml, doc_plan, donor_karyotypes, readme, sites


def defects_trace_cmc() -> Sample:
    title = "人脐带间充质干细胞治疗难治性系统性红斑狼疮的单臂探索性备案临床研究"
    spec = StudySpec(
        studyid="MH-SLE-103", ae_set="sle", sites=sites(["drumtower", "renji", "pumch"]),
        arms=[ArmDef("UCMSC", "UC-MSC 1.0x10^6 cells/kg x2", 24, 1.0, "10^6 cells/kg", 1.0e6, "cells/kg")],
        visits=[VisitDef(1, "SCREENING", -21, "SCREENING", screening=True),
                VisitDef(2, "DAY 1", 0, "TREATMENT", eff=True),
                VisitDef(3, "DAY 8", 7, "TREATMENT", 0),
                VisitDef(4, "WEEK 4", 27, "FOLLOW-UP", 3, eff=True),
                VisitDef(5, "WEEK 12", 83, "FOLLOW-UP", 5, eff=True),
                VisitDef(6, "WEEK 24", 167, "FOLLOW-UP", 7, eff=True),
                VisitDef(7, "WEEK 48", 335, "FOLLOW-UP", 10, eff=True),
                VisitDef(8, "WEEK 72", 503, "FOLLOW-UP", 10),
                VisitDef(9, "WEEK 104", 735, "FOLLOW-UP", 14, eff=True)],
        epochs=[("TREATMENT", 0), ("FOLLOW-UP", 14)], dose_days=[0, 7],
        start="2020-06-08", cutoff="2023-06-30", extrt="UC-MSC (MH-UC01)", exroute="INTRAVENOUS",
        schedule="parallel", enrol_span=300, consent_to_dose=(7, 21), age=(34, 9, 18, 60), female=0.88,
        labs=STANDARD_LABS,
        efficacy=EfficacyDef("QS", "SLEDAI", "SLEDAI-2K Total Score", "SLEDAI-2K", "", "WEEK 24", (11, 3), (0, 40),
                             {"UCMSC": (-4.0, 4.0)}, {"WEEK 4": 0.3, "WEEK 12": 0.7, "WEEK 48": 1.0,
                                                      "WEEK 104": 0.9}, noise=1.0),
        ae_per_subject=6, ae_horizon=730, n_screen_fail=2, ie_criteria=IE_EN,
        cm_background=[(Drug("HYDROXYCHLOROQUINE", "HYDROXYCHLOROQUINE", "AMINOQUINOLINES", 200, "mg", "BID", "ORAL"),
                        0.9),
                       (Drug("PREDNISONE", "PREDNISONE", "CORTICOSTEROIDS FOR SYSTEMIC USE", 10, "mg", "QD", "ORAL"),
                        0.85)],
        primary_dx=("SYSTEMIC LUPUS ERYTHEMATOSUS", "Systemic lupus erythematosus", SOC["msk"]), dx_years=(2, 12),
        lot_prefix="MHU", admins_per_lot=8, procver=[("P1", 3), ("P2", None)], seed=404)
    study = simulate(spec)
    s = study.subj
    dosed = study.dosed()
    site = s.set_index("USUBJID")["SITEID"]
    by_site = {k: [u for u in dosed if site[u] == k] for k in ("01", "02", "03")}
    no_icf = by_site["01"][2]
    late_consent = by_site["03"][2]
    ghost_subject = by_site["03"][5]
    bad_date_subject = by_site["01"][4]
    late_sae_subject = by_site["02"][1]
    late_ltfu_subject = by_site["01"][6]
    orphan = f"{spec.studyid}-03-099"
    # SAF-011: a serious AE (lupus nephritis flare, hospitalised) reported six days after onset
    study.add_ae(late_sae_subject, 96, "Lupus nephritis", SOC["renal"], "LUPUS NEPHRITIS FLARE", 3, True,
                 "NOT RELATED", 21)
    sae_onset = float(s.at[study.si(late_sae_subject), "dose0"]) + 96
    # SCR-003: consent 3 days after the first dose (the DS milestone follows DM)
    i = study.si(late_consent)
    new_consent = float(s.at[i, "dose0"]) + 3
    s.at[i, "consent"] = new_consent
    ds = study.tables["DS"]
    ds.loc[(ds["_si"] == i) & (ds["DSDECOD"] == "INFORMED CONSENT OBTAINED"), "DSSTDTC"] = new_consent
    ae = study.tables["AE"]
    study.tables["AE"] = ae[~((ae["_si"] == i) & (ae["AESTDTC"] < new_consent))].reset_index(drop=True)
    # TRC-002: an AE for a subject who is not in DM
    base = study.tables["AE"].iloc[0].to_dict()
    base.update({"_si": -1, "USUBJID": orphan, "AETERM": "HEADACHE", "AEDECOD": "Headache", "AEBODSYS": SOC["nerv"],
                 "AESEV": "MILD", "AETOXGR": "1", "AESER": "N", "AEREL": "NOT RELATED", "AEOUT": "RECOVERED/RESOLVED",
                 "AESTDTC": float(s["dose0"].max()) + 40, "AEENDTC": float(s["dose0"].max()) + 42, "_treat": -1})
    study.tables["AE"] = pd.concat([study.tables["AE"], pd.DataFrame([base])], ignore_index=True)
    rng = rng_for(spec.seed, "cmc")
    # CMC-001: one administration with a lot that has no batch record (its release tests and certificate exist)
    ex = study.tables["EX"]
    gi = ex.index[(ex["USUBJID"] == ghost_subject)][-1]
    domains_lots = study.lots
    ghost_lot = f"{spec.lot_prefix}-{int(str(iso1(ex.at[gi, 'EXSTDTC']))[2:4]):02d}999"
    ex.at[gi, "EXLOT"] = ghost_lot
    domains = finalize(study)
    # TRC-003: a malformed AE start date
    ae_f = domains["AE"]
    cand = ae_f.index[(ae_f["USUBJID"] == bad_date_subject) & (ae_f["AESER"] == "N")]
    bad_row = cand[0]
    domains["AE"].loc[bad_row, "AESTDTC"] = "2021-13-45"
    domains["AE"].loc[bad_row, "AESTDY"] = np.nan
    bad_seq = int(ae_f.at[bad_row, "AESEQ"])
    orphan_seq = int(ae_f.loc[ae_f["USUBJID"] == orphan, "AESEQ"].iloc[0])
    sae_seq = int(ae_f.loc[(ae_f["USUBJID"] == late_sae_subject) & (ae_f["AESER"] == "Y"), "AESEQ"].iloc[0])
    manifest = {
        "submission_id": spec.studyid, "title": title, "sponsor": SPONSOR["minghui"],
        "product": {"name": "MH-UC01 人脐带间充质干细胞注射液", "cell_type": "MSC", "source": "allogeneic",
                    "gene_modified": False, "commercial_process_version": "P2"},
        "study": {
            "design": "single_arm", "stage": "exploratory", "first_in_human": False, "blinding": "open",
            "independent_review_committee": False, "population": "patients",
            "indication": "refractory systemic lupus erythematosus", "life_threatening": False,
            "arms": arms_yaml(spec),
            "dlt": {"window_days": 28, "target_rate": 0.3, "definition": "grade", "min_grade": 3},
            "stopping_rules": [{"id": "SR1", "description": "two or more related grade >=4 adverse events",
                                "scope": "study", "min_grade": 4, "related_only": True, "serious_only": False,
                                "terms": [], "threshold": 2}],
            "primary_endpoint": {"domain": "QS", "testcd": "SLEDAI", "visit": "WEEK 24", "type": "clinical",
                                 "better": "lower"},
            "followup": {"required_days": 730},
            "background_therapy": ["HYDROXYCHLOROQUINE", "PREDNISONE"], "aesi_terms": []},
        "prior_exploratory_evidence": False}
    plan = doc_plan(spec, "minghui", manifest["product"]["name"], title, biodistribution=True, comparability=False)
    docs = build_documents(study, plan)
    # TRC-001: the signed consent of one subject is missing
    docs = [d for d in docs if not (d.doctype == "ICF_SIGNED" and d.usubjid == no_icf)]
    # SAF-011: the SAE report dated six days after onset
    late_report = next(d for d in docs if d.doctype == "SAE_REPORT" and d.usubjid == late_sae_subject)
    late_report.date = sae_onset + 6
    # FUP-005: consent to the separate long-term follow-up study signed a month after the first dose
    next_id = max(int(d.docid[4:]) for d in docs) + 1
    ltfu = Doc("LTFU_ICF_SIGNED", float(s.at[study.si(late_ltfu_subject), "dose0"]) + 30,
               siteid=site[late_ltfu_subject], usubjid=late_ltfu_subject, folder="consent", docid=f"DOC-{next_id:04d}")
    ltfu.path = f"consent/{ltfu.docid}.txt"
    docs.append(ltfu)
    # TRC-004: a wrong SHA-256, and a path that leaves documents/
    amendment = next(d for d in docs if d.doctype == "PROTOCOL_AMENDMENT")
    amendment.sha_override = hashlib.sha256(b"superseded draft of protocol amendment 2.0").hexdigest()
    devlog = next(d for d in docs if d.doctype == "DEVIATION_LOG")
    devlog.path_override, devlog.write = "../outside.txt", False
    # certificate of the lot without a batch record

    next_id = max(int(d.docid[4:]) for d in docs) + 1
    cert = Doc("BATCH_RELEASE_CERT", float(ex.at[gi, "EXSTDTC"]) - 10, lotid=ghost_lot, folder="lots",
               docid=f"DOC-{next_id:04d}")
    cert.path = f"lots/{cert.docid}.txt"
    docs.append(cert)
    # lots: two administered P1 lots (no comparability report), one administered lot with a positive sterility test
    kary = donor_karyotypes(study, rng)
    release = cmc.release_table(study, msc_attributes(), rng, karyotypes=kary, commercial="P2")
    used = domains_lots[domains_lots["used"]]
    p1_lots = used.loc[used["PROCVER"] == "P1", "LOTID"].tolist()
    sterile_bad = used.loc[used["PROCVER"] == "P2", "LOTID"].tolist()[1]
    release.loc[(release["LOTID"] == sterile_bad) & (release["ATTRIBUTE"] == "STERILITY"), "RESULT"] = "POSITIVE"
    ghost_tests = release[release["LOTID"] == sterile_bad].copy()
    ghost_tests["LOTID"] = ghost_lot
    ghost_tests.loc[ghost_tests["ATTRIBUTE"] == "STERILITY", "RESULT"] = "NEGATIVE"
    release = pd.concat([release, ghost_tests], ignore_index=True)
    sample = Sample(
        name="defects-trace-cmc",
        readme=readme("defects-trace-cmc", (
            "Single-arm study of allogeneic umbilical-cord MSC in refractory lupus (24 dosed, 2 infusions, CSV with "
            "an XLSX EX and a Parquet LB) deliberately seeded with traceability and CMC defects on named subjects, "
            "lots and documents (missing signed consent, wrong document hash, a document path outside documents/, "
            "a lot without batch record, an administered lot with a positive sterility test, P1 lots without a "
            "comparability report, an AE of a subject not in DM, a malformed AE date, consent after first dose, "
            "a serious AE reported six days after onset, a long-term follow-up consent signed after dosing, no "
            "next development plan in submission.yaml); "
            "sample_data/expectations.yaml lists each one. It shows how such defects make the evidence unusable "
            "(tier T0).")),
        datasets=domains, formats={"EX": "xlsx", "LB": "parquet"}, default_format="csv", manifest=manifest,
        batches=cmc.batches_table(study, MFG_SITE["minghui"]), release=release, docs=docs, doc_plan=plan,
        studyid=spec.studyid)
    planted = [
        {"check_id": "TRC-001", "severity": "critical", "usubjid": no_icf, "record": None, "domain": None,
         "what": "ICF_SIGNED missing for this enrolled subject"},
        {"check_id": "TRC-004", "severity": "critical", "usubjid": None, "record": f"DOCID={amendment.docid}",
         "domain": None, "what": "SHA256 in documents/index.csv does not match the file (PROTOCOL_AMENDMENT)"},
        {"check_id": "TRC-004", "severity": "critical", "usubjid": None, "record": f"DOCID={devlog.docid}",
         "domain": None, "what": "index PATH '../outside.txt' leaves documents/ (DEVIATION_LOG)"},
        {"check_id": "CMC-001", "severity": "critical", "usubjid": ghost_subject, "record": f"LOTID={ghost_lot}",
         "domain": "EX", "what": "administered lot without a batch record in cmc/batches.csv"},
        {"check_id": "CMC-002", "severity": "critical", "usubjid": None, "record": f"LOTID={sterile_bad}",
         "domain": None, "what": "administered lot with STERILITY POSITIVE"},
    ] + [
        {"check_id": "CMC-003", "severity": "critical", "usubjid": None, "record": f"LOTID={lot}", "domain": None,
         "what": "administered lot made with process P1 (commercial P2), no COMPARABILITY_REPORT"} for lot in p1_lots
    ] + [
        {"check_id": "TRC-002", "severity": "critical", "usubjid": orphan, "record": f"AESEQ={orphan_seq}",
         "domain": "AE", "what": "AE record whose USUBJID is not in DM"},
        {"check_id": "TRC-003", "severity": "major", "usubjid": bad_date_subject, "record": f"AESEQ={bad_seq}",
         "domain": "AE", "what": "malformed AESTDTC '2021-13-45'"},
        {"check_id": "SCR-003", "severity": "critical", "usubjid": late_consent, "record": None, "domain": "DM",
         "what": "RFICDTC three days after the first dose"},
        {"check_id": "SAF-011", "severity": "major", "usubjid": late_sae_subject, "record": f"AESEQ={sae_seq}",
         "domain": "AE", "what": f"serious AE (lupus nephritis) reported on {iso1(sae_onset + 6)}, six days after "
                                 "onset"},
        {"check_id": "FUP-005", "severity": "major", "usubjid": late_ltfu_subject, "record": f"DOCID={ltfu.docid}",
         "domain": None, "what": "LTFU_ICF_SIGNED dated 30 days after the first dose"},
        {"check_id": "MAN-003", "severity": "minor", "usubjid": None, "record": "FIELD=next_stage", "domain": None,
         "what": "no next development plan (next_stage) in submission.yaml"},
    ]
    summary = summarise(sample, study)
    sample.expectations = {"tier": "T0", "mtd_arm": None, "efficacy_signal": summary["efficacy"]["signal"],
                           "stopping_rules_met": [], "planted_findings": planted, **summary}
    return sample
