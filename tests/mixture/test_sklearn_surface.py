"""GaussianMixture behaviours scikit-learn users rely on (issue 16)."""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture as SkGaussianMixture

from clusterlab import GaussianMixture

COVARIANCES = ["full", "tied", "diag", "spherical"]


def blobs(seed=0, n=300):
    rng = np.random.default_rng(seed)
    return np.vstack([rng.normal(0, 1, (n, 2)), rng.normal(5, 0.7, (n, 2))])


@pytest.mark.parametrize("covariance_type", COVARIANCES)
def test_float32_parameters_stay_float32(covariance_type):
    X = blobs().astype(np.float32)
    gm = GaussianMixture(2, covariance_type=covariance_type, random_state=0).fit(X)
    for name in ("weights_", "means_", "covariances_", "precisions_", "precisions_cholesky_"):
        assert getattr(gm, name).dtype == np.float32, name
    ref = GaussianMixture(2, covariance_type=covariance_type, random_state=0).fit(
        X.astype(np.float64))
    np.testing.assert_allclose(gm.means_, ref.means_, rtol=1e-4, atol=1e-4)


def test_max_iter_zero_returns_initialisation():
    X = blobs()
    means_init = np.array([[1.0, 1.0], [4.0, 4.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        gm = GaussianMixture(2, means_init=means_init, max_iter=0, random_state=0).fit(X)
    sk = SkGaussianMixture(2, means_init=means_init, max_iter=0, random_state=0).fit(X)
    np.testing.assert_allclose(gm.means_, means_init)
    assert gm.n_iter_ == sk.n_iter_ == 0
    assert not gm.converged_ and gm.lower_bound_ == -np.inf
    assert gm.lower_bounds_ == []


@pytest.mark.parametrize("max_iter", [1, 2, 50])
def test_warm_start_converges_across_calls(max_iter):
    X = blobs(1)
    gm = GaussianMixture(2, warm_start=True, max_iter=max_iter, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for _ in range(100):
            gm.fit(X)
            if gm.converged_:
                break
    assert gm.converged_ and gm.n_iter_ <= max_iter
    # a cold fit to the same tolerance reaches the same optimum
    cold = GaussianMixture(2, random_state=0, max_iter=500).fit(X)
    assert gm.lower_bound_ == pytest.approx(cold.lower_bound_, abs=1e-3)


def test_lower_bounds_per_iteration_match_scikit_learn():
    X = blobs(2)
    means_init = np.array([[0.5, 0.0], [4.0, 5.0]])
    gm = GaussianMixture(2, means_init=means_init, tol=1e-8, random_state=0).fit(X)
    sk = SkGaussianMixture(2, means_init=means_init, tol=1e-8, random_state=0).fit(X)
    assert len(gm.lower_bounds_) == gm.n_iter_ == sk.n_iter_
    np.testing.assert_allclose(gm.lower_bounds_, sk.lower_bounds_, rtol=1e-9)
    assert gm.lower_bounds_[-1] == gm.lower_bound_


@pytest.mark.parametrize("covariance_type", COVARIANCES)
def test_degenerate_without_regularisation_raises(covariance_type):
    X = np.vstack([np.ones((5, 5)), np.zeros((5, 5))])
    gm = GaussianMixture(10, reg_covar=0, covariance_type=covariance_type, random_state=0)
    with pytest.raises(ValueError, match="ill-defined empirical covariance"):
        gm.fit(X)
    # regularised: the fit runs and flags the collapse instead
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gm.set_params(reg_covar=1e-6).fit(X)
    assert gm.collapsed_components_.size > 0
