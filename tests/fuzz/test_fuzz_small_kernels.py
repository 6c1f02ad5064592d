"""Fuzzing the numpy kernels of small fits: KMeans, FuzzyCMeans and GaussianMixture give the same
result whether their kernel calls run numpy (``_kernels/small``) or numba
(``clusterlab.config(small_kernel_work=0)``), on awkward small data: duplicate
rows, zero weights, k close to n, one feature, float32.

Data with exact ties between centres (integer coordinates) is the exception: the
passes' BLAS expansions round differently in numpy's and numba's products, so
such a tie can go either way and the runs may end in different local optima (as
any two k-means implementations may). There the numpy path is held to what
k-means must give: a Lloyd fixed point, checked by brute force."""

import warnings

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

import clusterlab
from clusterlab import FuzzyCMeans, GaussianMixture, KMeans


@st.composite
def small_problems(draw, integer=None):
    n = draw(st.integers(4, 60))
    d = draw(st.integers(1, 5))
    k = draw(st.integers(1, min(6, n)))
    seed = draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    if integer is None:
        integer = draw(st.booleans())
    X = rng.integers(-3, 4, size=(n, d)).astype(float) if integer else rng.normal(size=(n, d))
    if draw(st.booleans()):
        X[: n // 3] = X[0]  # many duplicate rows
    dtype = draw(st.sampled_from([np.float64, np.float32]))
    w = None
    if draw(st.booleans()):
        w = rng.uniform(0, 2, size=n)
        w[rng.uniform(size=n) < 0.3] = 0.0
        w[0] = 1.0
    return X.astype(dtype), k, w, seed


def _both(make):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # fewer distinct points than clusters, convergence
        small = make()
        with clusterlab.config(small_kernel_work=0):
            compiled = make()
    return small, compiled


@given(small_problems(integer=False))
def test_kmeans_same_result_on_numpy_and_numba_kernels(problem):
    X, k, w, seed = problem
    a, b = _both(lambda: KMeans(k, random_state=seed).fit(X, sample_weight=w))
    np.testing.assert_array_equal(a.labels_, b.labels_)
    assert a.n_iter_ == b.n_iter_
    tol = 1e-5 if X.dtype == np.float32 else 1e-10
    np.testing.assert_allclose(a.cluster_centers_, b.cluster_centers_, rtol=tol, atol=tol)
    np.testing.assert_allclose(a.inertia_, b.inertia_, rtol=tol, atol=tol)


@given(small_problems(), st.sampled_from(["full", "diag", "tied", "spherical"]))
def test_gaussian_mixture_same_result_on_numpy_and_numba_kernels(problem, covariance_type):
    X, k, w, seed = problem
    X = X.astype(np.float64) + np.random.default_rng(seed).normal(scale=0.1, size=X.shape)
    a, b = _both(lambda: GaussianMixture(k, covariance_type=covariance_type, max_iter=15,
                                         reg_covar=1e-3, random_state=seed).fit(X))
    assert a.n_iter_ == b.n_iter_
    for x, y in ((a.means_, b.means_), (a.weights_, b.weights_),
                 (a.score_samples(X), b.score_samples(X))):
        np.testing.assert_allclose(x, y, rtol=1e-7, atol=1e-8)


@given(small_problems(integer=True))
def test_kmeans_on_numpy_kernels_ends_at_a_lloyd_fixed_point(problem):
    X, k, w, seed = problem
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        km = KMeans(k, random_state=seed, tol=0.0).fit(X, sample_weight=w)
    X64, C = X.astype(np.float64), km.cluster_centers_.astype(np.float64)
    D = ((X64[:, None, :] - C[None]) ** 2).sum(-1)
    np.testing.assert_array_equal(km.labels_, D.argmin(axis=1))  # exact nearest, first on ties
    w = np.ones(len(X)) if w is None else w
    for j in np.unique(km.labels_):
        members = km.labels_ == j
        if w[members].sum() > 0:
            mean = np.average(X64[members], axis=0, weights=w[members])
            tol = 1e-5 if X.dtype == np.float32 else 1e-9
            np.testing.assert_allclose(C[j], mean, rtol=tol, atol=tol)
    np.testing.assert_allclose(km.inertia_, (D.min(axis=1) * w).sum(), rtol=1e-6, atol=1e-9)


@given(small_problems(integer=False), st.sampled_from([2.0, 1.5, 2.5]))
def test_fuzzy_cmeans_same_result_on_numpy_and_numba_kernels(problem, m):
    X, k, w, seed = problem
    a, b = _both(lambda: FuzzyCMeans(k, m=m, random_state=seed, max_iter=30).fit(
        X, sample_weight=w))
    assert a.n_iter_ == b.n_iter_
    tol = 1e-5 if X.dtype == np.float32 else 1e-9
    np.testing.assert_allclose(a.cluster_centers_, b.cluster_centers_, rtol=tol, atol=tol)
    np.testing.assert_allclose(a.objective_, b.objective_, rtol=tol, atol=tol)
