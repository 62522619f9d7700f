"""Arms: each subject's actual and planned arm, and the arm table (code as in the data, label, role and the
rule that decided it, dose and unit, order). analyses.md "Common definitions": Arm / dose level, Control arm.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..columns import coded, col
from ..memo import memo
from ..submission import Submission
from ..text import id_value, is_missing, norm_value, obj, per_distinct
from ..units import normalise_dose_unit, to_number

# how an arm's role (control / active) was decided: the rule, shown with the arm
RULE_MANIFEST = "manifest"                  # declared in submission.yaml (control: true or dose 0)
RULE_OVERLAY = "overlay"                    # declared by the reviewer (overlay)
RULE_ARM_TEXT = "arm_text"                  # ARM / ACTARM text names placebo, sham, control ...
RULE_PLACEBO_TREATMENT = "placebo_treatment"   # every EX record of the arm has EXTRT naming a placebo
RULE_ZERO_DOSE = "zero_dose"                # every EXDOSE of the arm is 0
RULE_DEFAULT = "default_active"             # none of the above: the arm receives the product

ROLE_RULE_LABELS = {
    RULE_MANIFEST: ("submission.yaml 申报", "declared in submission.yaml"),
    RULE_OVERLAY: ("审评人员补充", "supplied by the reviewer"),
    RULE_ARM_TEXT: ("组别名称含“{evidence}”", "arm name mentions '{evidence}'"),
    RULE_PLACEBO_TREATMENT: ("全部给药记录为安慰剂（EXTRT：{evidence}）", "every EX record is a placebo (EXTRT: {evidence})"),
    RULE_ZERO_DOSE: ("全部给药剂量为 0", "every EXDOSE is 0"),
    RULE_DEFAULT: ("无对照组依据：视为试验组", "no sign of a control: active arm"),
}

ARM_COLUMNS = ["ARM", "LABEL", "CONTROL", "ROLE_RULE", "ROLE_EVIDENCE", "DOSE", "DOSE_UNIT", "DOSE_MAX",
               "IN_MANIFEST", "IN_DATA", "ORDER"]


def role_rule_text(rule: str, evidence, lang: str = "zh") -> str:
    zh, en = ROLE_RULE_LABELS.get(rule, (rule, rule))
    return (zh if lang == "zh" else en).format(evidence=evidence if evidence is not None else "")


def _most_common(values: pd.Series) -> str | None:
    v = values.dropna()
    return None if v.empty else str(v.value_counts(sort=True).index[0])


@memo
def subject_arms(sub: Submission) -> pd.DataFrame:
    """One row per DM subject (first record kept): ARM / PLANNED_ARM (arm codes as in the data, None when the
    subject has no arm), ARM_STATUS (screen_failure / not_assigned / not_treated / unplanned / None),
    ARMNRS, and the raw ACTARMCD / ARMCD / ACTARM / ARM texts."""
    cols = ["USUBJID", "ARM", "PLANNED_ARM", "ARM_STATUS", "PLANNED_STATUS", "ARMNRS", "ARM_TEXT", "PLANNED_TEXT"]
    dm = sub.domain("DM")
    if dm is None or "USUBJID" not in dm.columns:
        return pd.DataFrame(columns=cols).set_index("USUBJID", drop=False)
    status_vocab = sub.vocab.arm_status
    d = dm[dm["USUBJID"].notna()].drop_duplicates("USUBJID")
    planned_raw = per_distinct(col(d, "ARMCD"), id_value)
    actual_raw = per_distinct(col(d, "ACTARMCD"), id_value)
    actual_raw = np.where(pd.isna(actual_raw), planned_raw, actual_raw)
    nrs = per_distinct(col(d, "ARMNRS"), id_value)
    nrs_status = per_distinct(nrs, status_vocab.category)
    planned_status = per_distinct(planned_raw, status_vocab.category)
    actual_status = per_distinct(actual_raw, status_vocab.category)
    # a blank arm with a reason (SDTMIG 3.3+: ARMNRS) takes the reason as its status
    planned_status = np.where(pd.isna(planned_raw) & pd.isna(planned_status), nrs_status, planned_status)
    actual_status = np.where(pd.isna(actual_raw) & pd.isna(actual_status), nrs_status, actual_status)
    canon = _canonical_codes(sub)

    def arm(codes, status):
        return [None if st is not None or a is None else canon.get(norm_value(a), a) for a, st in zip(codes, status)]

    act_text = np.where(pd.isna(per_distinct(col(d, "ACTARMCD"), id_value)), per_distinct(col(d, "ARM"), id_value),
                        per_distinct(col(d, "ACTARM"), id_value))
    index = pd.Index(d["USUBJID"].to_numpy(dtype=object), dtype=object)
    out = pd.DataFrame({
        "USUBJID": obj(d["USUBJID"].to_numpy(dtype=object), index),
        "ARM": obj(arm(actual_raw, actual_status), index),
        "PLANNED_ARM": obj(arm(planned_raw, planned_status), index),
        "ARM_STATUS": obj(actual_status, index), "PLANNED_STATUS": obj(planned_status, index),
        "ARMNRS": obj(nrs, index), "ARM_TEXT": obj(act_text, index),
        "PLANNED_TEXT": obj(per_distinct(col(d, "ARM"), id_value), index),
    }, index=index, columns=cols)
    return out


@memo
def _canonical_codes(sub: Submission) -> dict[str, str]:
    """Normalised arm code -> the code shown (as in the data: the most frequent spelling in DM, else TA;
    a manifest arm absent from the data keeps the manifest's spelling)."""
    seen: dict[str, list] = {}
    dm = sub.domain("DM")
    ta = sub.domain("TA")
    for df, var in ((dm, "ACTARMCD"), (dm, "ARMCD"), (ta, "ARMCD")):
        if df is None or var not in df.columns:
            continue
        for v in df[var].dropna():
            raw = id_value(v)
            if raw is not None:
                seen.setdefault(norm_value(raw), []).append(raw)
    out = {k: pd.Series(v).value_counts().index[0] for k, v in seen.items()}
    for a in sub.m.study.arms:
        out.setdefault(norm_value(a.armcd), a.armcd.strip())
    return out


def canonical_arm(sub: Submission, code) -> str | None:
    """The arm code as shown for any spelling of it (``PBO`` -> ``Pbo`` when the data say ``Pbo``)."""
    key = norm_value(code)
    if key is None:
        return None
    return _canonical_codes(sub).get(key, id_value(code))


def _exposure_by_arm(sub: Submission, ex: pd.DataFrame) -> dict[str, dict]:
    """Per arm code (subjects' actual arm): median dose of the modal unit, EXTRT placebo / zero-dose facts."""
    out: dict[str, dict] = {}
    if ex is None or len(ex) == 0:
        return out
    placebo = sub.vocab.placebo_treatment
    trt = col(ex, "EXTRT")
    trt_placebo = coded_flags(trt, placebo.found)
    for arm, idx in ex.groupby("ARM", sort=False).indices.items():
        if arm is None:
            continue
        e = ex.iloc[idx]
        units = e["DOSE_UNIT_N"].dropna()
        unit = _most_common(units)
        doses = e.loc[e["DOSE_UNIT_N"] == unit, "DOSE_N"].dropna() if unit is not None else e["DOSE_N"].dropna()
        raw = e["DOSE_RAW"]
        names = trt.iloc[idx].dropna()
        out[arm] = {"dose": float(doses.median()) if len(doses) else None, "unit": unit,
                    "max": float(doses.max()) if len(doses) else None,
                    "all_placebo": bool(len(names) == len(e) and trt_placebo[idx].all()),
                    "placebo_names": sorted({str(v) for v in names}),
                    "all_zero": bool(raw.notna().all() and (raw == 0).all())}
    return out


def coded_flags(values: pd.Series, fn) -> np.ndarray:
    """``fn`` per record through its distinct values (False where missing)."""
    codes, uniques = pd.factorize(values.astype("object"), use_na_sentinel=True)
    flags = np.fromiter((bool(fn(v)) for v in uniques), dtype=bool, count=len(uniques))
    return np.append(flags, False)[codes]


def build_arms(sub: Submission, subjects: pd.DataFrame, ex: pd.DataFrame) -> pd.DataFrame:
    """The arm table: one row per arm in the manifest, DM (actual or planned arm) or TA; ordered control first,
    then by dose (analyses.md)."""
    canon = _canonical_codes(sub)
    control_words = sub.vocab.control_arm
    rows: dict[str, dict] = {}

    def row(code: str) -> dict:
        return rows.setdefault(code, {"ARM": code, "LABEL": None, "CONTROL": None, "ROLE_RULE": None,
                                      "ROLE_EVIDENCE": None, "DOSE": None, "DOSE_UNIT": None, "DOSE_MAX": None,
                                      "IN_MANIFEST": False, "IN_DATA": False})

    for a in (sub.manifest.study.arms if sub.manifest is not None else []):
        r = row(canon.get(norm_value(a.armcd), a.armcd.strip()))
        r["IN_MANIFEST"] = True
        r["CONTROL"], r["ROLE_RULE"] = bool(a.is_control), RULE_MANIFEST
        dose, unit = a.dose, a.dose_unit
        if dose is not None and unit:
            conv = normalise_dose_unit(unit)
            if conv:
                dose, unit = dose * conv[0], conv[1]
        r["DOSE"], r["DOSE_UNIT"] = dose, unit
    labels: dict[str, list] = {}
    for code_col, text_col in (("ARM", "ARM_TEXT"), ("PLANNED_ARM", "PLANNED_TEXT")):
        for code, text in zip(subjects[code_col], subjects[text_col]):
            if code is None:
                continue
            row(code)["IN_DATA"] = True
            if not is_missing(text):
                labels.setdefault(code, []).append(str(text).strip())
    ta = sub.domain("TA")   # the planned arms: labels; arms of their own only when DM names none
    if ta is not None and "ARMCD" in ta.columns:
        dm_has_arms = bool(rows)
        for code, text in zip(ta["ARMCD"], col(ta, "ARM")):
            c = canonical_arm(sub, code)
            if c is None or sub.vocab.arm_status.category(c) is not None or (dm_has_arms and c not in rows):
                continue
            row(c)
            if not is_missing(text):
                labels.setdefault(c, []).append(str(text).strip())
    by_arm = _exposure_by_arm(sub, ex)
    overlay_control = {norm_value(a) for a in (sub.overlay.control_arms if sub.overlay else [])}
    for code, r in rows.items():
        if norm_value(code) in overlay_control:   # the reviewer said so: it wins over the manifest and the data
            r["CONTROL"], r["ROLE_RULE"], r["ROLE_EVIDENCE"] = True, RULE_OVERLAY, None
        if labels.get(code):
            r["LABEL"] = pd.Series(labels[code]).value_counts().index[0]
        e = by_arm.get(code, {})
        if r["DOSE"] is None and e.get("dose") is not None:
            r["DOSE"], r["DOSE_UNIT"], r["DOSE_MAX"] = e["dose"], e["unit"], e["max"]
        elif r["DOSE_UNIT"] is not None and r["DOSE_UNIT"] == e.get("unit"):
            r["DOSE_MAX"] = e.get("max")
        if r["ROLE_RULE"] is not None:
            continue
        if overlay_control:    # the reviewer named the control arm(s): the others are active
            r["CONTROL"], r["ROLE_RULE"] = False, RULE_OVERLAY
            continue
        word = next((w for w in (control_words.first(t) for t in labels.get(code, [])) if w), None)
        if word:
            r["CONTROL"], r["ROLE_RULE"], r["ROLE_EVIDENCE"] = True, RULE_ARM_TEXT, word
        elif e.get("all_placebo"):
            r["CONTROL"], r["ROLE_RULE"], r["ROLE_EVIDENCE"] = True, RULE_PLACEBO_TREATMENT, \
                ", ".join(e["placebo_names"][:3])
        elif e.get("all_zero"):
            r["CONTROL"], r["ROLE_RULE"] = True, RULE_ZERO_DOSE
        else:
            r["CONTROL"], r["ROLE_RULE"] = False, RULE_DEFAULT
    df = pd.DataFrame(list(rows.values()), columns=ARM_COLUMNS[:-1])
    if df.empty:
        return pd.DataFrame(columns=ARM_COLUMNS)
    df["CONTROL"] = df["CONTROL"].astype(bool)
    df["DOSE"] = pd.to_numeric(df["DOSE"], errors="coerce").astype(float)
    df["DOSE_MAX"] = pd.to_numeric(df["DOSE_MAX"], errors="coerce").astype(float)
    key = np.where(df["CONTROL"], -1.0, df["DOSE"].fillna(np.inf))   # control first, then by dose, highest dose
    df = df.assign(_k=key, _m=df["DOSE_MAX"].fillna(np.inf)).sort_values(["_k", "_m", "ARM"], kind="stable") \
        .drop(columns=["_k", "_m"]).reset_index(drop=True)
    df["ORDER"] = np.arange(len(df))
    return df[ARM_COLUMNS]


def exposure_records(sub: Submission, subjects: pd.DataFrame) -> pd.DataFrame:
    """EX records with DOSE_RAW (EXDOSE as a number), DOSE_N / DOSE_UNIT_N (cells or cells/kg when the unit
    converts, else the number and unit as recorded), CONVERTIBLE, START_LO/HI, END_LO/HI and ARM (the subject's
    actual arm)."""
    from ..columns import dates

    ex = sub.domain("EX")
    cols = ["USUBJID", "DOSE_RAW", "DOSE_N", "DOSE_UNIT_N", "CONVERTIBLE", "START_LO", "START_HI", "END_LO", "END_HI",
            "ARM"]
    if ex is None:
        return pd.DataFrame(columns=cols)
    out = ex.copy(deep=False)
    if "USUBJID" not in out.columns:   # records of no subject (TRC-002 reports it): kept, matched to nobody
        out["USUBJID"] = pd.Series(None, index=out.index, dtype=object)
    raw = to_number(col(ex, "EXDOSE"))
    c = coded(sub, "EX", "EXDOSU")
    conv = [normalise_dose_unit(u) for u in c.uniques]
    factor = c.take(np.asarray([v[0] if v else np.nan for v in conv], dtype=float), np.nan)
    unit_n = c.take(np.asarray([v[1] if v else id_value(u) for v, u in zip(conv, c.uniques)], dtype=object), None)
    convertible = ~np.isnan(factor)
    out["DOSE_RAW"] = raw.to_numpy(dtype=float)
    out["DOSE_N"] = np.where(convertible, raw.to_numpy(dtype=float) * factor, raw.to_numpy(dtype=float))
    out["DOSE_UNIT_N"] = pd.Series(unit_n, index=out.index, dtype=object)
    out["CONVERTIBLE"] = convertible
    st = dates(sub, "EX", "EXSTDTC")
    en = dates(sub, "EX", "EXENDTC")
    out["START_LO"], out["START_HI"] = st.lo, st.hi
    out["END_LO"], out["END_HI"] = en.lo, en.hi
    arm = subjects["ARM"] if len(subjects) else pd.Series(dtype=object)
    out["ARM"] = col(out, "USUBJID").map(arm).astype(object).where(lambda s: s.notna(), None)
    return out
