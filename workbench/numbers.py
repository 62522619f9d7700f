"""Numbers as the review reads and writes them: one meaning per name.

``fnum`` a finite float or None; ``count`` a whole non-negative count or None; ``pct_value`` a percentage
rounded to one decimal (a number, for review.json and tables); ``pct_text`` the same as text for a message
("12.5%"); ``num_text`` a number in a finding's message (3 significant digits, "—" when unknown);
``fmt_num`` a number in a tier criterion's evidence (up to 4 significant digits, "n/a" when unknown).
"""
from __future__ import annotations

import math
from fractions import Fraction
from typing import Any


def fnum(v: Any) -> float | None:
    """A finite float, or None (NaN, inf, missing, booleans, text that is not a number)."""
    if v is None or isinstance(v, bool):
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def inum(v: Any) -> int | None:
    f = fnum(v)
    return None if f is None else int(f)


def count(v: Any) -> int | None:
    """A non-negative whole count, or None."""
    x = fnum(v)
    if x is None or x < 0 or x != int(x):
        return None
    return int(x)


def pct_value(n, d) -> float | None:
    """100·n/d rounded to 1 decimal, None when d is 0."""
    return round(100.0 * n / d, 1) if d else None


def pct_text(n: int, d: int) -> str:
    """'12.5%' (one decimal); '—' when d is 0."""
    return f"{100.0 * n / d:.1f}%" if d else "—"


def num_text(x) -> str:
    """A number for a finding's message: integers plain, others with 3 significant digits; '—' when unknown."""
    f = fnum(x)
    if f is None:
        return "—"
    if f.is_integer() and abs(f) < 1e6:
        return str(int(f))
    return f"{f:.3g}"


def fmt_num(x: Any) -> str:
    """A number as a reviewer reads it in the tier evidence: whole numbers without decimals, others with up to 4
    significant digits; 'n/a' when unknown."""
    v = fnum(x)
    if v is None:
        return "n/a"
    if v == int(v) and abs(v) < 1e15:
        return str(int(v))
    return f"{v:.4g}"


def ge_share(numer: int, denom: int, threshold: float) -> bool:
    """numer/denom >= threshold, exactly (0.8 means 4/5, not the binary float)."""
    return Fraction(numer, denom) >= Fraction(str(threshold))


def gt_share(numer: int, denom: int, threshold: float) -> bool:
    """numer/denom > threshold, exactly."""
    return Fraction(numer, denom) > Fraction(str(threshold))
