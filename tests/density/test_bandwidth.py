"""Bandwidth rules: scipy's Scott/Silverman (scott_cov, silverman_cov), Botev's ISJ, likelihood
cross-validation."""

import math

import numpy as np
import pytest
from scipy.stats import gaussian_kde

from clusterlab import KernelDensity
from clusterlab.density.bandwidth import isj_bandwidth


def test_silverman_matches_scipy(rng):
    X = rng.standard_normal((300, 2)) * [1.0, 5.0]
    sk = gaussian_kde(X.T, bw_method="silverman")
    kde = KernelDensity(bandwidth="silverman_cov").fit(X)
    np.testing.assert_allclose(kde.bandwidth_matrix_, sk.covariance, rtol=1e-12)


def test_rules_scale_with_the_data(rng):
    # scikit-learn's #26658: a rule must follow the data's scale
    x = rng.standard_normal((500, 1))
    for rule in ("scott_cov", "silverman_cov", "isj", "cv"):
        a = KernelDensity(bandwidth=rule).fit(x).bandwidth_[0]
        b = KernelDensity(bandwidth=rule).fit(1000.0 * x).bandwidth_[0]
        assert b == pytest.approx(1000.0 * a, rel=1e-3 if rule == "cv" else 1e-9), rule


def test_isj_scale_and_shift_equivariant(rng):
    x = rng.standard_normal(5000) ** 3
    h = isj_bandwidth(x)
    assert isj_bandwidth(7.5 * x) == pytest.approx(7.5 * h, rel=1e-9)
    assert isj_bandwidth(-0.01 * x + 3.0) == pytest.approx(0.01 * h, rel=1e-7)


@pytest.mark.parametrize("n", [100_000, 200_000])
def test_isj_normal_optimum(n):
    # AMISE-optimal gaussian bandwidth for normal data: (4/3)^(1/5) sigma n^(-1/5).
    # (KDEpy's ISJ gives about half of it at n = 200,000: it rescales by the
    # data's range instead of the padded grid's, its issues #199 and #201.)
    x = np.random.default_rng(0).standard_normal(n) * 2.5
    optimum = 1.0592 * 2.5 * n ** (-0.2)
    assert isj_bandwidth(x) == pytest.approx(optimum, rel=0.05)


def test_isj_bimodal_smaller_than_normal_reference(rng):
    # ISJ resolves structure that a normal-reference rule over-smooths
    x = np.concatenate([rng.standard_normal(5000), 8 + rng.standard_normal(5000)])[:, None]
    isj = KernelDensity(bandwidth="isj").fit(x).bandwidth_[0]
    silverman = KernelDensity(bandwidth="silverman_cov").fit(x).bandwidth_[0]
    # AMISE optimum of 0.5 N(0, 1) + 0.5 N(8, 1): R(f'') is half a normal's
    optimum = 1.0592 * 10_000 ** (-0.2) * 2 ** 0.2
    assert isj < 0.5 * silverman
    assert isj == pytest.approx(optimum, rel=0.1)


def test_isj_per_dimension(rng):
    X = rng.standard_normal((20_000, 2)) * [1.0, 3.0]
    kde = KernelDensity(bandwidth="isj").fit(X)
    H = kde.bandwidth_matrix_
    assert H[0, 1] == 0.0
    assert H[0, 0] == pytest.approx(isj_bandwidth(X[:, 0]) ** 2, rel=1e-12)
    assert kde.bandwidth_[1] / kde.bandwidth_[0] == pytest.approx(3.0, rel=0.15)


def test_cv_near_optimum_and_maximises_loo_likelihood(rng):
    x = rng.standard_normal((800, 1))
    kde = KernelDensity(bandwidth="cv").fit(x)
    h = kde.bandwidth_[0]
    assert 0.5 * 1.0592 * 800 ** -0.2 < h < 2.0 * 1.0592 * 800 ** -0.2

    def loo(hh):  # brute-force leave-one-out log-likelihood
        d = (x - x.T) / hh
        k = np.exp(-0.5 * d * d) / (hh * math.sqrt(2 * math.pi))
        np.fill_diagonal(k, 0.0)
        return np.log(k.sum(1) / (len(x) - 1)).sum()

    assert loo(h) >= max(loo(0.8 * h), loo(1.25 * h))


@pytest.mark.parametrize("kernel_form", ["radial", "product"])
def test_data_rules_give_a_standard_deviation_under_either_meaning(kernel_form, rng):
    # scipy's rule sets the kernel's standard deviation; "scale" reports it as a scale
    X = rng.standard_normal((300, 2))
    std = KernelDensity(bandwidth="scott_cov", kernel="epanechnikov", kernel_form=kernel_form,
                        bandwidth_meaning="std").fit(X)
    scale = KernelDensity(bandwidth="scott_cov", kernel="epanechnikov",
                          kernel_form=kernel_form).fit(X)
    var = 1 / 6 if kernel_form == "radial" else 1 / 5  # unit-scale variance per axis, d = 2
    np.testing.assert_allclose(scale.bandwidth_matrix_ * var, std.bandwidth_matrix_,
                               rtol=1e-12)
    np.testing.assert_allclose(scale.score_samples(X), std.score_samples(X), rtol=1e-12)
