"""Adverse events with the derived flags of analyses.md "Common definitions": treatment-emergent, related,
serious, grade, fatal, DLT, special interest, tumour; and the coded values outside the vocabularies."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..columns import coded, col, dates, spread
from ..dates import DateIntervals, on_or_after
from ..submission import Submission
from ..units import to_number

AE_COLUMNS = ["USUBJID", "ARM", "DOSED", "TEAE", "RELATED", "RELATED_KNOWN", "GRADE", "SERIOUS", "SERIOUS_CONFLICT",
              "FATAL", "DLT", "AESI", "TUMOUR", "START_LO", "START_HI", "ONSET_DAY"]
SERIOUSNESS_CRITERIA = ("AESDTH", "AESLIFE", "AESHOSP", "AESDISAB", "AESCONG", "AESMIE")
GRADE_OF_SEVERITY = {"mild": 1.0, "moderate": 2.0, "severe": 3.0}


def _categories(sub: Submission, var: str, vocab) -> tuple[np.ndarray, np.ndarray]:
    """(category per record, category per distinct value) of an AE column through a vocabulary."""
    c = coded(sub, "AE", var)
    per_unique = vocab.classify(c.uniques)
    return c.take(per_unique, None), per_unique


def yes(sub: Submission, domain: str, var: str) -> np.ndarray:
    """Records whose value of a Y/N variable reads 'yes' (Y, YES, 是 …) as a boolean array."""
    c = coded(sub, domain, var)
    return c.mask(sub.vocab.yes_no.classify(c.uniques) == "yes")


def build_adverse_events(sub: Submission, dosed: frozenset, first: pd.DataFrame, subject_arm: pd.Series) -> pd.DataFrame:
    """AE records with ARM, DOSED, TEAE (conservative), RELATED (blank / unrecognised causality on a TEAE counts
    as related; RELATED_KNOWN says whether the vocabulary decided), GRADE, SERIOUS (AESER or any seriousness
    criterion; SERIOUS_CONFLICT when AESER contradicts the criteria), FATAL, DLT, AESI, TUMOUR, START_LO/HI,
    ONSET_DAY (days from first dose, from the earliest possible onset)."""
    ae = sub.domain("AE")
    if ae is None:
        return pd.DataFrame(columns=AE_COLUMNS)
    v = sub.vocab
    out = ae.copy(deep=False)    # new columns only: the dataset itself is never modified
    if "USUBJID" not in out.columns:   # records of no subject (TRC-002 reports it): kept, matched to nobody
        out["USUBJID"] = pd.Series(None, index=out.index, dtype=object)
    n = len(out)
    out["ARM"] = pd.Series(spread(sub, "AE", subject_arm), index=out.index, dtype=object) if len(subject_arm) \
        else pd.Series(None, index=out.index, dtype=object)
    out["ARM"] = out["ARM"].where(out["ARM"].notna(), None)
    usub = coded(sub, "AE", "USUBJID")
    dosed_mask = usub.mask([u in dosed for u in usub.uniques])
    out["DOSED"] = dosed_mask
    start = dates(sub, "AE", "AESTDTC")
    out["START_LO"], out["START_HI"] = start.lo, start.hi
    if len(first):
        f_lo = spread(sub, "AE", first["FIRST_LO"]).astype(float)
        f_hi = spread(sub, "AE", first["FIRST_HI"]).astype(float)
    else:
        f_lo = f_hi = np.full(n, np.nan)
    cmp = on_or_after(start, DateIntervals(f_lo, f_hi, np.full(n, "full", dtype=object)))
    # undecidable (0.5) counts as treatment-emergent, and so does an AE of a dosed subject whose onset or first
    # dose date is unknown or malformed (conservative, analyses.md)
    out["TEAE"] = dosed_mask & ((cmp >= 0.5) | np.isnan(cmp))
    rel_cat, _ = _categories(sub, "AEREL", v.causality)
    known = rel_cat != None  # noqa: E711 - elementwise on an object array
    out["RELATED"] = (rel_cat == "related") | (~known & out["TEAE"].to_numpy())
    out["RELATED_KNOWN"] = known
    toxgr = to_number(col(out, "AETOXGR")).to_numpy(dtype=float)
    sevc = coded(sub, "AE", "AESEV")
    sev = sevc.take(np.asarray([GRADE_OF_SEVERITY.get(c, np.nan) for c in v.severity.classify(sevc.uniques)],
                               dtype=float), np.nan)
    out["GRADE"] = np.where(np.isnan(toxgr), sev, toxgr)
    aeser = coded(sub, "AE", "AESER")
    ser_cat = aeser.take(v.yes_no.classify(aeser.uniques), None)
    criteria = np.zeros(n, dtype=bool)
    for var in SERIOUSNESS_CRITERIA:
        if var in ae.columns:
            criteria |= yes(sub, "AE", var)
    out["SERIOUS"] = (ser_cat == "yes") | criteria
    out["SERIOUS_CONFLICT"] = (ser_cat == "no") & criteria
    out_cat, _ = _categories(sub, "AEOUT", v.outcome)
    out["FATAL"] = (out_cat == "fatal") | yes(sub, "AE", "AESDTH") | (out["GRADE"].to_numpy() == 5)
    out["DLT"] = yes(sub, "AE", "AEDLT")
    soc = coded(sub, "AE", "AEBODSYS")
    neoplasm = soc.mask(v.soc.classify(soc.uniques) == "neoplasm")
    term = coded(sub, "AE", "AEDECOD")
    verbatim = coded(sub, "AE", "AETERM")
    extra = {t.strip().lower() for t in sub.m.study.aesi_terms}

    def term_flags(c) -> tuple[np.ndarray, np.ndarray]:
        tum = c.mask(v.tumour.flags(c.uniques))
        special = c.mask(v.special_interest.flags(c.uniques)) | \
            c.mask([str(u).strip().lower() in extra for u in c.uniques])
        return tum, special

    tum_d, aesi_d = term_flags(term)
    tum_v, aesi_v = term_flags(verbatim)
    use_decod = term.present   # AEDECOD, else the verbatim AETERM
    out["TUMOUR"] = neoplasm | np.where(use_decod, tum_d, tum_v)
    out["AESI"] = out["TUMOUR"].to_numpy() | np.where(use_decod, aesi_d, aesi_v)
    out["ONSET_DAY"] = start.lo - f_lo
    return out


@dataclass(frozen=True)
class VocabularyGap:
    """Values of a coded variable outside its vocabulary (or blank where required): one finding per value."""

    domain: str
    variable: str
    value: str | None            # None: blank
    count: int                   # records (TEAEs where ``teae_only``)
    examples: tuple[str, ...]    # 'USUBJID AESEQ=n' of the first few records
    usubjid: str | None          # the subject when all the records are one subject's
    record: str | None = None    # 'AESEQ=n' when there is one record


def vocabulary_gaps(sub: Submission, ae: pd.DataFrame, variable: str, vocab, *, rows=None,
                    blank: bool = True) -> list[VocabularyGap]:
    """Distinct values of an AE variable that ``vocab`` does not recognise (and blank values when ``blank``),
    among ``rows`` (a boolean mask; all records when None), with their counts and a few example records."""
    if ae is None or len(ae) == 0 or variable not in ae.columns:
        return []
    c = coded(sub, "AE", variable)
    known = np.append(vocab.classify(c.uniques) != None, False)  # noqa: E711
    codes = c.codes
    sel = np.ones(len(codes), dtype=bool) if rows is None else np.asarray(rows, dtype=bool)
    bad = sel & ~known[codes]
    if not blank:
        bad &= codes >= 0
    if not bad.any():
        return []
    seq = col(ae, "AESEQ")
    usub = col(ae, "USUBJID")
    gaps = []
    for code in np.unique(codes[bad]):
        pos = np.flatnonzero(bad & (codes == code))
        subjects = usub.iloc[pos]
        examples = tuple(f"{u} AESEQ={_seq(s)}" for u, s in zip(subjects.iloc[:5], seq.iloc[pos[:5]]))
        one = subjects.dropna().unique()
        gaps.append(VocabularyGap("AE", variable, None if code < 0 else str(c.uniques[code]), len(pos), examples,
                                  str(one[0]) if len(one) == 1 else None,
                                  f"AESEQ={_seq(seq.iloc[pos[0]])}" if len(pos) == 1 else None))
    return gaps


def _seq(v) -> str:
    if isinstance(v, float) and v == v and v.is_integer():
        return str(int(v))
    return "?" if v is None or v != v else str(v)
