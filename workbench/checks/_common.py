"""Helpers shared by the catalogue checks: text normalisation, record keys, subject sets, consent dates.

Everything here is vectorised over whole tables and memoised on the submission
(like :mod:`workbench.derive`), so a review computes each piece once.
"""
from __future__ import annotations

import functools
import re

import numpy as np
import pandas as pd

from .. import derive
from ..dates import DateIntervals, parse_dtc
from ..submission import Submission
from ..units import to_number
from .registry import NotApplicable

NO_ARM = {"SCRNFAIL", "NOTASSGN", "NOTTRT"}
SCREEN_FAIL_ARMNRS = {"SCREEN FAILURE", "NOT ASSIGNED"}
# DS protocol milestones: not disposition events (SDTMIG DSCAT = PROTOCOL MILESTONE)
DS_MILESTONES = {"INFORMED CONSENT OBTAINED", "RANDOMIZED", "ENROLLED", "ELIGIBILITY CRITERIA MET",
                 "STUDY TREATMENT ADMINISTERED", "REINFORMED CONSENT OBTAINED"}
# disposition terms that name no reason by themselves
DS_NO_REASON = {"OTHER", "DISCONTINUED", "WITHDRAWN", "DISCONTINUATION", "NOT COMPLETED", "SCREEN FAILURE"}
MAX_PER_COLUMN = 25  # record-level findings per (domain, variable) before a summary finding (TRC-003)


def cmemo(fn):
    """Memoise a check helper on the submission (key includes the module, so names never clash with derive)."""

    @functools.wraps(fn)
    def wrapper(sub: Submission, *args):
        cache = sub.__dict__.setdefault("_derived", {})
        key = (f"{fn.__module__}.{fn.__qualname__}", args)
        if key not in cache:
            cache[key] = fn(sub, *args)
        return cache[key]

    return wrapper


# -- text ----------------------------------------------------------------------------------------------------

def norm(s: pd.Series | None) -> pd.Series:
    """Upper-case stripped text; None where missing or blank. Works per distinct value (fast on 1M rows)."""
    if s is None:
        return pd.Series([], dtype="object")
    if len(s) == 0:
        return pd.Series([], index=s.index, dtype="object")
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    mapped = [(_fmt_scalar(v).strip().upper() or None) for v in uniques] + [None]
    arr = np.asarray(mapped, dtype=object)[codes]  # code -1 picks the trailing None
    return pd.Series(arr, index=s.index, dtype="object")


def _fmt_scalar(v) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


@cmemo
def _norm_uniques(sub: Submission, domain: str, var: str) -> np.ndarray:
    """:func:`norm` of each distinct value of a dataset column (in :func:`workbench.derive.coded` order)."""
    return np.asarray([_fmt_scalar(v).strip().upper() or None for v in derive.coded(sub, domain, var).uniques],
                      dtype=object)


def norm_in(sub: Submission, domain: str, var: str, values) -> np.ndarray:
    """``norm(column).isin(values)`` of a dataset column as a boolean array, at the cost of its distinct values."""
    values = set(values)
    return derive.coded(sub, domain, var).mask([v is not None and v in values
                                                for v in _norm_uniques(sub, domain, var)])


def norm_col(sub: Submission, domain: str, var: str) -> pd.Series:
    """``norm(column)`` of a dataset column from its factorisation (no per-record hashing)."""
    df = sub.domain(domain)
    c = derive.coded(sub, domain, var)
    return pd.Series(c.take(_norm_uniques(sub, domain, var), None), index=df.index if df is not None else None,
                     dtype="object")


def map_distinct(s: pd.Series, fn, missing) -> pd.Series:
    """``s.map(fn)`` computed once per distinct value, for a column of ``str`` cells (``missing``: what ``fn``
    gives for a missing cell). Falls back to ``s.map(fn)`` when the column holds other values."""
    codes, uniques = pd.factorize(s.astype("object"), use_na_sentinel=True)
    u = np.asarray(uniques, dtype=object)
    if not all(type(v) is str for v in u):
        return s.map(lambda v: missing if v is None or v != v else fn(v))
    mapped = np.asarray([fn(v) for v in u] + [missing], dtype=object)
    return pd.Series(mapped[codes], index=s.index)   # dtype inferred as ``s.map`` infers it


def contains(s: pd.Series, pattern: str) -> pd.Series:
    """``s.str.contains(pattern)`` for a Series of ``str`` and a literal pattern, tested once per distinct value."""
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    u = np.asarray(uniques, dtype=object)
    if (codes < 0).any() or not all(type(v) is str for v in u):
        return s.str.contains(pattern, regex=False)
    hit = np.fromiter((pattern in v for v in u), dtype=bool, count=len(u))
    return pd.Series(hit[codes], index=s.index, dtype=bool)


def map_text(s: pd.Series, fn) -> pd.Series:
    """``s.map(fn)`` for a Series of ``str`` (no missing cells), computed once per distinct value."""
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    u = np.asarray(uniques, dtype=object)
    if (codes < 0).any() or not all(type(v) is str for v in u):
        return s.map(fn)
    return pd.Series(np.asarray([fn(v) for v in u], dtype=object)[codes], index=s.index, dtype=object)


def present(s: pd.Series) -> pd.Series:
    """True where a cell holds a non-blank value."""
    return norm(s).notna()


def norm_site(s: pd.Series) -> pd.Series:
    """Site identifiers comparable across files: '01', 1 and 1.0 are one site."""
    t = norm(s)
    codes, uniques = pd.factorize(t, use_na_sentinel=True)
    mapped = [_site(v) for v in np.asarray(uniques, dtype=object)] + [None]
    # the Series constructor infers the dtype exactly as ``t.map(_site)`` does
    return pd.Series(np.asarray(mapped, dtype=object)[codes], index=t.index)


def _site(v):
    return str(int(float(v))) if v is not None and re.fullmatch(r"\d+(\.0+)?", v) else v


def ids(s: pd.Series) -> pd.Series:
    """Identifier text (USUBJID): stripped, case kept; None where blank."""
    if len(s) == 0:
        return pd.Series([], index=s.index, dtype="object")
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    mapped = [(_fmt_scalar(v).strip() or None) for v in uniques] + [None]
    return pd.Series(np.asarray(mapped, dtype=object)[codes], index=s.index, dtype="object")


def listing(values, limit: int = 8, sep: str = ", ") -> str:
    """'a, b, c' with '… (+n)' when longer than ``limit``."""
    vals = [str(v) for v in values]
    if len(vals) <= limit:
        return sep.join(vals)
    return sep.join(vals[:limit]) + f"{sep}… (+{len(vals) - limit})"


def pct(n: int, d: int) -> str:
    return f"{100.0 * n / d:.1f}%" if d else "—"


def num(x) -> str:
    """A number for a message: integers plain, others with 3 significant digits."""
    if x is None or (isinstance(x, float) and np.isnan(x)):
        return "—"
    x = float(x)
    if x.is_integer() and abs(x) < 1e6:
        return str(int(x))
    return f"{x:.3g}"


# -- dates ---------------------------------------------------------------------------------------------------

def day_text(lo: float, hi: float | None = None) -> str:
    """An interval of days as the partial date it came from: 2021-03-05, 2021-03, 2021, or lo..hi."""
    if lo is None or (isinstance(lo, float) and np.isnan(lo)):
        return "unknown"
    hi = lo if hi is None or (isinstance(hi, float) and np.isnan(hi)) else hi
    a, b = str(np.datetime64(int(lo), "D")), str(np.datetime64(int(hi), "D"))
    if a == b:
        return a
    nxt = np.datetime64(int(hi) + 1, "D")
    if a[:7] == b[:7] and a[8:] == "01" and str(nxt)[8:] == "01":
        return a[:7]
    if a[:4] == b[:4] and a[5:] == "01-01" and b[5:] == "12-31":
        return a[:4]
    return f"{a}..{b}"


@cmemo
def subject_codes(sub: Submission, domain: str) -> tuple[np.ndarray, pd.Index]:
    """USUBJID of a domain factorised once: (code per record, -1 when blank; distinct subjects)."""
    c = derive.coded(sub, domain, "USUBJID")
    return c.codes, pd.Index(c.uniques, dtype=object)


def subject_intervals(sub: Submission, domain: str, frame: pd.DataFrame, lo: str, hi: str,
                      rows=None) -> DateIntervals:
    """Per-record intervals of ``domain`` (or its ``rows`` mask) from a per-subject frame (first dose, consent)."""
    codes, uniques = subject_codes(sub, domain)
    if rows is not None:
        codes = codes[np.asarray(rows, dtype=bool)]
    n = len(codes)
    if frame is None or len(frame) == 0 or n == 0:
        return DateIntervals(np.full(n, np.nan), np.full(n, np.nan), np.full(n, "missing", dtype=object))
    frame = frame[~frame.index.duplicated()]
    out = []
    for c in (lo, hi):
        looked = pd.Series(frame[c]).reindex(uniques).to_numpy(dtype=float)
        out.append(np.append(looked, np.nan)[codes])  # code -1 (no USUBJID) -> NaN
    status = np.array(["full", "missing"], dtype=object)[np.isnan(out[0]).view(np.int8)]
    return DateIntervals(out[0], out[1], status)


def first_dose_of(sub: Submission, domain: str, rows=None) -> DateIntervals:
    """The subject's first-dose interval for each record of ``domain`` (NaN when not dosed / unknown).

    Shared between checks: treat the arrays as read-only."""
    if rows is None:
        return _first_dose_all(sub, domain)
    return subject_intervals(sub, domain, derive.first_dose(sub), "FIRST_LO", "FIRST_HI", rows)


@cmemo
def _first_dose_all(sub: Submission, domain: str) -> DateIntervals:
    return subject_intervals(sub, domain, derive.first_dose(sub), "FIRST_LO", "FIRST_HI")


@cmemo
def cutoff(sub: Submission) -> tuple[float, str, str]:
    """Data cut-off day: TS TSPARMCD=DCUTDTC when given (SDTMIG trial summary), else today. (day, en, zh)."""
    ts = sub.domain("TS")
    if ts is not None and "TSPARMCD" in ts.columns:
        rows = ts[norm(ts["TSPARMCD"]) == "DCUTDTC"]
        if len(rows):
            d = parse_dtc(derive.col(rows, "TSVAL"))
            his = d.hi[~np.isnan(d.hi)]
            if len(his):
                day = float(his.max())
                txt = day_text(day)
                return day, f"the data cut-off (TS DCUTDTC {txt})", f"数据截止日期（TS DCUTDTC {txt}）"
    from ..dates import today_day

    day = today_day()
    return day, f"today ({day_text(day)})", f"今天（{day_text(day)}）"


# -- records -------------------------------------------------------------------------------------------------

def rec_key(df: pd.DataFrame, domain: str, rows=None) -> pd.Series:
    """Record key per row: ``AESEQ=4`` when the domain has --SEQ, else ``ROW=n`` (data row in the file).

    ``rows`` (a boolean mask) limits the work to the records that need a key."""
    if rows is not None:
        mask = np.asarray(rows, dtype=bool)
        pos = np.flatnonzero(mask)
        sub = df.iloc[pos]
    else:
        pos = np.arange(len(df))
        sub = df
    seq = f"{domain}SEQ"
    if seq in sub.columns:
        return seq + "=" + norm(sub[seq]).fillna("?")
    return pd.Series([f"ROW={p + 1}" for p in pos], index=sub.index, dtype="object")


def need(sub: Submission, domain: str, reporter: str) -> NotApplicable | None:
    """NotApplicable naming the check that reports a missing domain (avoids duplicate findings)."""
    if sub.has(domain):
        return None
    return NotApplicable(f"{domain} is missing (reported by {reporter})", f"{domain} 缺失（由 {reporter} 报告）")


def need_dm(sub: Submission) -> NotApplicable | None:
    """NotApplicable when DM or its USUBJID is missing (SCR-001's finding)."""
    dm = sub.domain("DM")
    if dm is not None and "USUBJID" in dm.columns:
        return None
    return NotApplicable("DM or DM.USUBJID is missing (reported by SCR-001)", "缺少 DM 或 DM.USUBJID（由 SCR-001 报告）")


@cmemo
def _present_in(sub: Submission, domain: str, var: str) -> np.ndarray:
    """``present(column)`` of a dataset column as a boolean array, from its distinct values."""
    return derive.coded(sub, domain, var).mask([v is not None for v in _norm_uniques(sub, domain, var)])


def required_fields(out, severity: str, df: pd.DataFrame, domain: str, fields, *, rows: pd.Series | None = None,
                    label: str | None = None, what_en: str = "record", what_zh: str = "记录",
                    sub: Submission | None = None) -> None:
    """Report required variables that are missing: a column absent (or blank on every considered record) is
    one study-level finding; otherwise one finding per record listing its missing variables.

    ``fields`` items are a variable name or a tuple of alternatives (any one present is enough). With ``sub``
    (when ``df`` is its ``domain`` dataset) presence is read from the columns' distinct values.
    """
    if rows is None:
        rows = pd.Series(True, index=df.index)
    keep = rows.fillna(False).astype(bool).to_numpy()
    n = int(keep.sum())
    if n == 0:
        return
    whole = sub is not None and sub.domain(domain) is df
    index = df.index[keep]
    masks = {}
    for f in fields:
        alts = f if isinstance(f, tuple) else (f,)
        name = " / ".join(alts)
        miss = np.ones(n, dtype=bool)
        for a in alts:
            if a in df.columns:
                has = _present_in(sub, domain, a) if whole else present(df[a]).to_numpy(dtype=bool)
                miss &= ~has[keep]
        if miss.all():
            absent = not any(a in df.columns for a in alts)
            en = (f"{domain} has no {name} variable" if absent
                  else f"{domain}: {name} is missing on all {n} {what_en}s")
            zh = (f"{domain} 缺少变量 {name}" if absent else f"{domain}：全部 {n} 条{what_zh}均缺少 {name}")
            out.add(severity, en, zh, domain=domain)
        elif miss.any():
            masks[name] = pd.Series(miss, index=index)
    if not masks:
        return
    m = pd.DataFrame(masks)
    bad = m.any(axis=1)
    sel = df[keep].loc[bad[bad].index]
    keys = rec_key(df, domain, df.index.isin(sel.index))
    usub = derive.col(sel, "USUBJID")
    labels = derive.col(sel, label) if label else pd.Series(None, index=sel.index, dtype=object)
    names = m.loc[sel.index]
    for idx in sel.index:
        missing = [c for c in names.columns if names.at[idx, c]]
        u, k, lab = usub.at[idx], keys.at[idx], labels.at[idx]
        lab_en = f" ({lab})" if lab is not None and lab == lab else ""
        who_en = f"Subject {u}, {domain} {k}{lab_en}" if u is not None and u == u else f"{domain} {k}{lab_en}"
        who_zh = f"受试者 {u}，{domain} {k}{lab_en}" if u is not None and u == u else f"{domain} {k}{lab_en}"
        out.add(severity, f"{who_en}: {', '.join(missing)} missing", f"{who_zh}：缺少 {'、'.join(missing)}",
                domain=domain, usubjid=None if u is None or u != u else u, record=k)


# -- subjects ------------------------------------------------------------------------------------------------

@cmemo
def age_years(sub: Submission) -> pd.Series:
    """AGE in years per subject (AGEU MONTHS/WEEKS/DAYS converted); NaN when unknown."""
    subj = derive.subjects(sub)
    if len(subj) == 0:
        return pd.Series(dtype=float)
    age = to_number(derive.col(subj, "AGE"))
    unit = norm(derive.col(subj, "AGEU")).fillna("YEARS")
    factor = map_text(unit, lambda u: 1 / 12 if u.startswith("MONTH") else 1 / 52.1775 if u.startswith("WEEK")
                      else 1 / 365.25 if u.startswith("DAY") else 1 / 8766 if u.startswith("HOUR") else 1.0)
    return pd.Series(age.to_numpy(dtype=float) * factor.to_numpy(dtype=float), index=subj.index)


@cmemo
def screen_failures(sub: Submission) -> frozenset:
    """Subjects screened but not enrolled: ARMCD SCRNFAIL/NOTASSGN, ARMNRS screen failure, or a DS screen
    failure for a subject never dosed."""
    out: set = set()
    dm = sub.domain("DM")
    if dm is not None and "USUBJID" in dm.columns:
        arm = norm(derive.col(dm, "ARMCD"))
        nrs = norm(derive.col(dm, "ARMNRS"))
        out |= set(dm.loc[arm.isin({"SCRNFAIL", "NOTASSGN"}) | nrs.isin(SCREEN_FAIL_ARMNRS), "USUBJID"].dropna())
    ds = sub.domain("DS")
    if ds is not None and "USUBJID" in ds.columns:
        dec = norm_col(sub, "DS", "DSDECOD").fillna("")
        sf = contains(dec, "SCREEN") & contains(dec, "FAIL")
        out |= set(ds.loc[sf, "USUBJID"].dropna()) - set(derive.dosed_subjects(sub))
    return frozenset(out)


@cmemo
def subject_table(sub: Submission) -> pd.DataFrame:
    """derive.subjects plus SITE (normalised), AGE_Y, SCREEN_FAIL and ENROLLED (= not a screen failure)."""
    subj = derive.subjects(sub).copy()
    if len(subj) == 0:
        for c, dtype in (("SITE", object), ("SITEID", object), ("AGE_Y", float), ("SCREEN_FAIL", bool),
                         ("ENROLLED", bool), ("DOSED", bool)):
            subj[c] = pd.Series(dtype=dtype)
        return subj
    subj["SITEID"] = derive.col(subj, "SITEID")
    subj["SITE"] = norm_site(subj["SITEID"])
    subj["AGE_Y"] = age_years(sub)
    subj["SCREEN_FAIL"] = subj["USUBJID"].isin(screen_failures(sub))
    subj["ENROLLED"] = ~subj["SCREEN_FAIL"]
    return subj


@cmemo
def consent(sub: Submission) -> pd.DataFrame:
    """Per subject: informed-consent date (DM.RFICDTC, else the earliest DS INFORMED CONSENT OBTAINED):
    LO, HI (day numbers), TEXT, SOURCE ('DM.RFICDTC' | 'DS'), STATUS (missing/malformed/full/partial)."""
    cols = ["LO", "HI", "TEXT", "SOURCE", "STATUS"]
    dm = sub.domain("DM")
    if dm is None or "USUBJID" not in dm.columns:
        return pd.DataFrame(columns=cols)
    d = derive.dates(sub, "DM", "RFICDTC")
    frame = pd.DataFrame({"USUBJID": dm["USUBJID"].to_numpy(), "LO": d.lo, "HI": d.hi,
                          "TEXT": derive.col(dm, "RFICDTC").to_numpy(), "SOURCE": "DM.RFICDTC",
                          "STATUS": d.status})
    frame = frame[frame["USUBJID"].notna()].drop_duplicates("USUBJID").set_index("USUBJID")
    ds = sub.domain("DS")
    if ds is not None and "USUBJID" in ds.columns:
        dec = norm_col(sub, "DS", "DSDECOD").fillna("")
        term = norm_col(sub, "DS", "DSTERM").fillna("")
        is_ic = (dec == "INFORMED CONSENT OBTAINED") | ((dec == "") & contains(term, "INFORMED CONSENT"))
        if is_ic.any():
            dd = derive.dates(sub, "DS", "DSSTDTC")
            ic = pd.DataFrame({"USUBJID": ds["USUBJID"].to_numpy(), "LO": dd.lo, "HI": dd.hi,
                               "TEXT": derive.col(ds, "DSSTDTC").to_numpy(), "STATUS": dd.status})[is_ic.to_numpy()]
            ic = ic[ic["LO"].notna()].sort_values("LO").drop_duplicates("USUBJID").set_index("USUBJID")
            fill = frame.index[(frame["STATUS"] == "missing").to_numpy()].intersection(ic.index)
            if len(fill):
                frame.loc[fill, ["LO", "HI", "TEXT", "STATUS"]] = ic.loc[fill, ["LO", "HI", "TEXT", "STATUS"]].values
                frame.loc[fill, "SOURCE"] = "DS"
    frame = frame[cols]
    return frame.set_axis(frame.index.astype(object))   # object ids: fast lookups from object columns


def consent_record(row) -> str:
    """Record key of a consent date from :func:`consent`: ``RFICDTC=…`` or ``DSSTDTC=…`` (DS fallback)."""
    return f"{'RFICDTC' if row.SOURCE == 'DM.RFICDTC' else 'DSSTDTC'}={row.TEXT}"


def consent_of(sub: Submission, domain: str, rows=None) -> DateIntervals:
    """The subject's consent interval for each record of ``domain``."""
    return subject_intervals(sub, domain, consent(sub), "LO", "HI", rows)


@cmemo
def disposition(sub: Submission) -> pd.DataFrame:
    """DS disposition events (not protocol milestones) with DECOD, TERM, COMPLETED, DEATH, HAS_REASON flags."""
    ds = sub.domain("DS")
    cols = ["USUBJID", "DECOD", "TERM", "COMPLETED", "DEATH", "HAS_REASON", "SCREEN_FAIL"]
    if ds is None or "USUBJID" not in ds.columns:
        return pd.DataFrame(columns=cols)
    cat = norm_col(sub, "DS", "DSCAT")
    dec = norm_col(sub, "DS", "DSDECOD")
    term = norm_col(sub, "DS", "DSTERM")
    if "DSCAT" in ds.columns and cat.notna().any():
        disp = (cat == "DISPOSITION EVENT") | (cat.isna() & ~dec.isin(DS_MILESTONES))
    else:
        disp = ~dec.isin(DS_MILESTONES) & (dec.notna() | term.notna())
    disp &= ~(dec.isna() & contains(term.fillna(""), "INFORMED CONSENT"))
    out = pd.DataFrame({"USUBJID": ds["USUBJID"], "DECOD": dec, "TERM": derive.col(ds, "DSTERM")})[disp]
    d, t = dec[disp].fillna(""), term[disp].fillna("")
    out["COMPLETED"] = (d == "COMPLETED") | ((d == "") & (t == "COMPLETED"))
    out["DEATH"] = (d == "DEATH") | ((d == "") & (t == "DEATH"))
    out["SCREEN_FAIL"] = contains(d, "SCREEN") & contains(d, "FAIL")
    # a reason: COMPLETED, a specific DSDECOD, or a DSTERM that says more than a generic word
    out["HAS_REASON"] = out["COMPLETED"] | ((d != "") & ~d.isin(DS_NO_REASON)) | ((t != "") & ~t.isin(DS_NO_REASON))
    return out[out["USUBJID"].notna()][cols]


@cmemo
def doc_index(sub: Submission) -> pd.DataFrame | None:
    """Documents index with normalised DOCTYPE_N, SITE_N, USUBJID_N, LOTID_N (None when there is no index)."""
    docs = sub.documents
    if docs is None:
        return None
    d = docs.copy()
    d["DOCTYPE_N"] = norm(derive.col(d, "DOCTYPE"))
    d["SITE_N"] = norm_site(derive.col(d, "SITEID"))
    d["USUBJID_N"] = ids(derive.col(d, "USUBJID"))
    d["LOTID_N"] = norm(derive.col(d, "LOTID"))
    return d


def docs_of(sub: Submission, doctype: str) -> pd.DataFrame:
    """Index rows of one DOCTYPE with the normalised columns (empty frame without an index)."""
    d = doc_index(sub)
    if d is None:
        return pd.DataFrame(columns=["DOCTYPE_N", "SITE_N", "USUBJID_N", "LOTID_N", "DATE", "DOCID", "PATH"])
    return d[d["DOCTYPE_N"] == doctype]


@cmemo
def administered_lots(sub: Submission) -> pd.DataFrame:
    """Lots in EX.EXLOT (normalised upper-case LOT), with the raw value, subjects and record count."""
    ex = sub.domain("EX")
    if ex is None or "EXLOT" not in ex.columns:
        return pd.DataFrame(columns=["LOT", "RAW", "SUBJECTS", "N"])
    lot = norm(ex["EXLOT"])
    frame = pd.DataFrame({"LOT": lot, "RAW": ex["EXLOT"], "USUBJID": derive.col(ex, "USUBJID")})[lot.notna()]
    if frame.empty:
        return pd.DataFrame(columns=["LOT", "RAW", "SUBJECTS", "N"])
    g = frame.groupby("LOT", sort=True)
    return pd.DataFrame({"LOT": list(g.groups), "RAW": g["RAW"].first().to_numpy(),
                         "SUBJECTS": g["USUBJID"].agg(lambda s: sorted(s.dropna().unique().tolist())).to_numpy(),
                         "N": g.size().to_numpy()})


def lot_subject(row) -> str | None:
    """The USUBJID of a lot used by exactly one subject, else None."""
    subs = row["SUBJECTS"]
    return subs[0] if len(subs) == 1 else None


def per_subject_min(sub: Submission, sources) -> pd.DataFrame:
    """Per subject, the record that is certainly earliest (smallest latest-possible day) over (domain, variable)
    sources: USUBJID index, LO, HI, DOMAIN, VAR."""
    parts = []
    for dom, var in sources:
        df = sub.domain(dom)
        if df is None or var not in df.columns or "USUBJID" not in df.columns or df.empty:
            continue
        d = derive.dates(sub, dom, var)
        codes, uniques = subject_codes(sub, dom)
        ok = (codes >= 0) & ~np.isnan(d.hi)
        if not ok.any():
            continue
        hi = pd.Series(d.hi[ok])
        first = hi.groupby(codes[ok]).idxmin()  # position (within ok) of each subject's earliest record
        pos = np.flatnonzero(ok)[first.to_numpy()]
        parts.append(pd.DataFrame({"USUBJID": uniques[first.index.to_numpy()], "LO": d.lo[pos], "HI": d.hi[pos],
                                   "DOMAIN": dom, "VAR": var}))
    if not parts:
        return pd.DataFrame(columns=["LO", "HI", "DOMAIN", "VAR"])
    allp = pd.concat(parts, ignore_index=True).sort_values("HI", kind="stable").drop_duplicates("USUBJID")
    return allp.set_index("USUBJID")[["LO", "HI", "DOMAIN", "VAR"]]
