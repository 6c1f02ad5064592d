"""Fits on a Dask array over a real LocalCluster (2 worker processes) equal the
in-memory fit; the client never holds the data; a killed worker changes nothing."""

import os
import sys
import threading
import time

import numpy as np
import pytest

da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("distributed")
psutil = pytest.importorskip("psutil")

import clusterlab  # noqa: E402
from clusterlab import GaussianMixture, KMeans  # noqa: E402
from tests.sources import _cases  # noqa: E402
from tests.sources._cases import MODELS, assert_same_fit, data_for, fit, make  # noqa: E402


@pytest.fixture(scope="module")
def client():
    import cloudpickle

    # the user family lives in a test module the workers cannot import
    cloudpickle.register_pickle_by_value(_cases)
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       memory_limit="1GiB", dashboard_address=None)
    with distributed.Client(cluster) as c:
        yield c
    cluster.close()
    cloudpickle.unregister_pickle_by_value(_cases)


@pytest.mark.parametrize("model", MODELS)
def test_dask_fit_equals_in_memory(client, model):
    X = data_for(model)
    a = fit(make(model, X), X)
    dX = da.from_array(X, chunks=(700, X.shape[1]))
    b = fit(make(model, X), dX)
    assert_same_fit(a, b, X, dX)


def test_results_are_lazy_dask_arrays(client):
    X = data_for("gmm-diag")
    dX = da.from_array(X, chunks=(1000, 3))
    gm = fit(make("gmm-diag", X), dX)
    km = fit(make("kmeans", X), dX)
    fcm = fit(make("fcm", X), dX)
    for out in (gm.predict(dX), gm.predict_proba(dX), gm.score_samples(dX), km.predict(dX),
                km.transform(dX), km.labels_, fcm.labels_, fcm.predict_proba(dX),
                fcm.transform(dX)):
        assert isinstance(out, da.Array)
    assert km.transform(dX).shape == (3000, 3)
    with pytest.raises(ValueError, match="lazy Dask array"):
        km.predict(dX, out=np.empty(3000, dtype=np.int32))


@pytest.mark.parametrize("chunks", [(313, 3), (1500, 3), (3000, 3), (500, 1)])
def test_chunking_and_worker_count_do_not_change_the_fit(client, chunks):
    X = data_for("gmm-full")
    a = fit(make("gmm-full", X), X)
    dX = da.from_array(X, chunks=chunks)
    assert_same_fit(a, fit(make("gmm-full", X), dX), X, dX)
    # the same graph on the local threaded scheduler: no worker processes at all
    with clusterlab.config(), __import__("dask").config.set(scheduler="threads"):
        local = fit(make("gmm-full", X), dX)
    assert_same_fit(a, local, X, dX)


def test_weights_as_a_dask_array(client, rng):
    X = data_for("kmeans")
    w = rng.uniform(0, 3, size=3000)
    a = fit(make("kmeans", X), X, sample_weight=w)
    dX = da.from_array(X, chunks=(800, 3))
    b = fit(make("kmeans", X), dX, sample_weight=da.from_array(w, chunks=1200))
    assert_same_fit(a, b, X, dX)
    bad = w.copy()
    bad[2500] = np.nan
    with pytest.raises(ValueError, match=r"sample_weight contains NaN or infinity in rows "
                                         r"\[2400, 3000\)"):
        KMeans(3, init=X[:3]).fit(dX, sample_weight=da.from_array(bad, chunks=800))


def test_bad_block_names_its_rows(client):
    X = data_for("gaussian")
    X[1234, 2] = np.inf
    with pytest.raises(ValueError, match=r"rows \[1200, 1800\) \(first at row 1234, column 2\)"):
        GaussianMixture(2).fit(da.from_array(X, chunks=(600, 3)))


class PeakRSS:
    """The client process's peak resident memory, sampled on a thread."""

    def __init__(self):
        self.proc, self.peak, self._stop = psutil.Process(), 0, threading.Event()

    def __enter__(self):
        self.start = self.proc.memory_info().rss
        self._t = threading.Thread(target=self._run, daemon=True)
        self._t.start()
        return self

    def _run(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, self.proc.memory_info().rss)
            time.sleep(0.005)

    def __exit__(self, *exc):
        self._stop.set()
        self._t.join()
        self.growth = self.peak - self.start


def worker_data(n, d, seed, chunk_rows):
    """A Dask array generated on the workers (never materialised on the client)."""
    return da.random.RandomState(seed).normal(size=(n, d), chunks=(chunk_rows, d))


@pytest.mark.slow
def test_client_memory_stays_small(client):
    k, d = 8, 16
    X = worker_data(640_000, d, 0, 80_000) + da.arange(640_000)[:, None] % 5 * 3.0
    nbytes = X.nbytes  # 82 MB of float64 on the workers
    # warm the client's code paths (imports, numba kernels) on a small slice first
    KMeans(k, random_state=0, max_iter=2).fit(X[:5000])
    GaussianMixture(k, covariance_type="diag", max_iter=2, init_params="random_from_data",
                    random_state=0).fit(X[:5000])
    with PeakRSS() as km_mem:
        km = KMeans(k, random_state=0, max_iter=3).fit(X)
    with PeakRSS() as gm_mem:
        GaussianMixture(k, covariance_type="diag", max_iter=3, init_params="random_from_data",
                        random_state=0).fit(X)
    assert km.cluster_centers_.shape == (k, d) and isinstance(km.labels_, da.Array)
    # O(k d) statistics, a graph, and k-means|| candidates (O(k d rounds)): far below the data
    print(f"client growth: KMeans {km_mem.growth / 2**20:.1f} MiB, GaussianMixture "
          f"{gm_mem.growth / 2**20:.1f} MiB; data {nbytes / 2**20:.0f} MiB")
    for mem in (km_mem, gm_mem):
        assert mem.growth < nbytes / 8, f"client grew by {mem.growth / 2**20:.0f} MiB"


@pytest.mark.slow
def test_killed_worker_gives_the_same_answer(client):
    X = worker_data(300_000, 8, 1, 25_000)
    init = X[:4].compute() + 0.5
    t0 = time.perf_counter()
    ref = KMeans(4, init=init, max_iter=15, tol=0.0).fit(X)
    t_ref = time.perf_counter() - t0
    pids = list(client.run(os.getpid).values())
    result = {}

    def run():
        try:
            result["km"] = KMeans(4, init=init, max_iter=15, tol=0.0).fit(X)
        except Exception as exc:  # a clear error is the other allowed outcome
            result["error"] = exc

    t = threading.Thread(target=run)
    t.start()
    time.sleep(t_ref / 3)
    assert t.is_alive(), "the fit ended before the kill; make the data larger"
    psutil.Process(pids[0]).kill()
    t.join(timeout=240)
    assert not t.is_alive()
    print("after the kill:", "error" if "error" in result else "same answer")
    if "error" in result:
        assert "worker" in str(result["error"]).lower(), result["error"]
    else:
        np.testing.assert_allclose(result["km"].cluster_centers_, ref.cluster_centers_,
                                   rtol=1e-10)
        assert result["km"].inertia_ == pytest.approx(ref.inertia_, rel=1e-12)
    client.wait_for_workers(2, timeout=60)
    sys.stdout.flush()


def test_kde_and_minibatch_on_dask(client, rng):
    from clusterlab import KernelDensity, MiniBatchKMeans

    X = rng.normal(size=(3000, 2))
    dX = da.from_array(X, chunks=(700, 2))
    a, b = KernelDensity().fit(X), KernelDensity().fit(dX)
    np.testing.assert_allclose(b.bandwidth_matrix_, a.bandwidth_matrix_, rtol=1e-10)
    lazy = b.score_samples(dX)
    assert isinstance(lazy, da.Array)
    np.testing.assert_allclose(lazy.compute(), a.score_samples(X), rtol=1e-10)
    np.testing.assert_allclose(b.evaluate_grid(32)[1], a.evaluate_grid(32)[1], rtol=1e-8,
                               atol=1e-14)
    Xc = data_for("kmeans")
    mbk = MiniBatchKMeans(3, batch_size=256, random_state=0).fit(da.from_array(Xc, chunks=700))
    assert mbk.inertia_ <= 1.02 * KMeans(3, random_state=0).fit(Xc).inertia_


def test_partial_fit_and_callable_inits_on_dask(client):
    from clusterlab import MiniBatchKMeans

    X = data_for("kmeans")
    dX = da.from_array(X, chunks=(700, X.shape[1]))
    ref = MiniBatchKMeans(3, random_state=0)
    for s in range(0, X.shape[0], 700):
        ref.partial_fit(X[s:s + 700])
    mbk = MiniBatchKMeans(3, random_state=0).partial_fit(dX)
    np.testing.assert_array_equal(mbk.cluster_centers_, ref.cluster_centers_)
    assert isinstance(mbk.labels_, da.Array)
    np.testing.assert_array_equal(mbk.labels_.compute(), mbk.predict(X))

    def init(sample, k, rng):
        return sample[np.argsort(sample[:, 0])[[0, sample.shape[0] // 2, -1]]]

    km = KMeans(3, init=init, n_init=1, random_state=0).fit(dX)
    ref_km = KMeans(3, init=init, n_init=1, random_state=0).fit(X)  # init on all of X
    assert km.inertia_ == pytest.approx(ref_km.inertia_, rel=1e-8)
    gm = GaussianMixture(3, init_params=lambda c, k, r: np.digitize(c[:, 0], [2.0, 6.0]),
                         random_state=0).fit(dX)
    ref_gm = GaussianMixture(3, init_params=lambda c, k, r: np.digitize(c[:, 0], [2.0, 6.0]),
                             random_state=0).fit(X)
    np.testing.assert_allclose(gm.means_, ref_gm.means_, rtol=1e-8)
