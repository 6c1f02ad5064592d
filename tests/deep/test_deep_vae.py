"""VAE: training, inference API, reproducibility, errors and model files."""

import numpy as np
import pytest
import torch

from clusterlab.deep import VAE
from clusterlab.io import load_model, save_model


def _small(**kw):
    params = dict(hidden_dim=32, latent_dim=4, epochs=4, batch_size=64, random_state=0)
    params.update(kw)
    return VAE(**params)


@pytest.fixture(scope="module")
def fitted(digits):
    X, _ = digits
    return _small(epochs=8).fit(X[:1200]), X


def test_fit_records_history_and_improves(fitted):
    vae, _ = fitted
    h = vae.history_
    assert set(h.columns) == {f"{p}_{t}" for p in ("train", "val")
                              for t in ("elbo", "reconstruction", "kl")}
    assert len(h) == vae.n_iter_ and h.index.name == "epoch"
    assert vae.converged_ == vae.stopped_early_
    np.testing.assert_allclose(h["train_elbo"],
                               np.subtract(h["train_reconstruction"], h["train_kl"]))
    assert h["train_elbo"].iloc[-1] > h["train_elbo"].iloc[0] + 5.0
    assert min(h["train_kl"]) > 0.0


def test_inference_shapes_and_dtypes(fitted):
    vae, X = fitted
    assert vae.transform(X[:10]).shape == (10, 4)
    assert vae.transform(X[:10]).dtype == np.float32
    assert vae.transform(X[:10].astype(np.float64)).dtype == np.float64
    mean, log_var = vae.encode(X[:10], return_log_var=True)
    np.testing.assert_array_equal(mean, vae.transform(X[:10]))
    assert log_var.shape == (10, 4)
    rec = vae.reconstruct(X[:10])
    assert rec.shape == (10, 64) and rec.min() >= 0.0 and rec.max() <= 1.0
    np.testing.assert_allclose(rec, vae.decode(mean), rtol=1e-6)
    samples = vae.sample(5, random_state=0)
    assert samples.shape == (5, 64) and samples.min() >= 0.0 and samples.max() <= 1.0
    draws = vae.sample(5, random_state=0, mean=False)
    assert set(np.unique(draws)) <= {0.0, 1.0}
    np.testing.assert_array_equal(vae.sample(3, random_state=1), vae.sample(3, random_state=1))


def test_score_is_mean_elbo_per_sample(fitted):
    vae, X = fitted
    per_row = vae.score_samples(X[1200:1400], n_draws=4)
    assert per_row.shape == (200,)
    assert vae.score(X[1200:1400], n_draws=4) == pytest.approx(per_row.mean())
    # the ELBO bounds log p(x) <= 0 for binary-ish data; reconstruction at the mean is finite
    assert np.all(per_row < 0)
    assert np.all(np.isfinite(vae.log_likelihood_at_mean(X[:5])))
    # held-out ELBO near the last validation ELBO (same distribution)
    assert vae.score(X[1200:1700], n_draws=4) == pytest.approx(vae.history_["val_elbo"].iloc[-1],
                                                              rel=0.1)


def test_reproducible_on_cpu(digits):
    X = digits[0][:300]
    a = _small(epochs=2).fit(X)
    b = _small(epochs=2).fit(X)
    np.testing.assert_array_equal(a.transform(X), b.transform(X))
    assert a.history_.equals(b.history_)
    c = _small(epochs=2, random_state=1).fit(X)
    assert not np.array_equal(a.transform(X), c.transform(X))


def test_runs_on_device(digits, device):
    X = digits[0][:256]
    vae = _small(epochs=2, device=device).fit(X)
    assert next(vae.module_.parameters()).device.type == device
    assert vae.transform(X).shape == (256, 4)
    assert np.isfinite(vae.score(X))


def test_gaussian_likelihood_on_standardised_data(rng):
    X = rng.normal(size=(400, 6)) @ rng.normal(size=(6, 6))
    X = (X - X.mean(0)) / X.std(0)
    vae = VAE(hidden_dim=[16, 16], latent_dim=3, likelihood="gaussian", epochs=15,
              batch_size=64, random_state=0).fit(X)
    assert vae.history_["train_elbo"].iloc[-1] > vae.history_["train_elbo"].iloc[0]
    assert vae.sample(4, random_state=0, mean=False).shape == (4, 6)
    assert vae.module_.log_var_x.shape == (6,)


def test_early_stopping_restores_best_epoch(digits):
    X = digits[0][:400]
    vae = _small(epochs=40, learning_rate=3e-2, n_iter_no_change=2, validation_fraction=0.3)
    vae.fit(X)
    val = vae.history_["val_elbo"]
    assert vae.best_epoch_ == int(np.argmax(val))
    if vae.stopped_early_:
        assert vae.n_iter_ < 40
    # the restored weights give the best validation epoch's ELBO, not the last one
    assert vae.n_iter_ - 1 - vae.best_epoch_ >= (2 if vae.stopped_early_ else 0)


def test_no_validation_split_for_tiny_data():
    X = np.random.default_rng(0).random((3, 4))
    vae = _small(epochs=1).fit(X)
    assert "val_elbo" not in vae.history_.columns and vae.best_epoch_ == -1
    assert not vae.converged_


def test_model_file_round_trip(fitted, tmp_path):
    vae, X = fitted
    path = tmp_path / "vae.npz"
    save_model(vae, path)
    with np.load(path, allow_pickle=False) as archive:  # plain arrays, no pickle
        assert any(k.startswith("module_.") for k in archive.files)
    loaded = load_model(path)
    np.testing.assert_array_equal(loaded.transform(X[:50]), vae.transform(X[:50]))
    assert loaded.score(X[:50]) == pytest.approx(vae.score(X[:50]), rel=1e-6)
    assert loaded.history_.equals(vae.history_) and loaded.n_features_in_ == 64
    assert loaded.converged_ == vae.converged_


@pytest.mark.parametrize(
    "params, error, match",
    [
        ({"latent_dim": 0}, ValueError, "latent_dim"),
        ({"hidden_dim": [8, 0]}, ValueError, "hidden_dim"),
        ({"hidden_dim": "wide"}, TypeError, "hidden_dim"),  # a wrong type
        ({"likelihood": "poisson"}, ValueError, "likelihood"),
        ({"device": "tpu"}, ValueError, "device"),
        ({"learning_rate": 0.0}, ValueError, "learning_rate"),
        ({"input_dim": 5}, ValueError, "input_dim"),
    ],
)
def test_bad_parameters(params, error, match):
    X = np.random.default_rng(0).random((20, 4))
    with pytest.raises(error, match=match):
        _small(**params).fit(X)


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the message without a GPU")
def test_cuda_without_gpu_says_so():
    with pytest.raises(ValueError, match="cuda.is_available"):
        _small(device="cuda").fit(np.random.default_rng(0).random((10, 3)))


def test_bad_data():
    vae = _small(epochs=1)
    with pytest.raises(ValueError, match=r"likelihood='bernoulli' needs X in \[0, 1\]"):
        vae.fit(np.array([[0.0, 2.0], [0.5, 0.5]]))
    with pytest.raises(ValueError, match="NaN|nan|infinity"):
        vae.fit(np.array([[0.0, np.nan], [0.5, 0.5]]))
    fitted = vae.fit(np.random.default_rng(0).random((10, 3)))
    with pytest.raises(ValueError, match="features"):
        fitted.transform(np.zeros((2, 4)))
    with pytest.raises(ValueError, match="Z must have shape"):
        fitted.decode(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="n_samples"):
        fitted.sample(0)
