"""Out-of-core fits (a .npy memmap, a Parquet file) equal the in-memory fit."""

import numpy as np
import pytest

import clusterlab
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
