"""The few distribution functions and tests the analyses need, from :mod:`scipy.special`.

``scipy.stats`` costs about a second to import (it pulls in optimize, sparse, spatial, interpolate ...),
more than a whole small review. Every function here computes exactly what the named ``scipy.stats``
call computes (the same special functions on the same arithmetic; ``tests/analyses/test_stats_equivalence.py``
checks bit-for-bit equality against scipy.stats on many inputs), so results do not change.
"""
from __future__ import annotations

import numpy as np
from scipy import special


def norm_ppf(q):
    """``scipy.stats.norm.ppf(q)``."""
    return special.ndtri(q)


def norm_sf(x):
    """``scipy.stats.norm.sf(x)``."""
    return special.ndtr(-np.asarray(x, dtype=float))


def beta_ppf(q, a, b):
    """``scipy.stats.beta.ppf(q, a, b)`` for 0 < q < 1 and valid shapes (a, b > 0); NaN for invalid shapes."""
    q, a, b = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (q, a, b)))
    ok = (a > 0) & (b > 0) & (q > 0) & (q < 1)
    out = np.full(q.shape, np.nan)
    if ok.any():
        out[ok] = special._ufuncs._beta_ppf(q[ok], a[ok], b[ok])
    return out[()] if out.ndim == 0 else out


def beta_sf(x, a, b):
    """``scipy.stats.beta.sf(x, a, b)`` for valid shapes (a, b > 0)."""
    x, a, b = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (x, a, b)))
    out = np.full(x.shape, np.nan)
    valid = (a > 0) & (b > 0) & ~np.isnan(x)
    inside = valid & (x > 0) & (x < 1)
    if inside.any():
        out[inside] = special.betaincc(a[inside], b[inside], x[inside])
    out[valid & (x <= 0)] = 1.0
    out[valid & (x >= 1)] = 0.0
    return out[()] if out.ndim == 0 else out


def t_ppf(q, df):
    """``scipy.stats.t.ppf(q, df)`` for 0 < q < 1 and df > 0."""
    return special.stdtrit(np.asarray(df, dtype=float), np.asarray(q, dtype=float))


def _t_two_sided(t, df) -> float:
    # scipy.stats._stats_py._get_pvalue with _SimpleStudentT: 2 * sf(|t|) = 2 * stdtr(df, -|t|)
    return 2 * special.stdtr(np.asarray(df, dtype=float), -np.abs(t))


def _var1(x: np.ndarray) -> np.float64:
    """``scipy.stats._stats_py._var(x, ddof=1)``: mean of squared deviations, times n / (n - 1)."""
    mean = np.mean(x, axis=0, keepdims=True)
    s = (x - mean) ** 2
    var = np.mean(s, axis=0)
    n = np.asarray(x.shape[0], dtype=x.dtype)
    var *= (n / (n - 1))
    return var


def ttest_ind_welch_pvalue(a, b) -> float:
    """Two-sided p-value of ``scipy.stats.ttest_ind(a, b, equal_var=False)`` (1-D, no NaN, n >= 2 each)."""
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    n1, n2 = a.shape[0], b.shape[0]
    with np.errstate(divide="ignore", invalid="ignore"):
        v1, v2 = _var1(a), _var1(b)
    m1, m2 = np.mean(a, axis=0), np.mean(b, axis=0)
    vn1, vn2 = v1 / n1, v2 / n2
    with np.errstate(divide="ignore", invalid="ignore"):
        df = (vn1 + vn2) ** 2 / (vn1 ** 2 / (n1 - 1) + vn2 ** 2 / (n2 - 1))
    df = np.where(np.isnan(df), 1., df)
    denom = np.sqrt(vn1 + vn2)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.divide(m1 - m2, denom)
    p = _t_two_sided(t, np.asarray(df, dtype=t.dtype))
    return float(p[()] if np.ndim(p) == 0 else p)


def ttest_1samp_pvalue(a, popmean: float = 0.0) -> float:
    """Two-sided p-value of ``scipy.stats.ttest_1samp(a, popmean)`` (1-D, no NaN, n >= 2)."""
    a = np.asarray(a, dtype=float)
    n = a.shape[0]
    mean = np.mean(a, axis=0)
    d = mean - np.asarray(popmean, dtype=float)
    v = _var1(a)
    denom = np.sqrt(v / n)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.divide(d, denom)
    p = _t_two_sided(t, np.asarray(n - 1, dtype=t.dtype))
    return float(p[()] if np.ndim(p) == 0 else p)


class LinregressResult:
    __slots__ = ("slope", "intercept", "rvalue", "pvalue", "stderr", "intercept_stderr")

    def __init__(self, slope, intercept, rvalue, pvalue, stderr, intercept_stderr):
        self.slope, self.intercept, self.rvalue = slope, intercept, rvalue
        self.pvalue, self.stderr, self.intercept_stderr = pvalue, stderr, intercept_stderr


def linregress(x, y) -> LinregressResult:
    """``scipy.stats.linregress(x, y)`` (two-sided), the same numpy arithmetic."""
    TINY = 1.0e-20
    x = np.asarray(x)
    y = np.asarray(y)
    if x.size == 0 or y.size == 0:
        raise ValueError("Inputs must not be empty.")
    if np.amax(x) == np.amin(x) and len(x) > 1:
        raise ValueError("Cannot calculate a linear regression if all x values are identical")
    n = len(x)
    xmean = np.mean(x, None)
    ymean = np.mean(y, None)
    ssxm, ssxym, _, ssym = np.cov(x, y, bias=1).flat
    if ssxm == 0.0 or ssym == 0.0:
        r = np.asarray(np.nan if ssxym == 0 else 0.0)[()]
    else:
        r = ssxym / np.sqrt(ssxm * ssym)
        if r > 1.0:
            r = 1.0
        elif r < -1.0:
            r = -1.0
    slope = ssxym / ssxm
    intercept = ymean - slope * xmean
    if n == 2:
        prob = 1.0 if y[0] == y[1] else 0.0
        slope_stderr = 0.0
        intercept_stderr = 0.0
    else:
        df = n - 2
        t = r * np.sqrt(df / ((1.0 - r + TINY) * (1.0 + r + TINY)))
        prob = 2 * special.stdtr(df, -np.abs(t))
        prob = prob[()] if prob.ndim == 0 else prob
        slope_stderr = np.sqrt((1 - r ** 2) * ssym / ssxm / df)
        intercept_stderr = slope_stderr * np.sqrt(ssxm + xmean ** 2)
    return LinregressResult(slope, intercept, r, prob, slope_stderr, intercept_stderr)


def chi2_contingency(table) -> tuple[float, float, int, np.ndarray]:
    """``scipy.stats.chi2_contingency(table, correction=False)``: Pearson's chi-square test of independence
    (statistic, p-value, degrees of freedom, expected counts) for a 2-D table of counts with no empty row or column."""
    obs = np.asarray(table, dtype=float)
    expected = np.outer(obs.sum(axis=1), obs.sum(axis=0)) / obs.sum()
    dof = int(expected.size - sum(expected.shape) + expected.ndim - 1)
    if dof == 0:
        return 0.0, 1.0, 0, expected
    stat = float(np.sum((obs - expected) ** 2 / expected))
    return stat, float(special.chdtrc(dof, stat)), dof, expected


def nested_f_test(y, reduced, full) -> tuple[float, float, int, int] | None:
    """F-test of the columns ``full`` adds to ``reduced`` (two design matrices with an intercept) in an OLS of ``y``:
    F = ((RSS_r − RSS_f) / (df_r − df_f)) / (RSS_f / df_f). For a factor added to a main-effects model this is the
    Type II ANOVA F-test of ``statsmodels`` ``anova_lm(ols(...).fit(), typ=2)`` for that factor. Returns
    (F, p, numerator df, denominator df), or None when it cannot be computed (no residual degrees of freedom,
    nothing added, a perfect fit)."""
    y = np.asarray(y, dtype=float)
    xr, xf = np.asarray(reduced, dtype=float), np.asarray(full, dtype=float)

    def fit(x):
        beta, _, rank, _ = np.linalg.lstsq(x, y, rcond=None)
        resid = y - x @ beta
        return float(resid @ resid), int(rank)

    rss_r, rank_r = fit(xr)
    rss_f, rank_f = fit(xf)
    df_num, df_den = rank_f - rank_r, len(y) - rank_f
    if df_num <= 0 or df_den <= 0 or rss_f <= 0:
        return None
    f = ((rss_r - rss_f) / df_num) / (rss_f / df_den)
    return float(f), float(special.fdtrc(df_num, df_den, f)), df_num, df_den
