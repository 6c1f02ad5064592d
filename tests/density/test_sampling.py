"""Samples follow the estimated density, for every kernel (KS test, fixed seed)."""

import numpy as np
import pytest
from scipy import integrate, stats

from clusterlab import KernelDensity
from clusterlab.density.kernels import KERNELS


@pytest.mark.parametrize("kernel", sorted(KERNELS))
def test_samples_follow_the_density(kernel):
    rng = np.random.default_rng(0)
    X = np.concatenate([rng.standard_normal(60), 3 + 0.5 * rng.standard_normal(40)])[:, None]
    w = rng.random(100)
    kde = KernelDensity(bandwidth=0.5, kernel=kernel, bandwidth_meaning="std").fit(
        X, sample_weight=w)
    grid = np.linspace(-6, 9, 6001)
    dens = np.exp(kde.score_samples(grid[:, None]))
    cdf = integrate.cumulative_trapezoid(dens, grid, initial=0.0)
    assert cdf[-1] == pytest.approx(1.0, abs=1e-4)
    s = kde.sample(5000, random_state=1)
    res = stats.kstest(s[:, 0], lambda v: np.interp(v, grid, cdf / cdf[-1]))
    assert res.pvalue > 1e-3


@pytest.mark.parametrize("kernel_form", ["radial", "product"])
def test_samples_2d_moments_and_seed(kernel_form, rng):
    X = rng.standard_normal((300, 2)) @ np.array([[1.0, 0.5], [0.0, 1.0]])
    H = np.array([[0.2, 0.1], [0.1, 0.3]])
    kde = KernelDensity(bandwidth=H, kernel="biweight", kernel_form=kernel_form,
                        bandwidth_meaning="std").fit(X)
    s = kde.sample(100_000, random_state=0)
    # the KDE's covariance is the data's (biased) covariance plus H
    np.testing.assert_allclose(np.cov(s.T), np.cov(X.T, bias=True) + H, atol=0.03)
    np.testing.assert_array_equal(kde.sample(3, random_state=5), kde.sample(3, random_state=5))
