"""Chunk sources: reading, chunking under the budget, validation naming the chunk."""

import numpy as np
import pytest

import clusterlab
from clusterlab import GaussianMixture, KMeans
from clusterlab._mapreduce import Weights, map_reduce, map_rows
from clusterlab.sources import NpySource, ParquetSource, as_source, is_streamed

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")


def write_parquet(path, X, row_group_size, names=None):
    names = names or [f"f{j}" for j in range(X.shape[1])]
    table = pa.table({n: X[:, j] for j, n in enumerate(names)})
    pq.write_table(table, path, row_group_size=row_group_size, compression="none")
    return path


def corrupt_row_group(path, group):
    """Overwrite the page header of a column chunk of one row group with garbage."""
    meta = pq.ParquetFile(path).metadata.row_group(group).column(0)
    offset = meta.dictionary_page_offset or meta.data_page_offset
    with open(path, "r+b") as fh:
        fh.seek(offset)
        fh.write(b"\xff" * 16)


@pytest.fixture
def X(rng):
    return rng.normal(size=(1000, 3))


def test_npy_source_chunks_follow_the_budget(tmp_path, X):
    path = tmp_path / "x.npy"
    np.save(path, X)
    src = as_source(path, chunk_bytes=3 * 8 * 300)
    assert isinstance(src, NpySource) and src.shape == (1000, 3)
    assert [b - a for a, b in src.bounds()] == [300, 300, 300, 100]
    with clusterlab.config(source_chunk_bytes=3 * 8 * 250):
        assert len(as_source(path).bounds()) == 4
    got = np.concatenate([c for _, _, c in src.iter_chunks()])
    np.testing.assert_array_equal(got, X)
    assert is_streamed(str(path)) and is_streamed(np.load(path, mmap_mode="r"))
    assert not is_streamed(X)


def test_float32_stays_float32_and_ints_become_float64(tmp_path, X):
    np.save(tmp_path / "a.npy", X.astype(np.float32))
    np.save(tmp_path / "b.npy", (X * 10).astype(np.int32))
    assert as_source(tmp_path / "a.npy").read(0, 5).dtype == np.float32
    assert as_source(tmp_path / "b.npy").read(0, 5).dtype == np.float64


def test_parquet_columns_by_name_and_folders(tmp_path, X):
    write_parquet(tmp_path / "x.parquet", X, 128, names=["a", "b", "c"])
    src = as_source(tmp_path / "x.parquet", columns=["c", "a"])
    assert isinstance(src, ParquetSource) and src.shape == (1000, 2)
    np.testing.assert_array_equal(src.read(100, 300), X[100:300][:, [2, 0]])
    assert {b - a for a, b in src.bounds()} <= {128, 1000 - 7 * 128}
    folder = tmp_path / "parts"
    folder.mkdir()
    write_parquet(folder / "0.parquet", X[:600], 250)
    write_parquet(folder / "1.parquet", X[600:], 250)
    src = as_source(folder)
    assert src.n_rows == 1000
    np.testing.assert_array_equal(src.read(550, 700), X[550:700])
    with pytest.raises(ValueError, match=r"no column\(s\) \['zz'\]"):
        as_source(tmp_path / "x.parquet", columns=["a", "zz"])


def test_nan_in_a_chunk_names_its_rows(tmp_path, X):
    X[437, 1] = np.nan
    np.save(tmp_path / "x.npy", X)
    with clusterlab.config(source_chunk_bytes=3 * 8 * 200):
        with pytest.raises(ValueError, match=r"rows \[400, 600\) \(first at row 437, column 1\)"):
            KMeans(3, random_state=0).fit(tmp_path / "x.npy")


def test_truncated_npy_names_the_first_missing_chunk(tmp_path, X):
    path = tmp_path / "x.npy"
    np.save(path, X)
    size = path.stat().st_size
    with open(path, "r+b") as fh:
        fh.truncate(size - 3 * 8 * 450)
    with pytest.raises(ValueError, match=r"declares 1000 rows but the file holds 550.*"
                                         r"rows \[500, 750\)"):
        as_source(path, chunk_bytes=3 * 8 * 250)
    km = KMeans(3)
    with pytest.raises(ValueError, match="truncated"):
        km.fit(path)
    assert not hasattr(km, "cluster_centers_")


def test_bad_row_group_names_the_group_and_nothing_is_fitted(tmp_path, X):
    path = write_parquet(tmp_path / "x.parquet", X, 300)
    corrupt_row_group(path, 2)
    src = as_source(path)
    np.testing.assert_array_equal(src.read(0, 300), X[:300])
    gm = GaussianMixture(2, random_state=0)
    with pytest.raises(ValueError, match=r"row group 2 \(rows \[600, 900\)\) cannot be read"):
        gm.fit(path)
    assert not hasattr(gm, "params_")


def test_wrong_feature_count_and_non_numeric(tmp_path, X):
    np.save(tmp_path / "x.npy", X)
    km = KMeans(2, init=X[:2], n_init=1).fit(X)
    with pytest.raises(ValueError, match="expecting 3 features"):
        km.predict(np.load(tmp_path / "x.npy", mmap_mode="r")[:, :2])
    np.save(tmp_path / "s.npy", np.array([["a", "b"]] * 4))
    with pytest.raises(TypeError, match="must hold numbers"):
        KMeans(2).fit(tmp_path / "s.npy")
    with pytest.raises(ValueError, match="does not exist"):
        KMeans(2).fit(tmp_path / "missing.npy")


def test_weights_chunk_validation(X):
    src = as_source(X)
    w = np.ones(1000)
    w[700] = -1
    with pytest.raises(ValueError, match=r"Negative values in sample_weight rows \[512, 1000\)"):
        map_reduce(src, lambda x, w, a, b: 0.0, weights=Weights(w, src), rows=512)
    with pytest.raises(ValueError, match=r"shape \(1000,\)"):
        Weights(np.ones(3), src)


def test_map_rows_writes_into_a_memmap(tmp_path, X):
    out = np.lib.format.open_memmap(tmp_path / "out.npy", mode="w+", dtype=np.float64,
                                    shape=(1000,))
    got = map_rows(as_source(X), lambda x: x.sum(axis=1), out=out, rows=128)
    assert got is out
    np.testing.assert_allclose(np.load(tmp_path / "out.npy"), X.sum(axis=1))
    with pytest.raises(ValueError, match="out must be an array of shape"):
        map_rows(as_source(X), lambda x: x.sum(axis=1), out=np.empty(3))


def test_recycled_read_buffers_give_every_chunk_intact(tmp_path, X):
    """Two buffers in turn under the read-ahead thread: each chunk arrives whole and in
    order, as with a fresh buffer per chunk (the last, shorter chunk included)."""
    np.save(tmp_path / "x.npy", X)
    seen = []

    def fn(chunk, w, start, stop):
        seen.append((start, chunk.copy()))
        return chunk.sum(axis=0)

    src = NpySource(tmp_path / "x.npy", chunk_bytes=3 * 8 * 70)
    total = map_reduce(src, fn, recycle=True)
    assert [s for s, _ in seen] == list(range(0, 1000, 70))
    for start, chunk in seen:
        np.testing.assert_array_equal(chunk, X[start:start + 70])
    np.testing.assert_allclose(total, X.sum(axis=0), rtol=1e-12)
