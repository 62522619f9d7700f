"""Dose-response trend tests: Cochran–Armitage for proportions, least-squares slope for a continuous change."""
from __future__ import annotations

import math

import numpy as np

from . import _stats
from ._common import fnum


def cochran_armitage(x, n, scores) -> dict | None:
    """Cochran–Armitage test for a linear trend in proportions x_i/n_i over scores s_i (two-sided).

    z = Σ x_i (s_i − s̄) / sqrt(p̄(1 − p̄) Σ n_i (s_i − s̄)²),  s̄ = Σ n_i s_i / N,  p̄ = Σ x_i / N
    (Armitage 1955, Biometrics 11:375; Agresti 2013, Categorical Data Analysis, 3rd ed., §5.3.5; the
    statistic of SAS PROC FREQ TREND and R ``prop.trend.test``). The linear-by-linear association
    statistic M² = (N − 1) r² (statsmodels ``Table.test_ordinal_association``) equals z²·(N − 1)/N.
    Returns None when the test is undefined (fewer than 2 groups with subjects, one score, or p̄ ∈ {0, 1}).
    """
    x = np.asarray(x, dtype=float)
    n = np.asarray(n, dtype=float)
    s = np.asarray(scores, dtype=float)
    keep = n > 0
    x, n, s = x[keep], n[keep], s[keep]
    big_n = n.sum()
    if len(n) < 2 or big_n == 0:
        return None
    pbar = x.sum() / big_n
    sbar = (n * s).sum() / big_n
    ss = (n * (s - sbar) ** 2).sum()
    out = {"method": "cochran_armitage", "scores": [float(v) for v in s], "x": [int(v) for v in x],
           "n": [int(v) for v in n], "z": None, "chi2": None, "p_value": None}
    if ss <= 0 or pbar in (0.0, 1.0):
        return out
    z = float((x * (s - sbar)).sum() / math.sqrt(pbar * (1 - pbar) * ss))
    out.update({"z": z, "chi2": z * z, "p_value": float(2 * _stats.norm_sf(abs(z)))})
    return out


def linear_slope(dose, change) -> dict | None:
    """Least-squares slope of change on dose with its two-sided p-value (``scipy.stats.linregress``)."""
    d = np.asarray(dose, dtype=float)
    c = np.asarray(change, dtype=float)
    ok = ~np.isnan(d) & ~np.isnan(c)
    d, c = d[ok], c[ok]
    if len(d) < 3 or len(np.unique(d)) < 2:
        return None
    r = _stats.linregress(d, c)
    return {"method": "linear_regression", "n": int(len(d)), "slope": fnum(r.slope), "intercept": fnum(r.intercept),
            "r": fnum(r.rvalue), "stderr": fnum(r.stderr), "p_value": fnum(r.pvalue)}
