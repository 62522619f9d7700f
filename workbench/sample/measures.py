"""Findings generated per visit: laboratory tests, vital signs and the primary efficacy measure."""
from __future__ import annotations

import numpy as np
import pandas as pd

from .spec import STR, StudySpec, numtext, pick
from .vocab import LAB_TESTS, VITALS, LabTest


def labs(spec: StudySpec, s: pd.DataFrame, sv: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    V = spec.visits
    vlb = np.array([v.lb for v in V])
    base_vi = next((i for i, v in enumerate(V) if v.day == 0 and v.lb), None)
    rows = sv[vlb[sv["_vi"].to_numpy()] & s["dosed"].to_numpy()[sv["_si"].to_numpy()]]
    # not-treated subjects keep their screening labs (baseline characteristics)
    nt = sv[vlb[sv["_vi"].to_numpy()] & (s["fate"].to_numpy()[sv["_si"].to_numpy()] == "NOTTRT")]
    rows = pd.concat([rows, nt]).sort_index()
    tests = [LAB_TESTS[t] for t in spec.labs]
    T = len(tests)
    mean = np.array([spec.lab_overrides.get(t.testcd, (t.mean, t.sd))[0] for t in tests])
    sd = np.array([spec.lab_overrides.get(t.testcd, (t.mean, t.sd))[1] for t in tests])
    ns = len(s)
    subj_eff = rng.normal(0, 1, (ns, T)) * sd * 0.6
    nr = len(rows)
    si = np.repeat(rows["_si"].to_numpy(), T)
    vi = np.repeat(rows["_vi"].to_numpy(), T)
    dt = np.repeat(rows["date"].to_numpy(), T)
    ti = np.tile(np.arange(T), nr)
    val = mean[ti] + subj_eff[si, ti] + rng.normal(0, 1, nr * T) * sd[ti] * 0.75
    val = np.maximum(val, mean[ti] * 0.15)
    return _findings_frame("LB", s, si, vi, dt, ti, val, tests, V, base_vi)


def _format_values(val: np.ndarray, ti: np.ndarray, decimals: list[int]) -> tuple[np.ndarray, pd.Series]:
    """Round per test and format as text: returns (numeric, text)."""
    scale = 10.0 ** np.asarray(decimals, dtype=float)[ti]
    num = np.round(val * scale) / scale
    return num, numtext(num)


def _findings_frame(dom, s, si, vi, dt, ti, val, tests, V, base_vi) -> pd.DataFrame:
    num, txt = _format_values(val, ti, [t.decimals for t in tests])
    vname = [v.name for v in V]
    vnum = np.array([v.num for v in V])
    vep = [v.epoch for v in V]
    cd = [t.testcd for t in tests]
    unit = [t.unit for t in tests]
    out = {"_si": si, "USUBJID": pick(s["USUBJID"].to_numpy(dtype=object), si), f"{dom}TESTCD": pick(cd, ti),
           f"{dom}TEST": pick([t.test for t in tests], ti)}
    if dom == "LB":
        lo = np.array([t.lo for t in tests], dtype=float)
        hi = np.array([t.hi for t in tests], dtype=float)
        ind = np.where(num < lo[ti], 0, np.where(num > hi[ti], 2, 1))
        out.update({"LBCAT": pick([t.cat for t in tests], ti), "LBORRES": txt, "LBORRESU": pick(unit, ti),
                    "LBORNRLO": lo[ti], "LBORNRHI": hi[ti], "LBSTRESC": txt, "LBSTRESN": num,
                    "LBSTRESU": pick(unit, ti), "LBSTNRLO": lo[ti], "LBSTNRHI": hi[ti],
                    "LBNRIND": pick(["LOW", "NORMAL", "HIGH"], ind)})
    else:
        out.update({f"{dom}ORRES": txt, f"{dom}ORRESU": pick(unit, ti), f"{dom}STRESC": txt, f"{dom}STRESN": num,
                    f"{dom}STRESU": pick(unit, ti)})
    flag = (vi == base_vi) if base_vi is not None else np.zeros(len(vi), dtype=bool)
    out[f"{dom}BLFL"] = pick([None, "Y"], flag.astype(int))
    out.update({"VISITNUM": vnum[vi], "VISIT": pick(vname, vi), "EPOCH": pick(vep, vi), f"{dom}DTC": dt})
    return pd.DataFrame(out)


def vitals(spec: StudySpec, s: pd.DataFrame, sv: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    V = spec.visits
    vvs = np.array([v.vs for v in V])
    base_vi = next((i for i, v in enumerate(V) if v.day == 0 and v.vs), None)
    rows = sv[vvs[sv["_vi"].to_numpy()]]
    T = len(VITALS)
    nr = len(rows)
    si = np.repeat(rows["_si"].to_numpy(), T)
    vi = np.repeat(rows["_vi"].to_numpy(), T)
    dt = np.repeat(rows["date"].to_numpy(), T)
    ti = np.tile(np.arange(T), nr)
    mean = np.array([t.mean for t in VITALS])
    sd = np.array([t.sd for t in VITALS])
    subj_eff = rng.normal(0, 1, (len(s), T)) * sd * 0.5
    val = mean[ti] + subj_eff[si, ti] + rng.normal(0, 1, nr * T) * sd[ti] * 0.7
    w = ti == 0
    val[w] = s["weight"].to_numpy()[si[w]] + rng.normal(0, 0.6, int(w.sum()))
    vs = _findings_frame("VS", s, si, vi, dt, ti, val, VITALS, V, base_vi)
    # height once, at screening
    scr = rows[np.array([V[i].screening for i in rows["_vi"]], dtype=bool)]
    h = pd.DataFrame({"_si": scr["_si"].to_numpy(), "USUBJID": s["USUBJID"].to_numpy()[scr["_si"]],
                      "VSTESTCD": "HEIGHT", "VSTEST": "Height",
                      "VSORRES": numtext(s["height"].to_numpy()[scr["_si"]]).to_numpy(dtype=object),
                      "VSORRESU": "cm", "VSSTRESN": s["height"].to_numpy()[scr["_si"]], "VSSTRESU": "cm",
                      "VSBLFL": None, "VISITNUM": [V[i].num for i in scr["_vi"]],
                      "VISIT": [V[i].name for i in scr["_vi"]], "EPOCH": [V[i].epoch for i in scr["_vi"]],
                      "VSDTC": scr["date"].to_numpy()})
    h["VSSTRESC"] = h["VSORRES"]
    return pd.concat([vs, h[vs.columns]], ignore_index=True)


def efficacy(spec: StudySpec, s: pd.DataFrame, sv: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    e = spec.efficacy
    V = spec.visits
    veff = np.array([v.eff for v in V])
    dosed = s["dosed"].to_numpy()
    rows = sv[veff[sv["_vi"].to_numpy()] & dosed[sv["_si"].to_numpy()]]
    base_vi = next(i for i, v in enumerate(V) if v.eff and v.day == 0)
    ns = len(s)
    lo, hi = e.bounds
    base = np.clip(rng.normal(e.baseline[0], e.baseline[1], ns), lo + 0.15 * (hi - lo), hi - 0.1 * (hi - lo))
    change = np.zeros(ns)
    arm = s["ACTARMCD"].to_numpy()
    for armcd, (cm, csd) in e.change.items():
        m = (arm == armcd) & dosed
        z = rng.standard_normal(int(m.sum()))
        if len(z) > 1:
            z = (z - z.mean()) / z.std(ddof=1)
        change[m] = cm + csd * z
    si = rows["_si"].to_numpy()
    vi = rows["_vi"].to_numpy()
    frac = np.array([0.0 if i == base_vi else (1.0 if V[i].name == e.target_visit else
                                                e.trajectory.get(V[i].name, 1.0)) for i in range(len(V))])
    noisy = np.array([0.0 if (i == base_vi or V[i].name == e.target_visit) else e.noise for i in range(len(V))])
    val = base[si] + frac[vi] * change[si] + noisy[vi] * rng.standard_normal(len(si))
    val = np.clip(val, lo, hi)
    tests = [LabTest(e.testcd, e.test, e.cat, e.unit, lo, hi, 0, 0, e.decimals)]
    dom = e.domain
    ti = np.zeros(len(si), dtype=int)
    frame = _findings_frame(dom, s, si, vi, rows["date"].to_numpy(), ti, val, tests, V, base_vi)
    if dom != "LB":
        frame.insert(4, f"{dom}CAT", e.cat)
    else:  # a score has no laboratory reference range
        frame[["LBORNRLO", "LBORNRHI", "LBSTNRLO", "LBSTNRHI"]] = np.nan
        frame["LBNRIND"] = pd.Series(np.nan, index=frame.index, dtype=STR)
    for k, v in e.extra.items():
        frame[k] = v
    if e.components:
        total = frame[f"{dom}STRESN"].to_numpy()
        parts, used = [], np.zeros(len(total))
        for j, (cd, name, share) in enumerate(e.components):
            part = total - used if j == len(e.components) - 1 else np.round(total * share)
            used += part
            p = frame.copy()
            p[f"{dom}TESTCD"] = cd
            p[f"{dom}TEST"] = name
            p[f"{dom}STRESN"] = part
            p[f"{dom}ORRES"] = numtext(part).to_numpy(dtype=object)
            p[f"{dom}STRESC"] = p[f"{dom}ORRES"]
            parts.append(p)
        frame = pd.concat(parts + [frame], ignore_index=True)
    return frame
