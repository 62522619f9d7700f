"""Dose units and numbers as submitted (full-width digits, text numbers)."""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

_FULLWIDTH = str.maketrans("０１２３４５６７８９．－＋，", "0123456789.-+,")

# normalised unit -> (factor to cells, per-kg)
_UNIT_RE = re.compile(r"^\s*(?:(?P<mult>10\s*\^\s*(?P<exp>\d+)|10\s*[eE]\s*(?P<exp2>\d+)|[x×]\s*10\s*\^?\s*(?P<exp3>\d+)|1e(?P<exp4>\d+))\s*)?"
                      r"cells?\s*(?P<perkg>/\s*kg)?\s*$", re.IGNORECASE)


def normalise_dose_unit(unit) -> tuple[float, str] | None:
    """``'10^6 cells/kg'`` -> (1e6, 'cells/kg'); None when the unit cannot be converted."""
    if unit is None or (isinstance(unit, float) and np.isnan(unit)):
        return None
    m = _UNIT_RE.match(str(unit).translate(_FULLWIDTH))
    if not m:
        return None
    exp = m.group("exp") or m.group("exp2") or m.group("exp3") or m.group("exp4")
    factor = 10.0 ** int(exp) if exp else 1.0
    return factor, "cells/kg" if m.group("perkg") else "cells"


def _text_number(v):
    return v.translate(_FULLWIDTH).replace(",", "").strip() if isinstance(v, str) else v


def to_number(values) -> pd.Series:
    """Numbers from a column as submitted: numeric, text, full-width digits, thousands commas. NaN if not a number.

    Text is converted once per distinct value (a 1M-row result column holds a few thousand)."""
    s = values if isinstance(values, pd.Series) else pd.Series(values)
    if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
        return s.astype(float)
    codes, uniques = pd.factorize(s.astype("object"), use_na_sentinel=True)
    text = pd.Series([_text_number(v) for v in np.asarray(uniques, dtype=object)], dtype="object")
    nums = pd.to_numeric(text, errors="coerce").astype(float).to_numpy()
    return pd.Series(np.append(nums, np.nan)[codes], index=s.index, name=s.name, dtype=float)


def normalise_doses(dose, unit) -> tuple[pd.Series, pd.Series]:
    """EXDOSE/EXDOSU -> (dose in cells or cells/kg, normalised unit); NaN/None where not convertible."""
    d = to_number(dose)
    u = pd.Series(unit, index=d.index) if not isinstance(unit, pd.Series) else unit
    cache: dict = {}
    factors, units = [], []
    for raw in u.astype("object"):
        key = raw if isinstance(raw, str) else None
        if key not in cache:
            cache[key] = normalise_dose_unit(key)
        r = cache[key]
        factors.append(r[0] if r else np.nan)
        units.append(r[1] if r else None)
    return d * np.asarray(factors, dtype=float), pd.Series(units, index=d.index, dtype="object")
