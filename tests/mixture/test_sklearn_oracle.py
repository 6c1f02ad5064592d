"""GaussianMixture against scikit-learn from the same initial parameters.

scikit-learn's ``lower_bound_`` after ``max_iter=i`` (tol=0) is the mean
log-likelihood of the i-th E-step; ours records the same value per iteration
in ``history_["log_likelihood"]``.
"""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.datasets import make_blobs
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture as SkGM

from clusterlab import GaussianMixture
from clusterlab.datasets import load_faithful

TYPES = ["full", "tied", "diag", "spherical"]
N_ITER = 12


def _blobs():
    return make_blobs(400, 3, centers=4, cluster_std=[1.0, 2.0, 0.5, 1.5], random_state=0)[0]


DATA = {"blobs": _blobs, "faithful": load_faithful}


def _sk_start(X, k, kind):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        sk = SkGM(k, covariance_type=kind, max_iter=1, random_state=0).fit(X)
    return {"weights_init": sk.weights_, "means_init": sk.means_,
            "precisions_init": sk.precisions_}


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("data", list(DATA))
@pytest.mark.parametrize("kind", TYPES)
def test_log_likelihood_per_iteration_matches_sklearn(data, kind):
    X = DATA[data]()
    start = _sk_start(X, 4, kind)
    ours = GaussianMixture(4, covariance_type=kind, max_iter=N_ITER, tol=0, **start).fit(X)
    ref = [SkGM(4, covariance_type=kind, max_iter=i, tol=0, **start).fit(X).lower_bound_
           for i in range(1, N_ITER + 1)]
    assert_allclose(ours.history_["log_likelihood"], ref, rtol=1e-6)
    final = SkGM(4, covariance_type=kind, max_iter=N_ITER, tol=0, **start).fit(X)
    assert_allclose(ours.means_, final.means_, rtol=1e-6, atol=1e-8)
    assert_allclose(ours.covariances_, final.covariances_, rtol=1e-6, atol=1e-8)
    assert_allclose(ours.precisions_, final.precisions_, rtol=1e-5, atol=1e-8)
    assert_allclose(ours.weights_, final.weights_, rtol=1e-6)
    # the methods of a fitted model agree too
    assert_allclose(ours.score_samples(X), final.score_samples(X), rtol=1e-9)
    assert_allclose(ours.predict_proba(X), final.predict_proba(X), atol=1e-9)
    assert_allclose(ours.bic(X), final.bic(X), rtol=1e-9)
    assert_allclose(ours.aic(X), final.aic(X), rtol=1e-9)
    assert ours.n_parameters_ == final._n_parameters()


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_precision_cholesky_and_convergence_flags_match_sklearn():
    X = _blobs()
    start = _sk_start(X, 3, "full")
    ours = GaussianMixture(3, tol=1e-4, max_iter=200, stopping="absolute", **start).fit(X)
    ref = SkGM(3, tol=1e-4, max_iter=200, **start).fit(X)
    assert ours.n_iter_ == ref.n_iter_ and ours.converged_ == ref.converged_
    assert_allclose(ours.lower_bound_, ref.lower_bound_, rtol=1e-9)
    P = ours.precisions_cholesky_
    assert_allclose(P @ np.swapaxes(P, 1, 2), ref.precisions_, rtol=1e-6)
