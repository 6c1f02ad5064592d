"""DeepClustering: recovers planted clusters, agrees with a Gaussian-mixture oracle."""

import numpy as np
import pytest
from scipy.stats import multivariate_normal
from sklearn.mixture import GaussianMixture as SkGaussianMixture

from clusterlab.deep import DeepClustering, cluster_accuracy
from clusterlab.deep._clustering import mixture_log_joint
from clusterlab.io import load_model, save_model


def _binary_prototypes(seed=0, n_per=100, n_features=24, flip=0.1):
    """Three random binary images; each sample flips 10% of its prototype's pixels."""
    rng = np.random.default_rng(seed)
    protos = rng.random((3, n_features)) < 0.5
    y = np.repeat(np.arange(3), n_per)
    X = np.where(rng.random((len(y), n_features)) < flip, ~protos[y], protos[y])
    return X.astype(np.float64), y


def _small(method="vade", **kw):
    params = dict(method=method, hidden_dim=32, latent_dim=2, pretrain_epochs=20, epochs=20,
                  batch_size=32, random_state=0)
    params.update(kw)
    return DeepClustering(3, **params)


@pytest.fixture(scope="module")
def fitted_vade():
    X, y = _binary_prototypes()
    return _small("vade").fit(X), X, y


@pytest.fixture(scope="module")
def fitted_vade_diag():
    X, y = _binary_prototypes()
    return _small("vade", covariance_type="diag").fit(X), X, y


@pytest.fixture(scope="module")
def fitted_vae_gmm():
    X, y = _binary_prototypes()
    return _small("vae_gmm", covariance_type="full").fit(X), X, y


@pytest.mark.parametrize("which", ["fitted_vade", "fitted_vade_diag", "fitted_vae_gmm"])
def test_recovers_planted_clusters(which, request):
    dc, X, y = request.getfixturevalue(which)
    assert cluster_accuracy(y, dc.labels_) >= 0.95
    np.testing.assert_array_equal(dc.labels_, dc.predict(X))
    proba = dc.predict_proba(X)
    assert proba.shape == (300, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-10)
    np.testing.assert_array_equal(np.argmax(proba, axis=1), dc.labels_)
    assert dc.transform(X).shape == (300, 2)
    assert dc.fit_predict(X).shape == (300,)


@pytest.mark.parametrize("which", ["fitted_vade", "fitted_vade_diag", "fitted_vae_gmm"])
def test_predict_proba_equals_sklearn_mixture_with_same_parameters(which, request):
    """Our posterior from the stored mixture equals sklearn's GaussianMixture.predict_proba."""
    dc, X, _ = request.getfixturevalue(which)
    cov = dc.covariance_type
    oracle = SkGaussianMixture(3, covariance_type=cov)
    oracle.weights_, oracle.means_, oracle.covariances_ = dc.weights_, dc.means_, dc.covariances_
    if cov == "diag":
        oracle.precisions_cholesky_ = 1.0 / np.sqrt(dc.covariances_)
    else:
        oracle.precisions_cholesky_ = np.stack(
            [np.linalg.inv(np.linalg.cholesky(c)).T for c in dc.covariances_])
    Z = dc.transform(X).astype(np.float64)
    np.testing.assert_allclose(dc.predict_proba(X), oracle.predict_proba(Z), atol=1e-8)


@pytest.mark.parametrize("which, cov_shape", [("fitted_vade", (3, 2, 2)),
                                              ("fitted_vade_diag", (3, 2))])
def test_vade_posterior_equals_network_responsibilities(which, cov_shape, request):
    import torch

    dc, X, _ = request.getfixturevalue(which)
    with torch.no_grad():
        gamma = dc.module_.responsibilities(torch.as_tensor(X, dtype=torch.float32)).numpy()
    np.testing.assert_allclose(dc.predict_proba(X), gamma, atol=1e-4)
    assert dc.covariances_.shape == cov_shape
    assert dc.weights_.sum() == pytest.approx(1.0)


def test_history_has_pretraining_and_training(fitted_vade, fitted_vae_gmm):
    vade, vae_gmm = fitted_vade[0], fitted_vae_gmm[0]
    h = vade.history_
    assert h["phase"].value_counts().to_dict() == {"pretrain": 20, "train": len(h) - 20}
    assert len(h) == vade.n_iter_ and h.index.name == "epoch"
    pre = h.loc[h["phase"] == "pretrain", "train_reconstruction"].to_numpy()
    assert pre[-1] > pre[0]  # the autoencoder learns
    assert (h.loc[h["phase"] == "pretrain", "train_kl"] == 0).all()
    assert set(vae_gmm.history_["phase"]) == {"train"} and vae_gmm.n_iter_ == 20
    assert len(vae_gmm.history_) == 20 and not vae_gmm.converged_


def test_mixture_log_joint_full_equals_diag_for_diagonal_matrices(rng):
    Z, means, var = rng.normal(size=(6, 3)), rng.normal(size=(2, 3)), rng.random((2, 3)) + 0.5
    w = np.array([0.3, 0.7])
    full = np.stack([np.diag(v) for v in var])
    np.testing.assert_allclose(mixture_log_joint(Z, w, means, full, "full"),
                               mixture_log_joint(Z, w, means, var, "diag"), rtol=1e-12)


def test_reproducible_and_runs_on_device(device):
    X, y = _binary_prototypes(n_per=40)
    a = _small(pretrain_epochs=3, epochs=2, device=device).fit(X)
    b = _small(pretrain_epochs=3, epochs=2, device=device).fit(X)
    if device == "cpu":
        np.testing.assert_array_equal(a.labels_, b.labels_)
        np.testing.assert_array_equal(a.transform(X), b.transform(X))
    assert a.predict_proba(X).shape == (120, 3)


@pytest.mark.parametrize("method, cov", [("vade", "full"), ("vade", "diag"), ("vae_gmm", "full")])
def test_model_file_round_trip(method, cov, tmp_path):
    X, _ = _binary_prototypes(n_per=30)
    dc = _small(method, covariance_type=cov, pretrain_epochs=3, epochs=3).fit(X)
    save_model(dc, tmp_path / "dc.npz")
    loaded = load_model(tmp_path / "dc.npz")
    np.testing.assert_array_equal(loaded.predict(X), dc.predict(X))
    np.testing.assert_allclose(loaded.predict_proba(X), dc.predict_proba(X), rtol=1e-6)
    np.testing.assert_array_equal(loaded.labels_, dc.labels_)


def test_digits_beat_chance_by_far(digits):
    """Real data: a short run on scikit-learn's digits finds most of the classes."""
    X, y = digits
    dc = DeepClustering(10, hidden_dim=(128, 128), latent_dim=10, pretrain_epochs=15,
                        epochs=10, batch_size=128, random_state=0).fit(X)
    assert cluster_accuracy(y, dc.labels_) >= 0.6


@pytest.mark.parametrize(
    "params, match",
    [
        ({"method": "dec"}, "method"),
        ({"method": "vade", "covariance_type": "tied"}, "covariance_type"),
        ({"n_clusters": 0}, "n_clusters"),
        ({"hidden_dim": (4, -1)}, "hidden_dim"),
        ({"device": "gpu"}, "device"),
    ],
)
def test_bad_parameters(params, match):
    X, _ = _binary_prototypes(n_per=5)
    kw = {"method": "vade", "epochs": 1, "pretrain_epochs": 1}
    kw.update(params)
    n_clusters = kw.pop("n_clusters", 3)
    with pytest.raises(ValueError, match=match):
        DeepClustering(n_clusters, **kw).fit(X)


def test_bad_data():
    X, _ = _binary_prototypes(n_per=1)
    with pytest.raises(ValueError, match="n_samples=3 should be >= n_clusters=4"):
        DeepClustering(4, epochs=1, pretrain_epochs=1).fit(X)
    with pytest.raises(ValueError, match="likelihood='bernoulli'"):
        DeepClustering(2, epochs=1, pretrain_epochs=1).fit(X * 3)


def test_mixture_log_joint_matches_scipy(rng):
    Z, means = rng.normal(size=(7, 3)), rng.normal(size=(2, 3))
    A = rng.normal(size=(2, 3, 3))
    cov = A @ A.transpose(0, 2, 1) + np.eye(3)
    w = np.array([0.4, 0.6])
    expected = np.column_stack([np.log(w[k]) + multivariate_normal(means[k], cov[k]).logpdf(Z)
                                for k in range(2)])
    np.testing.assert_allclose(mixture_log_joint(Z, w, means, cov, "full"), expected, rtol=1e-10)
