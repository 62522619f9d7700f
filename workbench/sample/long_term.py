"""Domains of the product's long-term behaviour in the body: immunogenicity (IS), persistence (PC), and the trial
summary (TS) that states the data cut-off. Records are built on the simulated visits (day numbers), before
:func:`~workbench.sample.finalize.finalize` adds --SEQ, --DY and ISO dates."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .study import Study


@dataclass(frozen=True)
class ImmuneTest:
    testcd: str
    test: str
    cat: str
    spec: str
    visits: tuple[str, ...]            # baseline visit first (ISBLFL = 'Y')
    baseline_positive: float           # probability of a positive baseline
    emergent: dict[str, float]         # arm -> probability of a treatment-emergent positive (baseline negative)


def immunogenicity(study: Study, tests: list[ImmuneTest], rng: np.random.Generator) -> pd.DataFrame:
    """IS records: one result per dosed subject, test and visit held (POSITIVE / NEGATIVE). A treatment-emergent
    positive appears at a random post-baseline visit and stays positive."""
    s, sv, spec = study.subj, study.tables["SV"], study.spec
    rows = []
    names = {v.num: v.name for v in spec.visits}
    arm = s["ACTARMCD"].to_numpy()
    for t in tests:
        held = sv[sv["VISIT"].isin(t.visits) & s["dosed"].to_numpy()[sv["_si"].to_numpy()]]
        for si, g in held.sort_values(["_si", "SVSTDTC"], kind="stable").groupby("_si", sort=True):
            base = rng.random() < t.baseline_positive
            convert = (not base) and rng.random() < t.emergent.get(arm[si], 0.0)
            post = g.index[g["VISIT"] != t.visits[0]]
            start = post[rng.integers(0, len(post))] if convert and len(post) else None
            positive = base
            for idx, r in g.iterrows():
                if idx == start:
                    positive = True
                res = "POSITIVE" if positive else "NEGATIVE"
                rows.append({"_si": si, "USUBJID": r["USUBJID"], "ISTESTCD": t.testcd, "ISTEST": t.test,
                             "ISCAT": t.cat, "ISORRES": res, "ISSTRESC": res, "ISSPEC": t.spec,
                             "ISBLFL": "Y" if r["VISIT"] == t.visits[0] else None, "VISITNUM": r["VISITNUM"],
                             "VISIT": names.get(r["VISITNUM"], r["VISIT"]), "ISDTC": float(r["SVSTDTC"])})
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class PersistenceAssay:
    testcd: str
    test: str
    spec: str
    unit: str
    lloq: float
    visits: dict[str, tuple[float, float]]   # visit -> (probability detected, median copies at the reference dose)
    reference_dose: float                     # manifest dose at which the medians hold (they scale with dose)


def persistence(study: Study, assay: PersistenceAssay, rng: np.random.Generator) -> pd.DataFrame:
    """PC records: the assay at each listed visit held by a dosed subject; detected with the visit's probability
    (higher with dose), at a lognormal level around the visit's median; below the LLOQ reported as '<LLOQ'."""
    s, sv, spec = study.subj, study.tables["SV"], study.spec
    dose = {a.armcd: a.dose for a in spec.arms}
    held = sv[sv["VISIT"].isin(list(assay.visits)) & s["dosed"].to_numpy()[sv["_si"].to_numpy()]]
    rows = []
    for _, r in held.sort_values(["_si", "SVSTDTC"], kind="stable").iterrows():
        ratio = dose.get(s.at[r["_si"], "ACTARMCD"], assay.reference_dose) / assay.reference_dose
        p, median = assay.visits[r["VISIT"]]
        detected = rng.random() < min(0.99, p * ratio ** 0.3)
        level = float(np.round(median * ratio * np.exp(rng.normal(0, 0.6)), 0))
        if detected and level >= assay.lloq:
            orres, stresn = f"{level:.0f}", level
        else:
            orres, stresn = "<LLOQ", np.nan
        rows.append({"_si": r["_si"], "USUBJID": r["USUBJID"], "PCTESTCD": assay.testcd, "PCTEST": assay.test,
                     "PCSPEC": assay.spec, "PCORRES": orres, "PCORRESU": assay.unit, "PCSTRESC": orres,
                     "PCSTRESN": stresn, "PCSTRESU": assay.unit, "PCLLOQ": assay.lloq, "VISITNUM": r["VISITNUM"],
                     "VISIT": r["VISIT"], "PCDTC": float(r["SVSTDTC"])})
    return pd.DataFrame(rows)


def trial_summary(studyid: str, cutoff: str, title: str) -> pd.DataFrame:
    """TS with the data cut-off date (TSPARMCD DCUTDTC) and the title."""
    return pd.DataFrame([
        {"STUDYID": studyid, "DOMAIN": "TS", "TSSEQ": 1, "TSPARMCD": "TITLE", "TSPARM": "Trial Title", "TSVAL": title},
        {"STUDYID": studyid, "DOMAIN": "TS", "TSSEQ": 1, "TSPARMCD": "DCUTDTC", "TSPARM": "Data Cutoff Date",
         "TSVAL": cutoff}])
