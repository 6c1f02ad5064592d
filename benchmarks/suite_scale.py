"""Past memory: out-of-core fits on a .npy file, and Dask against dask-ml.

OOC-*: KMeans (k=16) and a diagonal GaussianMixture (k=16) on a 50,000,000 x 16
float32 .npy file (3.2 GB, written into a temporary folder by each run and
deleted after) against the same estimator on an in-memory 5,000,000-row array
generated the same way. The time column is seconds per pass per million rows,
so "ours / this" is the per-row cost of streaming the file; the quality column
is rows per second; the peak memory is the measured process's (the file is read
with positioned reads into one chunk buffer, never mapped).

DASK-*: one LocalCluster (2 worker processes, 1 thread each), a 4,000,000 x 32
float32 Dask array in 64 MB blocks generated and persisted on the workers.
KMeans k=32: each library's scalable initialisation (k-means||) and the same
number of Lloyd iterations (tol=0); the time is the fit; the quality is the
inertia of the final centres computed by one scorer; the note gives the
workers' peak resident memory. GMM: seconds per EM iteration of a diagonal
GaussianMixture (k=32) on the Dask array against the in-memory fit.

``CLUSTERLAB_BENCH_FRACTION`` (default 1) scales every row count, for a quick run.
"""

import os
import shutil
import tempfile
import time
import warnings
from collections import OrderedDict

import numpy as np

from benchmarks._workload import Workload

FRACTION = float(os.environ.get("CLUSTERLAB_BENCH_FRACTION", "1"))
BLOCK = 1_000_000  # rows generated at once (deterministic per block)


def _rows(n):
    return max(BLOCK // 10, int(n * FRACTION))


def _block(i, rows, d, k, seed=0, spread=5.0):
    """Rows ``[i * BLOCK, i * BLOCK + rows)`` of the synthetic data (float32, k blobs of
    unit variance around centres drawn with standard deviation ``spread``)."""
    centres = np.random.default_rng(seed).normal(0.0, spread, (k, d))
    rng = np.random.default_rng([seed, i])
    labels = rng.integers(0, k, rows)
    return (centres[labels] + rng.normal(size=(rows, d))).astype(np.float32)


def _generate(n, d, k, out=None):
    """The first ``n`` rows, into ``out`` (an open binary file) or a new array."""
    arr = None if out is not None else np.empty((n, d), dtype=np.float32)
    for i, start in enumerate(range(0, n, BLOCK)):
        part = _block(i, min(BLOCK, n - start), d, k)
        if out is not None:
            out.write(part.tobytes())
        else:
            arr[start:start + part.shape[0]] = part
    return arr


def _npy_file(n, d, k):
    folder = tempfile.mkdtemp(prefix="clusterlab-bench-")
    path = os.path.join(folder, "x.npy")
    header = {"descr": np.lib.format.dtype_to_descr(np.dtype(np.float32)),
              "fortran_order": False, "shape": (n, d)}
    with open(path, "wb") as fh:
        np.lib.format.write_array_header_1_0(fh, header)
        _generate(n, d, k, out=fh)
    return folder, path


def _ooc_data(n_file, n_mem, d, k, model):
    def make():
        return {"n_file": _rows(n_file), "n_mem": _rows(n_mem), "d": d, "k": k,
                "model": model, "init": _block(99, k, d, k).astype(np.float64)}

    return make


def _fit(model, X, k, init, passes):
    from clusterlab import GaussianMixture, KMeans

    if model == "kmeans":
        est = KMeans(k, init=init, max_iter=passes, tol=0.0, algorithm="lloyd")
    else:
        est = GaussianMixture(k, covariance_type="diag", max_iter=passes, tol=0.0,
                              means_init=init, weights_init=np.full(k, 1.0 / k),
                              precisions_init=np.ones((k, init.shape[1])))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t0 = time.perf_counter()
        est.fit(X)
        return est, time.perf_counter() - t0


def _per_pass(data, X, n, where):
    passes = 6
    est, secs = _fit(data["model"], X, data["k"], data["init"], passes)
    # KMeans: a summary pass, the Lloyd passes and the final assignment; GMM: E-steps
    total = est.n_iter_ + 2 if data["model"] == "kmeans" else est.n_iter_
    per_pass = secs / total
    return {"seconds": per_pass / (n / 1e6), "quality": n / per_pass,
            "note": f"{where}: {per_pass:.2f} s per pass over {n:,} rows ({total} passes)"}


def _read_pass(path):
    """Seconds of one pass that only reads (and validates) every chunk of the file."""
    from clusterlab._mapreduce import map_reduce

    t0 = time.perf_counter()
    map_reduce(path, lambda X, w, a, b: 0.0)
    return time.perf_counter() - t0


def run_file(data):
    folder, path = _npy_file(data["n_file"], data["d"], data["k"])
    try:
        out = _per_pass(data, path, data["n_file"], ".npy")
        out["note"] += f"; a pass that only reads the file: {_read_pass(path):.2f} s"
        return out
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def run_memory(data):
    X = _generate(data["n_mem"], data["d"], data["k"])
    return _per_pass(data, X, data["n_mem"], "in memory")


def _ooc(name, model, what):
    n_file, n_mem = _rows(50_000_000), _rows(5_000_000)
    return Workload(
        name=name,
        description=(f"{what}, k=16, {n_file:,} x 16 float32 .npy vs {n_mem:,} rows in memory; "
                     "time = s per pass per 1M rows, quality = rows/s"),
        make_data=_ooc_data(50_000_000, 5_000_000, 16, 16, model),
        runners=OrderedDict([("clusterlab .npy", run_file),
                             ("clusterlab in memory", run_memory)]),
        quality_name="rows / s", target="file within 1.5x per row, peak RSS < 1 GB",
        repeats=1, warmup=False, timeout_s=3000, higher_quality_is_better=True)


# ---------------------------------------------------------------- Dask vs dask-ml

def _cluster():
    from distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                           memory_limit="6GiB", dashboard_address=None)
    return cluster, Client(cluster)


def _dask_array(n, d, k, block_rows):
    import dask
    import dask.array as da

    # overlapping blobs (spread 1): Lloyd keeps moving for the iterations asked
    parts = [da.from_delayed(dask.delayed(_block)(i, min(block_rows, n - s), d, k, 0, 1.0),
                             shape=(min(block_rows, n - s), d), dtype=np.float32)
             for i, s in enumerate(range(0, n, block_rows))]
    return da.concatenate(parts).persist()


def _worker_peak(client, reset=False):
    def peak():
        if reset:
            with open("/proc/self/clear_refs", "w") as fh:
                fh.write("5")
        with open("/proc/self/status") as fh:
            return next(int(x.split()[1]) for x in fh if x.startswith("VmHWM")) / 1024.0

    return max(client.run(peak).values())


def _inertia(X, C):
    from sklearn.metrics import pairwise_distances_argmin_min

    C = np.asarray(C, dtype=np.float64)

    def block(b):
        return np.array([(pairwise_distances_argmin_min(b.astype(np.float64), C)[1] ** 2).sum()])

    return float(X.map_blocks(block, drop_axis=1, chunks=(1,), dtype=np.float64).sum().compute())


def _dask_data(n, d, k, n_iter):
    def make():
        return {"n": _rows(n), "d": d, "k": k, "n_iter": n_iter}

    return make


def _dask_run(data, fit):
    cluster, client = _cluster()
    try:
        n, d, k = data["n"], data["d"], data["k"]
        X = _dask_array(n, d, k, (64 * 2**20) // (d * 4))
        X.sum().compute()  # generated and held by the workers before the clock starts
        fit(X[:50_000], k, 1)  # warm the workers (imports, compiled kernels)
        _worker_peak(client, reset=True)
        t0 = time.perf_counter()
        centres, note = fit(X, k, data["n_iter"])
        secs = time.perf_counter() - t0
        note += f"; worker peak {_worker_peak(client):.0f} MB"
        return {"seconds": secs, "quality": _inertia(X, centres), "note": note}
    finally:
        client.close()
        cluster.close()


def _fit_ours(X, k, n_iter):
    from clusterlab import KMeans

    km = KMeans(k, init="k-means||", max_iter=n_iter, tol=0.0, random_state=0).fit(X)
    return km.cluster_centers_, f"{km.n_iter_} Lloyd it"


def _fit_daskml(X, k, n_iter):
    from dask_ml.cluster import KMeans

    km = KMeans(n_clusters=k, init="k-means||", max_iter=n_iter, tol=0.0, random_state=0,
                oversampling_factor=2, init_max_iter=5).fit(X)
    return km.cluster_centers_, f"{km.n_iter_} Lloyd it"


def run_dask_ours(data):
    return _dask_run(data, _fit_ours)


def run_dask_ml(data):
    return _dask_run(data, _fit_daskml)


def _gmm_seconds(X, k, n_iter):
    from clusterlab import GaussianMixture

    d = X.shape[1]
    means = _block(99, k, d, k).astype(np.float64)
    gm = GaussianMixture(k, covariance_type="diag", max_iter=n_iter, tol=0.0, means_init=means,
                         weights_init=np.full(k, 1.0 / k), precisions_init=np.ones((k, d)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t0 = time.perf_counter()
        gm.fit(X)
    return time.perf_counter() - t0, gm


def run_gmm_dask(data):
    def fit(X, k, n_iter):
        secs, gm = _gmm_seconds(X, k, n_iter)
        return gm.means_, f"{secs / n_iter:.2f} s per EM iteration"

    out = _dask_run(data, fit)
    out["seconds"] /= data["n_iter"]
    out["quality"] = None
    return out


def run_gmm_memory(data):
    X = _generate(data["n"], data["d"], data["k"])
    secs, _ = _gmm_seconds(X, data["k"], data["n_iter"])
    return {"seconds": secs / data["n_iter"], "quality": None,
            "note": f"{secs / data['n_iter']:.2f} s per EM iteration"}


def _dask_workloads():
    n = _rows(4_000_000)
    return [
        Workload(
            name="DASK-KMeans", description=f"{n:,} x 32 float32 on 2 Dask workers, k=32, "
            "k-means|| init + 10 Lloyd iterations", make_data=_dask_data(4_000_000, 32, 32, 10),
            runners=OrderedDict([("clusterlab", run_dask_ours), ("dask-ml", run_dask_ml)]),
            quality_name="inertia", target="<= 0.5x dask-ml's time at equal or lower inertia",
            repeats=1, warmup=False, timeout_s=1800),
        Workload(
            name="DASK-GMM", description=f"{n:,} x 32 float32, k=32 diagonal GaussianMixture; "
            "time = s per EM iteration (no peer has one on Dask)",
            make_data=_dask_data(4_000_000, 32, 32, 5),
            runners=OrderedDict([("clusterlab Dask", run_gmm_dask),
                                 ("clusterlab in memory", run_gmm_memory)]),
            quality_name="—", repeats=1, warmup=False, timeout_s=1800),
    ]


WORKLOADS = [
    _ooc("OOC-KMeans", "kmeans", "KMeans (Lloyd passes)"),
    _ooc("OOC-GMM-diag", "gmm", "GaussianMixture diag"),
    *_dask_workloads(),
]
