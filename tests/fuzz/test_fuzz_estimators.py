"""Property-based fuzzing of every public estimator (issue 12).

The invariant, for any generated input: either a valid fit (finite learned
parameters, labels in range, ``labels_ == predict(X)`` where both exist) or a
``ValueError`` / ``TypeError`` with a message -- never another exception, a
hang (a per-example wall-clock limit) or a NaN. Profiles: tests/fuzz/conftest.py.
"""

import warnings

import numpy as np
import pytest
from fuzz_strategies import choice, matrices, positive_ints, tolerances, weights
from hypothesis import event, given, settings
from hypothesis import strategies as st

from clusterlab import (
    AgglomerativeClustering,
    FuzzyCMeans,
    GaussianMixture,
    KernelDensity,
    KMeans,
    MiniBatchKMeans,
    MixtureModel,
    linkage,
    select_k,
)
from conftest import DEEP_EXAMPLES

PER_EXAMPLE_S = 30


def _finite_attributes(est):
    """Names of learned float attributes holding NaN or infinity."""
    bad = []
    for name, value in vars(est).items():
        if not name.endswith("_") or name.startswith("_"):
            continue
        arr = np.asarray(value) if isinstance(value, np.ndarray | float | np.floating) else None
        if arr is not None and arr.dtype.kind == "f" and not np.all(np.isfinite(arr)):
            bad.append(name)
    return bad


def outcome(run, time_limit):
    """Run ``run()``; return its result, or None after an acceptable error."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            with time_limit(PER_EXAMPLE_S), np.errstate(all="ignore"):
                result = run()
        except (ValueError, TypeError) as exc:
            # numpy's LinAlgError is a ValueError, but its message names no input
            assert not isinstance(exc, np.linalg.LinAlgError), f"LinAlgError: {exc}"
            assert str(exc).strip(), f"{type(exc).__name__} without a message"
            event(f"refused: {type(exc).__name__}")
            return None
    event("fitted")
    return result


def check_fitted(est, X, k=None):
    assert not _finite_attributes(est), f"non-finite learned attributes {_finite_attributes(est)}"
    labels = getattr(est, "labels_", None)
    if labels is not None:
        assert labels.shape == (len(X),)
        top = k if k is not None else labels.max() + 1
        assert labels.min() >= 0 and labels.max() < top
        if hasattr(est, "predict"):
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                assert np.array_equal(est.predict(X), labels), "labels_ != predict(X)"


def _fit_check(make, X, w, time_limit, k=None):
    def run():
        est = make()
        est.fit(X) if w is None else est.fit(X, sample_weight=w)
        check_fitted(est, X, k)
        return est
    return outcome(run, time_limit)


@given(X=matrices(), data=st.data(), k=positive_ints(), tol=tolerances(),
       algorithm=choice(["lloyd", "elkan", "hamerly", "yinyang", "auto"], ["x", 1]))
def test_fuzz_kmeans(X, data, k, tol, algorithm, time_limit):
    w = data.draw(weights(len(X)))
    _fit_check(lambda: KMeans(k, tol=tol, algorithm=algorithm, n_init=1, random_state=0),
               X, w, time_limit, k)


@given(X=matrices(), data=st.data(), k=positive_ints(), batch=positive_ints(top=8),
       tol=tolerances())
def test_fuzz_minibatch_kmeans(X, data, k, batch, tol, time_limit):
    w = data.draw(weights(len(X)))
    _fit_check(lambda: MiniBatchKMeans(k, batch_size=batch, tol=tol, max_iter=5, random_state=0),
               X, w, time_limit, k)


@given(X=matrices(), data=st.data(), k=positive_ints(),
       m=choice([1.0001, 1.5, 2.0, 50.0], [1.0, float("inf"), float("nan"), 0.5, "2"]))
def test_fuzz_fuzzy_cmeans(X, data, k, m, time_limit):
    w = data.draw(weights(len(X)))
    _fit_check(lambda: FuzzyCMeans(k, m=m, max_iter=50, random_state=0), X, w, time_limit, k)


@given(X=matrices(), k=positive_ints(),
       method=st.sampled_from(["single", "complete", "average", "weighted", "ward",
                               "centroid", "median"]),
       metric=choice(["euclidean", "sqeuclidean", "cityblock", "cosine", "chebyshev"],
                     ["minkowski", 2]))
def test_fuzz_agglomerative(X, k, method, metric, time_limit):
    _fit_check(lambda: AgglomerativeClustering(k, linkage=method, metric=metric), X, None,
               time_limit, k)


@given(X=st.one_of(matrices(), matrices().map(lambda a: np.ravel(a))),
       method=st.sampled_from(["single", "complete", "average", "ward", "centroid", "median"]),
       metric=st.sampled_from(["euclidean", "cosine", "cityblock"]))
def test_fuzz_linkage(X, method, metric, time_limit):
    Z = outcome(lambda: linkage(X, method, metric=metric), time_limit)
    if Z is not None:
        assert np.all(np.isfinite(Z)), "non-finite linkage matrix"
        assert np.all(np.diff(Z[:, 3]) >= -len(Z) - 1)  # sizes are counts
        assert Z[-1, 3] == len(Z) + 1


@given(X=matrices(), data=st.data(), k=positive_ints(top=4),
       cov=st.sampled_from(["full", "tied", "diag", "spherical"]),
       reg=choice([0.0, 1e-6, 1.0], [-1e-6, float("nan"), float("inf"), 1e300, "1e-6"]),
       algorithm=st.sampled_from(["soft", "hard"]))
def test_fuzz_gaussian_mixture(X, data, k, cov, reg, algorithm, time_limit):
    w = data.draw(weights(len(X)))

    def make():
        return GaussianMixture(k, covariance_type=cov, reg_covar=reg, algorithm=algorithm,
                               max_iter=20, random_state=0)

    est = _fit_check(make, X, w, time_limit)
    if est is not None:
        assert np.all(np.isfinite(est.score_samples(X)))


@given(data=st.data(), k=positive_ints(top=4),
       family=st.sampled_from(["gaussian", "bernoulli", "poisson", "categorical"]))
def test_fuzz_mixture_model(data, k, family, time_limit):
    kind = {"gaussian": "real", "bernoulli": "binary"}.get(family, "counts")
    X = data.draw(st.one_of(matrices(kind=kind), matrices()))
    w = data.draw(weights(len(X)))
    _fit_check(lambda: MixtureModel(k, family=family, max_iter=20, random_state=0), X, w,
               time_limit)


@given(X=matrices(), data=st.data(),
       bandwidth=choice(["scott", "silverman", "scott_cov", "silverman_cov", "isj", "cv", 1.0,
                         0.1],
                          [1e-300, 1e300, 1e-150, 1e150, 0.0, float("nan"), "x"]),
       kernel=st.sampled_from(["gaussian", "epanechnikov", "tophat"]))
def test_fuzz_kernel_density(X, data, bandwidth, kernel, time_limit):
    w = data.draw(weights(len(X)))
    est = _fit_check(lambda: KernelDensity(bandwidth=bandwidth, kernel=kernel), X, w,
                     time_limit)
    if est is not None:
        scores = outcome(lambda: est.score_samples(X), time_limit)
        if scores is not None:
            assert not np.any(np.isnan(scores)), "NaN log-density"
            if kernel == "gaussian":
                assert np.all(np.isfinite(scores)), "a Gaussian KDE is positive everywhere"


@given(X=matrices(max_rows=20), k=st.lists(positive_ints(), min_size=1, max_size=3),
       criterion=choice(["bic", "silhouette", "calinski_harabasz", "davies_bouldin", "elbow",
                          "gap"], ["best"]))
def test_fuzz_select_k(X, k, criterion, time_limit):
    est = GaussianMixture(random_state=0, max_iter=10) if criterion == "bic" else \
        KMeans(n_init=1, random_state=0)
    result = outcome(lambda: select_k(est, X, k=k, criterion=criterion, n_refs=2, n_jobs=1),
                     time_limit)
    if result is not None:
        assert result.best_k_ in k if hasattr(result, "best_k_") else True


@settings(max_examples=DEEP_EXAMPLES)
@given(X=matrices(max_rows=8, max_cols=3), k=positive_ints(top=3),
       likelihood=st.sampled_from(["gaussian", "bernoulli"]),
       epochs=choice([1, 2], [0, -1, 1.5]))
def test_fuzz_deep(X, k, likelihood, epochs, time_limit):
    deep = pytest.importorskip("clusterlab.deep", exc_type=ImportError)
    _fit_check(lambda: deep.VAE(hidden_dim=4, latent_dim=2, epochs=epochs, batch_size=4,
                                likelihood=likelihood, random_state=0), X, None, time_limit)
    _fit_check(lambda: deep.DeepClustering(k, hidden_dim=4, latent_dim=2, pretrain_epochs=1,
                                           epochs=epochs, likelihood=likelihood,
                                           random_state=0), X, None, time_limit, k)
