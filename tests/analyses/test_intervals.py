"""Exact, score and t intervals against published values and independent library calls."""
from __future__ import annotations

import numpy as np
import pytest
from scipy import stats
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

from workbench.analyses._common import clopper_pearson, newcombe_diff, t_summary


@pytest.mark.parametrize("x, n, lo, hi", [
    (0, 3, 0.0, 0.7076),        # classical table value (e.g. Clopper & Pearson 1934; 1 − 0.025^(1/3))
    (1, 6, 0.0042, 0.6412),
    (5, 20, 0.0866, 0.4910),
    # Newcombe RG (1998) Stat Med 17:857, Table I, exact (Clopper–Pearson) method:
    (81, 263, 0.2527, 0.3676),
    (15, 148, 0.0578, 0.1617),
    (0, 20, 0.0, 0.1684),
    (1, 29, 0.0009, 0.1776),
])
def test_clopper_pearson_published(x, n, lo, hi):
    got = clopper_pearson(x, n)
    assert got[0] == pytest.approx(lo, abs=1e-4) and got[1] == pytest.approx(hi, abs=1e-4)
    ref = proportion_confint(x, n, method="beta")
    assert got == pytest.approx(ref, abs=1e-12)


def test_clopper_pearson_closed_form_edges():
    assert clopper_pearson(0, 3)[1] == pytest.approx(1 - 0.025 ** (1 / 3))
    assert clopper_pearson(3, 3) == pytest.approx((0.025 ** (1 / 3), 1.0))
    lo, hi = clopper_pearson(np.array([0, 1]), np.array([0, 2]))
    assert np.isnan(lo[0]) and np.isnan(hi[0]) and not np.isnan(lo[1])


@pytest.mark.parametrize("x1, n1, x2, n2, lo, hi", [
    # Newcombe RG (1998) Stat Med 17:873, Table II, method 10 (hybrid score, no continuity correction)
    (56, 70, 48, 80, 0.0524, 0.3339),
    (9, 10, 3, 10, 0.1705, 0.8090),
    (5, 56, 0, 29, -0.0381, 0.1926),
    (0, 10, 0, 20, -0.1611, 0.2775),
    (10, 10, 0, 10, 0.6075, 1.0000),
])
def test_newcombe_difference(x1, n1, x2, n2, lo, hi):
    d, l_, h_ = newcombe_diff(x1, n1, x2, n2)
    assert float(d) == pytest.approx(x1 / n1 - x2 / n2)
    assert float(l_) == pytest.approx(lo, abs=1e-4) and float(h_) == pytest.approx(hi, abs=1e-4)
    ref = confint_proportions_2indep(x1, n1, x2, n2, method="newcomb", compare="diff")
    assert (float(l_), float(h_)) == pytest.approx(ref, abs=1e-10)


def test_t_summary_against_scipy():
    v = [3.1, -2.0, 4.4, 0.5, 7.2]
    s = t_summary(v)
    lo, hi = stats.t.interval(0.95, len(v) - 1, loc=np.mean(v), scale=stats.sem(v))
    assert (s.ci_low, s.ci_high) == pytest.approx((lo, hi))
    assert s.sd == pytest.approx(np.std(v, ddof=1)) and s.n == 5
    assert t_summary([1.0]).ci_low is None and t_summary([]).n == 0
