"""The reviewer's view filter: which subjects every table, figure, listing and count of a review covers.

Filtering recomputes through the library: :func:`subset` builds a new :class:`Submission` holding the selected
subjects' records only (study-level tables — CMC, trial design, study documents — stay whole), and the same pure
functions review it. Clearing the filter gives back the full review exactly (it is the submission itself).
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .submission import Submission
from .text import norm_value

AGE_BANDS = {  # band -> (lower bound in years, upper bound exclusive); ICH E7 / E11 groupings
    "<18": (-np.inf, 18.0), "18-64": (18.0, 65.0), ">=65": (65.0, np.inf),
}
SEX_LABELS = {"F": ("女", "female"), "M": ("男", "male"), "U": ("未知", "unknown"),
              "UNDIFFERENTIATED": ("未分化", "undifferentiated")}   # SDTM SEX codes; other codes shown as they are
# a filter's fields: attribute -> (its key in the page URL and a table's ``filter``, 中文, English)
FILTER_FIELDS = {"arms": ("arm", "组别", "arm"), "sites": ("site", "中心", "site"), "sexes": ("sex", "性别", "sex"),
                 "age_bands": ("age", "年龄段", "age"), "races": ("race", "种族", "race"),
                 "flags": ("flag", "人群", "population"), "subjects": ("q", "受试者包含", "subject contains")}
FILTER_KEY_NAMES = {key: (zh, en) for key, zh, en in FILTER_FIELDS.values()}   # URL key -> (中文, English)
AGE_BAND_LABELS = {"<18": ("<18 岁", "< 18 years"), "18-64": ("18–64 岁", "18–64 years"), ">=65": ("≥65 岁", "≥ 65 years")}
DOSED_FLAG = "DOSED"   # the study model's "dosed" as a population flag


@dataclass(frozen=True)
class ViewFilter:
    """Selections (empty: no restriction). Values are as in the data (arm codes, SITEID, SEX, RACE); ``flags`` are
    population flags (Y/N qualifiers of DM such as SUPPDM SAFETY / ITT, and DOSED); ``subjects`` a search text
    matched against USUBJID (substring, case-insensitive)."""

    arms: tuple[str, ...] = ()
    sites: tuple[str, ...] = ()
    sexes: tuple[str, ...] = ()
    age_bands: tuple[str, ...] = ()
    races: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()
    subjects: str = ""

    def __post_init__(self) -> None:
        for f in ("arms", "sites", "sexes", "age_bands", "races", "flags"):
            v = getattr(self, f)
            object.__setattr__(self, f, tuple(sorted({str(x) for x in (v or ()) if str(x).strip()})))
        object.__setattr__(self, "subjects", str(self.subjects or "").strip())
        bad = [b for b in self.age_bands if b not in AGE_BANDS]
        if bad:
            raise ValueError(f"age band {bad[0]!r} is not one of {', '.join(AGE_BANDS)}")

    @property
    def empty(self) -> bool:
        return not any((self.arms, self.sites, self.sexes, self.age_bands, self.races, self.flags, self.subjects))

    def to_dict(self) -> dict[str, str] | None:
        """The filter as a table's ``filter`` field (review-output.md): the URL's keys, values comma-separated;
        None when there is none."""
        out = {key: v if isinstance(v, str) else ",".join(v)
               for a, (key, _, _) in FILTER_FIELDS.items() if (v := getattr(self, a))}
        return out or None

    def describe(self, lang: str = "zh") -> str | None:
        """The filter in words, for a table's "filter" note (None when there is none)."""
        if self.empty:
            return None
        parts = []
        for key, (_, zh, en) in FILTER_FIELDS.items():
            v = getattr(self, key)
            if not v:
                continue
            if key == "age_bands":
                v = tuple(AGE_BAND_LABELS[b][0 if lang == "zh" else 1] for b in v)
            text = v if isinstance(v, str) else ("、" if lang == "zh" else ", ").join(v)
            parts.append(f"{zh}：{text}" if lang == "zh" else f"{en}: {text}")
        return ("；" if lang == "zh" else "; ").join(parts)


def population_flags(sub: Submission) -> list[str]:
    """Y/N population flags the data offer: DM variables that came from subject-level SUPPDM qualifiers and read
    as yes/no (SAFETY, ITT, EFFICACY …), and DOSED (the study model)."""
    out: list[str] = []
    dm = sub.domain("DM")
    supp = sub.supp.get("SUPPDM")
    if dm is not None and supp is not None and "QNAM" in supp.columns:
        yn = sub.vocab.yes_no
        for q in sorted({norm_value(v) for v in supp["QNAM"].dropna()} - {None}):
            if q in dm.columns:
                values = {yn.category(v) for v in dm[q].dropna().unique()}
                if values and values <= {"yes", "no"}:
                    out.append(q)
    if sub.study.dosing_known:
        out.append(DOSED_FLAG)
    return out


def filter_options(sub: Submission) -> dict[str, list]:
    """What the filter panel offers, from the data: arms (code, label), sites, sexes, age bands, races, flags."""
    model = sub.study
    subj = model.subjects
    arms = [(a.ARM, a.LABEL if isinstance(a.LABEL, str) else a.ARM) for a in model.arms.itertuples()]

    def values(col: str) -> list[str]:
        return sorted({str(v) for v in subj[col].dropna()}) if len(subj) else []

    ages = subj["AGE_Y"].to_numpy(dtype=float) if len(subj) else np.array([])
    bands = [b for b, (lo, hi) in AGE_BANDS.items() if ((ages >= lo) & (ages < hi)).any()]
    return {"arms": arms, "sites": values("SITEID"), "sexes": values("SEX"), "age_bands": bands,
            "races": values("RACE"), "flags": population_flags(sub)}


def selected_subjects(sub: Submission, f: ViewFilter) -> set[str]:
    """USUBJIDs of DM that the filter keeps."""
    subj = sub.study.subjects
    keep = pd.Series(True, index=subj.index)
    if f.arms:
        keep &= subj["ARM"].isin(f.arms) | subj["PLANNED_ARM"].isin(f.arms)
    if f.sites:
        keep &= subj["SITEID"].astype(object).map(lambda v: None if v is None else str(v)).isin(f.sites)
    if f.sexes:
        keep &= subj["SEX"].astype(object).map(lambda v: None if v is None else str(v)).isin(f.sexes)
    if f.races:
        keep &= subj["RACE"].astype(object).map(lambda v: None if v is None else str(v)).isin(f.races)
    if f.age_bands:
        age = subj["AGE_Y"].astype(float)
        band = np.zeros(len(subj), dtype=bool)
        for b in f.age_bands:
            lo, hi = AGE_BANDS[b]
            band |= ((age >= lo) & (age < hi)).to_numpy()
        keep &= band
    if f.flags:
        dm = sub.domain("DM")
        dmi = dm.drop_duplicates("USUBJID").set_index("USUBJID") if dm is not None else pd.DataFrame()
        yn = sub.vocab.yes_no
        for flag in f.flags:
            if flag == DOSED_FLAG:
                keep &= subj["DOSED"].astype(bool)
            elif flag in dmi.columns:
                keep &= dmi[flag].reindex(subj.index).map(lambda v: yn.category(v) == "yes").astype(bool)
            else:
                keep &= False
    if f.subjects:
        needle = f.subjects.lower()
        keep &= subj.index.map(lambda u: needle in str(u).lower()).to_numpy(dtype=bool)
    return set(subj.index[keep.to_numpy(dtype=bool)])


def subset(sub: Submission, f: ViewFilter | None) -> Submission:
    """The submission restricted to the filter's subjects (the submission itself when the filter is empty)."""
    if f is None or f.empty:
        return sub
    keep = selected_subjects(sub, f)

    def cut(df: pd.DataFrame | None) -> pd.DataFrame | None:
        if df is None or "USUBJID" not in df.columns:
            return df
        return df[df["USUBJID"].isin(keep)].reset_index(drop=True)

    docs = sub.documents
    if docs is not None and "USUBJID" in docs.columns:   # subject documents of others go; study documents stay
        docs = docs[docs["USUBJID"].isna() | docs["USUBJID"].isin(keep)].reset_index(drop=True)
    out = dataclasses.replace(sub, datasets={k: cut(v) for k, v in sub.datasets.items()},
                              supp={k: cut(v) for k, v in sub.supp.items()}, documents=docs,
                              adam={k: cut(v) for k, v in sub.adam.items()})
    out.__dict__["view_filter"] = f
    return out
