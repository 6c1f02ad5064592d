"""Convergence: time and iterations to reach the optimum, from the same start.

The quantity is how long each method takes to end within 1e-6 (relative) of
the best log-likelihood known from that start (our SQUAREM run to tol=1e-13,
computed once per process in ``make_data``). Every method runs with its
stopping tolerance tightened by factors of 10 (from 1e-3) until its final
log-likelihood gets there; the time and iterations reported are those of that
run alone (scikit-learn's change of the mean log-likelihood, our relative
change). "plain EM" is clusterlab with ``acceleration="none"``; clusterlab's
own row is ``acceleration="squarem"``. Iterations: E-steps (SQUAREM's include
those at extrapolated points).

Workloads: GMM-A's shape (d=16, k=16, full and diagonal) on 5,000 rows, so
the slow plain runs stay short here, and Old Faithful EEE (tied) with k=3
from the k-means start.
"""

import time
import warnings
from collections import OrderedDict

import numpy as np

from benchmarks._workload import Workload
from benchmarks.suite_gmm import _make

_REL = 1e-6
_TOLS = [10.0 ** -e for e in range(3, 15)]


def _faithful():
    from clusterlab.cluster import KMeans
    from clusterlab.datasets import load_faithful

    X = np.asarray(load_faithful(), dtype=np.float64)
    labels = KMeans(3, random_state=0, n_init=1).fit(X).labels_
    means = np.array([X[labels == j].mean(axis=0) for j in range(3)])
    cov = sum(np.cov(X[labels == j].T, bias=True) * np.sum(labels == j) for j in range(3))
    cov = cov / X.shape[0]
    return {"X": X, "kind": "tied", "k": 3, "weights": np.bincount(labels) / X.shape[0],
            "means": means, "precisions": np.linalg.inv(cov)}


def _with_best(make):
    def build():
        data = make()
        gm = _ours(data, 1e-13, "squarem", max_iter=20_000)
        data["best"] = float(gm.history_["log_likelihood"].max())
        return data

    return build


def _ours(data, tol, acceleration, max_iter=20_000):
    from clusterlab import GaussianMixture

    gm = GaussianMixture(data["k"], covariance_type=data["kind"], tol=tol, max_iter=max_iter,
                         weights_init=data["weights"], means_init=data["means"],
                         precisions_init=data["precisions"], acceleration=acceleration)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return gm.fit(data["X"])


def _sklearn(data, tol):
    from sklearn.mixture import GaussianMixture

    gm = GaussianMixture(data["k"], covariance_type=data["kind"], tol=tol, max_iter=20_000,
                         weights_init=data["weights"], means_init=data["means"],
                         precisions_init=data["precisions"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return gm.fit(data["X"])


def _until_reached(data, fit, final_ll, iterations):
    for tol in _TOLS:
        t0 = time.perf_counter()
        model = fit(data, tol)
        secs = time.perf_counter() - t0
        ll = final_ll(model)
        if abs(ll - data["best"]) <= _REL * abs(data["best"]):
            note = f"{iterations(model)} it, tol={tol:g}"
            return {"quality": ll, "seconds": secs, "note": note}
    return {"quality": ll, "seconds": secs, "note": f"not reached at tol={tol:g}"}


def _ours_runner(acceleration):
    def run(data):
        return _until_reached(
            data, lambda d, tol: _ours(d, tol, acceleration),
            lambda m: float(m.score(data["X"])),
            lambda m: m.n_iter_ if acceleration == "none" else m._n_evaluations,
        )

    return run


def run_sklearn(data):
    return _until_reached(data, _sklearn, lambda m: float(m.score(data["X"])),
                          lambda m: m.n_iter_)


def _workload(name, description, make):
    return Workload(
        name=name, description=description, make_data=_with_best(make),
        runners=OrderedDict([("clusterlab", _ours_runner("squarem")),
                             ("plain EM", _ours_runner("none")),
                             ("scikit-learn", run_sklearn)]),
        quality_name="final mean log-likelihood",
        target="<= 1/3 of plain EM's iterations, <= 0.1x scikit-learn's time",
        repeats=1, warmup=True, higher_quality_is_better=True, timeout_s=400,
    )


WORKLOADS = [
    _workload("CONV-A-full", "n=5,000 d=16 k=16 (GMM-A's shape), full, to 1e-6 of the best",
              _make(5_000, 16, 16, "full", 0)),
    _workload("CONV-A-diag", "n=5,000 d=16 k=16 (GMM-A's shape), diag, to 1e-6 of the best",
              _make(5_000, 16, 16, "diag", 0)),
    _workload("CONV-faithful", "Old Faithful, EEE (tied), k=3 from k-means, to 1e-6",
              _faithful),
]
