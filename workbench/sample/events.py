"""Events and interventions: adverse events, medical history, medications, eligibility and disposition."""
from __future__ import annotations

import numpy as np
import pandas as pd

from .spec import StudySpec
from .vocab import AE_SETS, COMORBIDITIES, DRUGS, MH_ZH, SAE_TERMS


def sev(grade: int) -> str:
    """AESEV from a CTCAE-like grade."""
    return {1: "MILD", 2: "MODERATE"}.get(int(grade), "SEVERE")


REL_YES = np.array(["POSSIBLY RELATED", "PROBABLY RELATED", "RELATED"], dtype=object)
REL_NO = np.array(["NOT RELATED", "UNLIKELY RELATED"], dtype=object)


def adverse_events(spec: StudySpec, s: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    terms = AE_SETS[spec.ae_set]
    d = s[s["dosed"]]
    idx = d.index.to_numpy()
    dose0 = d["dose0"].to_numpy(dtype=float)
    end = d["end"].to_numpy(dtype=float)
    consent = d["consent"].to_numpy(dtype=float)
    fu = end - dose0
    lam = spec.ae_per_subject * np.clip(fu / spec.ae_horizon, 0.05, 1.0)
    counts = rng.poisson(lam)
    k = np.repeat(np.arange(len(d)), counts)
    n = len(k)
    ctrl_arms = {a.armcd for a in spec.arms if a.control}
    ctrl = np.isin(d["ACTARMCD"].to_numpy()[k], list(ctrl_arms))
    wa = np.array([t.w_active for t in terms])
    wc = np.array([t.w_control for t in terms])
    ca, cc = np.cumsum(wa / wa.sum()), np.cumsum(wc / wc.sum())
    u = rng.random(n)
    ti = np.where(ctrl, np.searchsorted(cc, u, side="right"), np.searchsorted(ca, u, side="right"))
    ti = np.minimum(ti, len(terms) - 1)
    early = np.array([t.early for t in terms])[ti]
    fu_k = fu[k]
    pre = (~early) & (rng.random(n) < 0.04)
    onset = np.where(early, rng.integers(0, 4, n),
                     np.where(pre, -np.floor(rng.random(n) * (dose0[k] - consent[k])),
                              1 + np.floor(rng.random(n) * np.maximum(fu_k - 1, 1))))
    onset = np.minimum(onset, np.maximum(fu_k - 1, 0))
    st = dose0[k] + onset
    dur = np.where(early, rng.integers(1, 6, n), 1 + rng.geometric(1 / 8, n))
    en = st + dur
    ongoing = en > end[k]
    en = np.where(ongoing, np.nan, en)
    g2 = np.array([t.g2 for t in terms])[ti]
    grade = 1 + (rng.random(n) < g2).astype(int)
    pr = np.where(ctrl, np.array([t.rel_control for t in terms])[ti], np.array([t.rel_active for t in terms])[ti])
    related = (rng.random(n) < pr) & (onset >= 0)
    rel = np.where(related, REL_YES[rng.integers(0, 3, n)], REL_NO[(rng.random(n) < 0.3).astype(int)])
    nverb = np.array([len(t.zh if spec.lang == "zh" and t.zh else t.verbatims) for t in terms])
    vpick = np.floor(rng.random(n) * nverb[ti]).astype(int)
    verb_table = [t.zh if spec.lang == "zh" and t.zh else t.verbatims for t in terms]
    aeterm = np.array([verb_table[a][b] for a, b in zip(ti, vpick)], dtype=object)
    ae = pd.DataFrame({
        "_si": idx[k], "USUBJID": d["USUBJID"].to_numpy(dtype=object)[k], "AETERM": aeterm,
        "AEDECOD": np.array([t.decod for t in terms], dtype=object)[ti],
        "AEBODSYS": np.array([t.soc for t in terms], dtype=object)[ti],
        "AESEV": np.where(grade == 1, "MILD", "MODERATE").astype(object), "AETOXGR": grade.astype(str).astype(object),
        "AESER": "N", "AEREL": rel, "AEACN": "NOT APPLICABLE" if len(spec.dose_days) == 1 else "DOSE NOT CHANGED",
        "AEOUT": np.where(ongoing, "NOT RECOVERED/NOT RESOLVED", "RECOVERED/RESOLVED").astype(object),
        "AESDTH": "N", "AESHOSP": "N", "AESTDTC": st, "AEENDTC": en, "_dlt": "", "_treat": ti,
    })
    extra = []
    # background serious events: unrelated, grade 3, hospitalised
    if spec.sae_fraction > 0:
        cand = np.flatnonzero((fu > 60) & (d["fate"].to_numpy() == "COMPLETED"))
        m = min(len(cand), int(round(spec.sae_fraction * len(d))))
        pick = np.sort(rng.choice(cand, m, replace=False))
        tk = rng.integers(0, len(SAE_TERMS), m)
        on = 30 + np.floor(rng.random(m) * (fu[pick] - 50))
        dur = rng.integers(5, 21, m)
        extra.append(pd.DataFrame({
            "_si": idx[pick], "USUBJID": d["USUBJID"].to_numpy(dtype=object)[pick],
            "AETERM": np.array([SAE_TERMS[j][2] for j in tk], dtype=object),
            "AEDECOD": np.array([SAE_TERMS[j][0] for j in tk], dtype=object),
            "AEBODSYS": np.array([SAE_TERMS[j][1] for j in tk], dtype=object), "AESEV": "SEVERE", "AETOXGR": "3",
            "AESER": "Y", "AEREL": "NOT RELATED", "AEACN": ae["AEACN"].iat[0] if len(ae) else "NOT APPLICABLE",
            "AEOUT": "RECOVERED/RESOLVED", "AESDTH": "N", "AESHOSP": "Y", "AESTDTC": dose0[pick] + on,
            "AEENDTC": dose0[pick] + on + dur, "_dlt": "", "_treat": -1}))
    # fatal events
    dead = np.flatnonzero(d["fate"].to_numpy() == "DEATH")
    if len(dead):
        fday = d["fate_day"].to_numpy(dtype=float)[dead]
        ft = d["fate_term"].to_numpy()[dead]
        extra.append(pd.DataFrame({
            "_si": idx[dead], "USUBJID": d["USUBJID"].to_numpy(dtype=object)[dead],
            "AETERM": [t[2] for t in ft], "AEDECOD": [t[0] for t in ft], "AEBODSYS": [t[1] for t in ft],
            "AESEV": "SEVERE", "AETOXGR": "5", "AESER": "Y", "AEREL": d["fate_rel"].to_numpy()[dead],
            "AEACN": "NOT APPLICABLE" if len(spec.dose_days) == 1 else "DOSE NOT CHANGED", "AEOUT": "FATAL",
            "AESDTH": "Y", "AESHOSP": "Y", "AESTDTC": fday - rng.integers(0, 6, len(dead)), "AEENDTC": fday,
            "_dlt": "", "_treat": -1}))
    if extra:
        ae = pd.concat([ae] + extra, ignore_index=True)
    return ae


def history(spec: StudySpec, s: pd.DataFrame, rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    e = s[~s["sf"]]
    n = len(e)
    zh = spec.lang == "zh"
    term, decod, soc = spec.primary_dx
    years = rng.integers(spec.dx_years[0], spec.dx_years[1] + 1, n)
    dx_start = e["consent"].to_numpy() - years * 365 - rng.integers(0, 300, n)
    frames = [pd.DataFrame({"_si": e.index.to_numpy(), "USUBJID": e["USUBJID"].to_numpy(), "MHTERM": term,
                            "MHDECOD": decod, "MHBODSYS": soc, "MHCAT": "PRIMARY DIAGNOSIS",
                            "MHSTDTC": dx_start, "_P_MHSTDTC": "M", "MHENRTPT": "ONGOING",
                            "MHENTPT": "SCREENING"})]
    chronic = []
    for dec, soc_c, p, drug in COMORBIDITIES:
        has = rng.random(n) < p
        if not has.any():
            continue
        st = e["consent"].to_numpy()[has] - rng.integers(400, 5000, int(has.sum()))
        frames.append(pd.DataFrame({"_si": e.index.to_numpy()[has], "USUBJID": e["USUBJID"].to_numpy()[has],
                                    "MHTERM": MH_ZH.get(dec, dec) if zh else dec.upper(), "MHDECOD": dec,
                                    "MHBODSYS": soc_c, "MHCAT": "GENERAL MEDICAL HISTORY", "MHSTDTC": st,
                                    "_P_MHSTDTC": "Y", "MHENRTPT": "ONGOING", "MHENTPT": "SCREENING"}))
        chronic.append(pd.DataFrame({"_si": e.index.to_numpy()[has], "drug": [drug] * int(has.sum()),
                                     "start": st + rng.integers(0, 60, int(has.sum())), "indc": dec}))
    mh = pd.concat(frames, ignore_index=True)
    chronic = pd.concat(chronic, ignore_index=True) if chronic else pd.DataFrame(columns=["_si", "drug", "start",
                                                                                          "indc"])
    return mh, chronic


def _cm_rows(s, si, drugs, start, end, indc, zh, ongoing, precision="D") -> pd.DataFrame:
    return pd.DataFrame({
        "_si": si, "USUBJID": s["USUBJID"].to_numpy(dtype=object)[si],
        "CMTRT": [(d.zh or d.trt) if zh else d.trt for d in drugs], "CMDECOD": [d.decod for d in drugs],
        "CMCLAS": [d.cls for d in drugs], "CMINDC": indc, "CMDOSE": [float(d.dose) for d in drugs],
        "CMDOSU": [d.unit for d in drugs], "CMDOSFRQ": [d.freq for d in drugs], "CMROUTE": [d.route for d in drugs],
        "CMSTDTC": start, "CMENDTC": end, "_P_CMSTDTC": precision,
        "CMENRTPT": np.where(ongoing, "ONGOING", None).astype(object),
        "CMENTPT": np.where(ongoing, "END OF STUDY", None).astype(object)})


def medications(spec: StudySpec, s: pd.DataFrame, ae: pd.DataFrame, chronic: pd.DataFrame,
                 rng: np.random.Generator) -> pd.DataFrame:
    zh = spec.lang == "zh"
    frames = []
    e = s[~s["sf"]]
    # background (standard-of-care) therapy: stable, started long before consent, ongoing
    for drug, p in spec.cm_background:
        has = rng.random(len(e)) < p
        si = e.index.to_numpy()[has]
        st = e["consent"].to_numpy()[has] - rng.integers(200, 2500, int(has.sum()))
        frames.append(_cm_rows(s, si, [drug] * len(si), st, np.nan, spec.primary_dx[1], zh, True, "M"))
    if len(chronic):
        si = chronic["_si"].to_numpy(dtype=int)
        frames.append(_cm_rows(s, si, chronic["drug"].tolist(), chronic["start"].to_numpy(dtype=float), np.nan,
                               chronic["indc"].to_numpy(), zh, True))
    d = s[s["dosed"]]
    for drug, a, b in spec.cm_protocol:
        si = d.index.to_numpy()
        st = d["dose0"].to_numpy() + a
        en = np.minimum(d["dose0"].to_numpy() + b, d["end"].to_numpy())
        frames.append(_cm_rows(s, si, [drug] * len(si), st, en, "PROPHYLAXIS", zh, False))
    # treatment of AEs
    terms = AE_SETS[spec.ae_set]
    treat_key = np.array([t.treat or "" for t in terms] + [""], dtype=object)
    tk = treat_key[np.where(ae["_treat"].to_numpy() >= 0, ae["_treat"].to_numpy(), len(terms))]
    m = (tk != "") & (rng.random(len(ae)) < 0.6)
    sub = ae[m]
    if len(sub):
        si = sub["_si"].to_numpy(dtype=int)
        st = sub["AESTDTC"].to_numpy(dtype=float)
        en = np.minimum(st + rng.integers(2, 10, len(sub)), s["end"].to_numpy()[si])
        frames.append(_cm_rows(s, si, [DRUGS[k] for k in tk[m]], st, en, sub["AETERM"].to_numpy(), zh, False))
    return pd.concat(frames, ignore_index=True)


def eligibility(spec: StudySpec, s: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    sf = s[s["sf"]]
    if not len(sf) or not spec.ie_criteria:
        return pd.DataFrame(columns=["_si", "USUBJID", "IETESTCD", "IETEST", "IECAT", "IEORRES", "IESTRESC",
                                     "VISITNUM", "VISIT", "EPOCH", "IEDTC"])
    k = rng.integers(0, len(spec.ie_criteria), len(sf))
    crit = [spec.ie_criteria[j] for j in k]
    res = np.array(["N" if c[2] == "INCLUSION" else "Y" for c in crit], dtype=object)
    scr = next(v for v in spec.visits if v.screening)
    return pd.DataFrame({"_si": sf.index.to_numpy(), "USUBJID": sf["USUBJID"].to_numpy(),
                         "IETESTCD": [c[0] for c in crit], "IETEST": [c[1] for c in crit],
                         "IECAT": [c[2] for c in crit], "IEORRES": res, "IESTRESC": res,
                         "VISITNUM": scr.num, "VISIT": scr.name, "EPOCH": "SCREENING",
                         "IEDTC": sf["consent"].to_numpy()})


DS_ZH = {"INFORMED CONSENT OBTAINED": "签署知情同意书", "RANDOMIZED": "随机化", "COMPLETED": "完成研究",
         "SCREEN FAILURE": "筛选失败", "DEATH": "死亡", "MANUFACTURING FAILURE": "细胞制备失败",
         "WITHDRAWAL BY SUBJECT": "受试者撤回知情同意"}


def disposition(spec: StudySpec, s: pd.DataFrame, ie_frame: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    zh = spec.lang == "zh"
    why = {}
    for si, cd, cat in zip(ie_frame["_si"], ie_frame["IETESTCD"], ie_frame["IECAT"]):
        if zh:
            why[si] = f"筛选失败：{'不符合入选标准' if cat == 'INCLUSION' else '符合排除标准'} {cd}"
        else:
            why[si] = f"SCREEN FAILURE: {cat} CRITERION {cd} {'NOT MET' if cat == 'INCLUSION' else 'MET'}"
    n = len(s)
    idx = np.arange(n)
    frames = [pd.DataFrame({"_si": idx, "DSTERM": "INFORMED CONSENT OBTAINED", "DSDECOD": "INFORMED CONSENT OBTAINED",
                            "DSCAT": "PROTOCOL MILESTONE", "DSSTDTC": s["consent"].to_numpy(dtype=float)})]
    sf = s["sf"].to_numpy()
    if spec.randomized:
        r = idx[~sf]
        when = np.maximum(s["consent"].to_numpy(dtype=float)[r],
                          s["dose0"].to_numpy(dtype=float)[r] - rng.integers(1, 4, len(r)))
        frames.append(pd.DataFrame({"_si": r, "DSTERM": "RANDOMIZED", "DSDECOD": "RANDOMIZED",
                                    "DSCAT": "PROTOCOL MILESTONE", "DSSTDTC": when}))
    fate = s["fate"].to_numpy()
    fterm = s["fate_term"].to_numpy()
    term = np.array([why.get(i, "SCREEN FAILURE") if f == "SCRNFAIL" else
                     "MANUFACTURING FAILURE" if f == "NOTTRT" else
                     "DEATH" if f == "DEATH" else
                     "ONGOING IN FOLLOW-UP AT DATA CUT-OFF" if f == "ONGOING" else
                     fterm[i] if f == "WITHDRAWN" else "COMPLETED" for i, f in enumerate(fate)], dtype=object)
    decod = np.select([fate == "SCRNFAIL", fate == "NOTTRT", fate == "DEATH", fate == "WITHDRAWN", fate == "ONGOING"],
                      ["SCREEN FAILURE", "OTHER", "DEATH", "WITHDRAWAL BY SUBJECT", "ONGOING"],
                      "COMPLETED").astype(object)
    when = np.where(np.isin(fate, ["COMPLETED", "ONGOING"]), s["end"].to_numpy(dtype=float),
                    s["fate_day"].to_numpy(dtype=float))
    frames.append(pd.DataFrame({"_si": idx, "DSTERM": term, "DSDECOD": decod, "DSCAT": "DISPOSITION EVENT",
                                "DSSTDTC": when}))
    ds = pd.concat(frames, ignore_index=True).sort_values(["_si", "DSSTDTC"], kind="stable").reset_index(drop=True)
    ds["USUBJID"] = s["USUBJID"].to_numpy()[ds["_si"]]
    if zh:
        ds["DSTERM"] = ds["DSTERM"].map(lambda t: DS_ZH.get(t, t))
    return ds[["_si", "USUBJID", "DSTERM", "DSDECOD", "DSCAT", "DSSTDTC"]]
