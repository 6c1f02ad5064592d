"""kmeans and em_mog equal the estimators; em_mog equals scikit-learn from the same start."""

import numpy as np
import pytest
from scipy.special import logsumexp
from scipy.stats import multivariate_normal
from sklearn.mixture import GaussianMixture as SkGaussianMixture

from clusterlab import GaussianMixture, KMeans, em_mog, kmeans
from clusterlab.datasets import load_faithful, load_iris


@pytest.fixture(scope="module")
def iris():
    return load_iris()[0]


@pytest.mark.parametrize("init", ["kmeans++", "random"])
def test_kmeans_equals_estimator(iris, init):
    centroids, labels, history, n_iters = kmeans(iris, 3, max_iters=50, init_method=init,
                                                  n_init=4, random_state=1)
    km = KMeans(3, init=init.replace("kmeans", "k-means"), n_init=4, max_iter=50,
                random_state=1, refine="none").fit(iris)
    np.testing.assert_array_equal(centroids, km.cluster_centers_)
    np.testing.assert_array_equal(labels, km.labels_)
    np.testing.assert_array_equal(history, km.history_["inertia"].to_numpy())
    assert n_iters == km.n_iter_ == history.size


def test_kmeans_labels_belong_to_returned_centroids():
    """Brute force: each label is the nearest returned centroid, even when the run is
    cut short (max_iters=2), and the distortion never rises."""
    X = load_faithful()
    for max_iters in (2, 100):
        centroids, labels, history, _ = kmeans(X, 4, max_iters=max_iters, random_state=3,
                                               init_method="random")
        dist = ((X[:, None, :] - centroids[None]) ** 2).sum(axis=2)
        np.testing.assert_array_equal(labels, dist.argmin(axis=1))
        assert np.all(np.diff(history) <= 1e-9 * history[0])


def test_kmeans_given_centroids():
    X = load_faithful()
    start = X[[0, 1]]
    centroids, labels, _, _ = kmeans(X, 2, init_method=start)
    km = KMeans(2, init=start, refine="none").fit(X)
    np.testing.assert_array_equal(centroids, km.cluster_centers_)


def test_em_mog_equals_estimator(iris):
    phi, mu, sigma, w, logliks, elbos = em_mog(iris, 3, max_iters=40, random_state=0)
    gm = GaussianMixture(3, max_iter=40, tol=1e-4, random_state=0).fit(iris)
    np.testing.assert_array_equal(phi, gm.weights_)
    np.testing.assert_array_equal(mu, gm.means_)
    np.testing.assert_array_equal(sigma, gm.covariances_)
    np.testing.assert_array_equal(w, gm.predict_proba(iris))
    np.testing.assert_array_equal(logliks, gm.history_["log_likelihood"].to_numpy())


def _start(X, k, seed):
    rng = np.random.default_rng(seed)
    mu = X[rng.choice(X.shape[0], k, replace=False)]
    sigma = np.repeat(np.cov(X.T)[None], k, axis=0)
    return np.full(k, 1.0 / k), mu, sigma


def _mixture_loglik(X, phi, mu, sigma):
    comps = [np.log(p) + multivariate_normal(m, s).logpdf(X)
             for p, m, s in zip(phi, mu, sigma, strict=True)]
    return float(logsumexp(np.column_stack(comps), axis=1).mean())


@pytest.mark.parametrize("loader", [load_faithful, lambda: load_iris()[0]])
def test_em_mog_equals_scikit_learn_from_the_same_start(loader):
    X = loader()
    start = _start(X, 3, 0)
    phi, mu, sigma, w, logliks, elbos = em_mog(X, 3, max_iters=300, tol=1e-6, init_method=start)
    sk = SkGaussianMixture(3, tol=1e-6, max_iter=300, weights_init=start[0], means_init=start[1],
                           precisions_init=np.linalg.inv(start[2])).fit(X)
    scale = np.abs(X).max()
    np.testing.assert_allclose(phi, sk.weights_, rtol=0, atol=1e-10)
    np.testing.assert_allclose(mu, sk.means_, rtol=0, atol=1e-10 * scale)
    np.testing.assert_allclose(sigma, sk.covariances_, rtol=0, atol=1e-10 * scale**2)
    np.testing.assert_allclose(w, sk.predict_proba(X), rtol=0, atol=1e-10)
    assert logliks.size == sk.n_iter_
    assert logliks[-1] == pytest.approx(sk.lower_bound_, abs=1e-10)
    # history: the ELBO equals the log-likelihood after each E-step, both never fall,
    # and the first entry is the log-likelihood of the start (scipy, independently)
    np.testing.assert_allclose(elbos, logliks, rtol=0, atol=1e-10)
    assert np.all(np.diff(logliks) >= -1e-12)
    assert logliks[0] == pytest.approx(_mixture_loglik(X, *start), abs=1e-10)
