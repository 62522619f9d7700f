"""Design numbers of a generated sample, computed from the data it writes (for expectations.yaml).

These follow the definitions of ``analyses.md`` closely enough to confirm that each
sample shows what it is meant to show; they are a self-check of the generator, not
the workbench's analyses.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from ..units import to_number

REL = {"RELATED", "PROBABLY RELATED", "POSSIBLY RELATED", "Y"}


def boin_select_mtd(n, y, target: float = 0.3, cutoff: float = 0.95) -> int | None:
    """BOIN ``select.mtd`` (R package BOIN, defaults): index of the MTD, or None when all doses are too toxic."""
    n, y = list(n), list(y)
    elim = len(n)
    for i in range(len(n)):
        if n[i] >= 3 and 1 - stats.beta.cdf(target, y[i] + 1, n[i] - y[i] + 1) > cutoff:
            elim = i
            break
    idx = [i for i in range(elim) if n[i] > 0]
    if elim == 0 or not idx:
        return None
    p = np.array([(y[i] + 0.05) / (n[i] + 0.1) for i in idx])
    var = np.array([(y[i] + 0.05) * (n[i] - y[i] + 0.05) / ((n[i] + 0.1) ** 2 * (n[i] + 1.1)) for i in idx])
    iso = _pava(p, 1 / var) + np.arange(1, len(idx) + 1) * 1e-10
    return idx[int(np.argmin(np.abs(iso - target)))]


def _pava(v: np.ndarray, w: np.ndarray) -> np.ndarray:
    blocks = [[float(v[i]), float(w[i]), 1] for i in range(len(v))]
    out: list[list[float]] = []
    for b in blocks:
        out.append(b)
        while len(out) > 1 and out[-2][0] > out[-1][0]:
            v2, w2, n2 = out.pop()
            v1, w1, n1 = out.pop()
            out.append([(v1 * w1 + v2 * w2) / (w1 + w2), w1 + w2, n1 + n2])
    return np.concatenate([[b[0]] * int(b[2]) for b in out])


def _bounds(values) -> tuple[np.ndarray, np.ndarray]:
    """Earliest and latest possible day of each ISO 8601 date (NaN if missing or malformed); each distinct value
    is parsed once."""
    codes, uniq = pd.factorize(pd.Series(values, dtype="object"), use_na_sentinel=True)
    ulo, uhi = np.full(len(uniq), np.nan), np.full(len(uniq), np.nan)
    for j, u in enumerate(uniq):
        text = str(u)[:10]
        try:
            if len(text) == 10:
                ulo[j] = uhi[j] = np.datetime64(text, "D").astype("int64")
            elif len(text) == 7:
                m = np.datetime64(text, "M")
                ulo[j] = m.astype("datetime64[D]").astype("int64")
                uhi[j] = (m + 1).astype("datetime64[D]").astype("int64") - 1
            elif len(text) == 4:
                y = np.datetime64(text, "Y")
                ulo[j] = y.astype("datetime64[D]").astype("int64")
                uhi[j] = (y + 1).astype("datetime64[D]").astype("int64") - 1
        except ValueError:
            pass
    lo, hi = np.full(len(codes), np.nan), np.full(len(codes), np.nan)
    ok = codes >= 0
    lo[ok], hi[ok] = ulo[codes[ok]], uhi[codes[ok]]
    return lo, hi


def _lo(values) -> np.ndarray:
    return _bounds(values)[0]


def _first_dose(sample, manifest) -> pd.Series:
    ex = sample.datasets["EX"]
    dm = sample.datasets["DM"]
    control = {a["armcd"] for a in (manifest or {}).get("study", {}).get("arms", []) if a.get("control")}
    arm = ex["USUBJID"].map(dm.set_index("USUBJID")["ACTARMCD"])
    dose = to_number(ex["EXDOSE"])
    ok = (dose > 0) | arm.isin(control)
    return pd.Series(_lo(ex.loc[ok, "EXSTDTC"]), index=ex.loc[ok, "USUBJID"].to_numpy()).groupby(level=0).min()


def _last_contact(sample) -> pd.Series:
    parts = []
    for dom, cols in (("SV", ("SVSTDTC", "SVENDTC")), ("DS", ("DSSTDTC",)), ("AE", ("AESTDTC", "AEENDTC")),
                      ("LB", ("LBDTC",)), ("VS", ("VSDTC",)), ("DM", ("DTHDTC",))):
        df = sample.datasets.get(dom)
        if df is None:
            continue
        for c in cols:
            if c in df.columns:
                parts.append(pd.Series(_lo(df[c]), index=df["USUBJID"].to_numpy()))
    return pd.concat(parts).groupby(level=0).max()


def _grade(ae: pd.DataFrame) -> np.ndarray:
    g = to_number(ae["AETOXGR"]) if "AETOXGR" in ae.columns else pd.Series(np.nan, index=ae.index)
    sev = ae.get("AESEV", pd.Series(None, index=ae.index)).map({"MILD": 1, "MODERATE": 2, "SEVERE": 3})
    return g.fillna(sev).to_numpy(dtype=float)


def summarise(sample, study) -> dict:
    """Per-arm exposure, DLTs, MTD, related serious TEAEs, stopping rules, efficacy and follow-up."""
    m = sample.manifest
    st = (m or {}).get("study", {})
    dm = sample.datasets["DM"]
    first = _first_dose(sample, m)
    arm_of = dm.set_index("USUBJID")["ACTARMCD"]
    ae = sample.datasets["AE"].copy()
    if "SUPPAE" in sample.datasets:
        supp = sample.datasets["SUPPAE"]
        flag = supp[supp["QNAM"] == "AEDLT"]
        key = set(zip(flag["USUBJID"], flag["IDVARVAL"].astype(str)))
        ae["AEDLT"] = [("Y" if (u, str(int(s))) in key else None) for u, s in zip(ae["USUBJID"], ae["AESEQ"])]
    fd = ae["USUBJID"].map(first)
    start_lo, start_hi = _bounds(ae["AESTDTC"])
    teae = (fd.notna().to_numpy()) & ~np.isnan(start_lo) & (start_hi >= fd.to_numpy(dtype=float))
    grade = _grade(ae)
    related = ae["AEREL"].isin(REL).to_numpy()
    serious = (ae["AESER"] == "Y").to_numpy()
    arms = [a["armcd"] for a in st.get("arms", [])] or sorted(arm_of[arm_of.isin(set(first.index))].unique())
    dlt = st.get("dlt", {})
    window = dlt.get("window_days", 28)
    if dlt.get("definition", "flag") == "flag":
        is_dlt = (ae.get("AEDLT", pd.Series(None, index=ae.index)) == "Y").to_numpy()
    else:
        onset = start_lo - fd.to_numpy(dtype=float)
        is_dlt = teae & related & (grade >= dlt.get("min_grade", 3)) & (onset <= window)
    lc = _last_contact(sample)
    fu = (lc.reindex(first.index) - first).astype(float)
    required = (st.get("followup") or {}).get("required_days") or 365
    dead = set(dm.loc[dm["DTHFL"] == "Y", "USUBJID"]) if "DTHFL" in dm.columns else set()
    per_arm = {}
    n_list, y_list, dose_arms = [], [], []
    for a in arms:
        subs = [u for u in first.index if arm_of.get(u) == a]
        in_arm = ae["USUBJID"].isin(subs).to_numpy()
        evaluable = [u for u in subs if fu[u] >= window or ae.loc[is_dlt & in_arm, "USUBJID"].eq(u).any()]
        n_dlt = int(ae.loc[is_dlt & in_arm, "USUBJID"].nunique())
        rs = int(ae.loc[teae & in_arm & related & serious, "USUBJID"].nunique())
        arm_m = next((x for x in st.get("arms", []) if x["armcd"] == a), {})
        per_arm[a] = {"enrolled": int((dm["ARMCD"] == a).sum()), "dosed": len(subs),
                      "dose": arm_m.get("dose"), "dose_unit": arm_m.get("dose_unit"),
                      "dlt_evaluable": len(evaluable), "dlt": n_dlt, "related_serious_teae_subjects": rs,
                      "related_serious_teae_rate": round(rs / len(subs), 3) if subs else None,
                      "deaths": len(set(subs) & dead),
                      "followup_days_median": float(np.median([fu[u] for u in subs])) if subs else None,
                      "meeting_followup": int(sum(1 for u in subs if fu[u] >= required or u in dead))}
        if not arm_m.get("control"):
            n_list.append(len(evaluable))
            y_list.append(n_dlt)
            dose_arms.append(a)
    out = {"arms": per_arm, "dosed": int(len(first)), "not_dosed_enrolled": int(
        ((~dm["ARMCD"].isin(["SCRNFAIL"])) & ~dm["USUBJID"].isin(first.index)).sum()),
        "screen_failures": int((dm["ARMCD"] == "SCRNFAIL").sum()),
        "followup_required_days": int(required),
        "followup_meeting": int(sum(1 for u in first.index if fu[u] >= required or u in dead)),
        "followup_min_days": float(fu.min()) if len(fu) else None}
    ds = sample.datasets["DS"]
    ongoing = sorted(set(ds.loc[ds["DSDECOD"] == "ONGOING", "USUBJID"])) if "DSDECOD" in ds.columns else []
    if ongoing:   # still in follow-up at the data cut-off (FUP-002 info with the expected completion date)
        out["followup_ongoing_at_cutoff"] = ongoing
    if m and st.get("design") == "dose_escalation":
        k = boin_select_mtd(n_list, y_list, dlt.get("target_rate", 0.3))
        out["boin"] = {"n": n_list, "y": y_list, "mtd_arm": dose_arms[k] if k is not None else None}
    rules = []
    for r in st.get("stopping_rules", []):
        hit = teae & (grade >= r.get("min_grade", 1))
        if r.get("related_only"):
            hit &= related
        if r.get("serious_only"):
            hit &= serious
        if r.get("terms"):
            hit &= ae["AEDECOD"].isin(r["terms"]).to_numpy()
        subs = ae.loc[hit, "USUBJID"]
        if r.get("scope", "cohort") == "cohort":
            counts = subs.groupby(subs.map(arm_of)).nunique()
            mx = int(counts.max()) if len(counts) else 0
        else:
            mx = int(subs.nunique())
        rules.append({"id": r["id"], "max_subjects": mx, "threshold": r.get("threshold", 1),
                      "met": mx >= r.get("threshold", 1)})
    out["stopping_rules"] = rules
    pe = st.get("primary_endpoint")
    if pe and pe["domain"] in sample.datasets:
        out["efficacy"] = _efficacy(sample, pe, first, arm_of, st)
    return out


def _efficacy(sample, pe, first, arm_of, st) -> dict:
    dom = pe["domain"]
    df = sample.datasets[dom]
    df = df[df[f"{dom}TESTCD"] == pe["testcd"]]
    val = to_number(df[f"{dom}STRESN"])
    base = df[df[f"{dom}BLFL"] == "Y"].assign(v=val).groupby("USUBJID")["v"].last()
    tgt = df[df["VISIT"] == pe["visit"]].assign(v=val).sort_values(f"{dom}DTC").groupby("USUBJID")["v"].last()
    ch = (tgt - base).reindex(first.index).dropna()
    control = {a["armcd"] for a in st.get("arms", []) if a.get("control")}
    arm = ch.index.map(arm_of)
    res = {"endpoint": pe["testcd"], "visit": pe["visit"], "n": int(len(ch)),
           "missing": int(len(first) - len(ch)),
           "mean_change_by_arm": {a: round(float(ch[arm == a].mean()), 2) for a in sorted(set(arm))}}
    if control:
        act, ctl = ch[~arm.isin(control)], ch[arm.isin(control)]
        diff = act.mean() - ctl.mean()
        va, vc = act.var(ddof=1) / len(act), ctl.var(ddof=1) / len(ctl)
        se = np.sqrt(va + vc)
        dof = (va + vc) ** 2 / (va ** 2 / (len(act) - 1) + vc ** 2 / (len(ctl) - 1))
        t = stats.t.ppf(0.975, dof)
        p = stats.ttest_ind(act, ctl, equal_var=False).pvalue
        est, lo, hi = diff, diff - t * se, diff + t * se
        res["comparison"] = "pooled active vs control (Welch)"
    else:
        est = ch.mean()
        se = ch.std(ddof=1) / np.sqrt(len(ch))
        t = stats.t.ppf(0.975, len(ch) - 1)
        lo, hi = est - t * se, est + t * se
        p = stats.ttest_1samp(ch, 0).pvalue
        res["comparison"] = "one-sample t-test of change"
    favourable = hi < 0 if pe.get("better", "higher") == "lower" else lo > 0
    res.update({"estimate": round(float(est), 2), "ci": [round(float(lo), 2), round(float(hi), 2)],
                "p_value": float(f"{p:.3g}"), "signal": bool(favourable)})
    if pe.get("responder_change") is not None and control:
        r = pe["responder_change"]
        resp = ch <= r if pe.get("better") == "lower" else ch >= r
        res["responder_rate_by_arm"] = {a: round(float(resp[arm == a].mean()), 3) for a in sorted(set(arm))}
    return res
