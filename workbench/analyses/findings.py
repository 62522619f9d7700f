"""Findings domains (LB, VS, EG) under the laboratory conventions of review-output.md: per record the numeric
standard result, its test, visit, day and baseline / post-baseline status; per subject and test the baseline,
the worst post-baseline category and the peak ×ULN; per test, visit and arm the summary statistics.

- Test: ``--TESTCD`` (case-insensitive), with the specimen (``LBSPEC``), position (``--POS``), time point
  (``--TPT``) and standard unit (``--STRESU``) when present: results in two units are two tests, never mixed.
- Result: ``--STRESN``, else a number in ``--STRESC``. ULN: ``--STNRHI``.
- Baseline: the record flagged ``--BLFL`` yes (the ``yes_no`` vocabulary; the last one if several), else the
  last record on or before the first dose date. Post-baseline: after the first dose date (a partial date that
  may be after counts, as for TEAEs) and not the baseline record. Only dosed subjects (the safety population).
- Category: ``--NRIND`` through the ``reference_range`` vocabulary, else derived from the result and its range
  (below ``--STNRLO`` LOW, above ``--STNRHI`` HIGH, else NORMAL). Worst post-baseline: HIGH if any HIGH, else LOW
  if any LOW, else ABNORMAL (a ``--NRIND`` without direction) if any, else NORMAL.
- By visit: scheduled visits only (in TV when the domain's visits are there; never a name of the
  ``unscheduled_visit`` mention list), the subject's last record at the visit, change = value − baseline.

Everything works on integer codes of the factorised columns (a 1.3M-row LB costs its distinct values).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..columns import coded, col, dates, norm_uniques, spread
from ..memo import memo
from ..submission import Submission
from ..text import obj
from ..units import to_number

DOMAINS = ("LB", "VS", "EG")
CATEGORY_RANK = {"NORMAL": 1, "ABNORMAL": 2, "LOW": 3, "HIGH": 4}   # worst = highest rank; 0 = unknown
RANK_CATEGORY = {v: k for k, v in CATEGORY_RANK.items()}
KEY_PARTS = {"LB": ("TESTCD", "SPEC", "STRESU"), "VS": ("TESTCD", "POS", "TPT", "STRESU"),
             "EG": ("TESTCD", "POS", "TPT", "STRESU")}
PART_NAMES = {"TESTCD": "test", "SPEC": "specimen", "POS": "position", "TPT": "timepoint", "STRESU": "unit"}
TOTAL = "__total__"


def _norm_codes(sub: Submission, domain: str, var: str) -> tuple[np.ndarray, np.ndarray]:
    """Codes per record over the normalised distinct values (-1 where blank), and each value's first spelling."""
    c = coded(sub, domain, var)
    nu = norm_uniques(sub, domain, var)
    ncode, nuni = pd.factorize(pd.Series(nu, dtype=object), use_na_sentinel=True)
    per_record = np.append(ncode, -1)[c.codes]
    shown = np.empty(len(nuni), dtype=object)
    seen = np.zeros(len(nuni), dtype=bool)
    for raw, n in zip(c.uniques, ncode):
        if n >= 0 and not seen[n]:
            shown[n], seen[n] = str(raw).strip(), True
    return per_record, shown


def _combine(*codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One code per distinct combination (missing parts are a value of their own): (code per row, first row)."""
    key = np.zeros(len(codes[0]), dtype=np.int64)
    for c in codes:
        key = key * (int(c.max(initial=-1)) + 2) + (c + 1)
    out, uniq = pd.factorize(key)
    first = np.unique(out, return_index=True)[1]
    return out.astype(np.int64), first


@dataclass
class FindingsRecords:
    """The records of one findings domain, as arrays (one entry per dataset row)."""

    domain: str
    keys: pd.DataFrame          # one row per test key: KEY, TESTCD, TEST, SPEC, POS, TPT, UNIT, LABEL
    subject: np.ndarray         # subject code (-1 none) into ``subjects``
    subjects: np.ndarray        # USUBJID per subject code
    key: np.ndarray             # test key code (-1 when no test code)
    value: np.ndarray           # numeric standard result (NaN)
    uln: np.ndarray             # --STNRHI (NaN)
    rank: np.ndarray            # category rank (0 unknown)
    day: np.ndarray             # record date, earliest possible day (NaN)
    baseline: np.ndarray        # bool: the subject's baseline record of that test
    post: np.ndarray            # bool: post-baseline record
    visit: np.ndarray           # visit code (-1 none) into ``visits``
    visits: pd.DataFrame        # VISIT (as shown), ORDER, SCHEDULED


def _value(sub: Submission, domain: str, df: pd.DataFrame) -> np.ndarray:
    v = to_number(col(df, f"{domain}STRESN")).to_numpy(dtype=float) if f"{domain}STRESN" in df.columns \
        else np.full(len(df), np.nan)
    if f"{domain}STRESC" in df.columns and np.isnan(v).any():
        c = coded(sub, domain, f"{domain}STRESC")
        per = to_number(pd.Series(c.uniques, dtype=object)).to_numpy(dtype=float)
        v = np.where(np.isnan(v), np.append(per, np.nan)[c.codes], v)
    return v


def _ranks(sub: Submission, domain: str, df: pd.DataFrame, value, lo, hi) -> np.ndarray:
    """Category rank per record: --NRIND through the vocabulary, else derived from the result and its range."""
    n = len(df)
    rank = np.zeros(n, dtype=np.int8)
    if f"{domain}NRIND" in df.columns:
        c = coded(sub, domain, f"{domain}NRIND")
        cats = sub.vocab.reference_range.classify(c.uniques)
        per = np.asarray([CATEGORY_RANK.get(str(x).upper(), 0) if x is not None else 0 for x in cats], dtype=np.int8)
        rank = np.append(per, np.int8(0))[c.codes]
    with np.errstate(invalid="ignore"):
        derived = np.where(value < lo, 3, np.where(value > hi, 4, np.where(
            (value >= np.where(np.isnan(lo), -np.inf, lo)) & (value <= np.where(np.isnan(hi), np.inf, hi)), 1, 0)))
    has_range = ~np.isnan(value) & (~np.isnan(lo) | ~np.isnan(hi))
    derived = np.where(has_range, derived, 0).astype(np.int8)
    return np.where(rank > 0, rank, derived).astype(np.int8)


def _keys(sub: Submission, domain: str, df: pd.DataFrame) -> tuple[np.ndarray, pd.DataFrame]:
    parts = [p for p in KEY_PARTS[domain] if f"{domain}{p}" in df.columns]
    codes, shown = {}, {}
    for p in parts:
        codes[p], shown[p] = _norm_codes(sub, domain, f"{domain}{p}")
    test = codes["TESTCD"]
    key, first = _combine(*[codes[p] for p in parts])
    key = np.where(test >= 0, key, -1)
    rows = []
    tc = coded(sub, domain, f"{domain}TEST")
    names = np.append(np.asarray(tc.uniques, dtype=object), None)[tc.codes[first]]
    for k, r in zip(range(len(first)), first):
        if test[r] < 0:
            continue
        rec = {"KEY": k}
        for p in ("TESTCD", "SPEC", "POS", "TPT", "STRESU"):
            c = codes[p][r] if p in codes else -1
            rec[p] = shown[p][c] if c >= 0 else None
        name = names[k]
        rec["TEST"] = None if name is None or name != name else str(name).strip()
        rows.append(rec)
    keys = pd.DataFrame(rows, columns=["KEY", "TESTCD", "SPEC", "POS", "TPT", "STRESU", "TEST"])
    for c in ("TESTCD", "SPEC", "POS", "TPT", "STRESU", "TEST"):   # None stays None (not NaN)
        keys[c] = obj(keys[c])
    if len(keys):   # renumber the keys with a test code 0..n-1, ordered by test code then qualifiers
        keys = keys.sort_values(["TESTCD", "SPEC", "POS", "TPT", "STRESU"], na_position="first", kind="stable")
        remap = np.full(int(key.max(initial=-1)) + 2, -1, dtype=np.int64)
        remap[keys["KEY"].to_numpy()] = np.arange(len(keys))
        key = np.where(key >= 0, remap[np.maximum(key, 0)], -1)
        keys["KEY"] = np.arange(len(keys))
        keys = keys.reset_index(drop=True)
    keys["LABEL"] = obj(pd.Series([key_label(r) for r in keys.to_dict("records")], dtype=object, index=keys.index))
    return key, keys


def key_label(r: dict) -> str:
    """'ALT — Alanine Aminotransferase (U/L)'; qualifiers (specimen, position, time point) after a comma."""
    name = r.get("TESTCD") or ""
    if r.get("TEST") and str(r["TEST"]).upper() != str(name).upper():
        name = f"{name} — {r['TEST']}"
    quals = [str(r[q]) for q in ("SPEC", "POS", "TPT") if r.get(q)]
    if quals:
        name += ", " + ", ".join(quals)
    return f"{name} ({r['STRESU']})" if r.get("STRESU") else name


def _visits(sub: Submission, domain: str, df: pd.DataFrame, day_from_first: np.ndarray) -> tuple[np.ndarray, pd.DataFrame]:
    cols = ["VISIT", "ORDER", "SCHEDULED"]
    if "VISIT" not in df.columns and "VISITNUM" not in df.columns:
        return np.full(len(df), -1, dtype=np.int64), pd.DataFrame(columns=cols)
    if "VISIT" in df.columns:
        vcode, shown = _norm_codes(sub, domain, "VISIT")
    else:
        vcode, shown = np.full(len(df), -1, dtype=np.int64), np.array([], dtype=object)
    num = to_number(col(df, "VISITNUM")).to_numpy(dtype=float)
    if "VISIT" not in df.columns or (vcode < 0).all():   # visits by number only
        ncode, nuni = pd.factorize(pd.Series(num), use_na_sentinel=True)
        vcode, shown = ncode.astype(np.int64), np.asarray([f"VISITNUM {v:g}" for v in nuni], dtype=object)
    n = len(shown)
    frame = pd.DataFrame({"v": vcode, "num": num, "day": day_from_first})
    frame = frame[frame["v"] >= 0]
    g = frame.groupby("v")
    med_num = g["num"].median().reindex(range(n)).to_numpy(dtype=float)
    med_day = g["day"].median().reindex(range(n)).to_numpy(dtype=float)
    unsched = sub.vocab.unscheduled_visit
    planned = sub.study.design.planned_visits
    tv_names = {str(p["visit"]).strip().upper() for p in planned if p.get("visit")}
    in_tv = np.asarray([str(v).upper() in tv_names for v in shown], dtype=bool)
    scheduled = ~np.asarray([unsched.found(v) for v in shown], dtype=bool)
    if in_tv.any():
        scheduled &= in_tv
    order_key = pd.DataFrame({"i": np.arange(n), "a": np.where(np.isnan(med_num), np.inf, med_num),
                              "b": np.where(np.isnan(med_day), np.inf, med_day), "name": shown.astype(str)})
    order = order_key.sort_values(["a", "b", "name"], kind="stable")["i"].to_numpy()
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n)
    return vcode.astype(np.int64), pd.DataFrame({"VISIT": shown, "ORDER": rank, "SCHEDULED": scheduled}, columns=cols)


@memo
def findings_records(sub: Submission, domain: str) -> FindingsRecords | None:
    """The records of LB, VS or EG with their test, result, category, day and baseline / post-baseline status;
    None when the domain (or its USUBJID / --TESTCD) is absent."""
    df = sub.domain(domain)
    if df is None or "USUBJID" not in df.columns or f"{domain}TESTCD" not in df.columns:
        return None
    model = sub.study
    subj = coded(sub, domain, "USUBJID")
    key, keys = _keys(sub, domain, df)
    value = _value(sub, domain, df)
    lo = to_number(col(df, f"{domain}STNRLO")).to_numpy(dtype=float)
    hi = to_number(col(df, f"{domain}STNRHI")).to_numpy(dtype=float)
    rank = _ranks(sub, domain, df, value, lo, hi)
    d = dates(sub, domain, f"{domain}DTC")
    fd = model.first_dose
    dosed = subj.mask([u in model.dosed for u in subj.uniques])
    f_lo = spread(sub, domain, fd["FIRST_LO"]).astype(float) if len(fd) else np.full(len(df), np.nan)
    usable = dosed & (key >= 0) & (subj.codes >= 0) & (~np.isnan(value) | (rank > 0))
    with np.errstate(invalid="ignore"):
        pre = usable & (d.hi <= f_lo)
        after = usable & (d.hi > f_lo)
    flagged = usable & _yes(sub, domain, f"{domain}BLFL")
    # baseline: per subject and test, the last flagged record, else the last record on or before the first dose
    prio = np.where(flagged, 2, np.where(pre, 1, 0))
    cand = np.flatnonzero(prio > 0)
    baseline = np.zeros(len(df), dtype=bool)
    if len(cand):
        day = np.where(np.isnan(d.lo[cand]), -np.inf, d.lo[cand])
        order = np.lexsort((cand, day, prio[cand], key[cand], subj.codes[cand]))
        c_sorted = cand[order]
        g = subj.codes[c_sorted].astype(np.int64) * (len(keys) + 1) + key[c_sorted]
        last = np.append(g[1:] != g[:-1], True)
        baseline[c_sorted[last]] = True
    post = after & ~baseline
    vcode, visits = _visits(sub, domain, df, d.lo - f_lo)
    return FindingsRecords(domain, keys, subj.codes.astype(np.int64), np.asarray(subj.uniques, dtype=object),
                           key.astype(np.int64), value, hi, rank, d.lo, baseline, post, vcode, visits)


def _yes(sub: Submission, domain: str, var: str) -> np.ndarray:
    c = coded(sub, domain, var)
    return c.mask(sub.vocab.yes_no.classify(c.uniques) == "yes")


@memo
def subject_arm(sub: Submission) -> pd.Series:
    """USUBJID -> actual arm of the dosed subjects (the safety population; arm None when not in DM)."""
    from .safety import _dosed_by_arm

    return _dosed_by_arm(sub)


@memo
def subject_tests(sub: Submission, domain: str) -> pd.DataFrame:
    """One row per dosed subject and test: USUBJID, ARM, KEY, BASE (baseline value), BASE_RANK, WORST_RANK
    (worst post-baseline category rank, 0 none), PEAK_X (peak post-baseline result / ULN), N_POST."""
    cols = ["USUBJID", "ARM", "KEY", "BASE", "BASE_RANK", "WORST_RANK", "PEAK_X", "N_POST"]
    r = findings_records(sub, domain)
    if r is None:
        return pd.DataFrame(columns=cols)
    nk = len(r.keys) + 1
    sel = r.baseline | r.post
    g = r.subject[sel] * nk + r.key[sel]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(r.uln > 0, r.value / r.uln, np.nan)
    frame = pd.DataFrame({"g": g, "base": np.where(r.baseline[sel], r.value[sel], np.nan),
                          "brank": np.where(r.baseline[sel], r.rank[sel], 0),
                          "wrank": np.where(r.post[sel], r.rank[sel], 0),
                          "peak": np.where(r.post[sel], ratio[sel], np.nan),
                          "npost": r.post[sel].astype(np.int64)})
    agg = frame.groupby("g", sort=True).agg(BASE=("base", "max"), BASE_RANK=("brank", "max"),
                                             WORST_RANK=("wrank", "max"), PEAK_X=("peak", "max"),
                                             N_POST=("npost", "sum"))
    gi = agg.index.to_numpy(dtype=np.int64)
    usubjid = r.subjects[gi // nk]
    arm = subject_arm(sub)
    out = pd.DataFrame({"USUBJID": obj(usubjid), "ARM": obj(pd.Series(usubjid, dtype=object).map(arm)),
                        "KEY": gi % nk, "BASE": agg["BASE"].to_numpy(), "BASE_RANK": agg["BASE_RANK"].to_numpy(),
                        "WORST_RANK": agg["WORST_RANK"].to_numpy(), "PEAK_X": agg["PEAK_X"].to_numpy(),
                        "N_POST": agg["N_POST"].to_numpy()}, columns=cols)
    out["ARM"] = out["ARM"].astype(object).where(out["ARM"].notna(), None)
    return out


STATS = ("N", "MEAN", "SD", "MEDIAN", "MIN", "MAX")


@memo
def visit_summary(sub: Submission, domain: str) -> pd.DataFrame:
    """Per test, visit (baseline first, then the scheduled visits in order) and arm (and ``TOTAL``): N, MEAN, SD,
    MEDIAN, MIN, MAX of the result and C_N … C_MAX of the change from baseline (None at baseline)."""
    cols = ["KEY", "VISIT", "ORDER", "ARM"] + list(STATS) + [f"C_{s}" for s in STATS]
    r = findings_records(sub, domain)
    if r is None:
        return pd.DataFrame(columns=cols)
    nk, nv = len(r.keys) + 1, len(r.visits) + 1
    arm = subject_arm(sub)
    arm_code, arm_names = pd.factorize(pd.Series(r.subjects, dtype=object).map(arm), use_na_sentinel=True)
    na = max(len(arm_names), 1)
    base_sel = r.baseline & ~np.isnan(r.value)
    bg = r.subject[base_sel] * nk + r.key[base_sel]
    base_v = np.full(len(r.subjects) * nk, np.nan)
    base_v[bg] = r.value[base_sel]                      # one baseline record per subject and test
    sched = r.visits["SCHEDULED"].to_numpy(dtype=bool) if len(r.visits) else np.zeros(0, dtype=bool)
    ok_visit = np.append(sched, False)[np.where(r.visit >= 0, r.visit, len(sched))]
    sel = np.flatnonzero(r.post & ~np.isnan(r.value) & ok_visit)
    # the subject's last record at each visit (by day, then file order)
    order = np.lexsort((sel, np.where(np.isnan(r.day[sel]), -np.inf, r.day[sel]), r.visit[sel], r.key[sel],
                        r.subject[sel]))
    s = sel[order]
    gv = (r.subject[s] * nk + r.key[s]) * nv + r.visit[s]
    s = s[np.append(gv[1:] != gv[:-1], True)[:len(s)]]
    subj = np.concatenate([bg // nk, r.subject[s]])
    key = np.concatenate([bg % nk, r.key[s]])
    vcode = np.concatenate([np.full(len(bg), -1, dtype=np.int64), r.visit[s]])
    value = np.concatenate([r.value[base_sel], r.value[s]])
    change = np.concatenate([np.full(len(bg), np.nan), r.value[s] - base_v[r.subject[s] * nk + r.key[s]]])
    if len(subj) == 0:   # no baseline and no post-baseline value at a scheduled visit
        return pd.DataFrame(columns=cols)
    a = arm_code[subj]
    cell = key * nv + (vcode + 1)                       # test and visit
    parts = []
    has_arm = a >= 0
    for group, arms in ((cell[has_arm] * na + a[has_arm], True), (cell, False)):
        frame = pd.DataFrame({"g": group, "V": value[has_arm] if arms else value,
                              "C": change[has_arm] if arms else change})
        st = _stats(frame)
        g = st.index.to_numpy(dtype=np.int64)
        c = g // na if arms else g
        st["KEY"], st["VISIT_CODE"] = c // nv, c % nv - 1
        st["ARM"] = np.asarray(arm_names, dtype=object)[g % na] if arms else TOTAL
        parts.append(st.reset_index(drop=True))
    out = pd.concat(parts, ignore_index=True)
    names = r.visits["VISIT"].to_numpy(dtype=object) if len(r.visits) else np.zeros(0, dtype=object)
    ranks = r.visits["ORDER"].to_numpy(dtype=np.int64) if len(r.visits) else np.zeros(0, dtype=np.int64)
    vc = out["VISIT_CODE"].to_numpy(dtype=np.int64)
    out["VISIT"] = pd.Series(np.where(vc < 0, None, np.append(names, None)[np.where(vc >= 0, vc, len(names))]),
                             dtype=object)
    out["ORDER"] = np.where(vc < 0, -1, np.append(ranks, -1)[np.where(vc >= 0, vc, len(ranks))])
    for c in [f"C_{x}" for x in STATS]:
        out.loc[vc < 0, c] = np.nan
    return out.sort_values(["KEY", "ORDER", "ARM"], kind="stable").reset_index(drop=True)[cols]


def _stats(frame: pd.DataFrame) -> pd.DataFrame:
    g = frame.groupby("g", sort=False)
    v, c = g["V"], g["C"]
    return pd.DataFrame({"N": v.count(), "MEAN": v.mean(), "SD": v.std(ddof=1), "MEDIAN": v.median(), "MIN": v.min(),
                         "MAX": v.max(), "C_N": c.count(), "C_MEAN": c.mean(), "C_SD": c.std(ddof=1),
                         "C_MEDIAN": c.median(), "C_MIN": c.min(), "C_MAX": c.max()})


def key_dict(keys: pd.DataFrame, k: int) -> dict:
    """A test key as review.json names it: test, specimen, position, timepoint, unit (present ones only)."""
    r = keys.iloc[int(k)]
    return {PART_NAMES[p]: r[p] for p in ("TESTCD", "SPEC", "POS", "TPT", "STRESU") if r[p] is not None}
