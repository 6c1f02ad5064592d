"""general_em with the ready-made step sets: Gaussian and Bernoulli mixtures equal the
estimators, factor analysis equals scikit-learn's, a mixture of regressions recovers its
lines, and a wrong M-step is caught."""

import re
import warnings

import numpy as np
import pytest
from scipy.stats import multivariate_normal
from sklearn.decomposition import FactorAnalysis

from clusterlab import (
    MixtureModel,
    bmm_e_step,
    bmm_elbo,
    bmm_initialize,
    bmm_m_step,
    em_mog,
    fa_e_step,
    fa_elbo,
    fa_initialize,
    fa_m_step,
    general_em,
    gmm_e_step,
    gmm_elbo,
    gmm_initialize,
    gmm_m_step,
    mixreg_e_step,
    mixreg_elbo,
    mixreg_initialize,
    mixreg_m_step,
)
from clusterlab.datasets import load_faithful, load_iris, load_mnist_test
from clusterlab.functional import ElboDecreaseWarning


@pytest.mark.parametrize("init", ["kmeans", "random"])
def test_gaussian_steps_equal_em_mog(init):
    """From the same start, general_em with the Gaussian steps is em_mog."""
    X = load_iris()[0]
    start = gmm_initialize(X, 3, init_method=init, random_state=2)
    phi, mu, sigma, w, logliks, _ = em_mog(
        X, 3, max_iters=500, tol=1e-8, init_method=(start["phi"], start["mu"], start["Sigma"]))
    params, Q, elbos, n_iters = general_em(X, start, gmm_e_step, gmm_m_step, max_iters=500,
                                           tol=1e-8)
    assert n_iters == logliks.size
    np.testing.assert_allclose(elbos, logliks, rtol=0, atol=1e-10)
    np.testing.assert_allclose(params["phi"], phi, rtol=0, atol=1e-10)
    np.testing.assert_allclose(params["mu"], mu, rtol=0, atol=1e-9)
    np.testing.assert_allclose(params["Sigma"], sigma, rtol=0, atol=1e-9)
    np.testing.assert_allclose(Q, w, rtol=0, atol=1e-10)


def test_elbo_functions_agree_with_the_e_steps():
    """At the posterior the ELBO equals the E-step's value; any other Q gives less."""
    X = load_faithful()
    params = gmm_initialize(X, 2, random_state=0)
    Q, elbo = gmm_e_step(X, params)
    assert gmm_elbo(X, params, Q) == pytest.approx(elbo, abs=1e-10)
    assert gmm_elbo(X, params, np.full_like(Q, 0.5)) < elbo - 1e-3
    # elbo_fn instead of a (Q, elbo) pair gives the same run
    a = general_em(X, params, gmm_e_step, gmm_m_step, max_iters=20)
    b = general_em(X, params, lambda X, p: gmm_e_step(X, p)[0], gmm_m_step, elbo_fn=gmm_elbo,
                   max_iters=20)
    np.testing.assert_allclose(a[2], b[2], rtol=0, atol=1e-10)


def test_bernoulli_steps_equal_mixture_model():
    images, _ = load_mnist_test()
    X = (images[:600].reshape(600, -1) > 127).astype(np.float64)
    start = bmm_initialize(X, 5, random_state=0)
    mm = MixtureModel(5, family="bernoulli", params_init={"probs": start["p"]},
                      weights_init=start["phi"], max_iter=30, tol=1e-6)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # 30 iterations need not converge
        mm.fit(X)
    params, Q, elbos, n_iters = general_em(X, start, bmm_e_step, bmm_m_step, max_iters=30,
                                           tol=1e-6)
    np.testing.assert_allclose(elbos, mm.history_["log_likelihood"].to_numpy(),
                               rtol=0, atol=1e-8)
    np.testing.assert_allclose(params["p"], mm.probs_, rtol=0, atol=1e-8)
    np.testing.assert_allclose(params["phi"], mm.weights_, rtol=0, atol=1e-10)
    assert bmm_elbo(X, params, Q) == pytest.approx(bmm_e_step(X, params)[1], abs=1e-9)


def _factor_data(n=2000, seed=0):
    rng = np.random.default_rng(seed)
    L = rng.normal(size=(6, 2))
    psi = rng.uniform(0.2, 1.0, size=6)
    Z = rng.normal(size=(n, 2))
    return Z @ L.T + rng.normal(size=(n, 6)) * np.sqrt(psi) + rng.normal(size=6) * 5


@pytest.mark.parametrize("seed", [0, 1])
def test_factor_analysis_matches_scikit_learn(seed):
    X, q = _factor_data(seed=seed), 2
    params, Q, elbos, _ = general_em(X, fa_initialize(X, q), fa_e_step, fa_m_step,
                                     max_iters=5000, tol=1e-12)
    sk = FactorAnalysis(q, tol=1e-12, max_iter=5000, svd_method="lapack").fit(X)
    cov = params["L"] @ params["L"].T + np.diag(params["psi"])
    np.testing.assert_allclose(cov, sk.get_covariance(), rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(params["psi"], sk.noise_variance_, rtol=1e-3, atol=1e-5)
    # the likelihood (loadings are unique only up to rotation)
    assert elbos[-1] == pytest.approx(sk.score(X), abs=1e-6)
    exact = multivariate_normal(params["mu"], cov).logpdf(X).mean()
    assert fa_e_step(X, params)[1] == pytest.approx(exact, abs=1e-9)
    assert fa_elbo(X, params, Q) == pytest.approx(exact, abs=1e-9)
    assert np.all(np.diff(elbos) >= -1e-10)


def test_mixture_of_regressions_recovers_the_lines():
    rng = np.random.default_rng(0)
    n = 600
    x = rng.uniform(-3, 3, size=(n, 2))
    z = rng.random(n) < 0.4
    true = np.array([[1.0, 2.0, -1.0], [3.0, -1.5, 0.5]])  # intercept, slopes
    y = np.where(z, true[0, 0] + x @ true[0, 1:], true[1, 0] + x @ true[1, 1:])
    y = y + rng.normal(scale=0.3, size=n)
    runs = [general_em((x, y), mixreg_initialize((x, y), 2, random_state=s), mixreg_e_step,
                       mixreg_m_step, max_iters=300, tol=1e-10) for s in range(3)]
    params, Q, elbos, _ = max(runs, key=lambda r: r[2][-1])
    order = np.argsort(params["beta"][:, 0])
    np.testing.assert_allclose(params["beta"][order], true, atol=0.1)
    np.testing.assert_allclose(np.sqrt(params["sigma2"]), 0.3, atol=0.05)
    np.testing.assert_allclose(params["phi"][order], [0.4, 0.6], atol=0.05)
    assert mixreg_elbo((x, y), params, Q) == pytest.approx(
        mixreg_e_step((x, y), params)[1], abs=1e-10)
    assert np.all(np.diff(elbos) >= -1e-10)


def test_wrong_m_step_warns_with_the_iteration():
    X = load_faithful()
    calls = []

    def wrong_m_step(X, Q):
        params = gmm_m_step(X, Q)
        calls.append(1)
        if len(calls) == 3:  # the third M-step moves the means off: iteration 4 drops
            params["mu"] = params["mu"] + 10.0
        return params

    with pytest.warns(ElboDecreaseWarning, match="iteration 4 by") as record:
        _, _, elbos, _ = general_em(X, gmm_initialize(X, 2, random_state=0), gmm_e_step,
                                    wrong_m_step, max_iters=8)
    drop = float(re.search(r"by ([0-9.e+-]+)", str(record[0].message)).group(1))
    assert drop == pytest.approx(elbos[2] - elbos[3], rel=1e-5)
    assert len(record) == 1


def test_correct_steps_do_not_warn():
    X = load_faithful()
    with warnings.catch_warnings():
        warnings.simplefilter("error", ElboDecreaseWarning)
        general_em(X, gmm_initialize(X, 3, random_state=0), gmm_e_step, gmm_m_step,
                   max_iters=200, tol=0)
