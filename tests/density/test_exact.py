"""Exact evaluation of our product kernels against brute force, scipy and scikit-learn."""

import math

import numpy as np
import pytest
from scipy.stats import gaussian_kde
from sklearn.neighbors import KernelDensity as SkKDE

from clusterlab import KernelDensity
from clusterlab.density.kernels import KERNELS

# Independent float64 formulas of each unit-variance 1-D kernel (written out here,
# not taken from the library).
_C = 1.0 - 8.0 / math.pi**2
_FORMULAS = {
    "gaussian": lambda u: np.exp(-0.5 * u * u) / math.sqrt(2 * math.pi),
    "exponential": lambda u: np.exp(-math.sqrt(2) * np.abs(u)) / math.sqrt(2),
    "tophat": lambda u: np.where(np.abs(u) < math.sqrt(3), 1 / (2 * math.sqrt(3)), 0.0),
    "epanechnikov": lambda u: np.clip(0.75 * (1 - u * u / 5), 0, None) / math.sqrt(5),
    "linear": lambda u: np.clip(1 - np.abs(u) / math.sqrt(6), 0, None) / math.sqrt(6),
    "cosine": lambda u: np.where(
        np.abs(u * math.sqrt(_C)) < 1,
        math.pi / 4 * np.cos(math.pi / 2 * u * math.sqrt(_C)), 0.0) * math.sqrt(_C),
    "biweight": lambda u: 15 / 16 * np.clip(1 - u * u / 7, 0, None) ** 2 / math.sqrt(7),
    "triweight": lambda u: 35 / 32 * np.clip(1 - u * u / 9, 0, None) ** 3 / 3,
    "tricube": lambda u: 70 / 81 * np.clip(1 - (np.abs(u) / math.sqrt(243 / 35)) ** 3,
                                           0, None) ** 3 / math.sqrt(243 / 35),
}


def brute_force(X, w, H, kernel, Q):
    L = np.linalg.cholesky(H)
    Linv = np.linalg.inv(L)
    out = np.empty(len(Q))
    for i, q in enumerate(Q):
        U = (q - X) @ Linv.T
        out[i] = np.sum(w * np.prod(_FORMULAS[kernel](U), axis=1))
    return out / (w.sum() * np.linalg.det(L))


@pytest.mark.parametrize("kernel", sorted(KERNELS))
@pytest.mark.parametrize("d", [1, 3])
def test_equals_brute_force(kernel, d, rng):
    X = rng.standard_normal((300, d))
    w = rng.random(300)
    A = rng.standard_normal((d, d))
    H = 0.2 * (A @ A.T + d * np.eye(d)) / d
    Q = np.concatenate([X[:20] + 0.05, rng.standard_normal((20, d))])
    kde = KernelDensity(bandwidth=H, kernel=kernel, kernel_form="product",
                        bandwidth_meaning="std").fit(X, sample_weight=w)
    ref = brute_force(X, w, H, kernel, Q)
    got = np.exp(kde.score_samples(Q))
    pos = ref > 0
    np.testing.assert_allclose(got[pos], ref[pos], rtol=1e-10)
    assert np.all(got[~pos] == 0.0)


def test_matches_scipy_gaussian_kde_full_matrix(rng):
    X = rng.standard_normal((400, 3)) @ np.array([[1, 0.6, 0], [0, 1, 0.3], [0, 0, 0.5]])
    w = rng.random(400)
    sk = gaussian_kde(X.T, weights=w)
    kde = KernelDensity(bandwidth=sk.covariance).fit(X, sample_weight=w)
    Q = rng.standard_normal((100, 3)) * 1.5
    np.testing.assert_allclose(kde.score_samples(Q), sk.logpdf(Q.T), rtol=1e-10)
    # the "scott_cov" rule is scipy's rule, weighted covariance and Kish n_eff included
    auto = KernelDensity(bandwidth="scott_cov").fit(X, sample_weight=w)
    np.testing.assert_allclose(auto.bandwidth_matrix_, sk.covariance, rtol=1e-12)
    np.testing.assert_allclose(auto.score_samples(Q), sk.logpdf(Q.T), rtol=1e-10)


@pytest.mark.parametrize("kernel", ["gaussian", "epanechnikov", "tophat", "linear",
                                    "exponential", "cosine"])
def test_matches_sklearn_1d(kernel, rng):
    # scikit-learn's bandwidth is the support radius (compact kernels), the scale
    # of exp(-|u|/h) or the gaussian's sigma; with bandwidth_meaning="std" ours is the
    # standard deviation.
    X = rng.standard_normal((200, 1))
    h = 0.4
    k = KERNELS[kernel]
    h_sk = {"gaussian": h, "exponential": h / math.sqrt(2)}.get(kernel, h * k.radius)
    ours = KernelDensity(bandwidth=h, kernel=kernel, bandwidth_meaning="std").fit(X)
    sk = SkKDE(bandwidth=h_sk, kernel=kernel, rtol=0, atol=0).fit(X)
    Q = np.linspace(-2.5, 2.5, 41)[:, None]
    ref = sk.score_samples(Q)
    fin = np.isfinite(ref)
    np.testing.assert_allclose(ours.score_samples(Q)[fin], ref[fin], rtol=1e-8)
    same = KernelDensity(bandwidth=h_sk, kernel=kernel).fit(X)  # the default: a scale
    np.testing.assert_allclose(same.score_samples(Q)[fin], ref[fin], rtol=1e-10)


def test_weights_equal_repeated_rows(rng):
    X = rng.standard_normal((50, 2))
    counts = rng.integers(0, 4, 50)
    counts[0] = 1
    Q = rng.standard_normal((30, 2))
    for kernel in ("gaussian", "biweight"):
        a = KernelDensity(bandwidth=[0.4, 0.7], kernel=kernel).fit(X, sample_weight=counts)
        b = KernelDensity(bandwidth=[0.4, 0.7], kernel=kernel).fit(np.repeat(X, counts, 0))
        np.testing.assert_allclose(a.score_samples(Q), b.score_samples(Q), rtol=1e-12)


def test_far_queries_do_not_underflow():
    # a single gaussian kernel: the log-density is analytic even 100 sigma away
    kde = KernelDensity(bandwidth=0.5).fit(np.zeros((1, 1)))
    q = np.array([[50.0], [0.3]])
    ref = -0.5 * (q[:, 0] / 0.5) ** 2 - math.log(0.5 * math.sqrt(2 * math.pi))
    np.testing.assert_allclose(kde.score_samples(q), ref, rtol=1e-12)
    kde = KernelDensity(bandwidth=0.5, kernel="exponential", kernel_form="product",
                        bandwidth_meaning="std").fit(np.zeros((1, 2)))
    ref = -math.sqrt(2) * 400 / 0.5 - 2 * math.log(math.sqrt(2) * 0.5)
    np.testing.assert_allclose(kde.score_samples([[200.0, -200.0]]), [ref], rtol=1e-12)
    # radial exponential exp(-|x| / h) / (2 pi h^2) in 2-D
    kde = KernelDensity(bandwidth=0.5, kernel="exponential").fit(np.zeros((1, 2)))
    ref = -math.hypot(200.0, 200.0) / 0.5 - math.log(2 * math.pi * 0.25)
    np.testing.assert_allclose(kde.score_samples([[200.0, -200.0]]), [ref], rtol=1e-12)


def test_chunking_does_not_change_results(rng, monkeypatch):
    import clusterlab.density._exact as ex

    X = rng.standard_normal((100, 2))
    Q = rng.standard_normal((3000, 2))
    kde = KernelDensity(bandwidth=0.3).fit(X)
    full = kde.score_samples(Q)
    monkeypatch.setattr(ex, "chunk_rows", lambda n, b, minimum=1: 7)
    np.testing.assert_allclose(KernelDensity(bandwidth=0.3).fit(X).score_samples(Q), full,
                               rtol=1e-13)


def test_score_and_float32(rng):
    X = rng.standard_normal((100, 2)).astype(np.float32)
    kde = KernelDensity(bandwidth=0.5).fit(X)
    assert kde.data_.dtype == np.float32
    assert kde.score(X) == pytest.approx(kde.score_samples(X).sum())  # scikit-learn's sum
