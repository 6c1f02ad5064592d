"""Fits compared across sources: the same estimator from the same initialisation on
an in-memory array and on a file or Dask array must agree to a relative 1e-8."""

import warnings

import numpy as np

from clusterlab import FuzzyCMeans, GaussianMixture, KMeans, MixtureModel
from clusterlab.mixture.families import Family

RTOL = 1e-8


class Exponential(Family):
    """A user family (the protocol docstring's example): independent exponential rates."""

    name = "exponential"

    def check_X(self, X):
        if np.any(X < 0):
            raise ValueError("Exponential components need X >= 0.")

    def log_prob(self, X, params):
        rate = params["rate"]
        return np.log(rate).sum(axis=1) - X @ rate.T

    def statistics(self, X, resp, weights):
        wr = resp * weights[:, None]
        return {"n": wr.sum(axis=0), "sum": wr.T @ X}

    def m_step(self, stats):
        return {"rate": stats["n"][:, None] / np.maximum(stats["sum"], 1e-300)}

    def n_parameters(self, n_components, n_features):
        return n_components * n_features

    def sample(self, params, counts, rng):
        return np.vstack([rng.exponential(1 / r, size=(c, r.size))
                          for r, c in zip(params["rate"], counts, strict=True)])


def data(kind, n=3000, seed=0):
    """Data for each model: three separated groups of n / 3 rows."""
    rng = np.random.default_rng(seed)
    m = n // 3
    if kind == "gaussian":
        return np.vstack([rng.normal(c, 1 + c / 5, (m, 3)) for c in (0, 4, 8)])
    if kind == "poisson":
        return rng.poisson(np.repeat([[1, 6], [7, 2], [4, 4]], m, axis=0)).astype(float)
    if kind == "bernoulli":
        p = np.repeat([[0.9, 0.1, 0.5], [0.1, 0.8, 0.2], [0.5, 0.5, 0.9]], m, axis=0)
        return (rng.uniform(size=p.shape) < p).astype(float)
    if kind == "categorical":
        probs = [[0.7, 0.2, 0.1], [0.1, 0.2, 0.7], [0.3, 0.4, 0.3]]
        return np.vstack([rng.multinomial(8, p, size=m) for p in probs]).astype(float)
    if kind == "exponential":
        return np.vstack([rng.exponential(s, (m, 2)) for s in (0.2, 1.0, 5.0)])
    raise ValueError(kind)


MODELS = ["kmeans", "fcm", "gmm-full", "gmm-tied", "gmm-diag", "gmm-spherical",
          "mm-poisson", "mm-bernoulli", "mm-categorical", "mm-exponential"]


def data_for(model):
    if model.startswith("mm-"):
        return data(model[3:])
    return data("gaussian")


def make(model, X):
    """An estimator with a fixed initialisation computed from the in-memory ``X``."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if model == "kmeans":
            return KMeans(3, init=X[[0, 1000, 2000]], max_iter=50)
        if model == "fcm":
            return FuzzyCMeans(3, init=X[[0, 1000, 2000]], max_iter=30, tol=0.0)
        if model.startswith("gmm-"):
            cov = model[4:]
            start = GaussianMixture(3, covariance_type=cov, max_iter=2, random_state=0).fit(X)
            return GaussianMixture(3, covariance_type=cov, max_iter=12, tol=0.0,
                                   weights_init=start.weights_, means_init=start.means_,
                                   precisions_init=start.precisions_)
        family = Exponential() if model == "mm-exponential" else model[3:]
        start = MixtureModel(3, family=family, max_iter=2, random_state=0).fit(X)
        return MixtureModel(3, family=family, max_iter=12, tol=0.0,
                            params_init=start.params_, weights_init=start.weights_)


def fit(est, X, sample_weight=None):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # max_iter reached on purpose
        return est.fit(X, sample_weight=sample_weight)


def close(a, b, what):
    np.testing.assert_allclose(np.asarray(b, dtype=float), np.asarray(a, dtype=float),
                               rtol=RTOL, atol=RTOL * max(1.0, float(np.abs(a).max())),
                               err_msg=what)


def assert_same_fit(a, b, X_mem, X_other):
    """Parameters, objective and labels of two fits agree (``b`` fitted on ``X_other``)."""
    assert a.n_iter_ == b.n_iter_
    if hasattr(a, "cluster_centers_"):
        close(a.cluster_centers_, b.cluster_centers_, "centres")
        for name in ("inertia_", "objective_"):
            if hasattr(a, name):
                close(getattr(a, name), getattr(b, name), name)
    else:
        close(a.weights_, b.weights_, "weights")
        for key in a.params_:
            close(a.params_[key], b.params_[key], key)
        close(a.lower_bound_, b.lower_bound_, "lower bound")
        close(a.score_samples(X_mem), _np(b.score_samples(X_other)), "score_samples")
        close(a.predict_proba(X_mem), _np(b.predict_proba(X_other)), "predict_proba")
    np.testing.assert_array_equal(a.predict(X_mem), _np(b.predict(X_other)))


def _np(x):
    return np.asarray(x.compute() if hasattr(x, "compute") else x)
