"""Safety: overview per arm, TEAE by SOC/PT, risk differences, Kaplan–Meier, listings, stopping rules.

analyses.md "Safety"; guideline G-2.2.1, G-3.1a (stem-cell specific risks), G-4.2.1 (high safety risk).
All counts are subjects, never events.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..columns import Coded, coded, col
from ..dates import parse_dtc
from ..submission import Submission
from ._common import POOLED, UNCODED, arm_table, fnum, frame_records, newcombe_diff, pct, reason, seq_values
from .km import KMCurve, km_first_serious

LATE_DAYS = 365   # "late events": onset more than 365 days after the first dose (analyses.md)
LISTING_LIMIT = 1000   # rows of the long listings (late events, AESI) written to review.json; the result keeps all

OVERVIEW_FLAGS = {            # overview column -> TEAE condition
    "any_teae": lambda ae: pd.Series(True, index=ae.index),
    "related_teae": lambda ae: ae["RELATED"],
    "grade3plus": lambda ae: ae["GRADE"] >= 3,
    "serious": lambda ae: ae["SERIOUS"],
    "related_serious": lambda ae: ae["SERIOUS"] & ae["RELATED"],
    "fatal": lambda ae: ae["FATAL"],
    "aesi": lambda ae: ae["AESI"],
}


def _teae(sub: Submission) -> pd.DataFrame:
    ae = sub.study.adverse_events
    if len(ae) == 0:
        return ae
    # the columns the safety tables and listings read, TEAE records only (a new frame: the AE table is untouched)
    keep = set(LISTING_COLS) | {"AESI", "DLT"}
    t = ae[[c for c in ae.columns if c in keep]][ae["TEAE"].astype(bool).to_numpy()]
    t["SOC"] = col(t, "AEBODSYS").astype("object").where(col(t, "AEBODSYS").notna(), UNCODED)
    pt = col(t, "AEDECOD")
    t["PT"] = pt.astype("object").where(pt.notna(), UNCODED)
    return t


def _dosed_by_arm(sub: Submission) -> pd.Series:
    """USUBJID -> ARM for dosed subjects (ARM None when the subject is not in DM)."""
    subj = sub.study.subjects
    dosed = sorted(sub.study.dosed)
    arm = subj["ARM"] if len(subj) else pd.Series(dtype=object)
    return pd.Series(pd.Series(dosed, dtype=object).map(arm).to_numpy(), index=pd.Index(dosed, dtype=object),
                     dtype=object)


def _first_of(df: pd.DataFrame, cols: list[str]) -> np.ndarray:
    """``~df.duplicated(cols)`` (first occurrence of each key) from integer codes of the key columns."""
    if len(df) == 0:
        return np.zeros(0, dtype=bool)
    codes = [pd.factorize(df[c].astype("object"), use_na_sentinel=True)[0] for c in cols]
    return _first_codes(*codes)


def _first_codes(*codes: np.ndarray) -> np.ndarray:
    """First occurrence of each combination of integer codes (-1 = missing is a value of its own)."""
    key = np.zeros(len(codes[0]), dtype=np.int64)
    for c in codes:
        key = key * (int(c.max(initial=-1)) + 2) + (c + 1)
    first = np.zeros(len(key), dtype=bool)
    first[np.unique(key, return_index=True)[1]] = True   # np.unique's index is each key's first occurrence
    return first


def _map_subjects(usubjid: pd.Series, per_subject: pd.Series) -> pd.Series:
    """``usubjid.map(per_subject)``, looked up once per distinct subject."""
    codes, uniques = pd.factorize(usubjid.astype("object"), use_na_sentinel=True)
    looked = pd.Series(np.asarray(uniques, dtype=object)).map(per_subject).to_numpy()
    return pd.Series(np.append(looked, np.array([np.nan], dtype=looked.dtype))[codes], index=usubjid.index)


def _teae_rows(sub: Submission | None, teae: pd.DataFrame) -> np.ndarray | None:
    """Positions of the TEAE records in the AE dataset (None when ``teae`` is not :func:`_teae` of ``sub``)."""
    if sub is None or sub.domain("AE") is None:
        return None
    ae = sub.study.adverse_events
    if len(ae) != len(sub.domain("AE")) or "TEAE" not in ae.columns:
        return None
    rows = np.flatnonzero(ae["TEAE"].astype(bool).to_numpy())
    return rows if len(rows) == len(teae) and teae.index.equals(ae.index[rows]) else None


def _filled_codes(c: "Coded", rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Codes and labels of a column with missing values shown as UNCODED (as :func:`_teae` fills them)."""
    codes = c.codes[rows]
    uniques = np.asarray(c.uniques, dtype=object)
    where = np.flatnonzero(uniques == UNCODED)
    if len(where):
        filler = int(where[0])
    else:
        filler = len(uniques)
        uniques = np.append(uniques, np.array([UNCODED], dtype=object))
    return np.where(codes < 0, filler, codes), uniques


class _TeaeKeys:
    """TEAE rows as integer codes (subject, SOC, PT, arm), factorised once for the SOC/PT tables."""

    def __init__(self, teae: pd.DataFrame, dosed_arm: pd.Series, sub: Submission | None = None):
        rows = _teae_rows(sub, teae)
        if rows is not None:   # the AE columns' factorisations, shared with the checks
            u = coded(sub, "AE", "USUBJID")
            self.u, u_uni = u.codes[rows], u.uniques
            self.s, self.s_uni = _filled_codes(coded(sub, "AE", "AEBODSYS"), rows)
            self.p, self.p_uni = _filled_codes(coded(sub, "AE", "AEDECOD"), rows)
        else:
            self.u, u_uni = pd.factorize(teae["USUBJID"].astype("object"), use_na_sentinel=True)
            self.s, s_uni = pd.factorize(teae["SOC"].astype("object"), use_na_sentinel=True)
            self.p, p_uni = pd.factorize(teae["PT"].astype("object"), use_na_sentinel=True)
            self.s_uni, self.p_uni = np.asarray(s_uni, dtype=object), np.asarray(p_uni, dtype=object)
        # arm of each record's subject (looked up once per subject); -1: no arm (never counted)
        subject_arm = pd.Series(np.asarray(u_uni, dtype=object)).map(dosed_arm).to_numpy()
        arm_code, a_uni = pd.factorize(pd.Series(subject_arm, dtype=object), use_na_sentinel=True)
        self.a = np.append(arm_code, -1)[self.u]
        self.a_uni = np.asarray(a_uni, dtype=object)
        self.first_us = _first_codes(self.u, self.s)
        self.first_usp = _first_codes(self.u, self.s, self.p)

    @staticmethod
    def counts(*codes: np.ndarray) -> dict[tuple, int]:
        """Rows per combination of codes (rows with a -1 code left out, as groupby drops missing keys)."""
        ok = np.ones(len(codes[0]), dtype=bool)
        for c in codes:
            ok &= c >= 0
        if not ok.any():
            return {}
        radix = [int(c.max()) + 1 for c in codes]
        key = np.zeros(int(ok.sum()), dtype=np.int64)
        for c, r in zip(codes, radix):
            key = key * r + c[ok]
        combos, n = np.unique(key, return_counts=True)
        out = {}
        for combo, k in zip(combos.tolist(), n.tolist()):
            parts = []
            for r in reversed(radix):
                combo, rem = divmod(combo, r)
                parts.append(rem)
            out[tuple(reversed(parts))] = k
        return out


# --------------------------------------------------------------------------- overview

def overview(sub: Submission, arms: pd.DataFrame, teae: pd.DataFrame, dosed_arm: pd.Series) -> tuple[pd.DataFrame, dict]:
    """Per arm: dosed and subjects with ≥1 TEAE of each kind (n and %); and the all-dosed total."""
    rows = []
    groups = [(a.ARM, bool(a.CONTROL), dosed_arm.index[dosed_arm == a.ARM]) for a in arms.itertuples(index=False)]
    total = None
    # subjects with >= 1 TEAE of each kind, found once over the distinct subjects (not per arm and kind)
    codes, uniques = pd.factorize(teae["USUBJID"].astype("object"), use_na_sentinel=True) if len(teae) else \
        (np.array([], dtype=np.intp), pd.Index([], dtype=object))
    uniques = np.asarray(uniques, dtype=object)
    has = {}
    for key, cond in OVERVIEW_FLAGS.items():
        mark = np.zeros(len(uniques) + 1, dtype=bool)
        if len(teae):
            mark[codes[cond(teae).fillna(False).astype(bool).to_numpy()]] = True
        has[key] = mark[:-1]                     # code -1 (no USUBJID) is never counted, as nunique drops it
    for label, control, members in groups + [("ALL", None, dosed_arm.index)]:
        members = set(members)
        row = {"arm": label, "control": control, "dosed": len(members)}
        in_group = np.fromiter((u in members for u in uniques), dtype=bool, count=len(uniques))
        for key in OVERVIEW_FLAGS:
            n = int((has[key] & in_group).sum())
            row[key] = n
            row[f"{key}_pct"] = pct(n, len(members))
        if label == "ALL":
            total = row
        else:
            rows.append(row)
    return pd.DataFrame(rows), total


# --------------------------------------------------------------------------- SOC / PT

def by_soc_pt(arms: pd.DataFrame, teae: pd.DataFrame, dosed_arm: pd.Series, keys: "_TeaeKeys | None" = None
              ) -> pd.DataFrame:
    """Subjects n (%) per SOC and per PT, per arm and overall; SOCs by overall frequency, PTs within SOC likewise.

    Columns: SOC, PT (None on SOC rows), LEVEL ('soc'|'pt'), N, PCT, then N_<arm>, PCT_<arm> per arm.
    """
    arm_list = arms["ARM"].tolist()
    denom = {a: int((dosed_arm == a).sum()) for a in arm_list}
    total = len(dosed_arm)
    cols = ["SOC", "PT", "LEVEL", "N", "PCT"] + [f"{p}_{a}" for a in arm_list for p in ("N", "PCT")]
    if len(teae) == 0:
        return pd.DataFrame(columns=cols)
    # subjects (first record per subject and SOC / SOC and PT), counted on integer codes
    k = keys if keys is not None else _TeaeKeys(teae, dosed_arm)
    us, usp = k.first_us, k.first_usp
    soc_n = {k.s_uni[c[0]]: n for c, n in k.counts(k.s[us]).items()}
    pt_n: dict = {}
    for (sc, pc), n in k.counts(k.s[usp], k.p[usp]).items():
        pt_n.setdefault(k.s_uni[sc], {})[k.p_uni[pc]] = n
    soc_arm = {(k.s_uni[sc], k.a_uni[ac]): n for (sc, ac), n in k.counts(k.s[us], k.a[us]).items()}
    pt_arm = {(k.s_uni[sc], k.p_uni[pc], k.a_uni[ac]): n
              for (sc, pc, ac), n in k.counts(k.s[usp], k.p[usp], k.a[usp]).items()}
    rows = []
    for s in sorted(soc_n, key=lambda key: (-soc_n[key], str(key))):
        rows.append(_soc_pt_row(s, None, "soc", int(soc_n[s]), total, arm_list, denom,
                                lambda a, s=s: soc_arm.get((s, a), 0)))
        pts = pt_n[s]
        for p in sorted(pts, key=lambda key: (-pts[key], str(key))):
            rows.append(_soc_pt_row(s, p, "pt", int(pts[p]), total, arm_list, denom,
                                    lambda a, s=s, p=p: pt_arm.get((s, p, a), 0)))
    return pd.DataFrame(rows, columns=cols)


def _soc_pt_row(soc, pt, level, n, total, arm_list, denom, count) -> dict:
    row = {"SOC": soc, "PT": pt, "LEVEL": level, "N": n, "PCT": pct(n, total)}
    for a in arm_list:
        k = int(count(a))
        row[f"N_{a}"] = k
        row[f"PCT_{a}"] = pct(k, denom[a])
    return row


def soc_pt_records(table: pd.DataFrame, arm_list: list[str]) -> list[dict]:
    out = []
    for r in table.to_dict("records"):
        out.append({"soc": r["SOC"], "pt": None if pd.isna(r["PT"]) else r["PT"], "level": r["LEVEL"], "n": int(r["N"]), "pct": fnum(r["PCT"]),
                    "by_arm": {a: {"n": int(r[f"N_{a}"]), "pct": fnum(r[f"PCT_{a}"])} for a in arm_list}})
    return out


# --------------------------------------------------------------------------- risk differences

def risk_differences(arms: pd.DataFrame, teae: pd.DataFrame, dosed_arm: pd.Series,
                     keys: "_TeaeKeys | None" = None) -> pd.DataFrame:
    """Per PT: each active arm and all active pooled vs control, risk difference with Newcombe 95% CI."""
    cols = ["SOC", "PT", "COMPARISON", "N_ACTIVE", "DENOM_ACTIVE", "N_CONTROL", "DENOM_CONTROL", "RD", "CI_LOW",
            "CI_HIGH"]
    control = arms.loc[arms["CONTROL"], "ARM"].tolist()
    active = arms.loc[~arms["CONTROL"], "ARM"].tolist()
    if not control or not active or len(teae) == 0:
        return pd.DataFrame(columns=cols)
    ctl_members = set(dosed_arm.index[dosed_arm.isin(control)])
    if not ctl_members:
        return pd.DataFrame(columns=cols)
    groups = [(a, [a]) for a in active] + ([(POOLED, active)] if len(active) > 1 else [])
    k = keys if keys is not None else _TeaeKeys(teae, dosed_arm)
    rows = k.first_usp                                  # one record per subject, SOC and PT
    s_codes, p_codes = k.s[rows], k.p[rows]
    # (SOC, PT) pairs in order of first appearance, and each record's pair
    pair = (s_codes.astype(np.int64) + 1) * (len(k.p_uni) + 1) + (p_codes + 1)
    pair_code, pair_uni = pd.factorize(pair)
    first = np.unique(pair_code, return_index=True)[1]
    keys = pd.DataFrame({"SOC": pd.Series(k.s_uni[s_codes[first]], dtype=object),
                         "PT": pd.Series(k.p_uni[p_codes[first]], dtype=object)})

    arm_code = k.a[rows]

    def subjects_in(arm_set) -> np.ndarray:
        wanted = [i for i, a in enumerate(k.a_uni) if a in arm_set]
        hit = np.isin(arm_code, wanted)
        return np.bincount(pair_code[hit], minlength=len(pair_uni))

    ctl_n = subjects_in(set(control))
    frames = []
    for label, members in groups:
        denom = int(dosed_arm.isin(members).sum())
        if denom == 0:
            continue
        act_n = subjects_in(set(members))
        f = keys.copy()
        f["COMPARISON"] = label
        f["N_ACTIVE"] = act_n
        f["DENOM_ACTIVE"] = denom
        f["N_CONTROL"] = ctl_n
        f["DENOM_CONTROL"] = len(ctl_members)
        d, lo, hi = newcombe_diff(f["N_ACTIVE"], denom, f["N_CONTROL"], len(ctl_members))
        f["RD"], f["CI_LOW"], f["CI_HIGH"] = d, lo, hi
        frames.append(f)
    if not frames:
        return pd.DataFrame(columns=cols)
    out = pd.concat(frames, ignore_index=True)
    out["_tot"] = out.groupby(["SOC", "PT"])["N_ACTIVE"].transform("max") + out["N_CONTROL"]
    out["_cmp"] = out["COMPARISON"].map({label: i for i, (label, _) in enumerate(groups)})
    out = out.sort_values(["_tot", "SOC", "PT", "_cmp"], ascending=[False, True, True, True])
    return out.reset_index(drop=True)[cols]


# --------------------------------------------------------------------------- listings

LISTING_COLS = {"USUBJID": "usubjid", "ARM": "arm", "AESEQ": "aeseq", "AETERM": "aeterm", "AEDECOD": "aedecod",
                "AEBODSYS": "aebodsys", "AESTDTC": "aestdtc", "AEENDTC": "aeendtc", "ONSET_DAY": "onset_day",
                "GRADE": "grade", "SERIOUS": "serious", "RELATED": "related", "TEAE": "teae", "FATAL": "fatal",
                "TUMOUR": "tumour", "AEOUT": "aeout"}


def ae_listing(ae: pd.DataFrame) -> pd.DataFrame:
    """AE rows reduced to the listing columns (AESEQ as int where whole)."""
    cols = [c for c in LISTING_COLS if c in ae.columns]
    out = ae[cols].copy() if len(ae) else pd.DataFrame(columns=cols)
    if "AESEQ" in out.columns:
        out["AESEQ"] = seq_values(out["AESEQ"])
    return out.sort_values([c for c in ("USUBJID", "ONSET_DAY") if c in out.columns]).reset_index(drop=True)


def deaths_listing(sub: Submission, dosed_arm: pd.Series) -> pd.DataFrame:
    """Deaths from DM, DS and AE with date, cause, arm and day from first dose."""
    d = sub.study.deaths.copy()
    cols = ["USUBJID", "ARM", "DOSED", "SOURCE", "DATE", "DAY", "CAUSE"]
    if d.empty:
        return pd.DataFrame(columns=cols)
    subj = sub.study.subjects
    usubjid = d["USUBJID"].astype("object")      # object ids: isin/map on them cost a fraction of str ones
    d["ARM"] = usubjid.map(subj["ARM"]) if len(subj) else None
    d["DOSED"] = usubjid.isin(dosed_arm.index)
    fd = sub.study.first_dose
    day = parse_dtc(d["DATE"]).lo
    first = usubjid.map(fd["FIRST_LO"]).to_numpy(dtype=float) if len(fd) else np.nan
    d["DAY"] = day - first
    return d[cols].sort_values(["USUBJID", "SOURCE"]).reset_index(drop=True)


# --------------------------------------------------------------------------- result

@dataclass
class SafetyResult:
    arms: list[str]
    overview: pd.DataFrame
    overview_total: dict | None
    by_soc_pt: pd.DataFrame
    risk_differences: pd.DataFrame
    km: list[KMCurve]
    late_events: pd.DataFrame
    deaths: pd.DataFrame
    aesi: pd.DataFrame
    related_fatal: pd.DataFrame
    related_tumorigenicity: pd.DataFrame
    reason_code: str | None = None
    notes: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        rd = frame_records(self.risk_differences, {"SOC": "soc", "PT": "pt", "COMPARISON": "comparison",
                                                   "N_ACTIVE": "n_active", "DENOM_ACTIVE": "denom_active",
                                                   "N_CONTROL": "n_control", "DENOM_CONTROL": "denom_control",
                                                   "RD": "risk_difference", "CI_LOW": "ci_low", "CI_HIGH": "ci_high"})
        return {"overview": frame_records(self.overview), "overview_total": self.overview_total,
                "by_soc_pt": soc_pt_records(self.by_soc_pt, self.arms), "risk_differences": rd,
                "risk_difference_method": "newcombe_hybrid_score",
                "km": [k.to_dict() for k in self.km],
                "late_events": frame_records(self.late_events.head(LISTING_LIMIT), LISTING_COLS),
                "late_events_total": int(len(self.late_events)),
                "deaths": frame_records(self.deaths, {"USUBJID": "usubjid", "ARM": "arm", "DOSED": "dosed",
                                                      "SOURCE": "source", "DATE": "date", "DAY": "day",
                                                      "CAUSE": "cause"}),
                "aesi": frame_records(self.aesi.head(LISTING_LIMIT), LISTING_COLS),
                "aesi_total": int(len(self.aesi)), "listing_limit": LISTING_LIMIT,
                "related_fatal": frame_records(self.related_fatal, {"USUBJID": "usubjid", "AESEQ": "aeseq",
                                                                    "AEDECOD": "aedecod", "ARM": "arm"}),
                "related_tumorigenicity": frame_records(self.related_tumorigenicity,
                                                        {"USUBJID": "usubjid", "AESEQ": "aeseq",
                                                         "AEDECOD": "aedecod", "AEBODSYS": "aebodsys", "ARM": "arm"}),
                **reason(self.reason_code), "notes": self.notes}


def safety_analysis(sub: Submission) -> SafetyResult:
    """Overview, SOC/PT table, risk differences, KM of first serious TEAE, late events, deaths, AESI, T1 listings."""
    arms = arm_table(sub)
    dosed_arm = _dosed_by_arm(sub)
    teae = _teae(sub)
    ae = sub.study.adverse_events
    ov, total = overview(sub, arms, teae, dosed_arm)
    model = sub.study
    code = "no_ex" if not model.dosing_known else "no_ae" if not model.ae_known else \
        ("no_dosed" if len(dosed_arm) == 0 else None)
    if code in ("no_ex", "no_ae"):   # unknown is not zero: the counts that need the missing domain are null
        unknown = [k for k in OVERVIEW_FLAGS] + [f"{k}_pct" for k in OVERVIEW_FLAGS]
        if code == "no_ex":
            unknown += ["dosed"]
        ov = ov.astype(object)
        for k in unknown:
            if k in ov.columns:
                ov[k] = None
        total = {k: (None if k in unknown else v) for k, v in (total or {}).items()}
    if len(teae):
        late = teae[teae["ONSET_DAY"] > LATE_DAYS]
        rel_fatal = teae[teae["RELATED"] & teae["FATAL"]]
        rel_tum = teae[teae["RELATED"] & teae["TUMOUR"]]
    else:
        late = rel_fatal = rel_tum = teae
    aesi = ae[ae["AESI"].astype(bool)] if len(ae) else ae
    keys = _TeaeKeys(teae, dosed_arm, sub) if len(teae) else None
    return SafetyResult(arms["ARM"].tolist(), ov, total, by_soc_pt(arms, teae, dosed_arm, keys),
                        risk_differences(arms, teae, dosed_arm, keys),
                        km_first_serious(sub, arms, teae, dosed_arm) if len(dosed_arm) else [],
                        ae_listing(late), deaths_listing(sub, dosed_arm), ae_listing(aesi), ae_listing(rel_fatal),
                        ae_listing(rel_tum), code)
