"""Study design as data (:class:`StudySpec` and its parts) and the date / random-stream helpers.

Dates inside the simulation are day numbers (days since 1970-01-01) so that profiles
can plant events with plain arithmetic; :func:`iso` turns them into ISO 8601 text.
"""
from __future__ import annotations

import zlib
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .vocab import Drug, Hospital

# --------------------------------------------------------------------------- dates


def day(iso: str) -> int:
    """'2021-03-04' -> days since 1970-01-01."""
    return int(np.datetime64(iso, "D").astype("int64"))


def iso(days) -> np.ndarray:
    """Day numbers (float, NaN = missing) -> object array of 'YYYY-MM-DD' / None (each distinct day formatted once)."""
    arr = np.asarray(days, dtype="float64")
    out = np.full(arr.shape, None, dtype=object)
    ok = ~np.isnan(arr)
    if ok.any():
        u, inv = np.unique(arr[ok].astype("int64"), return_inverse=True)
        out[ok] = np.datetime_as_string(u.astype("datetime64[D]"), unit="D").astype(object)[inv]
    return out


STR = pd.StringDtype("pyarrow", na_value=np.nan)


def pick(values, idx) -> pd.Series:
    """``values[idx]`` as a pandas string column, built in Arrow (fast for millions of rows)."""
    arr = pa.array(np.asarray(values, dtype=object), type=pa.string())
    return pd.Series(arr.take(pa.array(np.asarray(idx, dtype=np.int64))), dtype=STR)


def numtext(values) -> pd.Series:
    """Rounded numbers as text ('4.7', '130'), shortest round-trip form, built in Arrow."""
    return pd.Series(pc.cast(pa.array(np.asarray(values, dtype=float)), pa.string()), dtype=STR)


def iso1(d: float) -> str:
    return str(np.datetime64(int(d), "D"))


def rng_for(seed: int, name: str) -> np.random.Generator:
    """An independent, reproducible random stream per (seed, purpose)."""
    return np.random.default_rng([int(seed), zlib.crc32(name.encode())])


# --------------------------------------------------------------------------- spec


@dataclass
class ArmDef:
    armcd: str
    arm: str
    n: int                      # subjects enrolled (allocated) to the arm
    exdose: float               # EXDOSE as recorded
    exdosu: str                 # EXDOSU as recorded
    dose: float                 # manifest dose (normalised unit)
    dose_unit: str | None
    control: bool = False
    extrt: str | None = None


@dataclass
class VisitDef:
    num: int
    name: str
    day: int                    # days after the first dose (0 = day of first dose)
    epoch: str
    window: int = 0             # the visit falls on day .. day + window
    lb: bool = True
    vs: bool = True
    eff: bool = False
    screening: bool = False     # held on the consent day


@dataclass
class EfficacyDef:
    domain: str
    testcd: str
    test: str
    cat: str
    unit: str
    target_visit: str
    baseline: tuple[float, float]          # mean, SD
    bounds: tuple[float, float]            # scale limits
    change: dict[str, tuple[float, float]]  # armcd -> (mean, SD) of change at the target visit
    trajectory: dict[str, float] = field(default_factory=dict)  # visit -> fraction of the target change
    noise: float = 0.0
    decimals: int = 0
    extra: dict[str, str] = field(default_factory=dict)         # constant columns, e.g. OELOC
    components: list[tuple[str, str, float]] = field(default_factory=list)  # (testcd, test, share of total)


@dataclass
class DeathDef:
    armcd: str
    day: int                     # days after first dose
    decod: str
    soc: str
    term: str
    rel: str = "NOT RELATED"


@dataclass
class StudySpec:
    studyid: str
    ae_set: str
    sites: list[tuple[str, Hospital]]
    arms: list[ArmDef]
    visits: list[VisitDef]
    epochs: list[tuple[str, int]]          # (EPOCH, first day after first dose), ascending; before 0 = SCREENING
    start: str                             # first first-dose date
    cutoff: str                            # data cut-off: no date after it
    extrt: str
    exroute: str
    exdosfrm: str = "SUSPENSION"
    schedule: str = "parallel"             # parallel | escalation
    enrol_span: int = 365                  # parallel: first doses spread over this many days
    cohorts: list[tuple[str, int]] = field(default_factory=list)  # escalation: (armcd, n) in dosing order
    sentinel: int = 14
    cohort_gap: int = 40
    consent_to_dose: tuple[int, int] = (7, 21)
    dose_days: list[int] = field(default_factory=lambda: [0])
    age: tuple[float, float, int, int] = (55, 10, 18, 75)
    female: float = 0.5
    labs: list[str] = field(default_factory=list)
    lab_overrides: dict[str, tuple[float, float]] = field(default_factory=dict)
    efficacy: EfficacyDef | None = None
    ae_per_subject: float = 3.0
    ae_horizon: int = 365                  # follow-up (days) over which ae_per_subject accrue
    sae_fraction: float = 0.0              # dosed subjects with one background (unrelated) SAE
    n_withdraw: int = 0
    withdraw_days: tuple[int, int] = (60, 300)
    n_death: int = 0                       # background (unrelated) deaths, arm chosen at random
    death_days: tuple[int, int] = (60, 300)
    deaths: list[DeathDef] = field(default_factory=list)
    n_screen_fail: int = 0
    n_nottrt: int = 0                      # enrolled, never dosed (autologous manufacturing failure)
    nottrt_day: int = -3                   # when they leave, relative to the planned first dose
    ie_criteria: list[tuple[str, str, str]] = field(default_factory=list)  # IETESTCD, IETEST, IECAT
    cm_background: list[tuple[Drug, float]] = field(default_factory=list)  # drug, probability
    cm_protocol: list[tuple[Drug, int, int]] = field(default_factory=list)  # drug, start, end (days after dose)
    primary_dx: tuple[str, str, str] = ("", "", "")   # MHTERM, MHDECOD, MHBODSYS
    dx_years: tuple[int, int] = (1, 10)
    lot_scheme: str = "allogeneic"         # allogeneic | autologous
    harvest_day: int = -28                 # autologous: tissue harvest, days before the first dose
    lot_prefix: str = "LOT"
    admins_per_lot: int = 10
    procver: list[tuple[str, int | None]] = field(default_factory=lambda: [("P1", None)])
    rfst_visit: str | None = None          # DM.RFSTDTC from this visit instead of the first dose
    lang: str = "en"                       # verbatim language of AETERM/CMTRT/MHTERM/DSTERM
    randomized: bool = False
    withdraw_reasons: tuple[str, ...] = ("SUBJECT RELOCATED TO ANOTHER CITY",
                                         "SUBJECT WITHDREW CONSENT FOR PERSONAL REASONS",
                                         "UNABLE TO ATTEND FOLLOW-UP VISITS")
    ongoing_at_cutoff: bool = False        # visits after the cut-off are not held: those subjects are still in
                                           # follow-up (DS 'ONGOING'), instead of an error
    seed: int = 1

    def arm(self, armcd: str) -> ArmDef:
        return next(a for a in self.arms if a.armcd == armcd)
