"""The essential-documents index and its small text files, dated consistently with the data."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .spec import iso1, rng_for
from .study import Study
from .vocab import DOC_TITLES, Hospital


@dataclass
class Doc:
    doctype: str
    date: float
    version: str = "1.0"
    siteid: str | None = None
    usubjid: str | None = None
    lotid: str | None = None
    folder: str = "study"
    note: str = ""
    docid: str = ""
    path: str = ""
    path_override: str | None = None   # planted: index PATH differs from the written file (file not written)
    sha_override: str | None = None    # planted: index SHA256 differs from the file
    write: bool = True


@dataclass
class DocPlan:
    """What a study's document set contains beyond the always-present essentials."""

    sponsor: str
    product: str
    title: str
    hospitals: dict[str, Hospital]
    biodistribution: bool = True
    comparability: bool = False          # commercial process introduced during the study
    commercial: str | None = None
    stopping_review: bool = False
    ltfu_epoch: str = "LONG-TERM FOLLOW-UP"
    amendment: bool = True
    sap_before: float | None = None      # SAP signed before this day (e.g. before unblinding)
    skip: set[str] = field(default_factory=set)   # DOCTYPEs deliberately left out
    binder: bool = False                 # per-subject documents filed in one binder file per site and type


def build_documents(study: Study, plan: DocPlan) -> list[Doc]:
    spec, s, t = study.spec, study.subj, study.tables
    rng = rng_for(spec.seed, "documents")
    cutoff = float(np.datetime64(spec.cutoff, "D").astype("int64"))
    first_consent = float(s["consent"].min())
    protocol = first_consent - 150
    docs: list[Doc] = []

    def add(doctype, date, **kw):
        if doctype in plan.skip:
            return
        docs.append(Doc(doctype, float(date), **kw))

    add("NONCLINICAL_SUMMARY", protocol - 220)
    if plan.biodistribution:
        add("BIODISTRIBUTION_REPORT", protocol - 180)
    add("IB", protocol - 40)
    add("PROTOCOL", protocol)
    add("ICF_TEMPLATE", protocol + 5)
    add("RISK_CONTROL_PLAN", protocol + 5)
    add("SOP_PRODUCT_HANDLING", protocol + 15)
    add("DMP", protocol + 30)
    enrolled = s[~s["sf"]]
    site_first = s.groupby("SITEID")["consent"].min()
    ethics = {sid: max(protocol + 20, float(c) - int(rng.integers(20, 60))) for sid, c in site_first.items()}
    add("REGISTRATION_RECORD", min(min(ethics.values()) + 10, first_consent - 3))
    if plan.amendment:
        amend = float(np.median(enrolled["consent"]))
        add("PROTOCOL_AMENDMENT", amend, version="2.0")
        add("ICF_TEMPLATE", amend, version="2.0")
    else:
        amend = np.inf
    sap = protocol + 60 if plan.sap_before is None else min(protocol + 60, plan.sap_before - 30)
    add("SAP", sap)
    used = study.lots[study.lots["used"]]
    if plan.comparability and plan.commercial:
        com = used[used["PROCVER"] == plan.commercial]
        if len(com):
            add("COMPARABILITY_REPORT", float(com["first_use"].min()) - 20)
    dose0 = s[s["dosed"]].groupby("SITEID")["dose0"].min()
    last = s.groupby("SITEID")["end"].max()
    for sid in sorted(site_first.index):
        folder = f"sites/{sid}"
        add("ETHICS_APPROVAL", ethics[sid], siteid=sid, folder=folder)
        add("INVESTIGATOR_CV", protocol - int(rng.integers(10, 60)), siteid=sid, folder=folder)
        first_dose = float(dose0.get(sid, site_first[sid] + 20))
        add("TRAINING_RECORD", max(ethics[sid] + 1, first_dose - int(rng.integers(10, 25))), siteid=sid,
            folder=folder)
        end = min(float(last[sid]), cutoff)
        start = float(site_first[sid]) + 45
        for k, when in enumerate(np.linspace(start, max(start, end - 20), 3)):
            add("MONITORING_REPORT", np.floor(when), siteid=sid, folder=folder, version=f"{k + 1}.0")
    last_dose = float(t["EX"]["EXSTDTC"].max())
    add("PRODUCT_ACCOUNTABILITY", min(last_dose + 30, cutoff))
    if plan.stopping_review:
        add("STOPPING_RULE_REVIEW", min(last_dose + 20, cutoff))
    add("DEVIATION_LOG", cutoff)
    add("CSR", cutoff + 75)
    # per subject: consent, long-term follow-up consent, SAE reports
    ss = s.sort_values("USUBJID")
    for u, sid, c in zip(ss["USUBJID"], ss["SITEID"], ss["consent"]):
        add("ICF_SIGNED", c, usubjid=u, siteid=sid, folder="consent", version="2.0" if c >= amend else "1.0")
    sv = t["SV"]
    in_ltfu = sv[sv["EPOCH"] == plan.ltfu_epoch]
    if len(in_ltfu):   # consent to the separate long-term follow-up study, signed with the trial consent (G-3.1c)
        consent_of = dict(zip(s["USUBJID"], s["consent"]))
        site_of = dict(zip(s["USUBJID"], s["SITEID"]))
        for u in sorted(set(in_ltfu["USUBJID"])):
            add("LTFU_ICF_SIGNED", float(consent_of[u]), usubjid=u, siteid=site_of[u], folder="consent")
    ae = t["AE"]
    ser = ae[(ae["AESER"] == "Y") & ae["USUBJID"].isin(set(s["USUBJID"])) & ae["AESTDTC"].notna()]
    if len(ser):       # one report per serious adverse event, the day after onset (G-4.2.1)
        site_of = dict(zip(s["USUBJID"], s["SITEID"]))
        for u, onset in sorted(set(zip(ser["USUBJID"], ser["AESTDTC"].astype(float)))):
            add("SAE_REPORT", min(onset + 1, cutoff), usubjid=u, siteid=site_of[u], folder="sae")
    for _, lot in used.sort_values("LOTID").iterrows():
        when = lot["first_use"] - 2 if spec.lot_scheme == "autologous" else lot["mfg"] + 21
        add("BATCH_RELEASE_CERT", when, lotid=lot["LOTID"], folder="lots")
    width = max(4, len(str(len(docs))))
    for k, d in enumerate(docs, start=1):
        d.docid = f"DOC-{k:0{width}d}"
        if plan.binder and d.usubjid:
            d.path = f"{d.folder}/{d.siteid}-{d.doctype}.txt"
        else:
            d.path = f"{d.folder}/{d.docid}.txt"
    return docs


def doc_title(d: Doc, plan: DocPlan) -> str:
    t = DOC_TITLES[d.doctype]
    title = f"{t.zh} / {t.en}"
    if d.siteid and d.doctype in ("ETHICS_APPROVAL", "INVESTIGATOR_CV", "TRAINING_RECORD", "MONITORING_REPORT"):
        h = plan.hospitals.get(d.siteid)
        if h is not None:
            title += f" - {h.name_zh}"
    if d.usubjid:
        title += f" - {d.usubjid}"
    if d.lotid:
        title += f" - {d.lotid}"
    return title


def doc_body(d: Doc, plan: DocPlan, studyid: str) -> str:
    t = DOC_TITLES[d.doctype]
    lines = [t.zh, t.en, "", f"Study / 研究: {studyid}", f"{plan.title}", f"Sponsor / 申办者: {plan.sponsor}",
             f"Product / 产品: {plan.product}", f"Document ID: {d.docid}", f"Type: {d.doctype}",
             f"Version: {d.version}", f"Date / 日期: {iso1(d.date)}"]
    if d.siteid:
        h = plan.hospitals.get(d.siteid)
        lines.append(f"Site / 中心: {d.siteid}" + (f" {h.name_zh} ({h.name_en})" if h else ""))
    if d.usubjid:
        lines.append(f"Subject / 受试者: {d.usubjid}")
    if d.lotid:
        lines.append(f"Lot / 批号: {d.lotid}")
    if d.note:
        lines.append(d.note)
    lines += ["", "Synthetic sample document generated by workbench.sample for demonstration; not a real record.",
              "本文件为演示用合成样例，不是真实记录。", ""]
    return "\n".join(lines)


def binder_body(docs: list[Doc], plan: DocPlan, studyid: str) -> str:
    """One file holding several per-subject documents of one type and site (scanned binder)."""
    t = DOC_TITLES[docs[0].doctype]
    lines = [t.zh, t.en, "", f"Study / 研究: {studyid}", f"Site / 中心: {docs[0].siteid}",
             f"Binder of {len(docs)} documents / 共 {len(docs)} 份", ""]
    lines += [f"{d.docid}\t{d.usubjid or ''}\t{iso1(d.date)}\tversion {d.version}" for d in docs]
    lines += ["", "Synthetic sample document generated by workbench.sample for demonstration; not a real record.",
              "本文件为演示用合成样例，不是真实记录。", ""]
    return "\n".join(lines)


def index_frame(docs: list[Doc], plan: DocPlan, hashes: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame({
        "DOCID": [d.docid for d in docs], "DOCTYPE": [d.doctype for d in docs],
        "TITLE": [doc_title(d, plan) for d in docs], "VERSION": [d.version for d in docs],
        "DATE": [iso1(d.date) for d in docs], "SITEID": [d.siteid for d in docs],
        "USUBJID": [d.usubjid for d in docs], "LOTID": [d.lotid for d in docs],
        "PATH": [d.path_override or d.path for d in docs],
        "SHA256": [d.sha_override or hashes.get(d.path) for d in docs]})
