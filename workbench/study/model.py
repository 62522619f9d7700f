"""The study model: one definition of arm, control, screened, enrolled, dosed, first dose, consent, last contact,
death and disposition, computed once per submission and read by every check, analysis, tier criterion, figure,
table and app view (analyses.md "Common definitions")."""
from __future__ import annotations

from functools import cached_property

import numpy as np
import pandas as pd

from ..columns import coded, col, dates
from ..memo import memo
from ..submission import Submission
from ..text import norm_site
from ..units import to_number
from . import arms as _arms
from .design import StudyDesign, study_design
from .disposition import consent, disposition_events
from .events import build_adverse_events

CONTACT_SOURCES = (("SV", "SVSTDTC"), ("SV", "SVENDTC"), ("DS", "DSSTDTC"), ("AE", "AESTDTC"), ("AE", "AEENDTC"),
                   ("LB", "LBDTC"), ("VS", "VSDTC"), ("DM", "DTHDTC"))
AGE_UNIT_YEARS = (("MONTH", 1 / 12), ("WEEK", 1 / 52.1775), ("DAY", 1 / 365.25), ("HOUR", 1 / 8766))

SUBJECT_COLUMNS = ["USUBJID", "SITEID", "SITE", "AGE", "AGEU", "AGE_Y", "SEX", "RACE", "ETHNIC", "ARM", "ARM_LABEL",
                   "PLANNED_ARM", "ARM_STATUS", "ARMNRS", "CONTROL", "SCREEN_FAIL", "NOT_ASSIGNED", "ENROLLED", "DOSED",
                   "FIRST_LO", "FIRST_HI", "LAST_DOSE_LO", "LAST_DOSE_HI", "CONSENT_LO", "CONSENT_HI", "CONSENT_TEXT",
                   "CONSENT_SOURCE", "CONSENT_STATUS", "LAST_CONTACT", "FU_DAYS", "DIED", "DISPOSITION",
                   "COMPLETED", "DISCONTINUED"]


def age_in_years(age: pd.Series, unit: pd.Series) -> np.ndarray:
    """AGE converted to years through AGEU (MONTHS, WEEKS, DAYS, HOURS; YEARS or blank as given); NaN unknown."""
    a = to_number(age).to_numpy(dtype=float)
    u = unit.map(lambda v: str(v).strip().upper() if isinstance(v, str) else "")
    factor = u.map(lambda t: next((f for word, f in AGE_UNIT_YEARS if t.startswith(word)), 1.0))
    return a * factor.to_numpy(dtype=float)


class StudyModel:
    """Everything the review needs to know about the study's arms and subjects. Build with :func:`study_model`.

    ``dosing_known`` / ``ae_known`` are False when EX / AE is absent: counts that need them are unknown
    (None with a reason), never 0.
    """

    def __init__(self, sub: Submission):
        self.sub = sub

    # -- what is known -------------------------------------------------------------------------------------
    @cached_property
    def dosing_known(self) -> bool:
        ex = self.sub.domain("EX")
        return ex is not None and "USUBJID" in ex.columns

    @cached_property
    def ae_known(self) -> bool:
        return self.sub.domain("AE") is not None

    # -- arms ----------------------------------------------------------------------------------------------
    @cached_property
    def subject_arms(self) -> pd.DataFrame:
        return _arms.subject_arms(self.sub)

    @cached_property
    def _exposure_records(self) -> pd.DataFrame:
        return _arms.exposure_records(self.sub, self.subject_arms)

    @cached_property
    def exposure(self) -> pd.DataFrame:
        """EX records with DOSE_RAW, DOSE_N, DOSE_UNIT_N, CONVERTIBLE, START/END bounds, ARM and CONTROL (the
        subject's actual arm and its role)."""
        ex = self._exposure_records
        ex["CONTROL"] = ex["ARM"].isin(self.control_arms).to_numpy(dtype=bool)
        return ex

    @cached_property
    def arms(self) -> pd.DataFrame:
        """One row per arm: ARM (code as in the data), LABEL, CONTROL, ROLE_RULE, ROLE_EVIDENCE, DOSE, DOSE_UNIT,
        IN_MANIFEST, IN_DATA, ORDER; control first, then by dose."""
        return _arms.build_arms(self.sub, self.subject_arms, self._exposure_records)

    @cached_property
    def control_arms(self) -> frozenset:
        a = self.arms
        return frozenset(a.loc[a["CONTROL"], "ARM"]) if len(a) else frozenset()

    def arm_row(self, code) -> dict | None:
        """The arm table row of an arm code (any spelling), or None."""
        c = _arms.canonical_arm(self.sub, code)
        hit = self.arms[self.arms["ARM"] == c]
        return None if hit.empty else hit.iloc[0].to_dict()

    # -- dosing --------------------------------------------------------------------------------------------
    @cached_property
    def dosed(self) -> frozenset:
        """Subjects with an EX record with EXDOSE > 0, or any EX record in a control arm (a placebo dose of 0 is a
        valid dose). Empty when EX is absent (see ``dosing_known``)."""
        ex = self.exposure
        if not self.dosing_known or ex.empty:
            return frozenset()
        given = (ex["DOSE_RAW"] > 0).to_numpy() | ex["CONTROL"].to_numpy(dtype=bool)
        return frozenset(ex.loc[given, "USUBJID"].dropna())

    @cached_property
    def first_dose(self) -> pd.DataFrame:
        """Per dosed subject: FIRST_LO / FIRST_HI (earliest EXSTDTC), LAST_LO / LAST_HI (latest EXENDTC, else
        EXSTDTC); NaN when unknown."""
        ex = self.exposure
        cols = ["FIRST_LO", "FIRST_HI", "LAST_LO", "LAST_HI"]
        if ex.empty or not self.dosed:
            return pd.DataFrame(columns=cols, dtype=float)
        ex = ex[ex["USUBJID"].isin(self.dosed)]
        end_lo = ex["END_LO"].where(ex["END_LO"].notna(), ex["START_LO"])
        end_hi = ex["END_HI"].where(ex["END_HI"].notna(), ex["START_HI"])
        g = ex.assign(_ELO=end_lo, _EHI=end_hi).groupby("USUBJID")
        out = pd.DataFrame({"FIRST_LO": g["START_LO"].min(), "FIRST_HI": g["START_HI"].min(),
                            "LAST_LO": g["_ELO"].max(), "LAST_HI": g["_EHI"].max()})
        return out.set_axis(out.index.astype(object))

    # -- events, contact, death, disposition ---------------------------------------------------------------
    @cached_property
    def adverse_events(self) -> pd.DataFrame:
        sa = self.subject_arms
        return build_adverse_events(self.sub, self.dosed, self.first_dose, sa["ARM"] if len(sa) else pd.Series(dtype=object))

    @cached_property
    def disposition(self) -> pd.DataFrame:
        return disposition_events(self.sub)

    @cached_property
    def consent(self) -> pd.DataFrame:
        return consent(self.sub)

    @cached_property
    def last_contact(self) -> pd.Series:
        """Per subject, the latest known date (day number, earliest possible day of each date) over the contact
        sources of analyses.md."""
        sub = self.sub
        parts = []
        for dom, var in CONTACT_SOURCES:
            df = sub.domain(dom)
            if df is None or var not in df.columns or "USUBJID" not in df.columns:
                continue
            d = dates(sub, dom, var)
            subj = coded(sub, dom, "USUBJID")
            ok = (subj.codes >= 0) & ~np.isnan(d.lo)
            if not ok.any():
                continue
            best = pd.Series(d.lo[ok]).groupby(subj.codes[ok], sort=True).max()
            s = pd.Series(best.to_numpy(), index=pd.Index(subj.uniques[best.index.to_numpy()], dtype=object))
            parts.append(s.sort_index())
        if not parts:
            return pd.Series(dtype=float)
        out = pd.concat(parts).groupby(level=0).max()
        return out.set_axis(out.index.astype(object))

    @cached_property
    def follow_up_days(self) -> pd.Series:
        """Per dosed subject: last contact − first dose (days; NaN when either is unknown)."""
        fd = self.first_dose
        if fd.empty:
            return pd.Series(dtype=float)
        return (self.last_contact.reindex(fd.index) - fd["FIRST_LO"]).astype(float)

    @cached_property
    def deaths(self) -> pd.DataFrame:
        """Deaths recorded in DM (DTHFL yes / DTHDTC), DS (death) and AE (fatal): USUBJID, SOURCE, DATE, CAUSE."""
        sub = self.sub
        rows = []
        dm = sub.domain("DM")
        if dm is not None and "USUBJID" in dm.columns:
            c = coded(sub, "DM", "DTHFL")
            flag = c.mask(sub.vocab.yes_no.classify(c.uniques) == "yes") | col(dm, "DTHDTC").notna().to_numpy()
            for u, dt in zip(dm.loc[flag, "USUBJID"], col(dm, "DTHDTC")[flag]):
                rows.append({"USUBJID": u, "SOURCE": "DM", "DATE": dt, "CAUSE": None})
        disp = self.disposition
        for u, dt, term in zip(disp.loc[disp["DEATH"], "USUBJID"], disp.loc[disp["DEATH"], "DSSTDTC"],
                               disp.loc[disp["DEATH"], "TERM"]):
            rows.append({"USUBJID": u, "SOURCE": "DS", "DATE": dt, "CAUSE": term})
        ae = self.adverse_events
        if len(ae):
            f = ae[ae["FATAL"].to_numpy(dtype=bool)]
            for u, dt, term in zip(col(f, "USUBJID"), col(f, "AEENDTC").fillna(col(f, "AESTDTC")),
                                   col(f, "AEDECOD").fillna(col(f, "AETERM"))):
                rows.append({"USUBJID": u, "SOURCE": "AE", "DATE": dt, "CAUSE": term})
        return pd.DataFrame(rows, columns=["USUBJID", "SOURCE", "DATE", "CAUSE"])

    @cached_property
    def parameters(self):
        """The study parameters in force (:class:`workbench.study.parameters.StudyParameters`): submission.yaml's
        declarations under the reviewer's rules, with every override."""
        from .parameters import effective_parameters

        return effective_parameters(self.sub)

    @cached_property
    def design(self) -> StudyDesign:
        return study_design(self.sub, bool(self.control_arms))

    # -- subjects ------------------------------------------------------------------------------------------
    @cached_property
    def subjects(self) -> pd.DataFrame:
        """One row per DM subject (index USUBJID); columns :data:`SUBJECT_COLUMNS`."""
        sub = self.sub
        sa = self.subject_arms
        dm = sub.domain("DM")
        if dm is None or "USUBJID" not in dm.columns or sa.empty:
            return pd.DataFrame(columns=SUBJECT_COLUMNS).set_index("USUBJID", drop=False)
        d = dm[dm["USUBJID"].notna()].drop_duplicates("USUBJID").set_index("USUBJID", drop=False)
        d = d.set_axis(d.index.astype(object))
        t = pd.DataFrame(index=sa.index)
        t["USUBJID"] = sa["USUBJID"]
        for c in ("SITEID", "AGE", "AGEU", "SEX", "RACE", "ETHNIC"):
            t[c] = col(d, c).reindex(t.index).to_numpy(dtype=object)
        t["SITE"] = norm_site(t["SITEID"]).to_numpy(dtype=object)
        t["AGE_Y"] = age_in_years(t["AGE"], t["AGEU"])
        labels = dict(zip(self.arms["ARM"], self.arms["LABEL"])) if len(self.arms) else {}
        t["ARM"] = sa["ARM"]
        t["ARM_LABEL"] = sa["ARM"].map(labels).where(sa["ARM"].notna(), None)
        t["PLANNED_ARM"], t["ARM_STATUS"], t["ARMNRS"] = sa["PLANNED_ARM"], sa["ARM_STATUS"], sa["ARMNRS"]
        t["CONTROL"] = sa["ARM"].isin(self.control_arms).to_numpy()
        t["DOSED"] = t.index.isin(self.dosed)
        disp = self.disposition
        ds_sf = set(disp.loc[disp["SCREEN_FAIL"], "USUBJID"]) - set(self.dosed)
        status = sa[["ARM_STATUS", "PLANNED_STATUS"]]
        t["SCREEN_FAIL"] = ((status == "screen_failure").any(axis=1) | t.index.isin(ds_sf)).to_numpy()
        t["NOT_ASSIGNED"] = ((status == "not_assigned").any(axis=1) & ~t["SCREEN_FAIL"]).to_numpy()
        t["ENROLLED"] = ~(t["SCREEN_FAIL"] | t["NOT_ASSIGNED"])
        fd = self.first_dose
        for src, dst in (("FIRST_LO", "FIRST_LO"), ("FIRST_HI", "FIRST_HI"), ("LAST_LO", "LAST_DOSE_LO"),
                         ("LAST_HI", "LAST_DOSE_HI")):
            t[dst] = fd[src].reindex(t.index).to_numpy(dtype=float) if len(fd) else np.nan
        cons = self.consent
        for src, dst in (("LO", "CONSENT_LO"), ("HI", "CONSENT_HI"), ("TEXT", "CONSENT_TEXT"),
                         ("SOURCE", "CONSENT_SOURCE"), ("STATUS", "CONSENT_STATUS")):
            t[dst] = cons[src].reindex(t.index).to_numpy() if len(cons) else None
        t["LAST_CONTACT"] = self.last_contact.reindex(t.index).to_numpy(dtype=float)
        t["FU_DAYS"] = self.follow_up_days.reindex(t.index).to_numpy(dtype=float) if len(self.follow_up_days) \
            else np.nan
        t["DIED"] = t.index.isin(set(self.deaths["USUBJID"].dropna()))
        last = disp.sort_values("DATE_LO", kind="stable", na_position="first").drop_duplicates("USUBJID", keep="last")
        last = last.set_index("USUBJID")
        t["DISPOSITION"] = last["DECOD"].reindex(t.index).to_numpy(dtype=object) if len(last) else None
        t["COMPLETED"] = t.index.isin(set(disp.loc[disp["COMPLETED"], "USUBJID"]))
        t["DISCONTINUED"] = t.index.isin(set(disp.loc[~disp["COMPLETED"] & ~disp["SCREEN_FAIL"]
                                                      & (disp["CATEGORY"] != "ongoing"), "USUBJID"])) & ~t["COMPLETED"]
        return t[SUBJECT_COLUMNS]


@memo
def study_model(sub: Submission) -> StudyModel:
    """The study model of a submission (built once; its parts are computed when first read)."""
    return StudyModel(sub)
