"""Simulate one study's subjects, visits, exposure and lots, vectorised with numpy/pandas.

:func:`simulate` turns a :class:`~workbench.sample.spec.StudySpec` into a :class:`Study`
whose tables hold dates as day numbers; profiles plant events on it, then
:func:`~workbench.sample.finalize.finalize` writes the SDTM datasets.
Same spec + same seed = same data, always.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .events import adverse_events, disposition, eligibility, history, medications, sev
from .measures import efficacy, labs, vitals
from .spec import StudySpec, day, iso, rng_for
from .vocab import DEATH_TERMS

# --------------------------------------------------------------------------- study


@dataclass
class Study:
    """Simulated study before finalisation: tables with day-number dates and a subject index ``_si``."""

    spec: StudySpec
    subj: pd.DataFrame
    tables: dict[str, pd.DataFrame]
    lots: pd.DataFrame
    domains: dict[str, pd.DataFrame] = field(default_factory=dict)   # filled by finalize()

    def si(self, usubjid: str) -> int:
        return int(self.subj.index[self.subj["USUBJID"] == usubjid][0])

    def dosed(self, armcd: str | None = None, completed: bool = False) -> list[str]:
        """USUBJIDs of dosed subjects (in first-dose order), optionally of one arm / only those who completed."""
        s = self.subj[self.subj["dosed"]]
        if armcd is not None:
            s = s[s["ACTARMCD"] == armcd]
        if completed:
            s = s[s["fate"] == "COMPLETED"]
        return s.sort_values(["dose0", "USUBJID"])["USUBJID"].tolist()

    def add_ae(self, usubjid: str, onset: int, decod: str, soc: str, term: str, grade: int, serious: bool,
               rel: str, duration: int | None = 10, outcome: str | None = None, dlt: bool = False,
               hosp: bool | None = None) -> None:
        """Plant one AE ``onset`` days after the subject's first dose (duration None = ongoing)."""
        i = self.si(usubjid)
        d0 = float(self.subj.at[i, "dose0"])
        end = float(self.subj.at[i, "end"])
        st = d0 + onset
        if st > end:
            raise ValueError(f"{usubjid}: AE onset day {onset} is after the subject's last contact")
        en = np.nan if duration is None else min(st + duration, end)
        if outcome is None:
            outcome = "NOT RECOVERED/NOT RESOLVED" if np.isnan(en) else (
                "RECOVERED/RESOLVED WITH SEQUELAE" if grade >= 3 and serious else "RECOVERED/RESOLVED")
        row = {"_si": i, "USUBJID": usubjid, "AETERM": term, "AEDECOD": decod, "AEBODSYS": soc,
               "AESEV": sev(grade), "AETOXGR": str(grade), "AESER": "Y" if serious else "N", "AEREL": rel,
               "AEACN": self._aeacn(), "AEOUT": outcome, "AESDTH": "Y" if outcome == "FATAL" else "N",
               "AESHOSP": "Y" if (serious if hosp is None else hosp) else "N", "AESTDTC": st, "AEENDTC": en,
               "_dlt": "Y" if dlt else ""}
        self.tables["AE"] = pd.concat([self.tables["AE"], pd.DataFrame([row])], ignore_index=True)

    def _aeacn(self) -> str:
        return "NOT APPLICABLE" if len(self.spec.dose_days) == 1 else "DOSE NOT CHANGED"


# --------------------------------------------------------------------------- subjects


def _subjects(spec: StudySpec, rng: np.random.Generator) -> pd.DataFrame:
    start = day(spec.start)
    site_ids = np.array([s for s, _ in spec.sites], dtype=object)
    if spec.schedule == "escalation":
        dose0, arms, cohort = [], [], []
        t = start
        for k, (armcd, n) in enumerate(spec.cohorts):
            for j in range(n):
                dose0.append(t)
                arms.append(armcd)
                cohort.append(k + 1)
                last = t
                t += spec.sentinel + int(rng.integers(0, 4))
            t = last + spec.cohort_gap + int(rng.integers(0, 8))
        dose0 = np.array(dose0, dtype=float)
        arms = np.array(arms, dtype=object)
        cohort = np.array(cohort)
        sites = site_ids[rng.integers(0, len(site_ids), len(dose0))]
    else:
        n_total = sum(a.n for a in spec.arms)
        dose0 = np.sort(start + np.floor(rng.uniform(0, spec.enrol_span, n_total)))
        dose0[0] = start
        labels = np.repeat(np.array([a.armcd for a in spec.arms], dtype=object), [a.n for a in spec.arms])
        arms = rng.permutation(labels)
        cohort = np.zeros(n_total, dtype=int)
        w = 1.0 / np.sqrt(np.arange(1, len(site_ids) + 1))
        sites = site_ids[rng.choice(len(site_ids), n_total, p=w / w.sum())]
        sites[: len(site_ids)] = site_ids  # every site enrols
    n = len(dose0)
    lo, hi = spec.consent_to_dose
    consent = dose0 - rng.integers(lo, hi + 1, n)
    enrolled = pd.DataFrame({"SITEID": sites, "ARMCD": arms, "cohort": cohort, "consent": consent,
                             "dose0": dose0, "sf": False})
    if spec.n_screen_fail:
        nsf = spec.n_screen_fail
        sf = pd.DataFrame({"SITEID": site_ids[rng.integers(0, len(site_ids), nsf)], "ARMCD": "SCRNFAIL",
                           "cohort": 0,
                           "consent": np.floor(rng.uniform(consent.min(), dose0.max() - 10, nsf)),
                           "dose0": np.nan, "sf": True})
        enrolled = pd.concat([enrolled, sf], ignore_index=True)
    s = enrolled.sort_values(["consent", "SITEID"], kind="stable").reset_index(drop=True)
    seq = s.groupby("SITEID").cumcount() + 1
    s["SUBJID"] = s["SITEID"] + seq.map(lambda k: f"{k:03d}")
    s["USUBJID"] = spec.studyid + "-" + s["SITEID"] + "-" + seq.map(lambda k: f"{k:03d}")
    arm_label = {a.armcd: a.arm for a in spec.arms}
    s["ARM"] = s["ARMCD"].map(arm_label).fillna("Screen Failure")
    s["ACTARMCD"] = s["ARMCD"]
    s["ACTARM"] = s["ARM"]
    n = len(s)
    mu, sd, amin, amax = spec.age
    s["AGE"] = np.clip(np.round(rng.normal(mu, sd, n)), amin, amax).astype(int)
    s["SEX"] = np.where(rng.random(n) < spec.female, "F", "M")
    female = s["SEX"].to_numpy() == "F"
    s["height"] = np.round(np.where(female, rng.normal(158, 5.5, n), rng.normal(170, 6, n)), 1)
    bmi = np.clip(rng.normal(23.5, 2.8, n), 17.5, 32)
    s["weight"] = np.round(bmi * (s["height"] / 100) ** 2, 1)
    s["dosed"] = ~s["sf"]
    s["fate"] = np.where(s["sf"], "SCRNFAIL", "COMPLETED")
    s["fate_day"] = np.nan
    s["fate_term"] = None
    s["fate_rel"] = None
    enrolled_idx = np.flatnonzero(~s["sf"].to_numpy())
    if spec.n_nottrt:
        pick = rng.choice(enrolled_idx, spec.n_nottrt, replace=False)
        s.loc[pick, "dosed"] = False
        s.loc[pick, "fate"] = "NOTTRT"
        s.loc[pick, "fate_day"] = s.loc[pick, "dose0"] + spec.nottrt_day
        s.loc[pick, "ACTARMCD"] = "NOTTRT"
        s.loc[pick, "ACTARM"] = "Not Treated"
    free = set(np.flatnonzero(s["dosed"].to_numpy()).tolist())
    armcd_arr = s["ARMCD"].to_numpy()
    for dd in spec.deaths:
        cands = sorted(i for i in free if armcd_arr[i] == dd.armcd)
        i = int(rng.choice(cands))
        free.discard(i)
        s.at[i, "fate"] = "DEATH"
        s.at[i, "fate_day"] = s.at[i, "dose0"] + dd.day
        s.at[i, "fate_term"] = (dd.decod, dd.soc, dd.term)
        s.at[i, "fate_rel"] = dd.rel
    if spec.n_death:
        pick_d = rng.choice(sorted(free), spec.n_death, replace=False)
        free -= set(pick_d.tolist())
        terms = [DEATH_TERMS[k] for k in rng.integers(0, len(DEATH_TERMS), spec.n_death)]
        s.loc[pick_d, "fate"] = "DEATH"
        s.loc[pick_d, "fate_day"] = s.loc[pick_d, "dose0"].to_numpy() + rng.integers(*spec.death_days, spec.n_death)
        s.loc[pick_d, "fate_term"] = pd.Series(terms, index=pick_d, dtype=object)
        s.loc[pick_d, "fate_rel"] = "NOT RELATED"
    if spec.n_withdraw:
        pick = rng.choice(sorted(free), spec.n_withdraw, replace=False)
        s.loc[pick, "fate"] = "WITHDRAWN"
        s.loc[pick, "fate_day"] = s.loc[pick, "dose0"] + rng.integers(*spec.withdraw_days, len(pick))
        s.loc[pick, "fate_term"] = pd.Series(
            [spec.withdraw_reasons[k] for k in rng.integers(0, len(spec.withdraw_reasons), len(pick))],
            index=pick, dtype=object)
    s.loc[s["sf"], "fate_day"] = s.loc[s["sf"], "consent"] + rng.integers(3, 15, int(s["sf"].sum()))
    return s


# --------------------------------------------------------------------------- visits


def _visits(spec: StudySpec, s: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    V = spec.visits
    nv, ns = len(V), len(s)
    vday = np.array([v.day for v in V], dtype=float)
    vwin = np.array([v.window for v in V])
    vscr = np.array([v.screening for v in V])
    si = np.repeat(np.arange(ns), nv)
    vi = np.tile(np.arange(nv), ns)
    jit = rng.integers(0, vwin[vi] + 1)
    consent = s["consent"].to_numpy(dtype=float)
    dose0 = s["dose0"].to_numpy(dtype=float)
    date = np.where(vscr[vi], consent[si], dose0[si] + vday[vi] + jit)
    fate = s["fate"].to_numpy()
    fday = s["fate_day"].to_numpy(dtype=float)
    f = fate[si]
    keep = np.ones(len(si), dtype=bool)
    keep &= ~((f == "SCRNFAIL") & ~vscr[vi])
    keep &= ~((f == "NOTTRT") & ((vday[vi] >= 0) | (date > fday[si])))
    keep &= ~((f == "WITHDRAWN") & (date > fday[si]))
    keep &= ~((f == "DEATH") & (date >= fday[si]))
    if spec.ongoing_at_cutoff:   # the study is still running: nothing after the data cut-off is recorded
        keep &= date <= day(spec.cutoff)
    sv = pd.DataFrame({"_si": si[keep], "_vi": vi[keep], "date": date[keep]})
    if (sv["date"] > day(spec.cutoff)).any():
        late = sv[sv["date"] > day(spec.cutoff)].iloc[0]
        raise ValueError(f"{spec.studyid}: visit {V[int(late['_vi'])].name} after the cut-off {spec.cutoff}")
    return sv


def _subject_end(s: pd.DataFrame, sv: pd.DataFrame) -> np.ndarray:
    last_visit = sv.groupby("_si")["date"].max().reindex(range(len(s))).to_numpy()
    fate = s["fate"].to_numpy()
    return np.where(np.isin(fate, ["COMPLETED", "ONGOING"]), last_visit, s["fate_day"].to_numpy(dtype=float))


def _ongoing(spec: StudySpec, s: pd.DataFrame, sv: pd.DataFrame) -> None:
    """Dosed subjects still in follow-up at the data cut-off: a withdrawal or death after it is not recorded, and
    a subject whose last planned visit is after it has not completed."""
    cut = day(spec.cutoff)
    held = sv.groupby("_si").size().reindex(range(len(s)), fill_value=0).to_numpy()
    fate = s["fate"].to_numpy()
    after = (s["fate_day"].to_numpy(dtype=float) > cut) & np.isin(fate, ["WITHDRAWN", "DEATH"])
    short = (fate == "COMPLETED") & (held < len(spec.visits))
    pick = s["dosed"].to_numpy() & (after | short)
    s.loc[pick, "fate"] = "ONGOING"
    s.loc[pick, "fate_day"] = np.nan
    s.loc[pick, "fate_term"] = None


# --------------------------------------------------------------------------- simulate


def simulate(spec: StudySpec) -> Study:
    """Subjects, visits, exposure, lots, labs, vitals, efficacy, AEs, medications and history."""
    seed = spec.seed
    s = _subjects(spec, rng_for(seed, "subjects"))
    sv = _visits(spec, s, rng_for(seed, "visits"))
    if spec.ongoing_at_cutoff:
        _ongoing(spec, s, sv)
    s["end"] = _subject_end(s, sv)
    # RFSTDTC: first dose, or a named pre-dose visit (e.g. bone-marrow harvest) for every enrolled subject
    if spec.rfst_visit:
        vnum = next(i for i, v in enumerate(spec.visits) if v.name == spec.rfst_visit)
        rf = sv[sv["_vi"] == vnum].set_index("_si")["date"]
        s["rfst"] = rf.reindex(range(len(s))).to_numpy()
    else:
        s["rfst"] = np.where(s["dosed"], s["dose0"], np.nan)
    V = spec.visits
    tables: dict[str, pd.DataFrame] = {}
    usub = s["USUBJID"].to_numpy(dtype=object)
    vname = np.array([v.name for v in V], dtype=object)
    vnum = np.array([v.num for v in V])
    vep = np.array([v.epoch for v in V], dtype=object)
    tables["SV"] = pd.DataFrame({"_si": sv["_si"].to_numpy(), "USUBJID": usub[sv["_si"]],
                                 "VISITNUM": vnum[sv["_vi"]], "VISIT": vname[sv["_vi"]],
                                 "EPOCH": vep[sv["_vi"]], "SVSTDTC": sv["date"].to_numpy(),
                                 "SVENDTC": sv["date"].to_numpy()})
    tables["EX"] = _exposure(spec, s)
    lots = _assign_lots(spec, s, tables["EX"], rng_for(seed, "lots"))
    tables["LB"] = labs(spec, s, sv, rng_for(seed, "labs"))
    tables["VS"] = vitals(spec, s, sv, rng_for(seed, "vitals"))
    if spec.efficacy is not None:
        eff = efficacy(spec, s, sv, rng_for(seed, "efficacy"))
        dom = spec.efficacy.domain
        tables[dom] = pd.concat([tables[dom], eff], ignore_index=True) if dom in tables else eff
    tables["AE"] = adverse_events(spec, s, rng_for(seed, "ae"))
    tables["MH"], chronic = history(spec, s, rng_for(seed, "mh"))
    tables["CM"] = medications(spec, s, tables["AE"], chronic, rng_for(seed, "cm"))
    tables["IE"] = eligibility(spec, s, rng_for(seed, "ie"))
    tables["DS"] = disposition(spec, s, tables["IE"], rng_for(seed, "ds"))
    return Study(spec, s, tables, lots)


def _exposure(spec: StudySpec, s: pd.DataFrame) -> pd.DataFrame:
    d = s[s["dosed"]]
    k = len(spec.dose_days)
    si = np.repeat(d.index.to_numpy(), k)
    dd = np.tile(np.array(spec.dose_days, dtype=float), len(d))
    date = s["dose0"].to_numpy()[si] + dd
    keep = date <= s["end"].to_numpy()[si]
    si, dd, date = si[keep], dd[keep], date[keep]
    arm = {a.armcd: a for a in spec.arms}
    armcd = s["ACTARMCD"].to_numpy()[si]
    visit_of = {v.day: v for v in spec.visits}
    missing = sorted({int(x) for x in dd} - set(visit_of))
    if missing:
        raise ValueError(f"{spec.studyid}: dosing days {missing} have no visit")
    ctrl = np.array([arm[a].control for a in armcd])
    return pd.DataFrame({
        "_si": si, "USUBJID": s["USUBJID"].to_numpy()[si],
        "EXTRT": np.where(ctrl, "PLACEBO", spec.extrt).astype(object),
        "EXDOSE": np.array([arm[a].exdose for a in armcd], dtype=float),
        "EXDOSU": np.array([arm[a].exdosu for a in armcd], dtype=object),
        "EXDOSFRM": spec.exdosfrm, "EXDOSFRQ": "ONCE", "EXROUTE": spec.exroute, "EXLOT": None,
        "EXSTDTC": date, "EXENDTC": date,
        "VISITNUM": np.array([visit_of[int(x)].num for x in dd]),
        "VISIT": np.array([visit_of[int(x)].name for x in dd], dtype=object),
        "_ctrl": ctrl,
    })


def _assign_lots(spec: StudySpec, s: pd.DataFrame, ex: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Give each active administration a lot; return the lots (LOTID, PROCVER, mfg day, first use, used)."""
    active = ex[~ex["_ctrl"]].sort_values(["EXSTDTC", "USUBJID"], kind="stable")
    rows = []
    if spec.lot_scheme == "autologous":
        enrolled = s[~s["sf"]].sort_values(["dose0", "USUBJID"], kind="stable")
        for k, (i, r) in enumerate(enrolled.iterrows(), start=1):
            rows.append({"_si": i, "k": k, "first_use": r["dose0"] if r["dosed"] else np.nan,
                         "mfg": r["dose0"] + spec.harvest_day + 1})
        lots = pd.DataFrame(rows)
        lot_of_subject = dict(zip(lots["_si"], range(len(lots))))
        ex.loc[active.index, "_lot"] = active["_si"].map(lot_of_subject).to_numpy()
    else:
        k = np.arange(len(active)) // spec.admins_per_lot
        ex.loc[active.index, "_lot"] = k
        first_use = active.groupby(k)["EXSTDTC"].min().to_numpy()
        mfg = first_use - rng.integers(35, 90, len(first_use))
        mfg = np.minimum.accumulate(mfg[::-1])[::-1]   # manufacturing order follows use order
        lots = pd.DataFrame({"_si": -1, "k": np.arange(1, len(first_use) + 1), "first_use": first_use, "mfg": mfg})
    # process versions: [(version, n lots or None = the rest)]
    ver = []
    for v, n in spec.procver:
        ver += [v] * (len(lots) - len(ver) if n is None else n)
    lots["PROCVER"] = np.array(ver[: len(lots)], dtype=object)
    years = pd.to_datetime(iso(lots["mfg"].to_numpy())).year % 100
    lots["LOTID"] = [f"{spec.lot_prefix}-{y:02d}{k:03d}" for y, k in zip(years, lots["k"])]
    lots["used"] = lots["first_use"].notna()
    lots["STATUS"] = "RELEASED"
    lots["FAILREASON"] = None
    ex["EXLOT"] = ex["_lot"].map(lambda v: None if pd.isna(v) else lots["LOTID"].iat[int(v)]).astype(object)
    del ex["_lot"]
    return lots
