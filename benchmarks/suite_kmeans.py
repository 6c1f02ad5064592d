"""k-means family workloads: KM-A (f64, f32), KM-B and FCM.

Every library starts from the same initial centres (or memberships) and runs
the same number of iterations (tol=0 / max_iter=N, faiss niter=N, skfuzzy
maxiter=N); the quality is recomputed here, outside the timing, from each
library's final centres, so that equal work shows as equal inertia.
"""

import time
from collections import OrderedDict

import numpy as np

from benchmarks._workload import Workload, scorer


@scorer
def _inertia(X, C):
    """Inertia of ``X`` under centres ``C`` (float64, chunked, exact distance)."""
    X64 = np.asarray(C, dtype=np.float64)
    c_sq = (X64**2).sum(axis=1)
    total = 0.0
    # small chunks: the scorer runs in the measured process, after the fit, and its
    # temporaries must not set the peak memory reported for the library
    for s in range(0, X.shape[0], 4096):
        x = X[s : s + 4096].astype(np.float64)
        lab = np.argmin(c_sq[None, :] - 2.0 * x @ X64.T, axis=1)
        total += float(((x - X64[lab]) ** 2).sum())
    return total


@scorer
def _fcm_objective(X, C, m):
    """J_m of ``X`` under centres ``C`` with the optimal memberships."""
    C = np.asarray(C, dtype=np.float64)
    total = 0.0
    for s in range(0, X.shape[0], 4096):
        x = X[s : s + 4096].astype(np.float64)
        d = ((x[:, None, :] - C[None]) ** 2).sum(axis=2)
        total += float((((d ** (-1.0 / (m - 1))).sum(axis=1)) ** (1.0 - m)).sum())
    return total


def _blobs(n, d, k, dtype, seed=0):
    from sklearn.datasets import make_blobs

    X, _ = make_blobs(n, n_features=d, centers=k, cluster_std=4.0, center_box=(-10, 10),
                      random_state=seed)
    X = np.ascontiguousarray(X, dtype=dtype)
    rng = np.random.default_rng(seed)
    C0 = X[rng.choice(n, k, replace=False)].copy()
    return X, C0


def _kmeans_data(n, d, k, dtype, n_iter):
    def make():
        X, C0 = _blobs(n, d, k, dtype)
        return {"X": X, "C0": C0, "k": k, "n_iter": n_iter}

    return make


def _timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def run_ours(data, algorithm="auto"):
    from clusterlab import KMeans

    km = KMeans(data["k"], init=data["C0"], n_init=1, max_iter=data["n_iter"], tol=0.0,
                algorithm=algorithm)
    _, secs = _timed(lambda: km.fit(data["X"]))
    return {"quality": _inertia(data["X"], km.cluster_centers_), "seconds": secs,
            "note": f"{km.n_iter_} it, {km.algorithm}"}


def _run_sklearn(data, algorithm):
    from sklearn.cluster import KMeans

    km = KMeans(data["k"], init=data["C0"], n_init=1, max_iter=data["n_iter"], tol=0.0,
                algorithm=algorithm)
    _, secs = _timed(lambda: km.fit(data["X"]))
    return {"quality": _inertia(data["X"], km.cluster_centers_), "seconds": secs,
            "note": f"{km.n_iter_} it"}


def run_sklearn_lloyd(data):
    return _run_sklearn(data, "lloyd")


def run_sklearn_elkan(data):
    return _run_sklearn(data, "elkan")


def run_faiss(data):
    import faiss

    faiss.omp_set_num_threads(2)
    X, C0 = data["X"], data["C0"]
    n, d = X.shape

    def fit():
        # faiss works in float32 only: the conversion of float64 data is part of its cost
        X32 = np.ascontiguousarray(X, dtype=np.float32)
        km = faiss.Kmeans(d, data["k"], niter=data["n_iter"], max_points_per_centroid=n,
                          seed=0, verbose=False)
        km.train(X32, init_centroids=np.ascontiguousarray(C0, dtype=np.float32))
        return km

    km, secs = _timed(fit)
    return {"quality": _inertia(X, km.centroids), "seconds": secs,
            "note": f"{data['n_iter']} it, float32"}


KMEANS_RUNNERS = OrderedDict(
    [
        ("clusterlab", run_ours),
        ("sklearn lloyd", run_sklearn_lloyd),
        ("sklearn elkan", run_sklearn_elkan),
        ("faiss", run_faiss),
    ]
)


def _fcm_data():
    X, _ = _blobs(100_000, 8, 10, np.float64, seed=1)
    u0 = np.random.default_rng(1).uniform(size=(X.shape[0], 10))
    u0 /= u0.sum(axis=1, keepdims=True)
    return {"X": X, "u0": u0, "c": 10, "m": 2.0, "n_iter": 50}


def run_ours_fcm(data):
    from clusterlab import FuzzyCMeans

    # skfuzzy's N iterations are N membership passes whose last centres come from
    # N - 1 updates; ours: N - 1 updates plus the final pass (N passes in all).
    fcm = FuzzyCMeans(data["c"], m=data["m"], init=data["u0"], max_iter=data["n_iter"] - 1,
                      tol=0.0)
    _, secs = _timed(lambda: fcm.fit(data["X"]))
    return {"quality": _fcm_objective(data["X"], fcm.cluster_centers_, data["m"]),
            "seconds": secs, "note": f"{fcm.n_iter_ + 1} passes"}


def run_skfuzzy(data):
    import skfuzzy

    def fit():
        return skfuzzy.cmeans(data["X"].T, data["c"], data["m"], error=0.0,
                              maxiter=data["n_iter"], init=data["u0"].T.copy())

    out, secs = _timed(fit)
    return {"quality": _fcm_objective(data["X"], out[0], data["m"]), "seconds": secs,
            "note": f"{out[5]} passes"}


WORKLOADS = [
    Workload(
        name="KM-A f64",
        description="n=200,000, d=32, k=64, float64, 30 iterations from the same random centres",
        make_data=_kmeans_data(200_000, 32, 64, np.float64, 30),
        runners=KMEANS_RUNNERS.copy(),
        quality_name="inertia",
        target="<= 0.5x fastest peer",
    ),
    Workload(
        name="KM-A f32",
        description="n=200,000, d=32, k=64, float32, 30 iterations from the same random centres",
        make_data=_kmeans_data(200_000, 32, 64, np.float32, 30),
        runners=KMEANS_RUNNERS.copy(),
        quality_name="inertia",
        target="<= 0.5x fastest peer",
    ),
    Workload(
        name="KM-B",
        description="n=1,000,000, d=16, k=256, float32, 20 iterations from the same centres",
        make_data=_kmeans_data(1_000_000, 16, 256, np.float32, 20),
        runners=KMEANS_RUNNERS.copy(),
        quality_name="inertia",
        target="<= 0.5x fastest peer",
        repeats=1,  # each run takes tens of seconds on the shared machine
    ),
    Workload(
        name="FCM",
        description="n=100,000, d=8, c=10, m=2, 50 membership passes from the same memberships",
        make_data=_fcm_data,
        runners=OrderedDict([("clusterlab", run_ours_fcm), ("skfuzzy", run_skfuzzy)]),
        quality_name="J_m",
        target="<= 0.1x skfuzzy",
    ),
]
