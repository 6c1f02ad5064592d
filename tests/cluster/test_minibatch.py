"""MiniBatchKMeans: quality close to full k-means, partial_fit on a stream."""

import numpy as np
from sklearn.cluster import MiniBatchKMeans as SKMiniBatch
from sklearn.datasets import make_blobs

from clusterlab import KMeans, MiniBatchKMeans


def _data():
    return make_blobs(20000, centers=10, n_features=4, cluster_std=1.0, random_state=0)[0]


def test_fit_close_to_full_kmeans_and_sklearn():
    X = _data()
    full = KMeans(10, n_init=5, random_state=0).fit(X)
    ours = MiniBatchKMeans(10, random_state=0, n_init=3).fit(X)
    ref = SKMiniBatch(10, random_state=0, n_init=3).fit(X)
    assert ours.inertia_ <= full.inertia_ * 1.02
    assert ours.inertia_ <= ref.inertia_ * 1.02
    np.testing.assert_array_equal(ours.labels_, ours.predict(X))
    np.testing.assert_allclose(-ours.score(X), ours.inertia_, rtol=1e-10)
    assert ours.history_.shape == (ours.n_steps_, 1) and ours.history_.index.name == "step"
    assert ours.n_iter_ == int(np.ceil(ours.n_steps_ * 1024 / len(X)))
    assert ours.converged_ == (ours.n_steps_ < 100 * len(X) // 1024)


def test_partial_fit_stream():
    X = _data()
    order = np.random.default_rng(0).permutation(len(X))
    mbk = MiniBatchKMeans(10, random_state=0)
    for part in np.array_split(X[order], 20):
        mbk.partial_fit(part)
    assert mbk.n_steps_ == 20
    np.testing.assert_allclose(mbk.counts_.sum(), len(X))
    full = KMeans(10, n_init=5, random_state=0).fit(X)
    assert -mbk.score(X) <= full.inertia_ * 1.05


def test_partial_fit_float32_and_weights():
    X = _data().astype(np.float32)
    w = np.random.default_rng(1).uniform(0.5, 2.0, len(X))
    mbk = MiniBatchKMeans(10, random_state=0).partial_fit(X[:5000], sample_weight=w[:5000])
    mbk.partial_fit(X[5000:], sample_weight=w[5000:])
    assert mbk.cluster_centers_.dtype == np.float32
    np.testing.assert_allclose(mbk.counts_.sum(), w.sum(), rtol=1e-6)


def test_one_step_is_weighted_running_mean():
    X = np.array([[0.0], [2.0], [10.0], [12.0]])
    init = np.array([[1.0], [11.0]])
    mbk = MiniBatchKMeans(2, init=init, reassignment_ratio=0.0).partial_fit(X)
    # first step: counts start at zero, so each centre becomes its batch mean
    np.testing.assert_allclose(mbk.cluster_centers_.ravel(), [1.0, 11.0])
    mbk.partial_fit(np.array([[4.0], [14.0]]))
    # second step: (1 * 2 + 4) / 3 and (11 * 2 + 14) / 3
    np.testing.assert_allclose(mbk.cluster_centers_.ravel(), [2.0, 12.0])
