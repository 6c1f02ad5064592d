"""KMeans against scikit-learn (same initial centres) and its invariants."""

import numba
import numpy as np
import pytest
from sklearn.cluster import KMeans as SKKMeans
from sklearn.datasets import load_digits, make_blobs

from clusterlab import KMeans, kmeans_plusplus
from clusterlab.cluster._lloyd import SMALL_WORK


def _blobs():
    return make_blobs(3000, centers=8, n_features=5, cluster_std=2.0, random_state=0)[0]


def _digits():
    return load_digits().data


@pytest.mark.parametrize("data", [_blobs, _digits], ids=["blobs", "digits"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("algorithm", ["lloyd", "auto", "hamerly", "yinyang"])
def test_matches_sklearn_from_same_init(data, dtype, weighted, algorithm):
    X = data().astype(dtype)
    rng = np.random.default_rng(0)
    w = rng.uniform(0.5, 3.0, X.shape[0]) if weighted else None
    # Data points moved off the integer lattice of digits: from exact data points,
    # integer data has exact distance ties that only rounding breaks (there even
    # scikit-learn's float32 and float64 runs disagree).
    c0 = X[rng.choice(X.shape[0], 10, replace=False)]
    c0 = c0 + rng.uniform(-0.5, 0.5, c0.shape).astype(dtype)
    kw = dict(n_clusters=10, init=c0, n_init=1, max_iter=30, tol=0.0)
    ref = SKKMeans(algorithm="lloyd", **kw).fit(X, sample_weight=w)
    ours = KMeans(algorithm=algorithm, **kw).fit(X, sample_weight=w)
    assert ours.n_iter_ == ref.n_iter_
    np.testing.assert_array_equal(ours.labels_, ref.labels_)
    # scikit-learn adds float32 inertias in float32; the exact inertia of its
    # solution (float64 sum) is the 1e-6 reference.
    w64 = np.ones(X.shape[0]) if w is None else w
    diff = X.astype(np.float64) - ref.cluster_centers_.astype(np.float64)[ref.labels_]
    exact = float(w64 @ (diff**2).sum(axis=1))
    np.testing.assert_allclose(ours.inertia_, exact, rtol=1e-6)
    rtol = 1e-5 if dtype is np.float32 else 1e-10
    np.testing.assert_allclose(ours.inertia_, ref.inertia_, rtol=max(rtol, 1e-6))
    np.testing.assert_allclose(ours.cluster_centers_, ref.cluster_centers_, rtol=rtol, atol=rtol)
    assert ours.cluster_centers_.dtype == dtype
    assert ours.transform(X).dtype == dtype


@pytest.mark.parametrize("max_iter", [1, 3, 7])
def test_fixed_iteration_count_matches_sklearn(max_iter):
    X = _digits()
    c0 = X[:12]
    kw = dict(n_clusters=12, init=c0, n_init=1, max_iter=max_iter, tol=0.0)
    ref = SKKMeans(algorithm="lloyd", **kw).fit(X)
    ours = KMeans(**kw).fit(X)
    assert ours.n_iter_ == ref.n_iter_ == max_iter
    np.testing.assert_array_equal(ours.labels_, ref.labels_)
    np.testing.assert_allclose(ours.inertia_, ref.inertia_, rtol=1e-6)


def test_inertia_never_rises_and_history():
    X = make_blobs(4000, centers=20, n_features=3, cluster_std=3.0, random_state=1)[0]
    km = KMeans(20, init="random", n_init=1, max_iter=200, tol=0.0, random_state=3).fit(X)
    assert list(km.history_.columns) == ["inertia"]
    h = km.history_["inertia"].to_numpy()
    assert h.shape == (km.n_iter_,)
    assert np.all(np.diff(h) <= 1e-12 * h[0])
    assert km.inertia_ <= h[-1] * (1 + 1e-12)
    assert km.converged_


def test_integer_weights_equal_repeated_rows(rng):
    X = make_blobs(500, centers=4, n_features=3, random_state=2)[0]
    reps = rng.integers(0, 4, X.shape[0])
    reps[:4] = 1
    c0 = X[:4]
    a = KMeans(4, init=c0, n_init=1, tol=0.0).fit(X, sample_weight=reps)
    b = KMeans(4, init=c0, n_init=1, tol=0.0).fit(np.repeat(X, reps, axis=0))
    np.testing.assert_allclose(a.cluster_centers_, b.cluster_centers_, rtol=1e-10)
    np.testing.assert_allclose(a.inertia_, b.inertia_, rtol=1e-10)
    np.testing.assert_array_equal(np.repeat(a.labels_, reps), b.labels_)


@pytest.mark.parametrize("algorithm", ["lloyd", "hamerly", "yinyang"])
def test_same_result_any_threads_and_chunk_size(algorithm):
    # large enough (n * k * d > SMALL_WORK) that the passes really run on threads
    X = make_blobs(40000, centers=16, n_features=14, cluster_std=2.5, random_state=4)[0]
    assert X.shape[0] * 16 * 14 > SMALL_WORK
    results = []
    before = numba.get_num_threads()
    two = min(2, numba.config.NUMBA_NUM_THREADS)
    try:
        for threads, chunk in [(1, None), (two, None), (1, 37), (two, 1000)]:
            numba.set_num_threads(threads)
            km = KMeans(16, n_init=1, random_state=7, chunk_size=chunk, refine="none",
                        algorithm=algorithm).fit(X)
            results.append(km)
    finally:
        numba.set_num_threads(before)
    for km in results[1:]:
        np.testing.assert_array_equal(km.labels_, results[0].labels_)
        np.testing.assert_allclose(km.cluster_centers_, results[0].cluster_centers_, rtol=1e-12)
        np.testing.assert_allclose(km.inertia_, results[0].inertia_, rtol=1e-12)


def test_labels_equal_predict_and_score():
    X = _digits().astype(np.float32)
    km = KMeans(10, random_state=0).fit(X)
    np.testing.assert_array_equal(km.labels_, km.predict(X))
    np.testing.assert_allclose(-km.score(X), km.inertia_, rtol=1e-6)
    D = km.transform(X)
    np.testing.assert_array_equal(D.argmin(axis=1), km.labels_)
    np.testing.assert_allclose((D.min(axis=1).astype(np.float64) ** 2).sum(), km.inertia_,
                               rtol=1e-5)


def test_empty_cluster_reseeded_from_far_point():
    X = np.array([[0.0], [0.1], [0.2], [10.0], [10.1], [50.0]])
    # the third centre is far from every point, so it is empty after the first assignment
    init = np.array([[0.0], [10.0], [1000.0]])
    km = KMeans(3, init=init, n_init=1).fit(X)
    assert len(np.unique(km.labels_)) == 3
    np.testing.assert_allclose(sorted(km.cluster_centers_.ravel()), [0.1, 10.05, 50.0])
    ref = SKKMeans(3, init=init, n_init=1).fit(X)
    np.testing.assert_allclose(km.inertia_, ref.inertia_, rtol=1e-10)


def test_init_options_and_restarts():
    X = _blobs()
    for init in ["k-means++", "random", lambda X, k, rng: X[:k]]:
        km = KMeans(8, init=init, random_state=0).fit(X)
        assert km.cluster_centers_.shape == (8, 5)
    one = KMeans(8, init="random", n_init=1, random_state=0).fit(X).inertia_
    many = KMeans(8, init="random", n_init=10, random_state=0).fit(X).inertia_
    assert many <= one


def test_kmeans_plusplus_spreads_centres():
    X = np.concatenate([np.random.default_rng(0).normal(c, 0.1, (50, 2)) for c in (0, 10, 20)])
    centers, idx = kmeans_plusplus(X, 3, random_state=0)
    np.testing.assert_array_equal(X[idx], centers)
    assert sorted(np.round(centers[:, 0] / 10).astype(int).tolist()) == [0, 1, 2]
    w = np.zeros(len(X))
    w[:50] = 1
    w[100:] = 1
    centers, idx = kmeans_plusplus(X, 2, sample_weight=w, random_state=0)
    assert not np.any((idx >= 50) & (idx < 100))


def test_model_file_round_trip(tmp_path):
    from clusterlab import FuzzyCMeans, MiniBatchKMeans, load_model, save_model

    X = np.random.default_rng(0).normal(size=(300, 3))
    for i, est in enumerate([KMeans(3, random_state=0), MiniBatchKMeans(3, random_state=0),
                             FuzzyCMeans(3, random_state=0), KMeans(3, init=X[:3])]):
        est.fit(X)
        save_model(est, tmp_path / f"m{i}")
        loaded = load_model(tmp_path / f"m{i}")
        np.testing.assert_array_equal(loaded.predict(X), est.predict(X))
        np.testing.assert_array_equal(loaded.cluster_centers_, est.cluster_centers_)
