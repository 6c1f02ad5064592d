"""Fuzzing ``load_model`` with mutations of valid files (hypothesis).

Invariant: a mutated file either loads as an estimator of a registered class
(whose ``predict`` then works or raises ValueError/TypeError), or
``load_model`` raises ``ValueError`` naming the file: never another exception,
never a hang.

A fixed seed (``derandomize``) and a short budget run in CI; set
``CLUSTERLAB_FUZZ=long`` for a long local run (the estimator fuzz suite uses
the same variable).
"""

import copy
import json
import os
import tempfile
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from clusterlab import (
    AgglomerativeClustering,
    FuzzyCMeans,
    GaussianMixture,
    KernelDensity,
    KMeans,
    MiniBatchKMeans,
    MixtureModel,
    load_model,
    save_model,
)
from clusterlab.io import _safetensors, registry

from .modelfiles import read_raw, write_raw

LONG = os.environ.get("CLUSTERLAB_FUZZ") == "long"
FUZZ = settings(
    max_examples=20_000 if LONG else 500,
    derandomize=not LONG,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
)
PER_EXAMPLE_SECONDS = 20  # a hang shows as a failure, not a stuck CI job

rng = np.random.default_rng(0)
X = np.vstack([rng.normal(0, 1, (12, 3)), rng.normal(5, 1, (12, 3))])


def _seed_models():
    models = [
        (KMeans(2, random_state=0), X),
        (MiniBatchKMeans(2, random_state=0, batch_size=8), X),
        (FuzzyCMeans(2, random_state=0), X),
        (GaussianMixture(2, random_state=0), X),
        (GaussianMixture(2, covariance_type="diag", means_init=X[[0, 20]], random_state=0), X),
        (MixtureModel(2, family="bernoulli", random_state=0), (X > 2).astype(float)),
        (MixtureModel(2, family="poisson", random_state=0), np.round(np.abs(X))),
        (AgglomerativeClustering(2), X),
        (KernelDensity(bandwidth=[0.5, 1.0, 1.5]), X),
        (make_pipeline(StandardScaler(), KMeans(2, random_state=0)), X),
    ]
    try:
        from clusterlab.deep import VAE, DeepClustering

        models += [
            (VAE(hidden_dim=3, latent_dim=2, likelihood="gaussian", epochs=1,
                 random_state=0), X),
            (DeepClustering(2, hidden_dim=3, latent_dim=2, likelihood="gaussian",
                            pretrain_epochs=1, epochs=1, random_state=0), X),
        ]
    except ImportError:  # pragma: no cover - torch is in the test environment
        pass
    seeds = []
    with tempfile.TemporaryDirectory() as d, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for model, data in models:
            model.fit(data)
            path = Path(d) / "m.npz"
            save_model(model, path)
            seeds.append((read_raw(path), data))
    return seeds


SEEDS = _seed_models()

CLASS_NAMES = registry.registered_names() + [
    "clusterlab.cluster._kmeans:KMeans", "clusterlab.cli.main:run", "os:system",
    "clusterlab._lazy:import_module", "clusterlab.io.tables:read_table", "", "KMeans ",
]
json_leaf = st.one_of(
    st.none(), st.booleans(),
    st.integers(-3, 3), st.sampled_from([0, 1, 2, 10**9, -(10**12), 2**63, 10**40]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8), st.sampled_from(CLASS_NAMES),
)
json_value = st.recursive(
    json_leaf,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.text(max_size=6), inner, max_size=3),
        st.builds(lambda k: {"__array__": k}, st.text(max_size=12)),
        st.builds(lambda v: {"__tuple__": v}, st.lists(inner, max_size=3)),
        st.builds(lambda v: {"__names__": v}, st.lists(st.text(max_size=3), max_size=4)),
        st.builds(lambda n, p: {"__object__": n, "params": p},
                  st.sampled_from(["Gaussian", "Bernoulli", "FixedSpherical", "Nope"]),
                  st.dictionaries(st.sampled_from(["alpha", "variance", "x"]), inner,
                                  max_size=2)),
    ),
    max_leaves=8,
)


def _paths(node, prefix=()):
    """Every (path) into a JSON tree, containers included."""
    yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, (*prefix, i))


def _parent(tree, path):
    for key in path[:-1]:
        tree = tree[key]
    return tree


def _mutate_json(meta, draw):
    paths = [p for p in _paths(meta) if p]
    path = draw(st.sampled_from(paths))
    parent = _parent(meta, path)
    action = draw(st.sampled_from(["replace", "delete", "add", "class"]))
    if action == "class":
        node = meta.get("model", meta)
        if isinstance(node, dict):
            node["class"] = draw(st.sampled_from(CLASS_NAMES))
    elif action == "replace":
        parent[path[-1]] = draw(json_value)
    elif action == "delete":
        del parent[path[-1]]
    elif isinstance(parent, dict):
        parent[draw(st.text(max_size=10))] = draw(json_value)
    else:
        parent.append(draw(json_value))


def _mutate_weights(arrays, key, draw):
    """A safetensors member: damage its bytes or change one tensor."""
    blob = arrays[key]
    if not blob:
        return
    action = draw(st.sampled_from(["truncate", "flip", "tensor"]))
    if action == "truncate":
        arrays[key] = blob[:draw(st.integers(0, len(blob) - 1))]
    elif action == "flip":
        at = draw(st.integers(0, len(blob) - 1))
        arrays[key] = blob[:at] + bytes([blob[at] ^ draw(st.integers(1, 255))]) + blob[at + 1:]
    else:
        try:
            header = _safetensors.parse_header(blob[:8], lambda n: blob[8:8 + n], len(blob))
        except ValueError:  # already damaged by an earlier mutation
            return
        tensors = _safetensors.from_bytes(blob, header)
        _mutate_array(tensors, draw, weights=True)
        try:
            arrays[key] = _safetensors.to_bytes(tensors)
        except TypeError:  # a dtype safetensors members do not hold
            pass


def _mutate_array(arrays, draw, weights=False):
    if not arrays:
        return
    key = draw(st.sampled_from(sorted(arrays)))
    if isinstance(arrays[key], bytes):
        return _mutate_weights(arrays, key, draw)
    arr = arrays[key]
    action = draw(st.sampled_from(["dtype", "shape", "nan", "drop", "add", "scale"]))
    if action == "dtype":
        dtype = draw(st.sampled_from(["float32", "int64", "int8", "bool", "complex128", "U3",
                                      "uint64", "float16", ">f8", ">i4"]))
        try:
            arrays[key] = arr.astype(dtype) if dtype != "U3" else arr.astype(str)
        except (ValueError, TypeError):  # e.g. strings that are not numbers
            return
    elif action == "shape":
        shape = draw(st.lists(st.integers(0, 5), min_size=0, max_size=3))
        arrays[key] = np.resize(arr, shape) if arr.size else np.zeros(shape)
    elif action == "nan" and arr.size and arr.dtype.kind == "f":
        arr = arr.copy()
        arr.flat[draw(st.integers(0, arr.size - 1))] = draw(st.sampled_from(
            [np.nan, np.inf, -np.inf, 1e308, -1e308, 0.0]))
        arrays[key] = arr
    elif action == "drop":
        del arrays[key]
    elif action == "add":
        name = draw(st.text("abc._", min_size=1, max_size=6))
        arrays[name] = np.zeros(3, np.float32 if weights else np.float64)
    elif arr.dtype.kind in "iuf" and arr.size:
        factor = draw(st.sampled_from([-1, 0, 2, 1e300]))
        arrays[key] = arr.astype(np.float64) * factor if arr.dtype.kind == "u" else arr * factor


def _check_loaded(model, data):
    assert registry.name_of(type(model)) is not None
    for method in ("predict", "score_samples", "transform"):
        if hasattr(model, method):
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    getattr(model, method)(data)
            except (ValueError, TypeError) as exc:
                assert str(exc)
            break


def _load_checked(path, data):
    import signal

    def timeout(*_):
        raise AssertionError(f"load_model took more than {PER_EXAMPLE_SECONDS} s")

    old = signal.signal(signal.SIGALRM, timeout)
    signal.alarm(PER_EXAMPLE_SECONDS)
    try:
        model = load_model(path)
    except ValueError as exc:
        assert str(path) in str(exc), exc  # every refusal names the user's file
        return
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    _check_loaded(model, data)


@FUZZ
@given(st.data())
def test_mutated_files_load_or_raise_value_error(data):
    (meta, arrays), X_seed = data.draw(st.sampled_from(SEEDS))
    meta, arrays = copy.deepcopy(meta), dict(arrays)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        for _ in range(data.draw(st.integers(1, 3))):
            if data.draw(st.booleans()):
                _mutate_json(meta, data.draw)
            else:
                _mutate_array(arrays, data.draw)
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "m.npz"
        try:
            write_raw(path, meta, arrays)
        except (ValueError, TypeError):  # json cannot write it: nothing to load
            return
        _load_checked(path, X_seed)


@FUZZ
@given(st.data())
def test_corrupted_bytes_raise_value_error(data):
    (meta, arrays), X_seed = data.draw(st.sampled_from(SEEDS))
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "m.npz"
        write_raw(path, meta, arrays)
        raw = bytearray(path.read_bytes())
        action = data.draw(st.sampled_from(["truncate", "flip", "splice"]))
        at = data.draw(st.integers(0, len(raw) - 1))
        if action == "truncate":
            raw = raw[:at]
        elif action == "flip":
            raw[at] ^= data.draw(st.integers(1, 255))
        else:
            raw[at:at] = data.draw(st.binary(min_size=1, max_size=16))
        path.write_bytes(bytes(raw))
        _load_checked(path, X_seed)


def test_seeds_are_valid():
    """Unmutated, every seed file loads (so mutations start from valid files)."""
    with tempfile.TemporaryDirectory() as d:
        for (meta, arrays), data in SEEDS:
            path = Path(d) / "m.npz"
            write_raw(path, meta, arrays)
            _check_loaded(load_model(path), data)
    assert json.dumps(SEEDS[0][0][0])


@pytest.mark.parametrize("version", [1])
def test_unknown_tags_are_refused(tmp_path, version):
    (meta, arrays), _ = SEEDS[0]
    meta = copy.deepcopy(meta)
    meta["model"]["attributes"]["history_"] = {"__evil__": 1}
    write_raw(tmp_path / "m.npz", meta, arrays)
    with pytest.raises(ValueError, match="unknown tag"):
        load_model(tmp_path / "m.npz")
