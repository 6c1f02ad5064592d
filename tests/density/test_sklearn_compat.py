"""KernelDensity with scikit-learn's arguments gives scikit-learn's density.

Oracle: ``sklearn.neighbors.KernelDensity.score_samples`` with the same
arguments (exact: ``atol=rtol=0``), for every kernel, every metric it accepts
and dimensions 1, 2 and 5, with and without sample weights; an independent
brute-force radial formula for matrix bandwidths; scikit-learn's tree for
positive tolerances.
"""

import math

import numpy as np
import pytest
from scipy import integrate, stats
from sklearn.neighbors import BallTree, KDTree
from sklearn.neighbors import KernelDensity as SkKDE

from clusterlab import KernelDensity
from clusterlab.density import _metric, radial

SK_KERNELS = ["gaussian", "tophat", "epanechnikov", "exponential", "linear", "cosine"]
BOOLEAN = {"hamming", "jaccard", "dice", "rogerstanimoto", "russellrao", "sokalmichener",
           "sokalsneath"}
ALL_METRICS = sorted(set(BallTree.valid_metrics) | set(KDTree.valid_metrics))


# haversine is a distance of 2 features (latitude, longitude) only
METRIC_DIMS = [(m, d) for m in ALL_METRICS for d in (1, 2, 5) if m != "haversine" or d == 2]


def _metric_case(metric, d, rng):
    """(metric_params, data, queries) for one metric in ``d`` dimensions."""
    params = {"minkowski": {"p": 3}, "p": {"p": 1.5},
              "seuclidean": {"V": rng.random(d) + 0.5},
              "mahalanobis": {"VI": np.eye(d) + 0.2 * np.ones((d, d))},
              "pyfunc": {"func": lambda a, b: float(np.sum(np.abs(a - b) ** 1.2))}}
    if metric in BOOLEAN:
        X, Q = (rng.integers(0, 2, (n, d)).astype(float) for n in (60, 25))
        if metric in ("dice", "sokalsneath"):  # 0/0 between two zero rows: keep a 1
            X[:, 0], Q[:, 0] = 1.0, 1.0
        return params.get(metric), X, Q
    scale = 0.5 if metric == "haversine" else 1.0
    return params.get(metric), scale * rng.standard_normal((60, d)), \
        scale * rng.standard_normal((25, d))


def _check_equal(ours, theirs):
    """Log-densities within 1e-10; a zero density on one side only where the other's is
    round-off (scikit-learn's breadth-first tree can leave ~1e-17 where no kernel reaches)."""
    fin = np.isfinite(theirs) & np.isfinite(ours)
    np.testing.assert_allclose(ours[fin], theirs[fin], rtol=0, atol=1e-10)
    one_sided = np.isfinite(theirs) != np.isfinite(ours)
    assert not np.any(np.isnan(ours) | np.isnan(theirs))
    peak = np.exp(np.max(np.where(np.isfinite(theirs), theirs, -np.inf)))
    assert np.all(np.exp(np.where(fin, -np.inf, np.maximum(ours, theirs))[one_sided])
                  <= 1e-14 * peak)


@pytest.mark.parametrize("metric,d", METRIC_DIMS)
def test_score_samples_equal_sklearn(metric, d):
    rng = np.random.default_rng(sum(map(ord, metric)) + d)
    params, X, Q = _metric_case(metric, d, rng)
    w = rng.random(len(X)) + 0.1
    # a bandwidth near the median distance: compact kernels are zero for some pairs
    D = _metric.distance_metric(metric, params or {}, d).pairwise(Q, X)
    h = float(np.median(D[D > 0])) if np.any(D > 0) else 0.5
    for kernel in SK_KERNELS:
        for sw in (None, w):
            args = dict(bandwidth=h, kernel=kernel, metric=metric, metric_params=params,
                        atol=0, rtol=0)
            theirs = SkKDE(**args).fit(X, sample_weight=sw).score_samples(Q)
            ours = KernelDensity(**args).fit(X, sample_weight=sw).score_samples(Q)
            if kernel == "cosine" and d == 2:
                theirs = theirs + SK_COSINE_2D_ERROR
            _check_equal(ours, theirs)


# scikit-learn's cosine constant in 2-D uses int_0^1 r cos(pi r / 2) dr = 2 / pi; it is
# 2 / pi - 4 / pi**2, so its 2-D cosine density integrates to 0.363 (d = 4: NaN). Ours
# integrates to 1: it is scikit-learn's times this factor (a documented difference).
SK_COSINE_2D_ERROR = math.log((2 / math.pi) / (2 / math.pi - 4 / math.pi**2))


def test_cosine_integrates_to_one_in_even_dimensions():
    rng = np.random.default_rng(0)
    for d in (2, 4):
        kde = KernelDensity(kernel="cosine").fit(np.zeros((1, d)))
        P = rng.uniform(-1, 1, (400_000, d))
        total = np.exp(kde.score_samples(P)).mean() * 2**d
        assert total == pytest.approx(1.0, abs=0.01)
        sk = SkKDE(kernel="cosine").fit(np.zeros((1, d))).score_samples(np.zeros((1, d)))
        assert np.isnan(sk[0]) == (d == 4)


@pytest.mark.parametrize("rule", ["scott", "silverman"])
@pytest.mark.parametrize("d", [1, 3])
def test_sklearn_bandwidth_rules(rule, d, rng):
    X = rng.standard_normal((150, d)) * 3.0
    w = rng.random(150)
    sk = SkKDE(bandwidth=rule, kernel="epanechnikov").fit(X, sample_weight=w)
    ours = KernelDensity(bandwidth=rule, kernel="epanechnikov").fit(X, sample_weight=w)
    np.testing.assert_allclose(ours.bandwidth_, sk.bandwidth_, rtol=1e-15)
    _check_equal(ours.score_samples(X[:30]), sk.score_samples(X[:30]))


def test_defaults_equal_sklearn_defaults(rng):
    X, Q = rng.standard_normal((80, 3)), rng.standard_normal((20, 3))
    _check_equal(KernelDensity().fit(X).score_samples(Q), SkKDE().fit(X).score_samples(Q))
    assert KernelDensity().fit(X).score(Q) == pytest.approx(SkKDE().fit(X).score(Q), rel=1e-12)


@pytest.mark.parametrize("kernel", SK_KERNELS)
@pytest.mark.parametrize("algorithm", ["kd_tree", "ball_tree"])
def test_tolerances_are_honoured_by_the_tree(kernel, algorithm, rng):
    X = rng.standard_normal((2000, 2))
    Q = rng.standard_normal((200, 2))
    exact = np.exp(KernelDensity(bandwidth=0.3, kernel=kernel).fit(X).score_samples(Q))
    for atol, rtol in [(1e-3, 0.0), (0.0, 1e-2), (1e-4, 1e-3)]:
        kde = KernelDensity(bandwidth=0.3, kernel=kernel, algorithm=algorithm, atol=atol,
                            rtol=rtol, breadth_first=atol > 0, leaf_size=20).fit(X)
        got = np.exp(kde.score_samples(Q))
        assert np.all(np.abs(got - exact) <= atol + rtol * exact + 1e-12)
        if kernel == "cosine":  # scikit-learn's 2-D cosine constant is wrong: exact sums
            assert not isinstance(kde._model, _metric.TreeModel)
            continue
        assert isinstance(kde._model, _metric.TreeModel)
        sk = SkKDE(bandwidth=0.3, kernel=kernel, algorithm=algorithm, atol=atol, rtol=rtol,
                   breadth_first=atol > 0, leaf_size=20).fit(X)
        np.testing.assert_allclose(kde.score_samples(Q), sk.score_samples(Q), rtol=1e-12)


def _radial_brute(X, w, N, kernel, Q):
    # written out from the profiles: k(|L^-1 (q - x)|) c_d / det L
    L = np.linalg.cholesky(N)
    U = (Q[:, None, :] - X[None, :, :]) @ np.linalg.inv(L).T
    r = np.sqrt((U * U).sum(-1))
    d = X.shape[1]
    prof = {"gaussian": np.exp(-0.5 * r * r), "exponential": np.exp(-r),
            "tophat": (r < 1) * 1.0, "epanechnikov": np.clip(1 - r * r, 0, None),
            "linear": np.clip(1 - r, 0, None), "cosine": np.where(r < 1, np.cos(np.pi * r / 2), 0),
            "biweight": np.clip(1 - r * r, 0, None) ** 2,
            "triweight": np.clip(1 - r * r, 0, None) ** 3,
            "tricube": np.clip(1 - r ** 3, 0, None) ** 3}[kernel]
    # the constant by quadrature: 1 / (|S^(d-1)| int_0^R r^(d-1) k(r) dr)
    one = {"gaussian": lambda t: math.exp(-0.5 * t * t), "exponential": lambda t: math.exp(-t),
           "tophat": lambda t: 1.0, "epanechnikov": lambda t: 1 - t * t,
           "linear": lambda t: 1 - t, "cosine": lambda t: math.cos(math.pi * t / 2),
           "biweight": lambda t: (1 - t * t) ** 2, "triweight": lambda t: (1 - t * t) ** 3,
           "tricube": lambda t: (1 - t ** 3) ** 3}[kernel]
    top = math.inf if kernel in ("gaussian", "exponential") else 1.0
    mass = integrate.quad(lambda t: t ** (d - 1) * one(t), 0, top, epsabs=0, epsrel=1e-13)[0]
    sphere = 2 * math.pi ** (d / 2) / math.gamma(d / 2)
    return (prof * w).sum(1) / (sphere * mass * np.linalg.det(L) * w.sum())


@pytest.mark.parametrize("kernel", sorted(radial.PROFILE_ID) + ["gaussian", "exponential"])
@pytest.mark.parametrize("d", [2, 3])
def test_radial_matrix_bandwidth_equals_brute_force(kernel, d, rng):
    X = rng.standard_normal((100, d))
    w = rng.random(100)
    A = rng.standard_normal((d, d))
    N = 0.5 * (A @ A.T + d * np.eye(d)) / d
    Q = np.concatenate([X[:10] + 0.05, rng.standard_normal((20, d))])
    ref = _radial_brute(X, w, N, kernel, Q)
    got = np.exp(KernelDensity(bandwidth=N, kernel=kernel).fit(X, sample_weight=w)
                 .score_samples(Q))
    pos = ref > 0
    np.testing.assert_allclose(got[pos], ref[pos], rtol=1e-9)
    assert np.all(got[~pos] == 0.0)


@pytest.mark.parametrize("kernel", sorted(radial.PROFILE_ID) + ["gaussian", "exponential"])
def test_std_meaning_gives_the_kernel_that_standard_deviation(kernel):
    # a radial kernel with bandwidth_meaning="std": variance h**2 along each axis
    kde = KernelDensity(bandwidth=0.7, kernel=kernel, bandwidth_meaning="std")
    s = kde.fit(np.zeros((1, 3))).sample(200_000, random_state=0)
    np.testing.assert_allclose(np.cov(s.T), 0.49 * np.eye(3), atol=0.015)


@pytest.mark.parametrize("kernel", sorted(radial.PROFILE_ID) + ["gaussian", "exponential"])
@pytest.mark.parametrize("metric,p", [("euclidean", 2.0), ("manhattan", 1.0),
                                      ("chebyshev", math.inf), ("minkowski", 3.0)])
def test_radial_samples_follow_the_kernel(kernel, metric, p):
    # from one centre, |x|_p / h has density ~ r^(d-1) k(r); the direction is symmetric
    d, h = 3, 0.8
    params = {"p": 3.0} if metric == "minkowski" else None
    kde = KernelDensity(bandwidth=h, kernel=kernel, metric=metric, metric_params=params)
    s = kde.fit(np.zeros((1, d))).sample(4000, random_state=1)
    r = np.linalg.norm(s, ord=p, axis=1) / h
    grid = np.linspace(0, 60 if kernel == "exponential" else 12, 20001)
    dens = grid ** (d - 1) * np.exp(radial.log_profile(kernel, grid, 1.0))
    cdf = integrate.cumulative_trapezoid(dens, grid, initial=0.0)
    assert stats.kstest(r, lambda v: np.interp(v, grid, cdf / cdf[-1])).pvalue > 1e-3
    assert np.all(np.abs(s.mean(axis=0)) < 0.1 * h * (1 + 3 * (kernel == "exponential")))


def test_sampling_needs_a_minkowski_metric():
    kde = KernelDensity(metric="canberra").fit(np.random.default_rng(0).random((10, 2)))
    with pytest.raises(NotImplementedError, match="canberra"):
        kde.sample(3)


@pytest.mark.parametrize("params,error,name", [
    (dict(algorithm="kd_tree", metric="haversine"), ValueError, "invalid metric"),
    (dict(metric="bogus"), ValueError, "metric"),
    (dict(metric=3), TypeError, "metric"),
    (dict(algorithm="brute"), ValueError, "algorithm"),
    (dict(atol=-1.0), ValueError, "atol"),
    (dict(rtol="0"), TypeError, "rtol"),
    (dict(leaf_size=0), ValueError, "leaf_size"),
    (dict(leaf_size=2.5), TypeError, "leaf_size"),
    (dict(breadth_first=1), TypeError, "breadth_first"),
    (dict(metric_params=[("p", 3)]), TypeError, "metric_params"),
    (dict(metric="mahalanobis"), ValueError, "metric_params"),
    (dict(kernel_form="cube"), ValueError, "kernel_form"),
    (dict(bandwidth_meaning="sd"), ValueError, "bandwidth_meaning"),
    (dict(metric="manhattan", kernel_form="product"), ValueError, "kernel_form"),
    (dict(metric="manhattan", bandwidth_meaning="std"), ValueError, "bandwidth_meaning"),
    (dict(metric="manhattan", bandwidth=[0.5, 1.0]), ValueError, "scalar bandwidth"),
    (dict(metric="manhattan", bandwidth="scott_cov"), ValueError, "scalar bandwidth"),
    (dict(metric="chebyshev", bandwidth="cv"), ValueError, "scalar bandwidth"),
    (dict(metric="haversine", bandwidth="isj"), ValueError, "scalar bandwidth"),
    (dict(metric="canberra", bounds=[(None, 5), (None, None)]), ValueError, "bounds"),
])
def test_bad_settings_name_the_parameter(params, error, name):
    X = np.random.default_rng(0).standard_normal((20, 2))
    with pytest.raises(error, match=name):
        KernelDensity(**params).fit(X)


def test_other_metrics_are_not_gridded_by_fft(rng):
    kde = KernelDensity(bandwidth=0.5, metric="manhattan").fit(rng.standard_normal((50, 2)))
    axes, dens = kde.evaluate_grid(16)  # "auto" falls back to exact sums
    mesh = np.stack([m.ravel() for m in np.meshgrid(*axes, indexing="ij")], axis=1)
    np.testing.assert_allclose(dens.ravel(), np.exp(kde.score_samples(mesh)))
    with pytest.raises(ValueError, match="Euclidean"):
        kde.evaluate_grid(16, method="fft")


@pytest.mark.parametrize("kernel", ["epanechnikov", "exponential", "cosine"])
def test_threaded_sums_equal_sklearn(kernel, rng):
    # queries x data x features above _exact._PARALLEL_WORK: the threaded kernels
    X, Q = rng.standard_normal((12_000, 3)), rng.standard_normal((150, 3))
    ours = KernelDensity(bandwidth=0.6, kernel=kernel).fit(X).score_samples(Q)
    _check_equal(ours, SkKDE(bandwidth=0.6, kernel=kernel).fit(X).score_samples(Q))


@pytest.mark.parametrize("metric", ["dice", "sokalsneath"])
def test_undefined_distances_raise(metric):
    X = np.array([[0.0, 0.0], [1.0, 0.0], [1.0, 1.0]])
    kde = KernelDensity(metric=metric).fit(X)
    with pytest.raises(ValueError, match="NaN"):
        kde.score_samples(np.zeros((1, 2)))


@pytest.mark.parametrize("kernel", sorted(radial.PROFILE_ID))
def test_neighbour_search_equals_plain_sums(kernel, rng, monkeypatch):
    # large compact-kernel problems sum over a KD tree's candidates: the same sums
    import clusterlab.density._exact as ex

    X, Q = rng.standard_normal((20_000, 2)), rng.standard_normal((300, 2)) * 1.5
    N = np.array([[0.09, 0.03], [0.03, 0.05]])
    tree = KernelDensity(bandwidth=N, kernel=kernel).fit(X)
    got = tree.score_samples(Q)
    assert getattr(tree._model, "_tree", None) is not None
    monkeypatch.setattr(ex, "_DENSE_BALLS", -1.0)  # never the tree
    plain = KernelDensity(bandwidth=N, kernel=kernel).fit(X).score_samples(Q)
    np.testing.assert_array_equal(np.isfinite(got), np.isfinite(plain))
    fin = np.isfinite(plain)
    np.testing.assert_allclose(got[fin], plain[fin], rtol=0, atol=1e-12)
    monkeypatch.setattr(ex, "_PAIRS_PER_PASS", 5_000)  # many small passes
    again = KernelDensity(bandwidth=N, kernel=kernel).fit(X).score_samples(Q)
    np.testing.assert_allclose(again[fin], plain[fin], rtol=0, atol=1e-12)


def test_metric_lists_are_scikit_learns():
    assert _metric.KD_TREE_METRICS == set(KDTree.valid_metrics)
    assert _metric.METRICS == set(BallTree.valid_metrics) | set(KDTree.valid_metrics)
