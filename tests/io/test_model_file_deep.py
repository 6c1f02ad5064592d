"""Model files of the torch estimators: weights checked against the architecture."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

torch = pytest.importorskip("torch")

from clusterlab import load_model, save_model  # noqa: E402
from clusterlab.deep import VAE, DeepClustering  # noqa: E402
from clusterlab.deep._nets import VAENet, vae_state_shapes  # noqa: E402
from clusterlab.deep._vade import VaDENet, vade_state_shapes  # noqa: E402
from clusterlab.io import _safetensors  # noqa: E402

from .modelfiles import read_raw, write_raw  # noqa: E402

DATA = Path(__file__).parent / "data"
X = np.random.default_rng(0).random((48, 5))


@pytest.mark.parametrize("hidden", [[], [4], [6, 3]])
@pytest.mark.parametrize("likelihood", ["bernoulli", "gaussian"])
@pytest.mark.parametrize("cov", [None, "diag", "full"])
def test_declared_shapes_equal_the_built_networks(hidden, likelihood, cov):
    gen = torch.Generator().manual_seed(0)
    net = VAENet(5, hidden, 2, likelihood, gen)
    shapes = vae_state_shapes(5, hidden, 2, likelihood)
    if cov is not None:
        net = VaDENet(net, 3, cov)
        shapes = vade_state_shapes(shapes, 3, 2, cov)
    built = {k: tuple(v.shape) for k, v in net.state_dict().items()}
    assert built == shapes


@pytest.mark.parametrize("likelihood", ["bernoulli", "gaussian"])
def test_vae_round_trip(tmp_path, likelihood):
    vae = VAE(hidden_dim=[4, 3], latent_dim=2, likelihood=likelihood, epochs=2,
              random_state=0).fit(X)
    save_model(vae, tmp_path / "vae.npz")
    loaded = load_model(tmp_path / "vae.npz")
    np.testing.assert_array_equal(loaded.transform(X), vae.transform(X))
    np.testing.assert_array_equal(loaded.decode(X[:, :2]), vae.decode(X[:, :2]))
    pd.testing.assert_frame_equal(loaded.history_, vae.history_)
    assert loaded.n_iter_ == vae.n_iter_ and loaded.converged_ == vae.converged_


@pytest.mark.parametrize("method, cov", [("vade", "full"), ("vade", "diag"),
                                         ("vae_gmm", "full"), ("vae_gmm", "diag")])
def test_deep_clustering_round_trip(tmp_path, method, cov):
    dc = DeepClustering(2, method=method, covariance_type=cov, hidden_dim=4, latent_dim=2,
                        pretrain_epochs=1, epochs=1, random_state=0).fit(X)
    save_model(dc, tmp_path / "dc.npz")
    loaded = load_model(tmp_path / "dc.npz")
    np.testing.assert_array_equal(loaded.predict(X), dc.predict(X))
    np.testing.assert_array_equal(loaded.predict_proba(X), dc.predict_proba(X))
    np.testing.assert_array_equal(loaded.transform(X), dc.transform(X))


def _saved_vae(tmp_path):
    vae = VAE(hidden_dim=4, latent_dim=2, epochs=1, random_state=0).fit(X)
    save_model(vae, tmp_path / "vae.npz")
    return read_raw(tmp_path / "vae.npz")


def test_weights_must_match_the_hyperparameters(tmp_path):
    meta, arrays = _saved_vae(tmp_path)
    meta["model"]["params"]["hidden_dim"] = 5  # the stored weights are for 4
    write_raw(tmp_path / "t.npz", meta, arrays)
    with pytest.raises(ValueError, match="hyperparameters need shape"):
        load_model(tmp_path / "t.npz")


def _tensors(blob):
    header = _safetensors.parse_header(blob[:8], lambda n: blob[8:8 + n], len(blob))
    return _safetensors.from_bytes(blob, header)


def test_weights_are_safetensors(tmp_path):
    """The weights member opens with the safetensors library, equal to the state dict."""
    safetensors_numpy = pytest.importorskip("safetensors.numpy")
    vae = VAE(hidden_dim=4, latent_dim=2, epochs=1, random_state=0).fit(X)
    save_model(vae, tmp_path / "vae.npz")
    meta, arrays = read_raw(tmp_path / "vae.npz")
    assert meta["model"]["attributes"]["module_"] == {"__module__": "module_"}
    loaded = safetensors_numpy.load(arrays["module_.safetensors"])
    state = {k: v.numpy() for k, v in vae.module_.state_dict().items()}
    assert loaded.keys() == state.keys()
    for name, value in state.items():
        np.testing.assert_array_equal(loaded[name], value)


def test_missing_and_extra_weights(tmp_path):
    meta, arrays = _saved_vae(tmp_path)
    tensors = _tensors(arrays["module_.safetensors"])
    tensors["evil.weight"] = tensors.pop("head.bias")
    arrays["module_.safetensors"] = _safetensors.to_bytes(tensors)
    write_raw(tmp_path / "t.npz", meta, arrays)
    with pytest.raises(ValueError, match="does not match the architecture"):
        load_model(tmp_path / "t.npz")


def test_nan_weights(tmp_path):
    meta, arrays = _saved_vae(tmp_path)
    tensors = _tensors(arrays["module_.safetensors"])
    tensors["head.bias"] = np.full_like(tensors["head.bias"], np.nan)
    arrays["module_.safetensors"] = _safetensors.to_bytes(tensors)
    write_raw(tmp_path / "t.npz", meta, arrays)
    with pytest.raises(ValueError, match="NaN"):
        load_model(tmp_path / "t.npz")


def test_malformed_safetensors(tmp_path):
    meta, arrays = _saved_vae(tmp_path)
    blob = arrays["module_.safetensors"]
    for bad in (blob[:-4], blob[:6], b"\xff" * 8 + blob[8:], blob[:8] + b"[" + blob[9:]):
        arrays["module_.safetensors"] = bad
        write_raw(tmp_path / "t.npz", meta, arrays)
        with pytest.raises(ValueError, match="safetensors|damaged"):
            load_model(tmp_path / "t.npz")


def test_bad_deep_prior(tmp_path):
    dc = DeepClustering(2, hidden_dim=4, latent_dim=2, pretrain_epochs=1, epochs=1,
                        random_state=0).fit(X)
    save_model(dc, tmp_path / "dc.npz")
    meta, arrays = read_raw(tmp_path / "dc.npz")
    key = meta["model"]["attributes"]["means_"]["__array__"]
    arrays[key] = np.zeros((3, 2))
    write_raw(tmp_path / "t.npz", meta, arrays)
    with pytest.raises(ValueError, match="means_"):
        load_model(tmp_path / "t.npz")


@pytest.mark.parametrize("name", ["vae", "deep"])
@pytest.mark.parametrize("writer", ["v1", "v1b"])
def test_version_1_deep_files_still_load(name, writer):
    X1 = np.load(DATA / "v1_X.npy")
    expected = np.asarray(json.loads((DATA / f"{writer}_expected.json").read_text())[name])
    model = load_model(DATA / f"{writer}_{name}.npz")
    got = model.transform(X1) if name == "vae" else model.predict(X1)
    if name == "vae" or writer == "v1b":
        assert isinstance(model.history_, pd.DataFrame) and len(model.history_)
    np.testing.assert_allclose(got, expected, rtol=1e-6)


def test_pipeline_with_a_deep_step(tmp_path):
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    pipe = make_pipeline(StandardScaler(), DeepClustering(
        2, method="vae_gmm", likelihood="gaussian", hidden_dim=3, latent_dim=2, epochs=1,
        random_state=0)).fit(X)
    save_model(pipe, tmp_path / "p.npz")
    loaded = load_model(tmp_path / "p.npz")
    np.testing.assert_array_equal(loaded.predict(X), pipe.predict(X))
    np.testing.assert_array_equal(loaded.predict_proba(X), pipe.predict_proba(X))
