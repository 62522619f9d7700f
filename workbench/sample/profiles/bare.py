"""A bare folder of SDTM transport files, like a public CDISC pilot study."""
from __future__ import annotations

from ..finalize import finalize
from ..spec import ArmDef, StudySpec, VisitDef
from ..study import simulate
from ..summary import summarise
from ..vocab import SOC, STANDARD_LABS, Drug
from ..writers import Sample
from .common import IE_EN, readme, sites


def bare_sdtm() -> Sample:
    spec = StudySpec(
        studyid="UCM-IS-107", ae_set="stroke", sites=sites(["tiantan", "tjmu"]),
        arms=[ArmDef("DL1", "UC-MSC 1.0x10^6 cells/kg", 8, 1.0, "10^6 cells/kg", 1.0e6, "cells/kg"),
              ArmDef("DL2", "UC-MSC 2.0x10^6 cells/kg", 8, 2.0, "10^6 cells/kg", 2.0e6, "cells/kg")],
        visits=[VisitDef(1, "SCREENING", -3, "SCREENING", screening=True),
                VisitDef(2, "DAY 1", 0, "TREATMENT"),
                VisitDef(3, "DAY 7", 6, "TREATMENT", 1),
                VisitDef(4, "DAY 30", 29, "FOLLOW-UP", 3),
                VisitDef(5, "DAY 90", 89, "FOLLOW-UP", 7),
                VisitDef(6, "DAY 180", 179, "FOLLOW-UP", 10),
                VisitDef(7, "DAY 365", 367, "FOLLOW-UP", 14)],
        epochs=[("TREATMENT", 0), ("FOLLOW-UP", 8)],
        start="2019-09-02", cutoff="2021-06-30", extrt="UC-MSC", exroute="INTRAVENOUS", schedule="parallel",
        enrol_span=300, consent_to_dose=(1, 3), age=(62, 9, 40, 78), female=0.4, labs=STANDARD_LABS,
        ae_per_subject=5, ae_horizon=365, n_screen_fail=2, ie_criteria=IE_EN,
        cm_background=[(Drug("ASPIRIN", "ACETYLSALICYLIC ACID", "ANTITHROMBOTIC AGENTS", 100, "mg", "QD", "ORAL"),
                        0.9)],
        primary_dx=("ACUTE ISCHAEMIC STROKE", "Ischaemic stroke", SOC["nerv"]), dx_years=(0, 0),
        lot_prefix="UCM", admins_per_lot=4, seed=707)
    study = simulate(spec)
    domains = finalize(study)
    keep = {k: v for k, v in domains.items() if k in ("DM", "DS", "EX", "AE", "CM", "LB", "VS", "SV")}
    sample = Sample(
        name="bare-sdtm",
        readme=readme("bare-sdtm", (
            "A bare folder of eight SDTM SAS transport v5 datasets (DM, DS, EX, AE, CM, LB, VS, SV) from a small "
            "two-dose study of umbilical-cord MSC in acute ischaemic stroke, laid out like a public CDISC pilot "
            "study: no submission.yaml, no tabulations/ folder, no cmc/, no documents/ and no define.xml; it shows "
            "that such a folder still loads, with the missing manifest (MAN-001) and missing essential documents "
            "(TRC-001) reported and everything computable still computed.")),
        datasets=keep, formats={}, default_format="xpt5", manifest=None, bare=True, define=False,
        studyid=spec.studyid)
    planted = [{"check_id": "MAN-001", "severity": "major", "usubjid": None, "record": None, "domain": None,
                "what": "submission.yaml missing"},
               {"check_id": "TRC-001", "severity": "critical", "usubjid": None, "record": None, "domain": None,
                "what": "no documents/ at all: PROTOCOL, ETHICS_APPROVAL, ICF_SIGNED and CSR missing"}]
    sample.expectations = {
        "tier": "T0", "mtd_arm": None, "efficacy_signal": None, "stopping_rules_met": [], "planted_findings": planted,
        "consequences": ["CMC-001 critical (EX has lots but cmc/batches.csv is absent)",
                         "CMC-002 major (cmc/release_tests.csv absent)", "CMC-006 major (no BATCH_RELEASE_CERT)",
                         "SAF-009 major (no RISK_CONTROL_PLAN)", "EFF-001 major (no primary endpoint declared)",
                         "TRC-005 minor (define.xml absent)"],
        **summarise(sample, study)}
    return sample
