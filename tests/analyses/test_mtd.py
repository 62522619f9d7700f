"""MTD selection reproduces R BOIN ``select.mtd`` (defaults: cutoff.eli = 0.95, no extrasafe, no boundMTD).

Each case cites its source. Hand computations use
    elimination:  P(p > target | Beta(y+1, n-y+1)) > 0.95 with n >= 3,
    estimate:     p̂ = (y+.05)/(n+.1), var = (y+.05)(n-y+.05)/((n+.1)²(n+1.1)), PAVA with weights 1/var,
    selection:    p̂_k + k·1e-10, closest to target.
"""
from __future__ import annotations

import numpy as np
import pytest

from workbench.analyses.dlt import isotonic_estimates, overdose_probability, pava, select_mtd

CASES = [
    # (1) BOIN R package manual, example of select.mtd (also Yan et al. 2020, J Stat Softw 94(13), p.15):
    #     n <- c(3, 3, 15, 9, 0); y <- c(0, 0, 4, 4, 0); select.mtd(target = 0.3, npts = n, ntox = y) -> MTD 3.
    #     p̂ = .0161, .0161, .2682, .4451 (monotone, PAVA leaves it); |p̂ − .3| smallest at dose 3 (.0318).
    pytest.param((3, 3, 15, 9, 0), (0, 0, 4, 4, 0), 0.3, 3, id="boin-manual"),
    # (2) analyses.md reference case, from the escalation R package tests (Brock 2021,
    #     tests/testthat/test_select_boin_mtd.R, outcomes '2NNT 5TTT'): dose 5 with 3/3 has
    #     P(p > .3) = 1 − .3⁴ = .9919 > .95 -> eliminated; only dose 2 (1/3) is treated and admissible -> 2.
    pytest.param((0, 3, 0, 0, 3), (0, 1, 0, 0, 3), 0.3, 2, id="escalation-2NNT-5TTT"),
    # (3) analyses.md reference case: 3/3 at the lowest dose, P = .9919 > .95 -> all doses eliminated -> no MTD.
    pytest.param((3, 0, 0, 0, 0), (3, 0, 0, 0, 0), 0.3, None, id="lowest-dose-too-toxic"),
    # (4) escalation R package tests (Brock 2021, test_select_boin_mtd.R, outcomes '1NNN 2NTT', BOIN
    #     select.mtd when = 'finally' recommends dose 1): dose 2 with 2/3 has P(p > .3 | Beta(3, 2)) =
    #     1 − .3³(4 − 3·.3) = .9163 <= .95, kept; p̂ = .0161, .6613; distances .2839 vs .3613 -> dose 1.
    pytest.param((3, 3, 0, 0, 0), (0, 2, 0, 0, 0), 0.3, 1, id="escalation-1NNN-2NTT"),
    # (5) hand computation, tie below target -> higher dose (the manual: "select from the ties the highest
    #     dose level when the estimate is smaller than the target"):
    #     n = (6, 6), y = (2, 1): p̂ = 2.05/6.1 = .3361 > 1.05/6.1 = .1721 violates monotonicity; weights ∝
    #     1/(2.05·4.05) = .12044 and 1/(1.05·5.05) = .18859; pooled (.12044·.3361 + .18859·.1721)/.30903 = .2360
    #     at both doses; + 1e-10, 2e-10 -> dose 2 is closer to .3 -> MTD 2.
    pytest.param((6, 6), (2, 1), 0.3, 2, id="hand-tie-below-target"),
    # (6) hand computation, tie above target -> lower dose: target .25, n = (6, 6), y = (3, 2):
    #     P(p > .25 | Beta(4, 4)) = 1 − P(Bin(7, .25) >= 4) = 1 − .0706 = .9294 <= .95 (kept);
    #     p̂ = .5000, .3361 pooled with weights 1/(3.05²), 1/(2.05·4.05) -> .4134 at both; the +k·1e-10 makes
    #     dose 1 closer -> MTD 1.
    pytest.param((6, 6), (3, 2), 0.25, 1, id="hand-tie-above-target"),
    # (7) hand computation from the select.mtd source (`sum(n[elimi == 0]) == 0` -> 99): dose 2 with 3/3 is
    #     eliminated, dose 1 is admissible but untreated -> no MTD.
    pytest.param((0, 3), (0, 3), 0.3, None, id="hand-admissible-untreated"),
    # (8) hand computation, elimination removes every higher dose: dose 2 with 5/6 has
    #     P(p > .3 | Beta(6, 2)) = 1 − (7·.3⁶·.7 + .3⁷) = .9962 > .95 -> doses 2 and 3 eliminated even though
    #     dose 3 is 0/3 -> only dose 1 remains -> MTD 1.
    pytest.param((3, 6, 3), (0, 5, 0), 0.3, 1, id="hand-elimination-cascades"),
]


@pytest.mark.parametrize("n, y, target, expected", CASES)
def test_select_mtd_matches_boin(n, y, target, expected):
    assert select_mtd(n, y, target).mtd == expected


def test_manual_example_isotonic_estimates():
    # BOIN manual example: phat.all printed by summary(selmtd) as 0.02, 0.02, 0.27, 0.45, ----
    sel = select_mtd((3, 3, 15, 9, 0), (0, 0, 4, 4, 0), 0.3)
    assert [None if v is None else round(v, 2) for v in sel.isotonic] == [0.02, 0.02, 0.27, 0.45, None]
    assert sel.index == 2 and not sel.all_too_toxic and sel.reason_code is None


def test_all_too_toxic_flags_and_reason():
    sel = select_mtd((3, 0, 0, 0, 0), (3, 0, 0, 0, 0), 0.3)
    assert sel.all_too_toxic and sel.eliminated == (True,) * 5 and sel.reason_code == "all_too_toxic"


def test_elimination_posterior_values():
    # Beta(4, 1): P(p > .3) = 1 − .3⁴ ; Beta(1, 4): P(p > .3) = .7⁴
    p = overdose_probability([3, 3], [3, 0], 0.3)
    assert p[0] == pytest.approx(1 - 0.3 ** 4) and p[1] == pytest.approx(0.7 ** 4)


def test_pava_weighted_pooling():
    assert pava([1.0, 3.0, 2.0, 4.0]).tolist() == [1.0, 2.5, 2.5, 4.0]
    # weighted: (3·1 + 1·3)/(1 + 3) = 1.5 for the violating pair (3, 1) with weights (1, 3)
    assert pava([3.0, 1.0], [1.0, 3.0]).tolist() == [1.5, 1.5]
    # a pooled block that then violates with its left neighbour is pooled again
    assert pava([2.0, 3.0, 0.0]).tolist() == pytest.approx([5 / 3] * 3)


def test_isotonic_skips_untreated_doses():
    iso = isotonic_estimates([3, 0, 3], [2, 0, 0])
    assert np.isnan(iso[1]) and iso[0] == pytest.approx(iso[2])


def test_invalid_input_rejected():
    with pytest.raises(ValueError):
        select_mtd([3, 3], [4, 0], 0.3)
