"""``predict(X, out=...)`` and friends never leave ``out`` half-written: a bad chunk
anywhere (NaN, a damaged Parquet row group, a value outside a family's support)
raises before the first row is written."""

import numpy as np
import pytest

import clusterlab
from clusterlab import GaussianMixture, KMeans, MixtureModel
from clusterlab._mapreduce import map_rows
from tests.sources.test_sources import corrupt_row_group, write_parquet

SENTINEL = -7
CHUNK_ROWS = 200  # 5 chunks of 1000 rows: the bad one is the fourth


@pytest.fixture
def X(rng):
    return np.vstack([rng.normal(c, 1.0, (500, 3)) for c in (0.0, 6.0)])


def bad_npy(tmp_path, X, value=np.nan):
    bad = X.copy()
    bad[650, 1] = value
    np.save(tmp_path / "bad.npy", bad)
    return tmp_path / "bad.npy"


def sentinel_out(tmp_path, shape, dtype):
    out = np.lib.format.open_memmap(tmp_path / "out.npy", mode="w+", shape=shape, dtype=dtype)
    out[...] = SENTINEL
    out.flush()
    return out


def assert_untouched(tmp_path, out):
    assert np.all(out == SENTINEL)
    assert np.all(np.load(tmp_path / "out.npy") == SENTINEL)


@pytest.mark.parametrize("method, width, dtype", [
    ("kmeans.predict", None, np.int32),
    ("kmeans.transform", 2, np.float64),
    ("gmm.predict", None, np.intp),
    ("gmm.predict_proba", 2, np.float64),
    ("gmm.score_samples", None, np.float64),
])
def test_nan_in_a_middle_chunk_leaves_out_untouched(tmp_path, X, method, width, dtype):
    models = {"kmeans": KMeans(2, random_state=0).fit(X),
              "gmm": GaussianMixture(2, random_state=0).fit(X)}
    name, attr = method.split(".")
    fn = getattr(models[name], attr)
    path = bad_npy(tmp_path, X)
    shape = (X.shape[0],) if width is None else (X.shape[0], width)
    out = sentinel_out(tmp_path, shape, dtype)
    with clusterlab.config(source_chunk_bytes=3 * 8 * CHUNK_ROWS):
        with pytest.raises(ValueError, match=r"NaN or infinity in rows \[600, 800\)"):
            fn(path, out=out)
        assert_untouched(tmp_path, out)
        # the same call on good data writes every row, as in memory
        np.save(tmp_path / "good.npy", X)
        assert fn(tmp_path / "good.npy", out=out) is out
    np.testing.assert_allclose(out, fn(X), rtol=1e-12)


def test_a_value_outside_the_family_support_leaves_out_untouched(tmp_path, rng):
    X = rng.poisson(3.0, size=(1000, 3)).astype(float)
    mm = MixtureModel(2, family="poisson", random_state=0).fit(X)
    path = bad_npy(tmp_path, X, value=-1.0)
    out = sentinel_out(tmp_path, (1000, 2), np.float64)
    with clusterlab.config(source_chunk_bytes=3 * 8 * CHUNK_ROWS):
        with pytest.raises(ValueError, match="negative|>= 0|non-negative"):
            mm.predict_proba(path, out=out)
    assert_untouched(tmp_path, out)


def test_a_damaged_row_group_leaves_out_untouched(tmp_path, X):
    pytest.importorskip("pyarrow")
    path = write_parquet(tmp_path / "x.parquet", X, 250)
    corrupt_row_group(path, 2)
    km = KMeans(2, random_state=0).fit(X)
    out = sentinel_out(tmp_path, (1000,), np.int32)
    with pytest.raises(ValueError, match=r"row group 2 \(rows \[500, 750\)\) cannot be read"):
        km.predict(path, out=out)
    assert_untouched(tmp_path, out)


def test_map_rows_checks_every_chunk_before_writing(tmp_path, X):
    written = []

    def fn(chunk):
        written.append(chunk.shape[0])
        return chunk.sum(axis=1)

    def check(chunk):
        if np.any(chunk > 1e6):
            raise ValueError("too large")

    bad = X.copy()
    bad[900, 0] = 1e9
    np.save(tmp_path / "x.npy", bad)
    out = np.full(1000, float(SENTINEL))
    with clusterlab.config(source_chunk_bytes=3 * 8 * CHUNK_ROWS):
        with pytest.raises(ValueError, match="too large"):
            map_rows(tmp_path / "x.npy", fn, out=out, check=check)
    assert written == [] and np.all(out == SENTINEL)
    with pytest.raises(ValueError, match="writeable"):
        ro = np.zeros(1000)
        ro.flags.writeable = False
        map_rows(X, lambda c: c.sum(axis=1), out=ro)
