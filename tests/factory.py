"""A small, clean, on-disk submission for tests, and helpers to plant one defect at a time.

``clean_study()`` returns a :class:`Study` (tables as DataFrames, the manifest as a dict,
CMC tables, the documents index as rows). ``write_study(study, path)`` writes it as a
submission folder: CSV datasets in ``tabulations/``, ``submission.yaml``, ``define.xml``
generated from the tables' columns, ``cmc/`` and ``documents/`` with the files and
their real SHA-256 in the index. Loading it and running every check gives no
critical, major or minor finding (only info findings).

Typical planted case::

    study = clean_study()
    study.tables["AE"].loc[0, "AESER"] = None
    sub = load_study(study, tmp_path)
    run = run_checks(sub, only=["SAF-001"])
"""
from __future__ import annotations

import copy
import hashlib
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from xml.sax.saxutils import escape

import pandas as pd
import yaml

from workbench import load_submission
from workbench.submission import Submission

STUDYID = "SCX-001"
SITES = {"01": [1, 2, 3, 7], "02": [4, 5, 6, 8]}
# subject number -> (planned arm, actual arm, age, sex, first-dose date or None, lot)
SUBJECTS = {
    1: ("DL1", "DL1", 45, "F", date(2021, 3, 1), "L001"),
    2: ("DL1", "DL1", 52, "M", date(2021, 3, 10), "L001"),
    3: ("DL1", "DL1", 61, "F", date(2021, 3, 18), "L001"),
    4: ("DL2", "DL2", 38, "M", date(2021, 4, 15), "L002"),
    5: ("DL2", "DL2", 57, "F", date(2021, 4, 23), "L003"),
    6: ("DL2", "DL2", 49, "M", date(2021, 5, 1), "L003"),
    7: ("DL2", "NOTTRT", 66, "F", None, None),        # enrolled, never treated (manufacturing failure)
    8: ("SCRNFAIL", "SCRNFAIL", 70, "M", None, None),  # screen failure
}
ARM_DOSE = {"DL1": 1.0, "DL2": 3.0}  # 10^6 cells/kg
SAE_SUBJECT = 4
LTFU_SUBJECT = 6
FOLLOW_UP_DAYS = 750   # last visit and completion: past the 2-year floor for MSC (G-3.1b)


def usubjid(n: int) -> str:
    return f"{STUDYID}-{n:04d}"


def site_of(n: int) -> str:
    return next(s for s, members in SITES.items() if n in members)


def iso(d: date) -> str:
    return d.isoformat()


@dataclass
class Study:
    """Everything a submission folder holds, in memory; edit then write with :func:`write_study`."""

    manifest: dict | None
    tables: dict[str, pd.DataFrame]
    batches: pd.DataFrame | None
    release: pd.DataFrame | None
    docs: list[dict] | None
    define: bool | str = True            # True: generated from the tables; str: raw XML; False: none
    extra_files: dict[str, bytes] = field(default_factory=dict)  # relative path -> bytes (written last)
    skip_doc_files: set[str] = field(default_factory=set)        # index PATHs whose file is not written
    bare: bool = False                   # datasets directly in the folder, no manifest/cmc/documents
    # a CDE data package (docs/package.md): ADaM tables written as CSV (dates ISO) into analysis/adam/datasets/
    # under adam_files names (default <name>.csv), with an ADaM define.xml when adam_define; see make_package()
    adam: dict[str, pd.DataFrame] = field(default_factory=dict)
    adam_files: dict[str, str] = field(default_factory=dict)
    adam_define: bool | str = True

    def copy(self) -> "Study":
        return copy.deepcopy(self)

    def table(self, name: str) -> pd.DataFrame:
        return self.tables[name]

    def doc(self, doctype: str, **match) -> list[dict]:
        return [d for d in self.docs or [] if d["DOCTYPE"] == doctype and all(d.get(k) == v for k, v in match.items())]

    def drop_docs(self, doctype: str, **match) -> None:
        keep = [d for d in self.docs if not (d["DOCTYPE"] == doctype and all(d.get(k) == v for k, v in match.items()))]
        self.docs[:] = keep

    def stop_follow_up(self, n: int, days: int, decod: str | None = "COMPLETED", term: str | None = None) -> None:
        """Subject ``n`` is followed for ``days`` after the first dose only: later visits are dropped and the
        disposition event becomes ``decod`` on that day (None: no disposition event, still in follow-up)."""
        u = usubjid(n)
        first = SUBJECTS[n][4]
        end = first + timedelta(days=days)
        sv = self.tables["SV"]
        self.tables["SV"] = sv[~((sv["USUBJID"] == u) & (sv["SVSTDTC"] > iso(end)))].reset_index(drop=True)
        ds = self.tables["DS"]
        disp = (ds["USUBJID"] == u) & (ds["DSCAT"] == "DISPOSITION EVENT")
        if decod is None:
            self.tables["DS"] = ds[~disp].reset_index(drop=True)
        else:
            ds.loc[disp, ["DSDECOD", "DSTERM", "DSSTDTC"]] = [decod, term or decod, iso(end)]
        dm = self.tables["DM"]
        dm.loc[dm["USUBJID"] == u, "RFENDTC"] = iso(end)

    def add_doc(self, doctype: str, **fields) -> dict:
        n = len(self.docs) + 1
        row = {"DOCID": f"D{900 + n:03d}", "DOCTYPE": doctype, "TITLE": doctype.title(), "VERSION": "1.0",
               "DATE": "2021-01-05", "SITEID": "", "USUBJID": "", "LOTID": "", "PATH": f"added/{doctype.lower()}_{n}.pdf"}
        row.update(fields)
        self.docs.append(row)
        return row


def _manifest() -> dict:
    return {
        "submission_id": "SCX-TEST-001",
        "title": "同种异体脐带间充质干细胞治疗膝骨关节炎的备案临床研究（测试）",
        "sponsor": "Test Sponsor",
        "product": {"name": "UC-MSC", "cell_type": "MSC", "source": "allogeneic", "gene_modified": False,
                    "commercial_process_version": "P2"},
        "study": {
            "design": "dose_escalation", "stage": "exploratory", "first_in_human": True, "blinding": "open",
            "independent_review_committee": False, "population": "patients", "indication": "knee osteoarthritis",
            "life_threatening": False, "sentinel_interval_days": 7,
            "arms": [{"armcd": "DL1", "dose": 1.0e6, "dose_unit": "cells/kg"},
                     {"armcd": "DL2", "dose": 3.0e6, "dose_unit": "cells/kg"}],
            "dlt": {"window_days": 28, "target_rate": 0.3, "definition": "flag", "min_grade": 3},
            "stopping_rules": [{"id": "SR1", "description": "two or more related grade >=4 AEs in one cohort",
                                "scope": "cohort", "min_grade": 4, "related_only": True, "serious_only": False,
                                "terms": [], "threshold": 2}],
            "primary_endpoint": {"domain": "QS", "testcd": "WOMACT", "visit": "WEEK 4", "type": "clinical",
                                 "better": "lower", "responder_change": -20},
            "followup": {"required_days": 730},
            "background_therapy": ["NSAID"],
            "aesi_terms": [],
        },
        "next_stage": {"stage": "exploratory", "dose": 3.0e6, "dose_unit": "cells/kg",
                       "frequency": {"administrations": 1}, "population": "adults with knee osteoarthritis"},
        "prior_exploratory_evidence": False,
    }


def _tables() -> dict[str, pd.DataFrame]:
    dm, ds, ex, ae, cm, lb, vs, sv, qs, ie = [], [], [], [], [], [], [], [], [], []
    for n, (arm, act, age, sex, dose_day, lot) in SUBJECTS.items():
        u = usubjid(n)
        consent = (dose_day or date(2021, 5, 10)) - timedelta(days=14)
        dm.append({"STUDYID": STUDYID, "DOMAIN": "DM", "USUBJID": u, "SUBJID": f"{n:04d}", "SITEID": site_of(n),
                   "RFICDTC": iso(consent), "RFSTDTC": iso(dose_day) if dose_day else None,
                   "RFENDTC": iso(dose_day + timedelta(days=FOLLOW_UP_DAYS)) if dose_day else None,
                   "DTHFL": None, "DTHDTC": None, "AGE": age, "AGEU": "YEARS", "SEX": sex,
                   "ARMCD": arm, "ARM": arm, "ACTARMCD": act, "ACTARM": act, "COUNTRY": "CHN"})
        seq = 1
        ds.append({"STUDYID": STUDYID, "DOMAIN": "DS", "USUBJID": u, "DSSEQ": seq, "DSTERM": "INFORMED CONSENT OBTAINED",
                   "DSDECOD": "INFORMED CONSENT OBTAINED", "DSCAT": "PROTOCOL MILESTONE", "DSSTDTC": iso(consent)})
        sv.append({"STUDYID": STUDYID, "DOMAIN": "SV", "USUBJID": u, "VISITNUM": 1, "VISIT": "SCREENING",
                   "SVEPOCH": "SCREENING", "SVSTDTC": iso(consent), "SVENDTC": iso(consent)})
        if n == 8:
            ds.append({"STUDYID": STUDYID, "DOMAIN": "DS", "USUBJID": u, "DSSEQ": 2,
                       "DSTERM": "Did not meet inclusion criterion 3 (Kellgren-Lawrence grade)",
                       "DSDECOD": "SCREEN FAILURE", "DSCAT": "DISPOSITION EVENT", "DSSTDTC": iso(consent + timedelta(7))})
            ie.append({"STUDYID": STUDYID, "DOMAIN": "IE", "USUBJID": u, "IESEQ": 1, "IETESTCD": "IN03",
                       "IETEST": "Kellgren-Lawrence grade 2-3", "IECAT": "INCLUSION", "IEORRES": "N", "IESTRESC": "N",
                       "IEDTC": iso(consent + timedelta(7))})
            continue
        if dose_day is None:  # enrolled, not treated
            ds.append({"STUDYID": STUDYID, "DOMAIN": "DS", "USUBJID": u, "DSSEQ": 2,
                       "DSTERM": "Product manufacturing failure (lot failed sterility)", "DSDECOD": "OTHER",
                       "DSCAT": "DISPOSITION EVENT", "DSSTDTC": iso(consent + timedelta(20))})
            continue
        ds.append({"STUDYID": STUDYID, "DOMAIN": "DS", "USUBJID": u, "DSSEQ": 2, "DSTERM": "COMPLETED",
                   "DSDECOD": "COMPLETED", "DSCAT": "DISPOSITION EVENT",
                   "DSSTDTC": iso(dose_day + timedelta(FOLLOW_UP_DAYS))})
        ex.append({"STUDYID": STUDYID, "DOMAIN": "EX", "USUBJID": u, "EXSEQ": 1, "EXTRT": "UC-MSC",
                   "EXDOSE": ARM_DOSE[arm], "EXDOSU": "10^6 cells/kg", "EXROUTE": "INTRA-ARTICULAR", "EXLOT": lot,
                   "EXSTDTC": iso(dose_day), "EXENDTC": iso(dose_day)})
        visits = [(2, "DAY 1", 0), (3, "WEEK 1", 7), (4, "WEEK 4", 28), (5, "MONTH 3", 90), (6, "MONTH 7", 200),
                  (8, "MONTH 25", FOLLOW_UP_DAYS)]
        for vn, vname, off in visits:
            d = iso(dose_day + timedelta(days=off))
            sv.append({"STUDYID": STUDYID, "DOMAIN": "SV", "USUBJID": u, "VISITNUM": vn, "VISIT": vname,
                       "SVEPOCH": "TREATMENT" if off == 0 else "FOLLOW-UP", "SVSTDTC": d, "SVENDTC": d})
        if n == LTFU_SUBJECT:
            d = iso(dose_day + timedelta(days=400))
            sv.append({"STUDYID": STUDYID, "DOMAIN": "SV", "USUBJID": u, "VISITNUM": 7, "VISIT": "LTFU YEAR 1",
                       "SVEPOCH": "LONG-TERM FOLLOW-UP", "SVSTDTC": d, "SVENDTC": d})
        base = dose_day - timedelta(days=3)
        lseq = vseq = 0
        for vn, vname, when, blfl in [(1, "SCREENING", base, "Y"), (3, "WEEK 1", dose_day + timedelta(7), None),
                                      (4, "WEEK 4", dose_day + timedelta(28), None)]:
            for code, val, unit in (("ALT", 22 + n, "U/L"), ("HGB", 135 - n, "g/L")):
                lseq += 1
                lb.append({"STUDYID": STUDYID, "DOMAIN": "LB", "USUBJID": u, "LBSEQ": lseq, "LBTESTCD": code,
                           "LBTEST": code, "LBORRES": str(val), "LBORRESU": unit, "LBSTRESN": val, "LBSTRESU": unit,
                           "LBBLFL": blfl, "VISITNUM": vn, "VISIT": vname, "LBDTC": iso(when)})
            for code, val, unit in (("WEIGHT", 60 + n, "kg"), ("HEIGHT", 165, "cm"), ("SYSBP", 120 + n, "mmHg")):
                vseq += 1
                vs.append({"STUDYID": STUDYID, "DOMAIN": "VS", "USUBJID": u, "VSSEQ": vseq, "VSTESTCD": code,
                           "VSTEST": code, "VSORRES": str(val), "VSORRESU": unit, "VSSTRESN": val, "VSSTRESU": unit,
                           "VSBLFL": blfl, "VISITNUM": vn, "VISIT": vname, "VSDTC": iso(when)})
        for qseq, (vn, vname, when, blfl, val) in enumerate(
                [(1, "BASELINE", base, "Y", 60 + n), (4, "WEEK 4", dose_day + timedelta(28), None, 45 + n)], start=1):
            qs.append({"STUDYID": STUDYID, "DOMAIN": "QS", "USUBJID": u, "QSSEQ": qseq, "QSTESTCD": "WOMACT",
                       "QSTEST": "WOMAC total score", "QSORRES": str(val), "QSSTRESN": val, "QSBLFL": blfl,
                       "VISITNUM": vn, "VISIT": vname, "QSDTC": iso(when)})
        cm.append({"STUDYID": STUDYID, "DOMAIN": "CM", "USUBJID": u, "CMSEQ": 1, "CMTRT": "Celecoxib",
                   "CMDECOD": "CELECOXIB", "CMCLAS": "NSAID", "CMDOSE": 200, "CMDOSU": "mg", "CMDOSFRQ": "QD",
                   "CMSTDTC": iso(dose_day - timedelta(days=300)), "CMENDTC": None, "CMENRF": "ONGOING"})
    # adverse events: one mild unrelated AE, one SAE (with SAE report), one infusion reaction (AESI, info)
    ae = [
        {"USUBJID": usubjid(1), "AESEQ": 1, "AETERM": "Headache", "AEDECOD": "Headache",
         "AEBODSYS": "Nervous system disorders", "AESTDTC": "2021-03-05", "AEENDTC": "2021-03-06", "AESER": "N",
         "AEREL": "NOT RELATED", "AESEV": "MILD", "AETOXGR": 1, "AEOUT": "RECOVERED/RESOLVED"},
        {"USUBJID": usubjid(SAE_SUBJECT), "AESEQ": 1, "AETERM": "Pneumonia", "AEDECOD": "Pneumonia",
         "AEBODSYS": "Infections and infestations", "AESTDTC": "2021-06-20", "AEENDTC": "2021-07-02", "AESER": "Y",
         "AEREL": "NOT RELATED", "AESEV": "SEVERE", "AETOXGR": 3, "AEOUT": "RECOVERED/RESOLVED"},
        {"USUBJID": usubjid(5), "AESEQ": 1, "AETERM": "Infusion related reaction", "AEDECOD": "Infusion related reaction",
         "AEBODSYS": "Injury, poisoning and procedural complications", "AESTDTC": "2021-04-23",
         "AEENDTC": "2021-04-24", "AESER": "N", "AEREL": "RELATED", "AESEV": "MODERATE", "AETOXGR": 2,
         "AEOUT": "RECOVERED/RESOLVED"},
    ]
    for r in ae:
        r.update({"STUDYID": STUDYID, "DOMAIN": "AE"})
    cm.append({"STUDYID": STUDYID, "DOMAIN": "CM", "USUBJID": usubjid(SAE_SUBJECT), "CMSEQ": 2, "CMTRT": "Ceftriaxone",
               "CMDECOD": "CEFTRIAXONE", "CMCLAS": "ANTIBACTERIALS", "CMDOSE": 2, "CMDOSU": "g", "CMDOSFRQ": "QD",
               "CMSTDTC": "2021-06-20", "CMENDTC": "2021-06-30", "CMENRF": None})
    suppae = [{"STUDYID": STUDYID, "RDOMAIN": "AE", "USUBJID": usubjid(5), "IDVAR": "AESEQ", "IDVARVAL": "1",
               "QNAM": "AEDLT", "QLABEL": "Dose-limiting toxicity", "QVAL": "N"}]
    ts = [{"STUDYID": STUDYID, "DOMAIN": "TS", "TSSEQ": 1, "TSPARMCD": "DCUTDTC", "TSPARM": "Data Cutoff Date",
           "TSVAL": "2023-12-31"},
          {"STUDYID": STUDYID, "DOMAIN": "TS", "TSSEQ": 1, "TSPARMCD": "TITLE", "TSPARM": "Trial Title",
           "TSVAL": "UC-MSC in knee osteoarthritis"}]
    frames = {"DM": dm, "DS": ds, "EX": ex, "AE": ae, "CM": cm, "LB": lb, "VS": vs, "SV": sv, "QS": qs, "IE": ie,
              "SUPPAE": suppae, "TS": ts}
    return {k: pd.DataFrame(v) for k, v in frames.items()}


def _cmc() -> tuple[pd.DataFrame, pd.DataFrame]:
    batches = pd.DataFrame([
        {"LOTID": "L000", "PROCVER": "P1", "MFGDT": "2020-06-01", "SITE": "GMP-A", "STATUS": "RELEASED", "FAILREASON": None},
        {"LOTID": "L001", "PROCVER": "P2", "MFGDT": "2021-02-01", "SITE": "GMP-A", "STATUS": "RELEASED", "FAILREASON": None},
        {"LOTID": "L002", "PROCVER": "P2", "MFGDT": "2021-03-20", "SITE": "GMP-A", "STATUS": "RELEASED", "FAILREASON": None},
        {"LOTID": "L003", "PROCVER": "P2", "MFGDT": "2021-04-10", "SITE": "GMP-A", "STATUS": "RELEASED", "FAILREASON": None},
        {"LOTID": "L004", "PROCVER": "P2", "MFGDT": "2021-04-25", "SITE": "GMP-A", "STATUS": "FAILED",
         "FAILREASON": "Sterility test positive"},
    ])
    spec = {  # attribute -> (unit, low, high, text, results per lot L000..L004)
        "VIABILITY": ("%", 80, None, None, [91.0, 92.5, 93.1, 91.8, 88.0]),
        "CELL_COUNT": ("10^6 cells", 45, 55, None, [50.2, 50.5, 49.8, 50.1, 50.0]),
        "CD73": ("%", 95, None, None, [98.1, 98.6, 99.0, 98.4, 97.9]),
        "CD90": ("%", 95, None, None, [98.9, 99.1, 98.7, 99.2, 98.8]),
        "CD105": ("%", 95, None, None, [97.5, 97.9, 98.2, 97.7, 97.6]),
        "CD34": ("%", None, 2, None, [0.5, 0.4, 0.6, 0.5, 0.7]),
        "CD45": ("%", None, 2, None, [0.3, 0.2, 0.4, 0.3, 0.3]),
        "HLA_DR": ("%", None, 2, None, [0.9, 1.0, 0.8, 1.1, 1.0]),
        "ENDOTOXIN": ("EU/mL", None, 0.5, None, ["<0.25", "0.12", "0.15", "0.10", "0.20"]),
        "STERILITY": (None, None, None, "NEGATIVE", ["NEGATIVE", "NEGATIVE", "NEGATIVE", "NEGATIVE", "POSITIVE"]),
        "MYCOPLASMA": (None, None, None, "NEGATIVE", ["NEGATIVE", "NEGATIVE", "NOT DETECTED", "NEGATIVE", "NEGATIVE"]),
        "KARYOTYPE": (None, None, None, "NORMAL", ["NORMAL"] * 5),
    }
    rows = []
    for attr, (unit, lo, hi, text, results) in spec.items():
        for lot, res in zip(batches["LOTID"], results, strict=True):
            rows.append({"LOTID": lot, "ATTRIBUTE": attr, "RESULT": str(res), "UNIT": unit, "SPEC_LOW": lo,
                         "SPEC_HIGH": hi, "SPEC_TEXT": text})
    return batches, pd.DataFrame(rows)


def _docs() -> list[dict]:
    rows: list[dict] = []

    def add(doctype, date_, site="", subject="", lot="", title=None):
        n = len(rows) + 1
        rows.append({"DOCID": f"D{n:03d}", "DOCTYPE": doctype, "TITLE": title or doctype.replace("_", " ").title(),
                     "VERSION": "1.0", "DATE": date_, "SITEID": site, "USUBJID": subject, "LOTID": lot,
                     "PATH": f"{doctype.lower()}/{(subject or lot or site or 'study')}_{n:03d}.pdf"})

    add("PROTOCOL", "2020-12-01")
    add("PROTOCOL_AMENDMENT", "2021-06-01")
    for s in SITES:
        add("ETHICS_APPROVAL", "2021-01-15", site=s)
        add("INVESTIGATOR_CV", "2020-11-01", site=s)
        add("TRAINING_RECORD", "2021-01-20", site=s)
        add("MONITORING_REPORT", "2021-09-01", site=s)
    for t, d in (("REGISTRATION_RECORD", "2021-01-10"), ("IB", "2020-10-01"), ("ICF_TEMPLATE", "2020-12-01"),
                 ("SOP_PRODUCT_HANDLING", "2020-12-15"), ("RISK_CONTROL_PLAN", "2020-12-01"),
                 ("PRODUCT_ACCOUNTABILITY", "2021-12-01"), ("SAP", "2021-01-05"), ("DMP", "2021-01-05"),
                 ("CSR", "2022-06-30"), ("NONCLINICAL_SUMMARY", "2020-09-01"), ("BIODISTRIBUTION_REPORT", "2020-09-01"),
                 ("DEVIATION_LOG", "2022-01-31")):
        add(t, d)
    for n, (arm, *_rest) in SUBJECTS.items():
        if arm != "SCRNFAIL":
            add("ICF_SIGNED", "2021-02-15", site=site_of(n), subject=usubjid(n))
    add("SAE_REPORT", "2021-06-21", site=site_of(SAE_SUBJECT), subject=usubjid(SAE_SUBJECT))
    add("LTFU_ICF_SIGNED", "2021-04-20", site=site_of(LTFU_SUBJECT), subject=usubjid(LTFU_SUBJECT))
    for lot in ("L001", "L002", "L003"):
        add("BATCH_RELEASE_CERT", "2021-02-20", lot=lot)
    return rows


def clean_study() -> Study:
    """The clean test study (8 subjects, 2 sites, 2 dose levels, FIH with sentinel dosing)."""
    batches, release = _cmc()
    return Study(manifest=_manifest(), tables=_tables(), batches=batches, release=release, docs=_docs())


def define_xml(tables: dict[str, pd.DataFrame]) -> str:
    """A minimal Define-XML 2.0 document listing each table and its columns."""
    groups, items = [], []
    for name, df in sorted(tables.items()):
        refs = "".join(f'<ItemRef ItemOID="IT.{name}.{c}" Mandatory="No"/>' for c in df.columns)
        groups.append(f'<ItemGroupDef OID="IG.{name}" Name="{name}" Repeating="Yes" Domain="{name}">{refs}</ItemGroupDef>')
        items += [f'<ItemDef OID="IT.{name}.{c}" Name="{escape(c)}" DataType="text"/>' for c in df.columns]
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<ODM xmlns="http://www.cdisc.org/ns/odm/v1.3" '
            'xmlns:def="http://www.cdisc.org/ns/def/v2.0"><Study OID="S"><MetaDataVersion OID="MDV" Name="test">'
            + "".join(groups) + "".join(items) + "</MetaDataVersion></Study></ODM>\n")


def _csv(df: pd.DataFrame) -> bytes:
    return df.to_csv(index=False).encode("utf-8")


def _inside(folder: Path, rel: str) -> Path | None:
    """``folder/rel`` when it stays inside ``folder`` (no absolute path, no '..'); else None."""
    target = (folder / rel).resolve()
    base = folder.resolve()
    return target if target != base and base in target.parents else None


def write_study(study: Study, path: Path) -> Path:
    """Write the study as a submission folder at ``path`` (created) and return it."""
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    if study.bare:
        for name, df in study.tables.items():
            (path / f"{name.lower()}.csv").write_bytes(_csv(df))
    else:
        tab = path / "tabulations"
        tab.mkdir(exist_ok=True)
        for name, df in study.tables.items():
            (tab / f"{name.lower()}.csv").write_bytes(_csv(df))
        if study.manifest is not None:
            (path / "submission.yaml").write_text(yaml.safe_dump(study.manifest, allow_unicode=True, sort_keys=False),
                                                  encoding="utf-8")
        if study.define is True:
            (path / "define.xml").write_text(define_xml(study.tables), encoding="utf-8")
        elif isinstance(study.define, str):
            (path / "define.xml").write_text(study.define, encoding="utf-8")
        if study.batches is not None or study.release is not None:
            (path / "cmc").mkdir(exist_ok=True)
            if study.batches is not None:
                (path / "cmc" / "batches.csv").write_bytes(_csv(study.batches))
            if study.release is not None:
                (path / "cmc" / "release_tests.csv").write_bytes(_csv(study.release))
        if study.docs is not None:
            docdir = path / "documents"
            docdir.mkdir(exist_ok=True)
            rows = []
            for row in study.docs:
                row = dict(row)
                rel = row.get("PATH") or ""
                content = f"{row['DOCID']} {row['DOCTYPE']} {row.get('TITLE', '')}\n".encode()
                if rel and rel not in study.skip_doc_files:
                    f = _inside(docdir, rel)
                    if f is not None:  # hostile index paths are listed, never written
                        f.parent.mkdir(parents=True, exist_ok=True)
                        f.write_bytes(content)
                if "SHA256" not in row:
                    row["SHA256"] = hashlib.sha256(content).hexdigest() if rel else ""
                rows.append(row)
            cols = ["DOCID", "DOCTYPE", "TITLE", "VERSION", "DATE", "SITEID", "USUBJID", "LOTID", "PATH", "SHA256"]
            (docdir / "index.csv").write_bytes(_csv(pd.DataFrame(rows, columns=cols)))
    if study.adam:
        adam_dir = path / "analysis" / "adam" / "datasets"
        adam_dir.mkdir(parents=True, exist_ok=True)
        for name, df in study.adam.items():
            (adam_dir / study.adam_files.get(name, f"{name.lower()}.csv")).write_bytes(_csv(_iso_dates(df)))
        if study.adam_define is True:
            (adam_dir / "define.xml").write_text(define_xml(study.adam), encoding="utf-8")
        elif isinstance(study.adam_define, str):
            (adam_dir / "define.xml").write_text(study.adam_define, encoding="utf-8")
    for rel, data in study.extra_files.items():
        f = _inside(path, rel)
        if f is None:
            raise ValueError(f"test factory refuses to write outside the submission folder: {rel!r}")
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_bytes(data)
    return path


PACKAGE_FILES = {"tabulations/csdrg.pdf": b"%PDF-1.4 SDRG\n", "analysis/adam/datasets/adrg.pdf": b"%PDF-1.4 ADRG\n",
                 "analysis/adam/programs/adsl.sas": b"/* ADSL */\n"}


def make_package(study: Study) -> Study:
    """The study as a CDE data package: ADSL, ADAE, ADLBHY derived from its tables the sponsor's way
    (workbench.sample.adam), an ADaM define.xml, reviewer guides and a program. Edit ``study.adam`` afterwards."""
    from workbench.sample.adam import adam_datasets

    study.adam = adam_datasets(study.tables)
    study.extra_files.update(PACKAGE_FILES)
    return study


def _iso_dates(df: pd.DataFrame) -> pd.DataFrame:
    """ADaM numeric SAS dates (days since 1960-01-01) as ISO text, as a CSV analysis dataset carries them."""
    from workbench.sample.adam import DATE_VARS, SAS_OFFSET

    out = df.copy()
    for c in DATE_VARS:
        if c in out.columns:
            d = pd.to_numeric(out[c], errors="coerce") - SAS_OFFSET
            out[c] = [None if v != v else (date(1970, 1, 1) + timedelta(days=int(v))).isoformat() for v in d]
    return out


def load_study(study: Study, tmp_path: Path, name: str = "sub") -> Submission:
    """Write ``study`` under ``tmp_path/name`` and load it."""
    return load_submission(write_study(study, Path(tmp_path) / name))


def clean_submission(tmp_path: Path) -> Path:
    """Write the clean study under ``tmp_path/clean`` and return the folder."""
    return write_study(clean_study(), Path(tmp_path) / "clean")
