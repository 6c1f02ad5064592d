import json
import os

import numpy as np
import pandas as pd
import pytest

from clusterlab.datasets import faithful_path, load_faithful, load_iris, load_mnist_test, read_idx
from clusterlab.io import read_table
from clusterlab.io.atomic import atomic_path


def test_faithful_matches_published_summary():
    X = load_faithful()
    assert X.shape == (272, 2)
    np.testing.assert_allclose(X.mean(axis=0), [3.487783, 70.897059], atol=1e-6)


def test_read_table_drops_row_names(tmp_path):
    X, names = read_table(faithful_path())
    assert names == ["eruptions", "waiting"]
    np.testing.assert_array_equal(X, load_faithful())


def test_read_table_parquet_roundtrip(tmp_path):
    frame = pd.DataFrame({"a": [1.0, 2.0], "b": [3, 4]})
    path = tmp_path / "t.parquet"
    frame.to_parquet(path)
    X, names = read_table(path)
    assert names == ["a", "b"]
    np.testing.assert_array_equal(X, [[1, 3], [2, 4]])


def test_read_table_names_non_numeric_column(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("a,b\n1,x\n2,y\n")
    with pytest.raises(TypeError, match=r"non-numeric column\(s\) \['b'\]"):
        read_table(path)


def test_read_table_reports_missing_value(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("a,b\n1,2\n3,\n")
    with pytest.raises(ValueError, match="missing or infinite values, first at row 1 column 'b'"):
        read_table(path)


def test_iris_and_mnist_loaders():
    X, y = load_iris()
    assert X.shape == (150, 4) and np.bincount(y).tolist() == [50, 50, 50]
    images, labels = load_mnist_test()
    assert images.shape == (10000, 28, 28) and images.dtype == np.uint8
    assert labels[:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]
    assert np.bincount(labels).tolist()[:3] == [980, 1135, 1032]


def test_read_idx_rejects_garbage(tmp_path):
    path = tmp_path / "bad.idx"
    path.write_bytes(b"\x12\x34\x08\x01\x00\x00\x00\x02\x01")
    with pytest.raises(ValueError, match="not an IDX file"):
        read_idx(path)


def test_atomic_path_leaves_original_on_error(tmp_path):
    target = tmp_path / "model.npz"
    target.write_text("original")
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            with open(tmp, "w") as fh:
                fh.write("half")
            raise RuntimeError("boom")
    assert target.read_text() == "original"
    assert os.listdir(tmp_path) == ["model.npz"]


def test_model_file_refuses_foreign_class(tmp_path):
    path = tmp_path / "evil.npz"
    meta = {"format": "clusterlab-model", "format_version": 1, "class": "os:system",
            "params": {}, "state": {"attributes": {}}}
    np.savez(path, __metadata__=np.array(json.dumps(meta)))
    from clusterlab.io import load_model

    with pytest.raises(ValueError, match="not one of the saveable classes"):
        load_model(path)
