"""k-means is the limit of a Gaussian mixture.

Hard EM with a shared, fixed spherical variance and equal fixed weights is
Lloyd's algorithm; soft EM converges to it as that variance shrinks.
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import make_blobs

from clusterlab import GaussianMixture, KMeans
from clusterlab.mixture.families import FixedSpherical

K = 4


@pytest.fixture(scope="module")
def data():
    X, _ = make_blobs(600, 2, centers=K, cluster_std=1.2, random_state=3)
    start = X[np.random.default_rng(0).choice(X.shape[0], K, replace=False)]
    return X, start


def _em(start, variance, algorithm, max_iter):
    return GaussianMixture(
        K, covariance_type=FixedSpherical(variance), algorithm=algorithm, learn_weights=False,
        weights_init=np.full(K, 1.0 / K), means_init=start,
        precisions_init=np.full(K, 1.0 / variance), max_iter=max_iter, tol=1e-12,
    )


def test_one_lloyd_step_is_one_hard_em_step(data):
    X, start = data
    km = KMeans(K, init=start, n_init=1, max_iter=1).fit(X)
    gm = _em(start, 1.0, "hard", 1)
    with pytest.warns(Warning):  # one iteration cannot report convergence
        gm.fit(X)
    assert_allclose(gm.means_, km.cluster_centers_, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("variance", [1e-3, 1.0, 50.0])
def test_hard_em_with_fixed_variance_reproduces_kmeans(data, variance):
    X, start = data
    km = KMeans(K, init=start, n_init=1, max_iter=300, tol=0).fit(X)
    gm = _em(start, variance, "hard", 300).fit(X)
    assert gm.converged_
    assert_array_equal(gm.predict(X), km.labels_)
    assert_allclose(gm.means_, km.cluster_centers_, rtol=1e-12, atol=1e-12)
    # the hard-EM objective (classification log-likelihood) is k-means' inertia, rescaled
    d = X.shape[1]
    expected = -(km.inertia_ / X.shape[0]) / (2 * variance) - 0.5 * d * np.log(
        2 * np.pi * variance) - np.log(K)
    assert_allclose(gm.history_["elbo"].iloc[-1], expected, rtol=1e-9)


def test_soft_em_responsibilities_converge_to_kmeans_assignments(data):
    X, start = data
    km = KMeans(K, init=start, n_init=1, max_iter=300, tol=0).fit(X)
    onehot = np.eye(K)[km.labels_]
    gaps = []
    for variance in [4.0, 1.0, 0.25, 0.05, 0.01]:
        gm = _em(km.cluster_centers_, variance, "soft", 200).fit(X)
        gaps.append(np.abs(gm.predict_proba(X) - onehot).max())
    assert all(b <= a for a, b in zip(gaps, gaps[1:], strict=False)), gaps
    assert gaps[-1] < 1e-8
    assert_allclose(gm.means_, km.cluster_centers_, atol=1e-8)
