"""Convergence: time and E-steps to reach plain EM's optimum, from the same start.

The target is plain EM's limit from that start (clusterlab, no acceleration,
run to a relative change of 1e-11 in ``make_data``); a method has reached it
when its log-likelihood is within 1e-6 (relative) of it or above. Ours (plain
EM and SQUAREM) are timed in one run each: the seconds and E-steps until the
first recorded log-likelihood that reaches it (every E-step counted, SQUAREM's
at extrapolated points too: "iterations" here means passes over the data).
scikit-learn runs the same EM from the same start; it is given the smallest
``max_iter`` (tol=0), searched upward from plain EM's count, whose final
log-likelihood reaches it, and timed on that run alone (kinder to it than
tightening ``tol``, which runs past that point).

Workloads: GMM-A (n=100,000, d=16, k=16, full and diagonal) and Old Faithful
EEE (tied) with k=3 from the k-means start.
"""

import time
import warnings
from collections import OrderedDict

import numpy as np

from benchmarks._workload import Workload
from benchmarks.suite_gmm import _make

_REL = 1e-6


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


def _trajectory(data, acceleration, tol=1e-11, max_iter=20_000):
    """``[(E-steps, mean log-likelihood, seconds)]`` at every recorded iterate."""
    from clusterlab.mixture import _em

    seen, record = [], _em.EMRun.record

    def spy(self, params, mix, stats, nk, ll, el):
        seen.append((self.res.n_evaluations, ll, time.perf_counter()))
        return record(self, params, mix, stats, nk, ll, el)

    _em.EMRun.record = spy
    try:
        t0 = time.perf_counter()
        _ours(data, tol, acceleration, max_iter)
    finally:
        _em.EMRun.record = record
    return [(e, ll, t - t0) for e, ll, t in seen]


def _reached(ll, best):
    return ll >= best - _REL * abs(best)


def _with_best(make):
    def build():
        data = make()
        _ours({**data, "X": data["X"][:2000]}, 1e-3, "squarem", max_iter=3)  # compile
        path = _trajectory(data, "none")
        data["best"] = path[-1][1]
        data["plain_steps"] = next(e for e, ll, _ in path if _reached(ll, data["best"]))
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


def _sklearn(data, max_iter):
    from sklearn.mixture import GaussianMixture

    gm = GaussianMixture(data["k"], covariance_type=data["kind"], tol=0.0, max_iter=max_iter,
                         weights_init=data["weights"], means_init=data["means"],
                         precisions_init=data["precisions"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return gm.fit(data["X"])


def _ours_runner(acceleration):
    def run(data):
        path = _trajectory(data, acceleration)
        for e, ll, t in path:
            if _reached(ll, data["best"]):
                return {"quality": ll, "seconds": t, "note": f"{e} E-steps"}
        return {"quality": path[-1][1], "seconds": path[-1][2],
                "note": f"not reached ({path[-1][0]} E-steps)"}

    return run


def run_sklearn(data):
    _sklearn({**data, "X": data["X"][:2000]}, 2)  # untimed: scikit-learn's first-call costs
    steps = data["plain_steps"]
    for _ in range(40):
        t0 = time.perf_counter()
        model = _sklearn(data, steps)
        secs = time.perf_counter() - t0
        ll = float(model.score(data["X"]))
        if _reached(ll, data["best"]):
            return {"quality": ll, "seconds": secs, "note": f"max_iter={steps}"}
        steps = int(steps * 1.05) + 1
    return {"quality": ll, "seconds": secs, "note": f"not reached at max_iter={steps}"}


def _workload(name, description, make):
    return Workload(
        name=name, description=description, make_data=_with_best(make),
        runners=OrderedDict([("clusterlab", _ours_runner("squarem")),
                             ("plain EM", _ours_runner("none")),
                             ("scikit-learn", run_sklearn)]),
        quality_name="final mean log-likelihood",
        target="<= 1/3 of plain EM's iterations, <= 0.1x scikit-learn's time",
        repeats=1, warmup=False, higher_quality_is_better=True, timeout_s=1200,
    )


WORKLOADS = [
    _workload("CONV-A-full", "GMM-A: n=100,000 d=16 k=16, full, to 1e-6 of plain EM's limit",
              _make(100_000, 16, 16, "full", 0)),
    _workload("CONV-A-diag", "GMM-A: n=100,000 d=16 k=16, diag, to 1e-6 of plain EM's limit",
              _make(100_000, 16, 16, "diag", 0)),
    _workload("CONV-faithful", "Old Faithful, EEE (tied), k=3 from k-means, to 1e-6",
              _faithful),
]
