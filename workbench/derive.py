"""Shared derivations over a loaded submission (analyses.md "Common definitions").

Every function is pure over the submission and memoised on it, so checks,
analyses and tiering compute each derivation once per review.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .dates import MALFORMED, DateIntervals, on_or_after, parse_dtc
from .submission import Submission
from .units import normalise_doses, to_number

SCREEN_FAIL_ARMS = {"SCRNFAIL", "NOTASSGN", "NOTTRT", ""}
RELATED_VALUES = {"RELATED", "PROBABLY RELATED", "POSSIBLY RELATED", "Y", "YES"}
NOT_RELATED_VALUES = {"NOT RELATED", "UNLIKELY RELATED", "N", "NO"}
SEVERITY_GRADE = {"MILD": 1, "MODERATE": 2, "SEVERE": 3}
NEOPLASM_SOC = "Neoplasms benign, malignant and unspecified (incl cysts and polyps)"
# SAF-006 / G-2.2.1, G-3.1a: stem-cell specific risks
AESI_PATTERNS = ("tumour", "tumor", "neoplasm", "teratoma", "ectopic", "graft versus host", "graft-versus-host",
                 "rejection", "infusion related reaction", "infusion-related reaction")
TUMOUR_PATTERNS = ("tumour", "tumor", "neoplasm", "teratoma", "ectopic")


def memo(fn):
    """Cache a derivation on the submission object (keyed by function and arguments)."""

    @functools.wraps(fn)
    def wrapper(sub: Submission, *args):
        cache = sub.__dict__.setdefault("_derived", {})
        key = (fn.__name__, args)
        if key not in cache:
            cache[key] = fn(sub, *args)
        return cache[key]

    return wrapper


def col(df: pd.DataFrame | None, name: str) -> pd.Series:
    """Column or an all-missing object Series of the right length (never KeyError)."""
    if df is None:
        return pd.Series([], dtype="object")
    if name in df.columns:
        return df[name]
    return pd.Series([None] * len(df), index=df.index, dtype="object")


def records(df: pd.DataFrame) -> list[dict]:
    """``df.to_dict("records")`` without boxing every cell through pandas (plain Python values)."""
    if df.columns.duplicated().any():
        return df.to_dict("records")
    cols = list(df.columns)
    if not cols:
        return [{} for _ in range(len(df))]
    return [dict(zip(cols, row)) for row in zip(*[_plain_values(df[c]) for c in cols])]


def _plain_values(s: pd.Series) -> list:
    """``s.tolist()``; str (Arrow) columns converted in one step (their ``tolist`` boxes cell by cell)."""
    if isinstance(s.dtype, pd.StringDtype):
        return s.to_numpy(dtype=object).tolist()
    return s.tolist()


def _clean(v):
    if isinstance(v, (list, tuple, dict, set, frozenset)):
        return v
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, (np.bool_, bool)):
        return bool(v)
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        return fnum(v)
    return v


def upper_text(s: pd.Series) -> pd.Series:
    """Stripped upper-case text (object dtype), None where missing; computed once per distinct value."""
    codes, uniques = pd.factorize(s.astype("object"), use_na_sentinel=True)
    mapped = np.array([_upper1(v) for v in uniques] + [None], dtype=object)
    return pd.Series(mapped[codes], index=s.index, dtype="object")


@dataclass(frozen=True)
class Coded:
    """A column factorised once: ``codes`` per record (-1 where missing) into ``uniques`` (object array)."""

    codes: np.ndarray
    uniques: np.ndarray

    def take(self, per_unique, fill) -> np.ndarray:
        """Spread one value per distinct value to the records (``fill`` where missing: NaN, None or False)."""
        return np.append(np.asarray(per_unique), np.asarray([fill], dtype=np.asarray(per_unique).dtype))[self.codes]

    def mask(self, per_unique) -> np.ndarray:
        """Boolean per record from a boolean per distinct value (False where missing)."""
        return np.append(np.asarray(per_unique, dtype=bool), False)[self.codes]

    @property
    def present(self) -> np.ndarray:
        return self.codes >= 0

    def present_uniques(self, rows=None) -> np.ndarray:
        """Distinct non-missing values among ``rows`` (a boolean mask; all records when None), in code order."""
        c = self.codes if rows is None else self.codes[np.asarray(rows, dtype=bool)]
        seen = np.zeros(len(self.uniques) + 1, dtype=bool)
        seen[c] = True
        return self.uniques[seen[:-1]]


def code_column(values) -> Coded:
    """Factorise a column (object values; missing -> -1)."""
    codes, uniques = pd.factorize(pd.Series(values).astype("object") if not isinstance(values, pd.Series)
                                  else values.astype("object"), use_na_sentinel=True)
    return Coded(codes, np.asarray(uniques, dtype=object))


@memo
def coded(sub: Submission, domain: str, variable: str) -> Coded:
    """A dataset column factorised once per review (the loader seeds USUBJID and --DTC columns for free)."""
    return code_column(col(sub.domain(domain), variable))


def _upper1(v):
    return str(v).strip().upper() if v is not None and v == v else None


@memo
def _upper_uniques(sub: Submission, domain: str, variable: str) -> np.ndarray:
    return np.asarray([_upper1(v) for v in coded(sub, domain, variable).uniques], dtype=object)


def upper_in(sub: Submission, domain: str, variable: str, values) -> np.ndarray:
    """``upper_text(column).isin(values)`` of a dataset column, as a boolean array (cost: its distinct values)."""
    values = set(values)
    return coded(sub, domain, variable).mask([v is not None and v in values
                                              for v in _upper_uniques(sub, domain, variable)])


def upper_col(sub: Submission, domain: str, variable: str) -> pd.Series:
    """``upper_text(column)`` of a dataset column, from its factorisation."""
    df = sub.domain(domain)
    return pd.Series(coded(sub, domain, variable).take(_upper_uniques(sub, domain, variable), None),
                     index=df.index if df is not None else None, dtype="object")


@memo
def dates(sub: Submission, domain: str, variable: str) -> DateIntervals:
    """Parsed --DTC column (cached): lo/hi day numbers and status per record.

    Parsed once per distinct value, then spread to the records (a 1M-row LBDTC holds a few thousand dates).
    """
    c = coded(sub, domain, variable)
    codes, uniques = c.codes, c.uniques
    u = parse_dtc(pd.Series(uniques, dtype="object"))
    lo, hi = np.append(u.lo, np.nan)[codes], np.append(u.hi, np.nan)[codes]  # code -1 (missing) -> last slot
    status = np.append(u.status, "missing").astype(object)[codes]
    return DateIntervals(lo, hi, status, malformed_mask=np.append(u.status == MALFORMED, False)[codes])


@memo
def subjects(sub: Submission) -> pd.DataFrame:
    """DM one row per USUBJID (first kept) with ARM = actual arm (ACTARMCD, else ARMCD) and flags."""
    dm = sub.domain("DM")
    if dm is None or "USUBJID" not in dm.columns:
        return pd.DataFrame(columns=["USUBJID", "ARM", "PLANNED_ARM", "SITEID", "AGE", "ENROLLED", "DOSED"]
                            ).set_index("USUBJID", drop=False)
    d = dm[dm["USUBJID"].notna()].drop_duplicates("USUBJID").copy()
    planned = upper_text(col(d, "ARMCD"))
    actual = upper_text(col(d, "ACTARMCD"))
    d["PLANNED_ARM"] = planned
    d["ARM"] = actual.where(actual.notna() & (actual != ""), planned)
    d["ENROLLED"] = ~planned.fillna("").isin(SCREEN_FAIL_ARMS - {"NOTTRT"}) | planned.isna()
    d["AGE_N"] = to_number(col(d, "AGE"))
    dosed = dosed_subjects(sub)
    d["DOSED"] = d["USUBJID"].isin(dosed)
    return d.set_index("USUBJID", drop=False)


@memo
def exposure(sub: Submission) -> pd.DataFrame:
    """EX records with DOSE_N (normalised to cells or cells/kg), DOSE_UNIT_N, start-date bounds and ARM."""
    ex = sub.domain("EX")
    if ex is None:
        return pd.DataFrame(columns=["USUBJID", "DOSE_N", "DOSE_UNIT_N", "START_LO", "START_HI", "ARM"])
    out = ex.copy()
    if "USUBJID" not in out.columns:   # records of no subject (TRC-002 reports it): kept, matched to nobody
        out["USUBJID"] = pd.Series(None, index=out.index, dtype=object)
    out["DOSE_N"], out["DOSE_UNIT_N"] = normalise_doses(col(ex, "EXDOSE"), col(ex, "EXDOSU"))
    d = dates(sub, "EX", "EXSTDTC")
    out["START_LO"], out["START_HI"] = d.lo, d.hi
    dm = sub.domain("DM")
    arm_map = {}
    if dm is not None and "USUBJID" in dm.columns:
        planned = upper_text(col(dm, "ARMCD"))
        actual = upper_text(col(dm, "ACTARMCD"))
        arm_map = dict(zip(dm["USUBJID"], actual.where(actual.notna(), planned)))
    out["ARM"] = col(out, "USUBJID").map(arm_map)
    return out


def control_arms(sub: Submission) -> set[str]:
    """Arms declared as comparator (control: true or dose 0) in the manifest."""
    return {a.armcd.upper() for a in sub.m.study.arms if a.is_control}


@memo
def dosed_subjects(sub: Submission) -> frozenset:
    """USUBJIDs with an EX record with EXDOSE > 0, or any EX record in a control arm."""
    ex = exposure(sub)
    if ex.empty or "USUBJID" not in ex.columns:
        return frozenset()
    positive = ex["DOSE_N"].fillna(0) > 0
    raw_positive = to_number(col(ex, "EXDOSE")).fillna(0) > 0
    in_control = ex["ARM"].isin(control_arms(sub))
    return frozenset(ex.loc[positive | raw_positive | in_control, "USUBJID"].dropna())


@memo
def first_dose(sub: Submission) -> pd.DataFrame:
    """Per dosed subject: FIRST_LO / FIRST_HI day numbers of the earliest EXSTDTC (NaN when unknown)."""
    ex = exposure(sub)
    dosed = dosed_subjects(sub)
    if "USUBJID" not in ex.columns:
        return pd.DataFrame(columns=["FIRST_LO", "FIRST_HI"])
    ex = ex[ex["USUBJID"].isin(dosed)] if not ex.empty else ex
    if ex.empty:
        return pd.DataFrame(columns=["FIRST_LO", "FIRST_HI"])
    g = ex.groupby("USUBJID")
    out = pd.DataFrame({"FIRST_LO": g["START_LO"].min(), "FIRST_HI": g["START_HI"].min()})
    return out.set_axis(out.index.astype(object))   # object ids: fast lookups from object columns


def spread(sub: Submission, domain: str, per_subject: pd.Series) -> np.ndarray:
    """``domain.USUBJID.map(per_subject)`` as an array (NaN where no match), looked up once per subject."""
    c = coded(sub, domain, "USUBJID")
    if per_subject.index.dtype != object:     # object-to-object lookups avoid pandas' str-dtype slow path
        per_subject = pd.Series(per_subject.to_numpy(), index=per_subject.index.astype(object))
    looked = per_subject.reindex(pd.Index(c.uniques, dtype=object)).to_numpy()
    return np.append(looked, np.array([np.nan], dtype=looked.dtype))[c.codes]


def _first_dose_intervals(sub: Submission, domain: str, n: int) -> DateIntervals:
    fd = first_dose(sub)
    lo = spread(sub, domain, fd["FIRST_LO"]).astype(float) if len(fd) else np.full(n, np.nan)
    hi = spread(sub, domain, fd["FIRST_HI"]).astype(float) if len(fd) else np.full(n, np.nan)
    return DateIntervals(lo, hi, np.full(n, "full", dtype=object))


def grade(ae: pd.DataFrame) -> pd.Series:
    """AETOXGR as an integer; else AESEV MILD/MODERATE/SEVERE -> 1/2/3 (analyses.md)."""
    g = to_number(col(ae, "AETOXGR"))
    sev = upper_text(col(ae, "AESEV")).map(SEVERITY_GRADE)
    return g.where(g.notna(), pd.to_numeric(sev, errors="coerce")).astype(float)


def by_text(s: pd.Series, fn) -> np.ndarray:
    """``fn`` over ``s.fillna("").astype(str)`` (a Series of text -> array), computed once per distinct text and
    spread to the records: the same values as ``fn(s.fillna("").astype(str))``, at the cost of the distinct texts."""
    text = s.fillna("")
    codes, uniques = pd.factorize(text.astype("object"), use_na_sentinel=True)
    u = np.asarray(uniques, dtype=object)
    if (codes < 0).any() or not all(type(v) is str for v in u):   # non-text cells: no shortcut
        return np.asarray(fn(text.astype(str)))
    return np.asarray(fn(pd.Series(u, dtype=object).astype(str)))[codes]


@memo
def adverse_events(sub: Submission) -> pd.DataFrame:
    """AE records with derived flags: ARM, DOSED, TEAE (conservative), RELATED, GRADE, SERIOUS, FATAL, DLT,
    AESI, TUMOUR, START_LO/HI, ONSET_DAY (days from first dose, from the earliest possible onset)."""
    ae = sub.domain("AE")
    if ae is None:
        return pd.DataFrame(columns=["USUBJID", "ARM", "DOSED", "TEAE", "RELATED", "GRADE", "SERIOUS", "FATAL",
                                     "DLT", "AESI", "TUMOUR", "START_LO", "START_HI", "ONSET_DAY"])
    out = ae.copy(deep=False)    # new columns only: the dataset itself is never modified (copy-on-write)
    if "USUBJID" not in out.columns:   # records of no subject (TRC-002 reports it): kept, matched to nobody
        out["USUBJID"] = pd.Series(None, index=out.index, dtype=object)
    usub = col(out, "USUBJID")
    subj = subjects(sub)
    out["ARM"] = pd.Series(spread(sub, "AE", subj["ARM"]), index=out.index) if len(subj) else None
    out["DOSED"] = usub.isin(dosed_subjects(sub))
    start = dates(sub, "AE", "AESTDTC")
    out["START_LO"], out["START_HI"] = start.lo, start.hi
    cmp = on_or_after(start, _first_dose_intervals(sub, "AE", len(out)))
    # undecidable (0.5) counts as treatment-emergent (conservative rule, analyses.md)
    out["TEAE"] = out["DOSED"].to_numpy() & (cmp >= 0.5)
    # flags from the AE columns' distinct values (upper_text(column).isin(...) without touching every record)
    out["RELATED"] = upper_in(sub, "AE", "AEREL", RELATED_VALUES)
    toxgr = to_number(col(out, "AETOXGR"))
    sev = coded(sub, "AE", "AESEV").take([float(SEVERITY_GRADE.get(u, np.nan)) if u is not None else np.nan
                                          for u in _upper_uniques(sub, "AE", "AESEV")], np.nan)
    out["GRADE"] = toxgr.where(toxgr.notna(), pd.Series(sev, index=out.index)).astype(float)
    out["SERIOUS"] = upper_in(sub, "AE", "AESER", {"Y", "YES"})
    fatal_outcome = coded(sub, "AE", "AEOUT").mask([u is not None and "FATAL" in u
                                                    for u in _upper_uniques(sub, "AE", "AEOUT")])
    out["FATAL"] = pd.Series(fatal_outcome | upper_in(sub, "AE", "AESDTH", {"Y", "YES"}), index=out.index) | \
        (out["GRADE"] == 5)
    out["DLT"] = upper_in(sub, "AE", "AEDLT", {"Y", "YES"})
    extra = {t.strip().lower() for t in sub.m.study.aesi_terms}
    terms = col(out, "AEDECOD").fillna(col(out, "AETERM"))
    neoplasm = pd.Series(by_text(col(out, "AEBODSYS"), lambda t: (t.str.strip().str.lower() == NEOPLASM_SOC.lower())
                                 .to_numpy(dtype=bool)), index=out.index)

    def term_flags(t: pd.Series) -> np.ndarray:   # per distinct term: 1 tumour pattern, 2 AESI pattern, 4 extra
        low = t.str.lower()
        flags = np.zeros(len(t), dtype=np.int8)
        for bit, patterns in ((1, TUMOUR_PATTERNS), (2, AESI_PATTERNS)):
            hit = np.zeros(len(t), dtype=bool)
            for p in patterns:
                hit |= low.str.contains(p, regex=False).to_numpy(dtype=bool)
            flags |= np.where(hit, bit, 0).astype(np.int8)
        flags |= np.where(t.str.strip().str.lower().isin(extra).to_numpy(dtype=bool), 4, 0).astype(np.int8)
        return flags

    flags = by_text(terms, term_flags)
    out["TUMOUR"] = neoplasm | pd.Series((flags & 1).astype(bool), index=out.index)
    out["AESI"] = out["TUMOUR"] | pd.Series((flags & 2).astype(bool), index=out.index) | \
        pd.Series((flags & 4).astype(bool), index=out.index)
    fd = first_dose(sub)
    first_lo = spread(sub, "AE", fd["FIRST_LO"]).astype(float) if len(fd) else np.full(len(out), np.nan)
    out["ONSET_DAY"] = out["START_LO"] - first_lo
    return out


CONTACT_SOURCES = (("SV", "SVSTDTC"), ("SV", "SVENDTC"), ("DS", "DSSTDTC"), ("AE", "AESTDTC"), ("AE", "AEENDTC"),
                   ("LB", "LBDTC"), ("VS", "VSDTC"), ("DM", "DTHDTC"))


@memo
def last_contact(sub: Submission) -> pd.Series:
    """Per subject, the latest known date (day number, from each date's earliest possible day) over the
    contact sources of analyses.md."""
    parts = []
    for dom, var in CONTACT_SOURCES:
        df = sub.domain(dom)
        if df is None or var not in df.columns or "USUBJID" not in df.columns:
            continue
        d = dates(sub, dom, var)
        subj = coded(sub, dom, "USUBJID")
        ok = (subj.codes >= 0) & ~np.isnan(d.lo)
        if not ok.any():
            continue
        # per-subject maximum over integer codes (no hashing of 1M subject ids)
        best = pd.Series(d.lo[ok]).groupby(subj.codes[ok], sort=True).max()
        s = pd.Series(best.to_numpy(), index=pd.Index(subj.uniques[best.index.to_numpy()], dtype=object))
        parts.append(s.sort_index())
    if not parts:
        return pd.Series(dtype=float)
    out = pd.concat(parts).groupby(level=0).max()
    return out.set_axis(out.index.astype(object))


@memo
def follow_up_days(sub: Submission) -> pd.Series:
    """Per dosed subject: last contact − first dose (days; NaN when either is unknown)."""
    fd = first_dose(sub)
    if fd.empty:
        return pd.Series(dtype=float)
    lc = last_contact(sub)
    return (lc.reindex(fd.index) - fd["FIRST_LO"]).astype(float)


@memo
def deaths(sub: Submission) -> pd.DataFrame:
    """Subjects who died, from DM (DTHFL/DTHDTC), DS (DSDECOD DEATH) and AE (fatal): USUBJID, SOURCE, DATE."""
    rows = []
    dm = sub.domain("DM")
    if dm is not None and "USUBJID" in dm.columns:
        flag = upper_text(col(dm, "DTHFL")).isin({"Y"}) | col(dm, "DTHDTC").notna()
        for u, dt in zip(dm.loc[flag, "USUBJID"], col(dm, "DTHDTC")[flag]):
            rows.append({"USUBJID": u, "SOURCE": "DM", "DATE": dt, "CAUSE": None})
    ds = sub.domain("DS")
    if ds is not None and "USUBJID" in ds.columns:
        flag = upper_text(col(ds, "DSDECOD")).isin({"DEATH"})
        for u, dt, term in zip(ds.loc[flag, "USUBJID"], col(ds, "DSSTDTC")[flag], col(ds, "DSTERM")[flag]):
            rows.append({"USUBJID": u, "SOURCE": "DS", "DATE": dt, "CAUSE": term})
    ae = adverse_events(sub)
    if len(ae):
        f = ae[ae["FATAL"]]
        for u, dt, term in zip(col(f, "USUBJID"), col(f, "AEENDTC").fillna(col(f, "AESTDTC")), col(f, "AEDECOD")):
            rows.append({"USUBJID": u, "SOURCE": "AE", "DATE": dt, "CAUSE": term})
    return pd.DataFrame(rows, columns=["USUBJID", "SOURCE", "DATE", "CAUSE"])


def documents_of(sub: Submission, doctype: str) -> pd.DataFrame:
    """Index rows of one DOCTYPE (empty frame when there is no index)."""
    docs = sub.documents
    if docs is None or "DOCTYPE" not in docs.columns:
        return pd.DataFrame(columns=["DOCTYPE", "SITEID", "USUBJID", "LOTID", "DATE", "PATH", "PATH_STATUS"])
    return docs[upper_text(docs["DOCTYPE"]) == doctype]


@memo
def arm_doses(sub: Submission) -> pd.DataFrame:
    """Per arm in the data or manifest: DOSE (normalised), DOSE_UNIT, CONTROL; ordered control first, then dose.

    Dose from the manifest's arms; without it, the median normalised EXDOSE of the arm's records.
    """
    from .units import normalise_dose_unit

    rows = {}
    for a in sub.m.study.arms:
        dose, unit = a.dose, a.dose_unit
        if dose is not None and unit:
            conv = normalise_dose_unit(unit)
            if conv:
                dose, unit = dose * conv[0], conv[1]
        rows[a.armcd.upper()] = {"ARM": a.armcd.upper(), "DOSE": dose, "DOSE_UNIT": unit,
                                 "CONTROL": a.is_control, "IN_MANIFEST": True}
    ex = exposure(sub)
    if not ex.empty:
        for arm, grp in ex.groupby("ARM"):
            if arm in rows or arm is None:
                continue
            units = grp["DOSE_UNIT_N"].dropna()
            rows[arm] = {"ARM": arm, "DOSE": float(grp["DOSE_N"].median()) if grp["DOSE_N"].notna().any() else None,
                         "DOSE_UNIT": units.mode().iloc[0] if len(units) else None,
                         "CONTROL": bool((grp["DOSE_N"].fillna(0) == 0).all()), "IN_MANIFEST": False}
    subj = subjects(sub)
    for arm in subj["ARM"].dropna().unique() if len(subj) else []:
        if arm not in rows and arm not in SCREEN_FAIL_ARMS:
            rows[arm] = {"ARM": arm, "DOSE": None, "DOSE_UNIT": None, "CONTROL": False, "IN_MANIFEST": False}
    df = pd.DataFrame(list(rows.values()), columns=["ARM", "DOSE", "DOSE_UNIT", "CONTROL", "IN_MANIFEST"])
    if df.empty:
        return df
    df["_ord"] = np.where(df["CONTROL"], -1.0, df["DOSE"].astype(float).fillna(np.inf))
    return df.sort_values(["_ord", "ARM"]).drop(columns="_ord").reset_index(drop=True)


@memo
def stopping_rules(sub: Submission) -> list[dict]:
    """Evaluate each manifest stopping rule (analyses.md "Stopping rules").

    Subjects with >=1 TEAE meeting the rule, counted per cohort (arm) or over the study;
    met when the largest count reaches the threshold.
    """
    ae = adverse_events(sub)
    if len(ae):   # the columns the rules read, TEAE records only (not every AE column)
        ae = ae[[c for c in ("USUBJID", "ARM", "GRADE", "RELATED", "SERIOUS", "AEDECOD", "TEAE") if c in ae.columns]]
    results = []
    for rule in sub.m.study.stopping_rules:
        hits = ae[ae["TEAE"]] if len(ae) else ae
        if len(hits):
            hits = hits[hits["GRADE"] >= rule.min_grade]
            if rule.related_only:
                hits = hits[hits["RELATED"]]
            if rule.serious_only:
                hits = hits[hits["SERIOUS"]]
            if rule.terms:
                wanted = {t.strip().lower() for t in rule.terms}
                hits = hits[col(hits, "AEDECOD").fillna("").astype(str).str.strip().str.lower().isin(wanted)]
        if rule.scope == "cohort" and len(hits):
            counts = hits.groupby(hits["ARM"].fillna("(none)"))["USUBJID"].nunique()
            by_cohort = {str(k): int(v) for k, v in counts.items()}
        else:
            by_cohort = {"(study)": int(hits["USUBJID"].nunique())} if len(hits) else {}
        max_subjects = max(by_cohort.values(), default=0)
        results.append({"id": rule.id, "description": rule.description, "scope": rule.scope,
                        "threshold": rule.threshold, "max_subjects": max_subjects,
                        "met": max_subjects >= rule.threshold, "by_cohort": by_cohort,
                        "subjects": sorted(hits["USUBJID"].dropna().unique().tolist()) if len(hits) else []})
    return results
