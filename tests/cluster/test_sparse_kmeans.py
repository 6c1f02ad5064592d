"""Sparse (CSR) k-means and spherical k-means against dense runs and brute force."""

import tracemalloc
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning

from clusterlab import KMeans, MiniBatchKMeans, SphericalKMeans, k_means, kmeans_plusplus


def tfidf_like(n, d, nnz_per_row, seed=0, dtype=np.float64):
    """Random CSR rows with ``nnz_per_row`` positive entries on Zipf-like columns."""
    rng = np.random.default_rng(seed)
    p = 1.0 / np.arange(1, d + 1)
    cols = rng.choice(d, size=(n, nnz_per_row), p=p / p.sum())
    data = rng.exponential(size=(n, nnz_per_row))
    X = sp.csr_array((data.ravel(), (np.repeat(np.arange(n), nnz_per_row), cols.ravel())),
                     shape=(n, d), dtype=dtype)
    X.sum_duplicates()
    return X


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_csr_equals_dense_from_same_start(dtype):
    X = tfidf_like(3000, 400, 12, dtype=dtype)
    D = X.toarray()
    w = np.random.default_rng(1).uniform(0.5, 2.0, X.shape[0])
    init = D[::300][:10]
    a = KMeans(10, init=init, refine="none").fit(X, sample_weight=w)
    b = KMeans(10, init=init, refine="none").fit(D, sample_weight=w)
    np.testing.assert_array_equal(a.labels_, b.labels_)
    rtol = 1e-10 if dtype == np.float64 else 1e-5
    assert a.inertia_ == pytest.approx(b.inertia_, rel=rtol)
    assert a.n_iter_ == b.n_iter_
    assert a.cluster_centers_.dtype == dtype
    np.testing.assert_allclose(a.cluster_centers_, b.cluster_centers_, rtol=rtol, atol=rtol)
    np.testing.assert_array_equal(a.predict(X), a.labels_)
    np.testing.assert_allclose(a.transform(X), b.transform(D), rtol=1e-4, atol=1e-6)
    assert a.score(X, sample_weight=w) == pytest.approx(-a.inertia_, rel=1e-6)


def test_csr_seeded_kmeans_plusplus_and_minibatch_match_dense():
    X = tfidf_like(2000, 300, 10)
    D = X.toarray()
    ca, ia = kmeans_plusplus(X, 8, random_state=3)
    cb, ib = kmeans_plusplus(D, 8, random_state=3)
    np.testing.assert_array_equal(ia, ib)
    np.testing.assert_allclose(ca, cb)
    norms = np.asarray(X.multiply(X).sum(axis=1)).ravel()
    np.testing.assert_array_equal(kmeans_plusplus(X, 8, random_state=3,
                                                  x_squared_norms=norms)[1], ia)
    r = KMeans(8, init="random", n_init=2, random_state=0, refine="none").fit(X)
    rd = KMeans(8, init="random", n_init=2, random_state=0, refine="none").fit(D)
    np.testing.assert_array_equal(r.labels_, rd.labels_)
    a = MiniBatchKMeans(8, random_state=0, batch_size=200).fit(X)
    b = MiniBatchKMeans(8, random_state=0, batch_size=200).fit(D)
    np.testing.assert_array_equal(a.labels_, b.labels_)
    assert a.inertia_ == pytest.approx(b.inertia_, rel=1e-9)
    a.partial_fit(X[:300])
    assert a.cluster_centers_.shape == (8, 300)


def test_csr_memory_follows_non_zeros():
    # dense, this matrix would take 20,000 x 400,000 x 8 bytes = 64 GB
    X = tfidf_like(20000, 400_000, 8, seed=2)
    tracemalloc.start()
    km = KMeans(3, random_state=0, max_iter=5).fit(X)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    centres = 3 * 400_000 * 8
    assert km.cluster_centers_.shape == (3, 400_000)
    assert peak < 12 * centres + 40 * X.nnz, peak


def _brute_spherical(U, w, C, n_iter):
    """Reference: highest cosine, weighted mean, renormalise (plain numpy)."""
    for _ in range(n_iter):
        labels = np.argmax(U @ C.T, axis=1)
        S = np.zeros_like(C)
        np.add.at(S, labels, w[:, None] * U)
        C = S / np.linalg.norm(S, axis=1, keepdims=True)
    return np.argmax(U @ C.T, axis=1), C


@pytest.mark.parametrize("sparse", [False, True])
def test_spherical_matches_brute_force(sparse):
    X = tfidf_like(1500, 200, 15, seed=4)
    D = X.toarray()
    U = D / np.linalg.norm(D, axis=1, keepdims=True)
    w = np.random.default_rng(0).uniform(0.5, 1.5, X.shape[0])
    init = U[:: 150][:6]
    skm = SphericalKMeans(6, init=init, tol=0, max_iter=100).fit(X if sparse else D,
                                                                 sample_weight=w)
    labels, C = _brute_spherical(U, w, init, skm.n_iter_)
    np.testing.assert_array_equal(skm.labels_, labels)
    np.testing.assert_allclose(skm.cluster_centers_, C, atol=1e-12)
    np.testing.assert_allclose(np.linalg.norm(skm.cluster_centers_, axis=1), 1.0)
    cos = np.sum(U * C[labels], axis=1)
    assert skm.inertia_ == pytest.approx(float(w @ (1 - cos)), rel=1e-10)
    np.testing.assert_array_equal(skm.predict(X if sparse else D), skm.labels_)
    assert skm.converged_


def test_spherical_on_unit_rows_is_kmeans_with_renormalised_centres():
    X = tfidf_like(1000, 150, 10, seed=5)
    norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).ravel())
    Xu = sp.csr_array(sp.diags(1.0 / norms) @ X)
    C = Xu[np.arange(0, 1000, 200)].toarray()
    skm = SphericalKMeans(5, init=C, tol=0, max_iter=50).fit(Xu)
    # one KMeans iteration from C is one k-means step (Euclidean assignment,
    # means); renormalising its centres after each step gives spherical k-means
    for _ in range(skm.n_iter_):
        S = KMeans(5, init=C, max_iter=1, refine="none").fit(Xu).cluster_centers_
        C = S / np.linalg.norm(S, axis=1, keepdims=True)
    np.testing.assert_allclose(skm.cluster_centers_, C, atol=1e-12)
    np.testing.assert_array_equal(skm.labels_, np.argmax(Xu @ C.T, axis=1))


def test_spherical_zero_rows_and_float32_stays():
    X = np.array([[1.0, 0.0], [0.0, 0.0], [0.0, 1.0], [0.1, 1.0]])
    for data in (X, sp.csr_array(X)):
        skm = SphericalKMeans(2, init=X[[0, 2]]).fit(data)
        assert skm.labels_[1] == 0  # cosine 0 with both centres: the lowest index
        u = np.array([[0.0, 1.0], np.array([0.1, 1.0]) / np.sqrt(1.01)])
        c1 = u.sum(axis=0) / np.linalg.norm(u.sum(axis=0))
        cos = np.concatenate([[1.0, 0.0], u @ c1])
        assert skm.inertia_ == pytest.approx(float(np.sum(1 - cos)), rel=1e-12)
    X32 = tfidf_like(300, 50, 6, dtype=np.float32)
    skm = SphericalKMeans(4, random_state=0).fit(X32)
    assert skm.cluster_centers_.dtype == np.float32
    assert skm.transform(X32).shape == (300, 4)


def test_kmeans_surface():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3))
    X0 = X.copy()
    km = KMeans(4, algorithm="elkan", copy_x=False, random_state=0).fit(X)
    ref = KMeans(4, algorithm="lloyd", random_state=0).fit(X)
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(km.labels_, ref.labels_)
    assert list(km.get_feature_names_out()) == [f"kmeans{i}" for i in range(4)]
    frame = KMeans(4, random_state=0).set_output(transform="pandas").fit(X).transform(X)
    assert list(frame.columns) == [f"kmeans{i}" for i in range(4)]
    centers, labels, inertia, n_iter = k_means(X, 4, random_state=0, return_n_iter=True)
    np.testing.assert_array_equal(labels, KMeans(4, random_state=0).fit(X).labels_)
    assert n_iter >= 1 and inertia > 0
    with pytest.warns(RuntimeWarning, match="single cluster"):
        KMeans(1, algorithm="elkan").fit(X)


def test_fewer_distinct_clusters_warns():
    X = np.array([[0.0, 0.0], [1.0, 1.0], [1.0, 1.0], [1.0, 0.0], [0.0, 1.0]])
    for data in (X, sp.csr_array(X)):
        with pytest.warns(ConvergenceWarning, match=r"distinct clusters \(4\)"):
            KMeans(5, init=X).fit(data)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        KMeans(4, init=X[[0, 1, 3, 4]]).fit(X)


def test_repeated_csr_entries_are_merged_not_double_counted():
    # (row 0, column 1) appears twice: 1 + 2 = 3, as scipy's toarray() adds them
    X = sp.csr_matrix((np.array([1.0, 2.0, 4.0, 1.0, 5.0]), np.array([1, 1, 0, 0, 1]),
                       np.array([0, 3, 4, 5])), shape=(3, 2))
    km = KMeans(2, init=np.array([[4.0, 3.0], [1.0, 5.0]]), refine="none").fit(X)
    ref = KMeans(2, init=np.array([[4.0, 3.0], [1.0, 5.0]]), refine="none").fit(X.toarray())
    np.testing.assert_array_equal(km.labels_, ref.labels_)
    assert km.inertia_ == pytest.approx(ref.inertia_, rel=1e-12)
    assert X.nnz == 5  # the caller's matrix is not modified
