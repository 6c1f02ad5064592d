"""E-step kernels against NumPy/SciPy brute force."""

import numpy as np
import pytest
from scipy.special import logsumexp

from clusterlab._kernels.estep import diag_statistics, normalize_rows
from clusterlab._kernels.vexp import exp_neg_block


def test_vectorised_exp_matches_numpy():
    g = np.concatenate([np.linspace(0, 50, 4001), [700.0, 707.9, 708.5, 1e4, np.inf]])
    out, tmp = np.empty_like(g), np.empty_like(g)
    exp_neg_block(g, out, tmp, g.size)
    ok = g <= 708
    np.testing.assert_allclose(out[ok], np.exp(-g[ok]), rtol=4e-16, atol=0)
    assert np.all(out[~ok] == 0.0)


@pytest.mark.parametrize("hard", [False, True])
def test_normalize_rows_matches_logsumexp(hard):
    rng = np.random.default_rng(0)
    logp = rng.normal(scale=30.0, size=(101, 7))  # not a multiple of the row block
    logp[3, 2] = -np.inf
    logp[5] = -np.inf  # a row no component can produce
    ref = logp.copy()
    log_norm, elbo = np.empty(101), np.empty(101)
    normalize_rows(logp, hard, log_norm, elbo)
    ok = np.arange(101) != 5
    np.testing.assert_allclose(log_norm[ok], logsumexp(ref[ok], axis=1), rtol=1e-14)
    if hard:
        expected = np.eye(7)[np.argmax(ref[ok], axis=1)]
        np.testing.assert_array_equal(logp[ok], expected)
        np.testing.assert_array_equal(elbo[ok], ref[ok].max(axis=1))
    else:
        expected = np.exp(ref[ok] - logsumexp(ref[ok], axis=1, keepdims=True))
        np.testing.assert_allclose(logp[ok], expected, rtol=1e-13, atol=1e-300)
        np.testing.assert_array_equal(elbo, log_norm)
    assert log_norm[5] == -np.inf and np.allclose(logp[5], 1 / 7)


@pytest.mark.parametrize("n", [1, 7, 8, 203])
def test_diag_statistics_matches_numpy(n):
    # blocks of 8 rows plus a short last block; zero weights and responsibilities included
    rng = np.random.default_rng(n)
    X = rng.normal(size=(n, 5)) + 100.0
    resp = rng.dirichlet(np.ones(3), size=n)
    resp[::3, 1] = 0.0
    w = rng.integers(0, 3, size=n).astype(float)
    shift = X.mean(axis=0)
    counts, moments = np.empty(3), np.empty((3, 10))
    diag_statistics(X, resp, w, shift, counts, moments)
    wr = resp * w[:, None]
    Y = X - shift
    np.testing.assert_allclose(counts, wr.sum(axis=0), rtol=1e-12)
    np.testing.assert_allclose(moments, wr.T @ np.hstack([Y, Y**2]), rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("covariance_type", ["diag", "spherical"])
@pytest.mark.parametrize("hard", [False, True])
def test_fused_diag_estep_equals_the_composed_one(covariance_type, hard, monkeypatch):
    # chunks of 150 rows: pieces of 64 plus a short one
    from clusterlab.mixture._em import e_pass
    from clusterlab.mixture.families import Gaussian

    rng = np.random.default_rng(3)
    X = rng.normal(size=(400, 3)) * [1.0, 5.0, 0.1] + 50.0
    w = rng.uniform(0.0, 2.0, 400)
    fam = Gaussian(covariance_type)
    resp = rng.dirichlet(np.ones(4), size=400)
    params = fam.m_step(fam.statistics(X, resp, w))
    log_w = np.log(rng.dirichlet(np.ones(4)))
    fused = e_pass(X, w, fam, params, log_w, hard=hard, rows=150)
    monkeypatch.setattr(Gaussian, "fused_estep", lambda *args: None)
    composed = e_pass(X, w, fam, params, log_w, hard=hard, rows=150)
    for key in ("n", "mean", "m2"):
        np.testing.assert_allclose(fused[0][key], composed[0][key], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(fused[1], composed[1], rtol=1e-12)
    np.testing.assert_allclose(fused[2:], composed[2:], rtol=1e-12)
