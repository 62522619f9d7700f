"""Helpers for writing checks (public: analysts' checks use them too; docs/extending.md).

Record keys, "is the input there" guards, per-record intervals of the subject's first dose and consent, the
documents index by type, administered lots, and :func:`required_fields`, which reports missing values as the
catalogue asks (a variable absent or blank everywhere is one finding; a few blank records are one finding
each; many are one finding with their count). Derivations about the study (arms, dosed, TEAE, consent ...) are
in :mod:`workbench.study`; text normalisation in :mod:`workbench.text`; column access in
:mod:`workbench.columns`. Everything is vectorised and memoised on the submission.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .. import dates as _dates
from ..columns import (
    coded,
    col,
    dates,
    norm_col,
    norm_in,
    norm_uniques,
    present_in,
    subject_codes,
)
from ..dates import DateIntervals
from ..memo import memo
from ..study.events import yes
from ..submission import Submission
from ..text import (
    contains,
    ids,
    listing,
    map_distinct,
    map_text,
    norm,
    norm_site,
    norm_value,
    present,
)
from .registry import NotApplicable

MAX_PER_COLUMN = 10  # findings of one defect, record by record or subject by subject, before one summary finding


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
    return subject_intervals(sub, domain, sub.study.first_dose, "FIRST_LO", "FIRST_HI", rows)


@memo
def _first_dose_all(sub: Submission, domain: str) -> DateIntervals:
    return subject_intervals(sub, domain, sub.study.first_dose, "FIRST_LO", "FIRST_HI")


def consent_of(sub: Submission, domain: str, rows=None) -> DateIntervals:
    """The subject's consent interval for each record of ``domain``."""
    return subject_intervals(sub, domain, sub.study.consent, "LO", "HI", rows)


def consent_record(row) -> str:
    """Record key of a consent date of ``sub.study.consent``: ``RFICDTC=…`` or ``DSSTDTC=…`` (DS fallback)."""
    return f"{'RFICDTC' if row.SOURCE == 'DM.RFICDTC' else 'DSSTDTC'}={row.TEXT}"


def cutoff(sub: Submission) -> tuple[float, str, str]:
    """Data cut-off day: TS TSPARMCD=DCUTDTC when given (SDTMIG trial summary), else today. (day, en, zh)."""
    day = sub.study.design.value("data_cutoff")
    if day is not None:
        txt = day_text(day)
        return day, f"the data cut-off (TS DCUTDTC {txt})", f"数据截止日期（TS DCUTDTC {txt}）"
    return today()


def today() -> tuple[float, str, str]:
    """Today as a day number, with its wording (en, zh). Read through :mod:`workbench.dates` at call time, so that
    a pinned "today" (tests, goldens) is seen here too."""
    day = _dates.today_day()
    return day, f"today ({day_text(day)})", f"今天（{day_text(day)}）"


# -- records -------------------------------------------------------------------------------------------------

def rec_key(df: pd.DataFrame, domain: str, rows=None) -> pd.Series:
    """Record key per row: ``AESEQ=4`` when the domain has --SEQ, else ``ROW=n`` (data row in the file).

    ``rows`` (a boolean mask) limits the work to the records that need a key."""
    if rows is not None:
        mask = np.asarray(rows, dtype=bool)
        pos = np.flatnonzero(mask)
        part = df.iloc[pos]
    else:
        pos = np.arange(len(df))
        part = df
    seq = f"{domain}SEQ"
    if seq in part.columns:
        return seq + "=" + norm(part[seq]).fillna("?").astype(object)
    return pd.Series([f"ROW={p + 1}" for p in pos], index=part.index, dtype="object")


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


def examples(keys, subjects, limit: int = 5) -> tuple[str, str]:
    """'01-003 AESEQ=2, 01-007 AESEQ=1, …' for a finding about many records (English, Chinese)."""
    items = [f"{u} {k}" if u is not None and u == u else str(k) for u, k in zip(subjects, keys)]
    return listing(items, limit), listing(items, limit, sep="、")


def per_subject(out, severity: str, subjects, one, many, *, domain: str | None = None, record: str | None = None,
                limit: int = MAX_PER_COLUMN) -> None:
    """One finding per subject (``one(u) -> (en, zh)``), or, when every one of more than one subject, or more than
    ``limit`` subjects, share the defect, one finding for all (``many(n, examples_en, examples_zh) -> (en, zh)``)."""
    subjects = list(subjects)
    if not subjects:
        return
    if len(subjects) > limit:
        en, zh = many(len(subjects), listing(subjects, 6), listing(subjects, 6, sep="、"))
        out.add(severity, en, zh, domain=domain, record=record)
        return
    for u in subjects:
        en, zh = one(u)
        out.add(severity, en, zh, domain=domain, usubjid=u)


def required_fields(out, severity: str, df: pd.DataFrame, domain: str, fields, *, rows: pd.Series | None = None,
                    label: str | None = None, what_en: str = "record", what_zh: str = "记录",
                    sub: Submission | None = None) -> None:
    """Report required variables that are missing, one defect one finding (analyses.md): a variable absent or
    blank on every considered record is one finding; blank on up to MAX_PER_COLUMN records, one finding per
    record listing its missing variables; blank on more, one finding per variable with the count and examples.

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
                has = present_in(sub, domain, a) if whole else present(df[a]).to_numpy(dtype=bool)
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
    usub = col(sel, "USUBJID")
    if len(sel) > MAX_PER_COLUMN:   # a defect of the variable, not of a few records
        for name in m.columns:
            hit = m[name][m[name]].index
            ex_en, ex_zh = examples(keys.loc[hit], usub.loc[hit])
            subjects = usub.loc[hit].dropna().unique()
            out.add(severity, f"{domain}: {name} is missing on {len(hit)} of {n} {what_en}s (e.g. {ex_en})",
                    f"{domain}：{n} 条{what_zh}中 {len(hit)} 条缺少 {name}（例如 {ex_zh}）", domain=domain,
                    usubjid=subjects[0] if len(subjects) == 1 else None)
        return
    labels = col(sel, label) if label else pd.Series(None, index=sel.index, dtype=object)
    names = m.loc[sel.index]
    for idx in sel.index:
        missing = [c for c in names.columns if names.at[idx, c]]
        u, k, lab = usub.at[idx], keys.at[idx], labels.at[idx]
        lab_en = f" ({lab})" if lab is not None and lab == lab else ""
        who_en = f"Subject {u}, {domain} {k}{lab_en}" if u is not None and u == u else f"{domain} {k}{lab_en}"
        who_zh = f"受试者 {u}，{domain} {k}{lab_en}" if u is not None and u == u else f"{domain} {k}{lab_en}"
        out.add(severity, f"{who_en}: {', '.join(missing)} missing", f"{who_zh}：缺少 {'、'.join(missing)}",
                domain=domain, usubjid=None if u is None or u != u else u, record=k)


# -- documents and lots --------------------------------------------------------------------------------------

@memo
def doc_index(sub: Submission) -> pd.DataFrame | None:
    """Documents index with normalised DOCTYPE_N, SITE_N, USUBJID_N, LOTID_N (None when there is no index)."""
    docs = sub.documents
    if docs is None:
        return None
    d = docs.copy()
    d["DOCTYPE_N"] = norm(col(d, "DOCTYPE"))
    d["SITE_N"] = norm_site(col(d, "SITEID"))
    d["USUBJID_N"] = ids(col(d, "USUBJID"))
    d["LOTID_N"] = norm(col(d, "LOTID"))
    return d


def docs_of(sub: Submission, doctype: str) -> pd.DataFrame:
    """Index rows of one DOCTYPE with the normalised columns (empty frame without an index)."""
    d = doc_index(sub)
    if d is None:
        return pd.DataFrame(columns=["DOCTYPE_N", "SITE_N", "USUBJID_N", "LOTID_N", "DATE", "DOCID", "PATH"])
    return d[d["DOCTYPE_N"] == doctype]


@memo
def administered_lots(sub: Submission) -> pd.DataFrame:
    """Lots in EX.EXLOT (normalised upper-case LOT), with the raw value, subjects and record count."""
    ex = sub.domain("EX")
    if ex is None or "EXLOT" not in ex.columns:
        return pd.DataFrame(columns=["LOT", "RAW", "SUBJECTS", "N"])
    lot = norm(ex["EXLOT"])
    frame = pd.DataFrame({"LOT": lot, "RAW": ex["EXLOT"], "USUBJID": col(ex, "USUBJID")})[lot.notna()]
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
        d = dates(sub, dom, var)
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


def variables_against_define(out, data: dict, define: dict, where: str, in_en: str, in_zh: str) -> None:
    """One minor finding per dataset for its variables present in the data but not defined in ``where`` (a
    define.xml), and one for those defined but absent; ``in_en`` / ``in_zh`` name what holds the data ("the
    data", "数据"). ``data`` and ``define``: dataset name -> set of variable names."""
    for d in sorted(set(data) & set(define)):
        extra, absent = sorted(data[d] - define[d]), sorted(define[d] - data[d])
        if extra:
            out.add("minor", f"{d}: variable(s) in {in_en} but not in {where}: {listing(extra, 12)}",
                    f"{d}：以下变量存在于{in_zh}中，但 {where} 中未定义：{listing(extra, 12, '、')}", domain=d,
                    record=f"VAR={extra[0]}")
        if absent:
            out.add("minor", f"{d}: variable(s) defined in {where} but not in {in_en}: {listing(absent, 12)}",
                    f"{d}：{where} 定义了以下变量，但{in_zh}中没有：{listing(absent, 12, '、')}", domain=d,
                    record=f"VAR={absent[0]}")


__all__ = ["MAX_PER_COLUMN", "NotApplicable", "administered_lots", "coded", "col", "consent_of", "consent_record",
           "contains", "cutoff", "dates", "day_text", "doc_index", "docs_of", "examples", "first_dose_of", "ids",
           "listing", "lot_subject", "variables_against_define", "map_distinct", "map_text", "need", "need_dm", "norm", "norm_col", "norm_in",
           "norm_site", "norm_uniques", "norm_value", "num", "pct", "per_subject", "per_subject_min", "present", "present_in", "rec_key",
           "required_fields", "subject_codes", "subject_intervals", "today", "yes"]
