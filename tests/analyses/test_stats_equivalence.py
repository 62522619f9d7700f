"""workbench.analyses._stats computes exactly what scipy.stats computes (bit for bit), so replacing the
scipy.stats import (about a second per review) changes no result."""
from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from workbench.analyses import _stats


def same(a, b) -> bool:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return a.shape == b.shape and bool(np.all((a == b) | (np.isnan(a) & np.isnan(b))))


def test_distribution_functions():
    rng = np.random.default_rng(7)
    q = np.concatenate([[0.025, 0.975, 0.5, 1e-12, 1 - 1e-12], rng.uniform(0, 1, 500)])
    assert same(_stats.norm_ppf(q), stats.norm.ppf(q))
    assert float(_stats.norm_ppf(0.975)) == float(stats.norm.ppf(0.975))
    z = np.concatenate([[0.0, 1.96, 8.5, 40.0], rng.normal(0, 3, 500)])
    assert same(_stats.norm_sf(np.abs(z)), stats.norm.sf(np.abs(z)))
    n = rng.integers(1, 300, 800).astype(float)
    x = np.floor(rng.uniform(0, 1, 800) * (n + 1))
    x = np.minimum(x, n)
    for alpha in (0.05, 0.1):
        assert same(np.where(x > 0, _stats.beta_ppf(alpha / 2, x, n - x + 1), 0.0),
                    np.where(x > 0, stats.beta.ppf(alpha / 2, x, n - x + 1), 0.0))
        assert same(np.where(x < n, _stats.beta_ppf(1 - alpha / 2, x + 1, n - x), 1.0),
                    np.where(x < n, stats.beta.ppf(1 - alpha / 2, x + 1, n - x), 1.0))
    for target in (0.2, 0.25, 0.3, 0.33):
        assert same(_stats.beta_sf(target, x + 1, n - x + 1), stats.beta.sf(target, x + 1, n - x + 1))
    df = np.concatenate([[1, 2, 3, 10, 100, 1e6, 2.5, 17.37], rng.uniform(1, 500, 300)])
    assert same(_stats.t_ppf(0.975, df), stats.t.ppf(0.975, df))
    for k in range(1, 400):
        assert float(_stats.t_ppf(0.975, k)) == float(stats.t.ppf(0.975, k))


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("seed", range(40))
def test_t_tests_and_regression(seed):
    rng = np.random.default_rng(seed)
    for _ in range(25):
        n1, n2 = int(rng.integers(2, 80)), int(rng.integers(2, 80))
        scale = float(rng.choice([1e-3, 1.0, 10.0, 1e4]))
        a = rng.normal(rng.normal(0, 3), scale, n1)
        b = rng.normal(rng.normal(0, 3), scale, n2)
        if rng.uniform() < 0.2:
            a = np.round(a)
            b = np.round(b)
        assert same(_stats.ttest_ind_welch_pvalue(a, b), stats.ttest_ind(a, b, equal_var=False).pvalue)
        assert same(_stats.ttest_1samp_pvalue(a, 0.0), stats.ttest_1samp(a, 0.0).pvalue)
        d = rng.choice([0.0, 1e6, 3e6, 1e7], n1) if rng.uniform() < 0.5 else rng.uniform(0, 10, n1)
        if len(np.unique(d)) >= 2 and n1 >= 3:
            r1, r2 = _stats.linregress(d, a), stats.linregress(d, a)
            for f in ("slope", "intercept", "rvalue", "pvalue", "stderr", "intercept_stderr"):
                assert same(getattr(r1, f), getattr(r2, f)), f


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_constant_samples():
    a, b = np.array([1.0, 1.0, 1.0]), np.array([2.0, 2.0])
    assert same(_stats.ttest_ind_welch_pvalue(a, b), stats.ttest_ind(a, b, equal_var=False).pvalue)
    assert same(_stats.ttest_1samp_pvalue(np.array([3.0, 3.0, 3.0]), 0.0), stats.ttest_1samp([3.0, 3.0, 3.0], 0.0).pvalue)
