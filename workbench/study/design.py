"""What the study is: design, stage, blinding, control type, phase, indication, planned size, data cut-off and
planned visits, each with where it came from (submission.yaml, or SDTM trial design TS / TA / TV for a bare
folder of datasets; submission-format.md). Nothing is guessed from the subjects' data.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..columns import col
from ..dates import parse_dtc
from ..submission import Submission
from ..text import is_missing, norm_value

MANIFEST, TRIAL_DESIGN, OVERLAY, UNKNOWN = "manifest", "trial_design", "overlay", "unknown"


@dataclass(frozen=True)
class Fact:
    """One study fact: its value (None when unknown), where it came from, and the source values shown."""

    value: object
    origin: str = UNKNOWN        # manifest | trial_design | overlay | unknown
    source: str | None = None    # e.g. "submission.yaml study.design", "TS RANDOM=Y, TCNTRL=PLACEBO"

    @property
    def known(self) -> bool:
        return self.value is not None

    def to_dict(self) -> dict:
        return {"value": self.value, "origin": self.origin, "source": self.source}


@dataclass(frozen=True)
class StudyDesign:
    """Study facts by name, each a :class:`Fact`; ``planned_visits`` from TV."""

    facts: dict[str, Fact]
    planned_visits: list[dict] = field(default_factory=list)

    def value(self, name: str):
        f = self.facts.get(name)
        return None if f is None else f.value

    def fact(self, name: str) -> Fact:
        return self.facts.get(name, Fact(None))

    def inferred(self) -> dict[str, Fact]:
        """The facts taken from the trial-design datasets (shown to the reviewer with their source)."""
        return {k: f for k, f in self.facts.items() if f.origin == TRIAL_DESIGN}

    def to_dict(self) -> dict:
        return {"facts": {k: f.to_dict() for k, f in self.facts.items()}, "planned_visits": self.planned_visits}


def trial_summary(sub: Submission) -> dict[str, list[str]]:
    """TS parameters: TSPARMCD (normalised) -> its TSVAL values in record order."""
    ts = sub.domain("TS")
    if ts is None or "TSPARMCD" not in ts.columns:
        return {}
    out: dict[str, list[str]] = {}
    for code, val in zip(ts["TSPARMCD"], col(ts, "TSVAL")):
        key = norm_value(code)
        if key is None or is_missing(val):
            continue
        out.setdefault(key, []).append(str(val).strip())
    return out


def _phase_stage(phase: str) -> str | None:
    """TPHASE text -> study stage: phase III/IV confirmatory, II/III both, I/II exploratory."""
    p = norm_value(phase) or ""
    romans = re.findall(r"\b(IV|III|II|I|[1-4])\b", p.replace("/", " / "))
    nums = {"I": 1, "II": 2, "III": 3, "IV": 4, "1": 1, "2": 2, "3": 3, "4": 4}
    levels = {nums[r] for r in romans}
    if not levels:
        return None
    if max(levels) >= 3:
        return "exploratory_and_confirmatory" if min(levels) <= 2 else "confirmatory"
    return "exploratory"


def _blinding(text: str) -> str | None:
    t = norm_value(text) or ""
    if "DOUBLE" in t or "TRIPLE" in t or "双盲" in t:
        return "double"
    if "SINGLE" in t or "单盲" in t:
        return "single"
    if "OPEN" in t or "开放" in t:
        return "open"
    return None


def _first(ts: dict, code: str) -> str | None:
    v = ts.get(code)
    return v[0] if v else None


def _number(text: str | None) -> float | None:
    if text is None:
        return None
    m = re.search(r"-?\d+(?:\.\d+)?", text)
    return float(m.group(0)) if m else None


def from_trial_design(sub: Submission, has_control: bool) -> dict[str, Fact]:
    """Facts SDTM trial summary (TS) states, each with its TS source."""
    ts = trial_summary(sub)
    facts: dict[str, Fact] = {}

    def put(name, value, *codes):
        if value is not None:
            src = "TS " + ", ".join(f"{c}={_first(ts, c)}" for c in codes if _first(ts, c) is not None)
            facts[name] = Fact(value, TRIAL_DESIGN, src)

    random, cntrl = norm_value(_first(ts, "RANDOM")), norm_value(_first(ts, "TCNTRL"))
    controlled = (cntrl is not None and cntrl not in ("NONE", "NO CONTROL", "无")) or (cntrl is None and has_control)
    if random in ("Y", "YES", "是"):
        put("design", "randomized_controlled" if controlled else None, "RANDOM", "TCNTRL")
    elif random in ("N", "NO", "否") and cntrl is not None:
        put("design", "nonrandomized_controlled" if controlled else None, "RANDOM", "TCNTRL")
    if _first(ts, "TPHASE"):
        put("stage", _phase_stage(_first(ts, "TPHASE")), "TPHASE")
        put("phase", _first(ts, "TPHASE"), "TPHASE")
    if _first(ts, "TBLIND"):
        put("blinding", _blinding(_first(ts, "TBLIND")), "TBLIND")
    put("control_type", _first(ts, "TCNTRL"), "TCNTRL")
    put("indication", _first(ts, "INDIC"), "INDIC")
    put("title", _first(ts, "TITLE"), "TITLE")
    put("sponsor", _first(ts, "SPONSOR"), "SPONSOR")
    put("planned_subjects", _number(_first(ts, "PLANSUB")), "PLANSUB")
    put("min_age", _first(ts, "AGEMIN"), "AGEMIN")
    cut = ts.get("DCUTDTC")
    if cut:
        d = parse_dtc(pd.Series(cut, dtype=object))
        his = d.hi[~np.isnan(d.hi)]
        if len(his):
            put("data_cutoff", float(his.max()), "DCUTDTC")
    return facts


MANIFEST_FIELDS = {   # fact -> (attribute path in submission.yaml)
    "design": "study.design", "stage": "study.stage", "blinding": "study.blinding", "indication": "study.indication",
    "title": "title", "sponsor": "sponsor",
}


def planned_visits(sub: Submission) -> list[dict]:
    """TV: planned visits (VISITNUM, VISIT, VISITDY) in visit order."""
    tv = sub.domain("TV")
    if tv is None or "VISIT" not in tv.columns:
        return []
    rows = []
    for num, visit, day in zip(col(tv, "VISITNUM"), tv["VISIT"], col(tv, "VISITDY")):
        rows.append({"visitnum": None if is_missing(num) else num, "visit": None if is_missing(visit) else str(visit),
                     "visitdy": None if is_missing(day) else day})
    seen, out = set(), []
    for r in rows:
        key = (r["visitnum"], r["visit"])
        if key not in seen:
            seen.add(key)
            out.append(r)
    return out


def study_design(sub: Submission, has_control: bool) -> StudyDesign:
    """The manifest's values where declared, else what the trial-design datasets say, else unknown."""
    facts = from_trial_design(sub, has_control)
    if sub.manifest is not None:
        m = sub.manifest
        for name, path in MANIFEST_FIELDS.items():
            obj = m
            for part in path.split("."):
                obj = getattr(obj, part, None)
            if obj is not None:
                facts[name] = Fact(obj, MANIFEST, f"submission.yaml {path}")
    ov = sub.overlay
    if ov:
        for name in ("design", "stage", "blinding"):
            if getattr(ov, name, None) is not None:
                facts[name] = Fact(getattr(ov, name), OVERLAY, "reviewer overlay")
    return StudyDesign(facts, planned_visits(sub))
