"""FFT grid evaluation against exact evaluation (the second-implementation oracle)."""

import numpy as np
import pytest

from clusterlab import KernelDensity


def _agree(fft, exact, rtol=1e-3):
    mask = exact > 1e-3 * exact.max()
    return np.max(np.abs(fft[mask] - exact[mask]) / exact[mask]) <= rtol


# Kernels smooth enough for linear binning to reach 1e-3; the others have a kink
# (or a jump, tophat) at the support's edge that the grid resolves to O(dx / h).
@pytest.mark.parametrize("kernel", ["gaussian", "exponential", "biweight", "triweight",
                                    "tricube"])
def test_fft_matches_exact_1d(kernel, rng):
    X = np.concatenate([rng.standard_normal(700), 4 + 0.5 * rng.standard_normal(300)])[:, None]
    w = rng.random(1000)
    kde = KernelDensity(bandwidth="silverman_cov", kernel=kernel).fit(X, sample_weight=w)
    g1, d1 = kde.evaluate_grid(2048, method="fft")
    g2, d2 = kde.evaluate_grid(2048, method="exact")
    np.testing.assert_array_equal(g1, g2)
    assert _agree(d1, d2)
    assert d1.sum() * (g1[1] - g1[0]) == pytest.approx(1.0, abs=1e-4)


@pytest.mark.parametrize("kernel", ["epanechnikov", "cosine", "linear"])
def test_fft_kinked_kernels_close(kernel, rng):
    X = rng.standard_normal((1000, 1))
    kde = KernelDensity(bandwidth=0.3, kernel=kernel).fit(X)
    _, d1 = kde.evaluate_grid(4096, method="fft")
    _, d2 = kde.evaluate_grid(4096, method="exact")
    assert _agree(d1, d2, rtol=3e-3)


def test_fft_matches_exact_2d_correlated_bandwidth(rng):
    # Linear binning's relative error grows like (u dx / h)^2 / 8 at u kernel
    # standard deviations; 1e-3 in the sparse tails needs h / dx of about 40.
    X = rng.standard_normal((500, 2)) @ np.array([[1.0, 0.8], [0.0, 0.6]])
    H = 4.0 * KernelDensity(bandwidth="scott_cov").fit(X).bandwidth_matrix_  # full, correlated
    kde = KernelDensity(bandwidth=H).fit(X)
    axes, coarse = kde.evaluate_grid(256)
    dx, dy = axes[0][1] - axes[0][0], axes[1][1] - axes[1][0]
    assert coarse.shape == (256, 256)
    assert coarse.sum() * dx * dy == pytest.approx(1.0, abs=1e-3)
    # a fine window (h / dx ~ 55) reaches 1e-3 everywhere above 1e-3 of the peak
    axes = [np.linspace(-2.5, 2.5, 401)] * 2
    _, d1 = kde.evaluate_grid(axes, method="fft")
    _, d2 = kde.evaluate_grid(axes, method="exact")


def test_fft_matches_exact_3d(rng):
    X = rng.standard_normal((1500, 3))
    kde = KernelDensity(bandwidth=[0.5, 0.4, 0.6]).fit(X)
    axes, coarse = kde.evaluate_grid((48, 40, 44))
    assert coarse.shape == (48, 40, 44)
    cell = np.prod([a[1] - a[0] for a in axes])
    assert coarse.sum() * cell == pytest.approx(1.0, abs=2e-3)
    axes = [np.linspace(-1.0, 1.0, 41), np.linspace(-0.8, 0.8, 41), np.linspace(-1, 1, 31)]
    _, d1 = kde.evaluate_grid(axes)
    _, d2 = kde.evaluate_grid(axes, method="exact")
    assert _agree(d1, d2)


def test_explicit_axes_narrower_than_data(rng):
    # the binning grid is extended (same spacing) to hold every point
    X = rng.standard_normal((3000, 1))
    kde = KernelDensity(bandwidth=0.25).fit(X)
    axis = np.linspace(-0.5, 0.7, 200)
    g, d1 = kde.evaluate_grid([axis], method="fft")
    np.testing.assert_array_equal(g, axis)
    np.testing.assert_allclose(d1, np.exp(kde.score_samples(axis[:, None])), rtol=1e-3)


def test_uneven_axes_use_exact(rng):
    X = rng.standard_normal((100, 1))
    kde = KernelDensity(bandwidth=0.5).fit(X)
    axis = np.array([-1.0, 0.0, 0.3, 2.0])
    _, d = kde.evaluate_grid(axis)
    np.testing.assert_allclose(d, np.exp(kde.score_samples(axis[:, None])), rtol=1e-12)
    with pytest.raises(ValueError, match="evenly spaced"):
        kde.evaluate_grid(axis, method="fft")


@pytest.mark.parametrize("kernel_form", ["radial", "product"])
@pytest.mark.parametrize("kernel", ["gaussian", "exponential", "biweight", "tricube"])
def test_fft_matches_exact_2d_both_forms(kernel, kernel_form, rng):
    X = rng.standard_normal((400, 2)) @ np.array([[1.0, 0.5], [0.0, 0.8]])
    H = np.array([[0.5, 0.2], [0.2, 0.4]])
    kde = KernelDensity(bandwidth=H, kernel=kernel, kernel_form=kernel_form,
                        bandwidth_meaning="std").fit(X)
    axes = [np.linspace(-2.0, 2.0, 161)] * 2
    _, d1 = kde.evaluate_grid(axes, method="fft")
    _, d2 = kde.evaluate_grid(axes, method="exact")
    # the exponential's cusp and tricube's edge resolve to O((dx / h)^2) more slowly
    assert _agree(d1, d2, rtol=1e-2 if kernel in ("exponential", "tricube") else 3e-3)
    axes, coarse = kde.evaluate_grid(200)
    cell = (axes[0][1] - axes[0][0]) * (axes[1][1] - axes[1][0])
    assert coarse.sum() * cell == pytest.approx(1.0, abs=2e-3)
