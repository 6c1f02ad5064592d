"""Out-of-core fits (a .npy memmap, a Parquet file) equal the in-memory fit."""

import numpy as np
import pytest

import clusterlab
from clusterlab.sources import ParquetSource
from tests.sources._cases import MODELS, assert_same_fit, data_for, fit, make

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")


def to_npy(tmp_path, X):
    np.save(tmp_path / "x.npy", X)
    return tmp_path / "x.npy"


def to_parquet(tmp_path, X):
    table = pa.table({f"f{j}": X[:, j] for j in range(X.shape[1])})
    pq.write_table(table, tmp_path / "x.parquet", row_group_size=700)
    return tmp_path / "x.parquet"


@pytest.mark.parametrize("model", MODELS)
def test_memmap_fit_equals_in_memory(tmp_path, model):
    X = data_for(model)
    a = fit(make(model, X), X)
    path = to_npy(tmp_path, X)
    with clusterlab.config(source_chunk_bytes=X.shape[1] * 8 * 400):
        b = fit(make(model, X), np.load(path, mmap_mode="r"))
        assert_same_fit(a, b, X, path)


@pytest.mark.parametrize("model", ["kmeans", "gmm-full", "gmm-diag", "mm-poisson",
                                   "mm-exponential"])
def test_parquet_fit_equals_in_memory(tmp_path, model):
    X = data_for(model)
    a = fit(make(model, X), X)
    path = to_parquet(tmp_path, X)
    with clusterlab.config(source_chunk_bytes=X.shape[1] * 8 * 500):
        b = fit(make(model, X), path)
        assert_same_fit(a, b, X, path)


@pytest.mark.parametrize("model", ["kmeans", "gmm-tied"])
def test_weights_from_a_memmap(tmp_path, model, rng):
    X = data_for(model)
    w = rng.integers(0, 4, size=X.shape[0]).astype(float)
    a = fit(make(model, X), X, sample_weight=w)
    np.save(tmp_path / "w.npy", w)
    with clusterlab.config(source_chunk_bytes=X.shape[1] * 8 * 512):
        b = fit(make(model, X), to_npy(tmp_path, X), sample_weight=tmp_path / "w.npy")
    assert_same_fit(a, b, X, X)


@pytest.mark.parametrize("rows", [97, 1000, 5000])
def test_chunk_size_does_not_change_the_fit(tmp_path, rows):
    X = data_for("gmm-full")
    a = fit(make("gmm-full", X), X)
    with clusterlab.config(source_chunk_bytes=X.shape[1] * 8 * rows):
        b = fit(make("gmm-full", X), to_npy(tmp_path, X))
    assert_same_fit(a, b, X, X)


def test_default_init_on_a_file_is_kmeans_parallel(tmp_path):
    X = data_for("kmeans")
    path = to_npy(tmp_path, X)
    from clusterlab import GaussianMixture, KMeans

    with clusterlab.config(source_chunk_bytes=3 * 8 * 500):
        km = KMeans(3, random_state=0).fit(path)
        gm = GaussianMixture(3, random_state=0).fit(path)
    ref = KMeans(3, random_state=0).fit(X)
    assert km.inertia_ <= ref.inertia_ * (1 + 1e-6)
    assert km.labels_.shape == (3000,) and set(np.unique(km.labels_)) == {0, 1, 2}
    assert abs(gm.score(path) - GaussianMixture(3, random_state=0).fit(X).score(X)) < 1e-3


def test_predict_writes_into_out(tmp_path):
    X = data_for("gmm-full")
    gm = fit(make("gmm-full", X), X)
    path = to_npy(tmp_path, X)
    out = np.lib.format.open_memmap(tmp_path / "resp.npy", mode="w+", shape=(3000, 3))
    with clusterlab.config(source_chunk_bytes=3 * 8 * 256):
        assert gm.predict_proba(path, out=out) is out
    np.testing.assert_allclose(np.load(tmp_path / "resp.npy"), gm.predict_proba(X), rtol=1e-12)
    km = fit(make("kmeans", X), X)
    dist = np.empty((3000, 3), dtype=np.float64)
    km.transform(np.load(path, mmap_mode="r"), out=dist)
    np.testing.assert_allclose(dist, km.transform(X), rtol=1e-12)
    assert km.score(path) == pytest.approx(km.score(X), rel=1e-10)


@pytest.mark.parametrize("bounds", [None, [(0, None), (None, None)]])
@pytest.mark.parametrize("settings", [
    {}, {"bandwidth": "scott_cov"}, {"bandwidth": "silverman", "kernel": "epanechnikov"},
    {"bandwidth": 0.4, "kernel": "linear", "metric": "manhattan"},
    {"bandwidth": "silverman_cov", "kernel": "biweight", "kernel_form": "product",
     "bandwidth_meaning": "std"}], ids=["default", "scott_cov", "silverman", "manhattan",
                                        "product"])
def test_kde_on_a_file_evaluates_like_in_memory(tmp_path, rng, bounds, settings):
    from clusterlab import KernelDensity

    X = np.abs(rng.normal(size=(4000, 2)))
    w = rng.uniform(0.5, 2.0, size=4000)
    a = KernelDensity(bounds=bounds, **settings).fit(X, sample_weight=w)
    path = to_parquet(tmp_path, X)
    with clusterlab.config(source_chunk_bytes=2 * 8 * 1000):
        b = KernelDensity(bounds=bounds, **settings).fit(path, sample_weight=w)
    assert isinstance(b.data_, ParquetSource)
    np.testing.assert_allclose(b.bandwidth_matrix_, a.bandwidth_matrix_, rtol=1e-10)
    np.testing.assert_allclose(b.score_samples(path), a.score_samples(X), rtol=1e-10)
    for method in ("exact",) if "metric" in settings else ("fft", "exact"):
        axes_a, dens_a = a.evaluate_grid(24, method=method)
        axes_b, dens_b = b.evaluate_grid(24, method=method)
        np.testing.assert_allclose(np.asarray(axes_b), np.asarray(axes_a), rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(dens_b, dens_a, rtol=1e-8, atol=1e-12 * dens_a.max())
    assert b.sample(5, random_state=0).shape == (5, 2)
    with clusterlab.config(source_chunk_bytes=2 * 8 * 1000), \
            pytest.raises(ValueError, match="needs the data in memory"):
        KernelDensity(bandwidth="isj").fit(path)


def test_minibatch_streams_batches_from_a_file(tmp_path):
    from clusterlab import KMeans, MiniBatchKMeans

    rng = np.random.default_rng(1)
    # rows stored cluster after cluster: each chunk holds one cluster only
    X = np.vstack([rng.normal(c, 1.0, (8000, 3)) for c in (0, 6, 12, 18)])
    ref = KMeans(4, random_state=0).fit(X).inertia_
    with clusterlab.config(source_chunk_bytes=3 * 8 * 4000):
        mbk = MiniBatchKMeans(4, batch_size=512, random_state=0).fit(to_npy(tmp_path, X))
    assert mbk.inertia_ <= 1.02 * ref
    np.testing.assert_array_equal(mbk.labels_, mbk.predict(X))


def test_a_small_file_is_fitted_in_memory(tmp_path):
    from clusterlab import KMeans

    X = data_for("kmeans")
    path = to_npy(tmp_path, X)
    a = KMeans(3, random_state=0).fit(X)
    b = KMeans(3, random_state=0).fit(np.load(path, mmap_mode="r"))  # 72 kB < 64 MiB
    np.testing.assert_array_equal(a.labels_, b.labels_)
    assert a.inertia_ == b.inertia_


def test_kde_on_a_file_with_a_vector_bandwidth(tmp_path, rng):
    from clusterlab import KernelDensity

    X = rng.normal(size=(4000, 2))
    path = to_parquet(tmp_path, X)
    with clusterlab.config(source_chunk_bytes=2 * 8 * 1000):
        b = KernelDensity(bandwidth=np.array([0.3, 0.6]), kernel="epanechnikov").fit(path)
    a = KernelDensity(bandwidth=np.array([0.3, 0.6]), kernel="epanechnikov").fit(X)
    np.testing.assert_allclose(b.score_samples(X[:50]), a.score_samples(X[:50]), rtol=1e-10)
