"""Gaussian mixture workloads: GMM-A (full and diag) and GMM-B (diag, large).

Every library starts from the same initial parameters (weights, means,
precisions) and runs the same number of EM iterations (tol=0 / max_iter=N).
The quality is the mean log-likelihood of the data under each library's final
parameters, recomputed here outside the timing by one independent scorer
(scipy.stats), so equal work shows as equal log-likelihood.

pomegranate 1.x is far slower on CPU: it runs fewer iterations (GMM-A) or
fewer iterations on a subset (GMM-B), and its time is scaled linearly to the
full workload; its note says so and its quality is not comparable (left empty).
"""

import time
import warnings
from collections import OrderedDict

import numpy as np

from benchmarks._workload import Workload, scorer


def _make(n, d, k, kind, n_iter, seed=0):
    def make():
        rng = np.random.default_rng(seed)
        centres = rng.normal(0.0, 4.0, (k, d))
        scales = rng.uniform(0.5, 1.5, k)
        labels = rng.integers(0, k, n)
        X = centres[labels] + rng.normal(size=(n, d)) * scales[labels, None]
        means = X[rng.choice(n, k, replace=False)].copy()
        var = float(X.var(axis=0).mean())
        prec = np.stack([np.eye(d) / var] * k) if kind == "full" else np.full((k, d), 1 / var)
        return {"X": X, "kind": kind, "k": k, "n_iter": n_iter, "weights": np.full(k, 1.0 / k),
                "means": means, "precisions": prec}

    return make


@scorer
def mean_log_likelihood(X, weights, means, covariances, kind):
    """Mean log p(x) under a Gaussian mixture, with scipy.stats (float64, chunked)."""
    from scipy import stats
    from scipy.special import logsumexp

    total = 0.0
    # small chunks: the scorer runs in the measured process, after the fit, and its
    # temporaries must not set the peak memory reported for the library
    for s in range(0, X.shape[0], 5_000):
        x = X[s: s + 5_000]
        cols = []
        for w, m, c in zip(weights, means, covariances, strict=True):
            if kind == "full":
                lp = stats.multivariate_normal(m, c).logpdf(x)
            else:
                lp = stats.norm(m, np.sqrt(c)).logpdf(x).sum(axis=1)
            cols.append(np.log(w) + lp)
        total += float(logsumexp(np.column_stack(cols), axis=1).sum())
    return total / X.shape[0]


def _timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def run_ours(data):
    from clusterlab import GaussianMixture

    gm = GaussianMixture(data["k"], covariance_type=data["kind"], max_iter=data["n_iter"],
                         tol=0, weights_init=data["weights"], means_init=data["means"],
                         precisions_init=data["precisions"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _, secs = _timed(lambda: gm.fit(data["X"]))
    q = mean_log_likelihood(data["X"], gm.weights_, gm.means_, gm.covariances_, data["kind"])
    return {"quality": q, "seconds": secs, "note": f"{gm.n_iter_} it"}


def run_sklearn(data):
    from sklearn.mixture import GaussianMixture

    gm = GaussianMixture(data["k"], covariance_type=data["kind"], max_iter=data["n_iter"],
                         tol=0, weights_init=data["weights"], means_init=data["means"],
                         precisions_init=data["precisions"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _, secs = _timed(lambda: gm.fit(data["X"]))
    q = mean_log_likelihood(data["X"], gm.weights_, gm.means_, gm.covariances_, data["kind"])
    return {"quality": q, "seconds": secs, "note": f"{gm.n_iter_} it"}


def _pomegranate(data, n_iter, n_rows):
    import torch
    from pomegranate.distributions import Normal
    from pomegranate.gmm import GeneralMixtureModel

    k, kind = data["k"], data["kind"]
    covs = np.linalg.inv(data["precisions"]) if kind == "full" else 1 / data["precisions"]
    dists = [Normal(means=torch.tensor(data["means"][j]), covs=torch.tensor(covs[j]),
                    covariance_type=kind) for j in range(k)]
    model = GeneralMixtureModel(dists, priors=torch.tensor(data["weights"]), max_iter=n_iter,
                                tol=0)
    X = torch.tensor(data["X"][:n_rows])
    _, secs = _timed(lambda: model.fit(X))
    scale = (data["n_iter"] / n_iter) * (data["X"].shape[0] / n_rows)
    note = (f"ran {n_iter} of {data['n_iter']} it on {n_rows} of {data['X'].shape[0]} rows; "
            f"time x{scale:g} (linear); float64, no reg_covar")
    quality = None
    if scale == 1:  # the full workload ran: its log-likelihood is comparable
        means = np.stack([dist.means.numpy() for dist in model.distributions])
        cov = np.stack([dist.covs.numpy() for dist in model.distributions])
        quality = mean_log_likelihood(data["X"], model.priors.numpy(), means, cov, kind)
    return {"quality": quality, "seconds": secs * scale, "note": note}


def _pomegranate_runner(n_iter, n_rows=None):
    def run(data):
        return _pomegranate(data, n_iter, n_rows or data["X"].shape[0])

    return run


def _workload(name, description, make, target, pomegranate, repeats=3):
    return Workload(
        name=name, description=description, make_data=make,
        runners=OrderedDict(
            [("clusterlab", run_ours), ("scikit-learn", run_sklearn),
             ("pomegranate", pomegranate)]
        ),
        quality_name="mean log-likelihood", target=target, repeats=repeats, warmup=False,
        higher_quality_is_better=True, timeout_s=1800,
    )


TARGET = "<= 0.2x scikit-learn's time, lower peak memory"

WORKLOADS = [
    _workload("GMM-A-full", "n=100,000 d=16 k=16, full covariances, 30 EM iterations",
              _make(100_000, 16, 16, "full", 30), TARGET, _pomegranate_runner(3)),
    _workload("GMM-A-diag", "n=100,000 d=16 k=16, diagonal covariances, 30 EM iterations",
              _make(100_000, 16, 16, "diag", 30), TARGET, _pomegranate_runner(3)),
    _workload("GMM-B", "n=1,000,000 d=32 k=32, diagonal covariances, 20 EM iterations",
              _make(1_000_000, 32, 32, "diag", 20), TARGET, _pomegranate_runner(1, 100_000),
              repeats=1),
]
