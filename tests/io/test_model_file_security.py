"""Hostile model files: loading never runs code, imports a module or trusts the file.

Each case is one of issue 12's: a file naming a function or an importer inside
clusterlab, a planted module on ``sys.path``, state that is not what the class
declares (a string for an array, wrong shapes, NaN centres, an attribute that
shadows a method), a tiny file declaring a huge network or array.
"""

import math
import sys
import time
import tracemalloc

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

from clusterlab import GaussianMixture, KMeans, load_model, save_model
from clusterlab.io import _archive

from .modelfiles import add_member, npy_bytes, read_raw, v1_meta, v2_meta, write_raw

X = np.random.default_rng(0).normal(size=(40, 3))


@pytest.fixture
def kmeans_file(tmp_path):
    path = tmp_path / "km.npz"
    save_model(KMeans(3, random_state=0).fit(X), path)
    return path


@pytest.fixture
def planted(tmp_path, monkeypatch):
    """A module on sys.path that writes a marker file when imported."""
    marker = tmp_path / "planted-ran"
    (tmp_path / "planted_evil_mod.py").write_text(
        f"open({str(marker)!r}, 'w').write('ran')\nvalue = 1\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    sys.modules.pop("planted_evil_mod", None)
    yield marker
    sys.modules.pop("planted_evil_mod", None)


def _refused(path, match=None):
    with pytest.raises(ValueError, match=match) as info:
        load_model(path)
    assert str(path) in str(info.value)  # the user's path, not a temporary file
    return str(info.value)


@pytest.mark.parametrize("version", [1, 2])
def test_importer_reexport_does_not_import_a_planted_module(tmp_path, planted, version):
    # clusterlab._lazy re-exports importlib.import_module
    cls, params = "clusterlab._lazy:import_module", {"name": "planted_evil_mod"}
    meta = v1_meta(cls, params, {"value": 2}) if version == 1 else v2_meta(
        {"class": cls, "params": params, "attributes": {"value": 2}})
    write_raw(tmp_path / "evil.npz", meta)
    _refused(tmp_path / "evil.npz", "not one of the saveable classes")
    assert "planted_evil_mod" not in sys.modules
    assert not planted.exists()


def test_planted_module_named_directly_is_not_imported(tmp_path, planted):
    write_raw(tmp_path / "evil.npz", v1_meta("planted_evil_mod:value"))
    _refused(tmp_path / "evil.npz")
    write_raw(tmp_path / "evil2.npz", v2_meta(
        {"class": "planted_evil_mod", "params": {}, "attributes": {}}))
    _refused(tmp_path / "evil2.npz")
    assert "planted_evil_mod" not in sys.modules and not planted.exists()


def test_overwriting_module_attributes_is_refused(tmp_path):
    pi = math.pi
    write_raw(tmp_path / "evil.npz",
              v1_meta("clusterlab._lazy:import_module", {"name": "math"}, {"pi": 3.0}))
    _refused(tmp_path / "evil.npz")
    assert math.pi == pi


def test_cli_run_is_not_called(tmp_path):
    marker = tmp_path / "labels.csv"
    argv = ["faithful", "--k", "2", "--labels-out", str(marker)]
    write_raw(tmp_path / "evil.npz", v1_meta("clusterlab.cli.main:run", {"argv": argv}))
    _refused(tmp_path / "evil.npz")
    assert not marker.exists()


def test_read_table_is_not_called(tmp_path, monkeypatch):
    import clusterlab.io.tables as tables

    calls = []
    monkeypatch.setattr(tables, "read_table", lambda *a, **k: calls.append(a))
    secret = tmp_path / "secret.csv"
    secret.write_text("a\n1\n")
    write_raw(tmp_path / "evil.npz",
              v1_meta("clusterlab.io.tables:read_table", {"path": str(secret)}))
    _refused(tmp_path / "evil.npz")
    assert calls == []


def test_foreign_classes_are_refused(tmp_path):
    for i, cls in enumerate(["os:system", "builtins:eval", "sklearn.cluster:KMeans",
                             "clusterlab.cluster._kmeans:assign", 42, None]):
        write_raw(tmp_path / f"f{i}.npz", v1_meta(cls))
        _refused(tmp_path / f"f{i}.npz")


def _tamper(path, out, attr, value=None, array=None):
    meta, arrays = read_raw(path)
    attrs = meta["model"]["attributes"]
    if array is not None:
        key = attrs[attr]["__array__"]
        arrays[key] = array
    else:
        attrs[attr] = value
    write_raw(out, meta, arrays)
    return out


def test_string_for_an_array(kmeans_file, tmp_path):
    _tamper(kmeans_file, tmp_path / "t.npz", "cluster_centers_", value="centres")
    _refused(tmp_path / "t.npz", "cluster_centers_ must be an array")


@pytest.mark.parametrize("shape", [(2, 3), (3, 4), (3,), (3, 3, 1)])
def test_centres_of_the_wrong_shape(kmeans_file, tmp_path, shape):
    _tamper(kmeans_file, tmp_path / "t.npz", "cluster_centers_", array=np.zeros(shape))
    _refused(tmp_path / "t.npz", "cluster_centers_")


def test_nan_centres(kmeans_file, tmp_path):
    centres = np.full((3, 3), np.nan)
    _tamper(kmeans_file, tmp_path / "t.npz", "cluster_centers_", array=centres)
    _refused(tmp_path / "t.npz", "cluster_centers_ holds NaN")


def test_string_dtype_centres(kmeans_file, tmp_path):
    _tamper(kmeans_file, tmp_path / "t.npz", "cluster_centers_",
            array=np.array([["a"] * 3] * 3))
    _refused(tmp_path / "t.npz", "dtype")


def test_attribute_named_like_a_method(kmeans_file, tmp_path):
    _tamper(kmeans_file, tmp_path / "t.npz", "predict", value=1)
    _refused(tmp_path / "t.npz", "unknown attribute 'predict'")


def test_labels_out_of_range(kmeans_file, tmp_path):
    labels = np.full(40, 7, dtype=np.int32)
    _tamper(kmeans_file, tmp_path / "t.npz", "labels_", array=labels)
    _refused(tmp_path / "t.npz", "labels_ holds 7, above its maximum")


def test_bad_hyperparameters_go_through_validation(kmeans_file, tmp_path):
    meta, arrays = read_raw(kmeans_file)
    meta["model"]["params"]["n_clusters"] = -1
    write_raw(tmp_path / "t.npz", meta, arrays)
    _refused(tmp_path / "t.npz", "'n_clusters' parameter of KMeans")
    meta["model"]["params"]["n_clusters"] = 3
    meta["model"]["params"]["evil"] = 1
    write_raw(tmp_path / "t.npz", meta, arrays)
    _refused(tmp_path / "t.npz", "unknown parameter")


def test_undeclared_array_parameter(kmeans_file, tmp_path):
    meta, arrays = read_raw(kmeans_file)
    meta["model"]["params"]["max_iter"] = {"__array__": "x"}
    arrays["x"] = np.zeros(3)
    write_raw(tmp_path / "t.npz", meta, arrays)
    _refused(tmp_path / "t.npz", "max_iter")


def _measure(fn):
    tracemalloc.start()
    start = time.perf_counter()
    try:
        fn()
    finally:
        elapsed = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak, elapsed


def _huge_vae_meta(version):
    params = {"input_dim": None, "hidden_dim": 6000, "latent_dim": 20,
              "likelihood": "bernoulli", "epochs": 1}
    attrs = {"n_features_in_": 6000, "n_iter_": 1, "best_epoch_": -1, "converged_": False,
             "stopped_early_": False, "history_": {}}
    names = ["body.0.weight", "body.0.bias", "head.weight", "head.bias",
             "decoder.0.weight", "decoder.0.bias", "decoder.2.weight", "decoder.2.bias"]
    if version == 1:
        meta = v1_meta("clusterlab.deep._vae:VAE", params)
        meta["state"] = attrs
        return meta, {f"weights.{n}": np.zeros(2, np.float32) for n in names}
    attrs["module_"] = {"__module__": {n: {"__array__": f"w.{n}"} for n in names}}
    return (v2_meta({"class": "VAE", "params": params, "attributes": attrs}),
            {f"w.{n}": np.zeros(2, np.float32) for n in names})


@pytest.mark.parametrize("version", [1, 2])
def test_huge_declared_vae_fails_fast_without_allocating(tmp_path, version):
    pytest.importorskip("torch")
    import clusterlab.deep  # noqa: F401  (import torch before measuring)
    from clusterlab.deep import VAE  # noqa: F401

    meta, arrays = _huge_vae_meta(version)
    write_raw(tmp_path / "vae.npz", meta, arrays)
    peak, elapsed = _measure(lambda: _refused(tmp_path / "vae.npz", "architecture|shape"))
    # the network would hold 6000 x 6000 x 3 float32 weights (432 MB)
    assert peak < 8 * 2**20 and elapsed < 5


def test_huge_weight_header_is_refused_before_reading(tmp_path):
    import json
    import struct

    pytest.importorskip("torch")
    from clusterlab.deep import VAE

    path = tmp_path / "vae.npz"
    save_model(VAE(hidden_dim=3, latent_dim=2, likelihood="gaussian", epochs=1,
                   random_state=0).fit(X), path)
    meta, arrays = read_raw(path)
    # a safetensors header that claims 6000 x 6000 floats, followed by 16 bytes
    header = json.dumps({"body.0.weight": {"dtype": "F32", "shape": [6000, 6000],
                                           "data_offsets": [0, 144_000_000]}}).encode()
    arrays["module_.safetensors"] = struct.pack("<Q", len(header)) + header + b"\0" * 16
    write_raw(path, meta, arrays)
    peak, _ = _measure(lambda: _refused(path, "safetensors"))
    assert peak < 8 * 2**20


def test_huge_npy_header_is_refused_before_reading(kmeans_file, tmp_path):
    meta, arrays = read_raw(kmeans_file)
    key = meta["model"]["attributes"]["cluster_centers_"]["__array__"]
    del arrays[key]
    write_raw(tmp_path / "t.npz", meta, arrays)
    # the member claims 6000 x 6000 floats but holds 16 bytes
    add_member(tmp_path / "t.npz", key + ".npy", npy_bytes((6000, 6000), "<f8", b"\0" * 16))
    peak, _ = _measure(lambda: _refused(tmp_path / "t.npz", "declares shape"))
    assert peak < 8 * 2**20


def test_unreferenced_huge_array_is_never_read(kmeans_file, tmp_path, monkeypatch):
    path = tmp_path / "t.npz"
    meta, arrays = read_raw(kmeans_file)
    write_raw(path, meta, arrays)
    # a member whose header declares 100 million float32 (400 MB), holding 16 bytes
    add_member(path, "junk.npy", npy_bytes((100_000_000,), "<f4", b"\0" * 16))
    read = []
    original = _archive.Archive.read
    monkeypatch.setattr(_archive.Archive, "read",
                        lambda self, key: read.append(key) or original(self, key))
    peak, elapsed = _measure(lambda: _refused(path, "does not use"))
    assert "junk" not in read and peak < 8 * 2**20 and elapsed < 5


def test_unreferenced_real_array_is_refused_unread(kmeans_file, tmp_path, monkeypatch):
    meta, arrays = read_raw(kmeans_file)
    arrays["extra"] = np.zeros(1_000_000)
    write_raw(tmp_path / "t.npz", meta, arrays)
    read = []
    original = _archive.Archive.read
    monkeypatch.setattr(_archive.Archive, "read",
                        lambda self, key: read.append(key) or original(self, key))
    _refused(tmp_path / "t.npz", "extra")
    assert "extra" not in read


def test_compressed_members_are_refused(kmeans_file, tmp_path):
    meta, arrays = read_raw(kmeans_file)
    import json

    np.savez_compressed(tmp_path / "c.npz", __metadata__=np.array(json.dumps(meta)), **arrays)
    _refused(tmp_path / "c.npz", "compressed")


@pytest.mark.parametrize("content", [b"", b"PK\x03\x04garbage", b"not a zip at all",
                                     b"\x93NUMPY"])
def test_garbage_files(tmp_path, content):
    (tmp_path / "g.npz").write_bytes(content)
    _refused(tmp_path / "g.npz")


def test_truncated_file(kmeans_file, tmp_path):
    data = kmeans_file.read_bytes()
    for cut in (len(data) // 3, len(data) // 2, len(data) - 30):
        (tmp_path / "t.npz").write_bytes(data[:cut])
        _refused(tmp_path / "t.npz")


def test_deeply_nested_json(tmp_path):
    nested = "[" * 100_000 + "]" * 100_000
    np.savez(tmp_path / "n.npz", __metadata__=np.array(
        '{"format": "clusterlab-model", "format_version": 2, "model": ' + nested + "}"))
    _refused(tmp_path / "n.npz")


def test_newer_format_version(kmeans_file, tmp_path):
    meta, arrays = read_raw(kmeans_file)
    meta["format_version"] = 99
    write_raw(tmp_path / "t.npz", meta, arrays)
    _refused(tmp_path / "t.npz", "newer")


def test_missing_file_is_an_oserror(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_model(tmp_path / "nope.npz")


def test_directory_and_pipe_are_refused_without_blocking(tmp_path):
    import os

    _refused(tmp_path, "not a regular file")
    fifo = tmp_path / "pipe.npz"
    os.mkfifo(fifo)
    _refused(fifo, "not a regular file")  # opening it would wait for a writer


@pytest.mark.parametrize("estimator", [KMeans(2), GaussianMixture(2)])
def test_saving_an_unfitted_estimator(tmp_path, estimator):
    with pytest.raises(NotFittedError):
        save_model(estimator, tmp_path / "m.npz")
    assert list(tmp_path.iterdir()) == []


def test_saving_an_unfitted_pipeline(tmp_path):
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    with pytest.raises(NotFittedError):
        save_model(make_pipeline(StandardScaler(), KMeans(2)), tmp_path / "m.npz")


def test_saving_unregistered_things(tmp_path):
    from sklearn.cluster import KMeans as SKMeans

    with pytest.raises(TypeError, match="registered"):
        save_model(SKMeans(2, n_init=1).fit(X), tmp_path / "m.npz")
    with pytest.raises(TypeError, match="cannot store"):
        save_model(KMeans(2, init=lambda X, k, random_state: X[:k]).fit(X), tmp_path / "m.npz")


def test_save_errors_name_the_users_path(tmp_path):
    target = tmp_path / "missing-dir" / "m.npz"
    with pytest.raises(FileNotFoundError) as info:
        save_model(KMeans(2, random_state=0).fit(X), target)
    assert str(target) in str(info.value) and ".tmp-" not in str(info.value)


def test_pipeline_steps_and_memory_are_checked(tmp_path):
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    path = tmp_path / "p.npz"
    save_model(make_pipeline(StandardScaler(), KMeans(2, random_state=0)).fit(X), path)
    meta, arrays = read_raw(path)
    meta["model"]["params"]["memory"] = str(tmp_path / "cache")  # joblib would write here
    write_raw(tmp_path / "t.npz", meta, arrays)
    _refused(tmp_path / "t.npz", "memory=None")
    meta["model"]["params"]["memory"] = None
    meta["model"]["params"]["steps"][0] = {"__tuple__": ["evil", "os:system"]}
    write_raw(tmp_path / "t.npz", meta, arrays)
    _refused(tmp_path / "t.npz")


def test_family_object_arguments_are_plain(tmp_path):
    from clusterlab import MixtureModel
    from clusterlab.mixture.families import Bernoulli

    path = tmp_path / "m.npz"
    B = (X > 0).astype(float)
    save_model(MixtureModel(2, family=Bernoulli(0.5), random_state=0).fit(B), path)
    meta, arrays = read_raw(path)
    meta["model"]["params"]["family"]["params"]["alpha"] = [1, 2]
    write_raw(tmp_path / "t.npz", meta, arrays)
    _refused(tmp_path / "t.npz", "numbers, strings or registered objects")
    meta["model"]["params"]["family"]["__object__"] = "clusterlab.cli.main:run"
    write_raw(tmp_path / "t.npz", meta, arrays)
    _refused(tmp_path / "t.npz", "not a registered family")
