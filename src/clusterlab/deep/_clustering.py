"""``DeepClustering``: groups in a learned latent space (VAE + GMM, or VaDE)."""

import warnings

import numpy as np
import torch
from scipy.special import logsumexp
from sklearn.base import BaseEstimator, ClusterMixin, TransformerMixin

from clusterlab._history import frame_from_state
from clusterlab._validation import Interval, Options, check_n_samples
from clusterlab._validation.schema import Field
from clusterlab.deep import _base
from clusterlab.deep._elbo import vae_terms
from clusterlab.deep._nets import VAENet, vae_state_shapes
from clusterlab.deep._vade import VaDENet, autoencoder_terms, vade_state_shapes
from clusterlab.mixture import CollapsedComponentWarning, GaussianMixture
from clusterlab.mixture.families import Gaussian

# The learning rate shrinks by this factor every this many epochs in both phases
# (Jiang et al.'s schedule); it keeps the mixture prior from oscillating late in training.
_SCHEDULE = {"lr_decay": 0.9, "lr_step": 10}


# Covariance floor of the latent mixture, as a share of the codes' mean variance.
# Codes from a short pretraining can fill only part of the latent space; a mixture
# fitted to them then has near-zero variances (1e-4 of the spread on digits), and
# VaDE's KL term against such a prior swamps training (all points in one cluster).
# (A floor of 1e-2 kept that run off one cluster too, but scored 0.68 against 0.71.)
_REG_COVAR_SHARE = 1e-3


def _gaussian_mixture(n_components, covariance_type, Z, random_state):
    """The one place the latent-space Gaussian mixture comes from (clusterlab's own).

    The covariance floor is deliberate, so the mixture's warning that a
    component sits on it (meant for BIC / AIC) is not passed on.
    """
    # never below GaussianMixture's own default (codes of one row have no spread)
    reg_covar = max(_REG_COVAR_SHARE * float(np.mean(np.var(Z, axis=0))), 1e-6)
    gmm = GaussianMixture(n_components=n_components, covariance_type=covariance_type,
                          reg_covar=reg_covar, n_init=3, random_state=random_state)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CollapsedComponentWarning)
        return gmm.fit(Z)


def _phase_history(phases):
    """One history table over the phases ``[(name, TrainResult), ...]``."""
    return frame_from_state({name: res.history for name, res in phases}, "epoch")


def mixture_log_joint(Z, weights, means, covariances, covariance_type):
    """log w_k + log N(z_i | mu_k, Sigma_k) for every (i, k), in float64.

    The Gaussian family of the EM engine evaluates the densities (one call for
    all components).

    Examples
    --------
    >>> import numpy as np
    >>> out = mixture_log_joint(np.zeros((1, 2)), np.array([1.0]), np.zeros((1, 2)),
    ...                         np.ones((1, 2)), "diag")
    >>> round(float(out[0, 0]), 4)  # -log(2 pi)
    -1.8379
    """
    family = Gaussian(covariance_type)
    prec_chol, _ = family.structure.precision_cholesky(np.asarray(covariances, dtype=np.float64))
    params = {"means": np.asarray(means, dtype=np.float64), "precisions_cholesky": prec_chol}
    log_prob = family.log_prob(np.ascontiguousarray(Z, dtype=np.float64), params)
    return np.log(np.asarray(weights, dtype=np.float64)) + log_prob


class DeepClustering(_base.LatentMixin, ClusterMixin, TransformerMixin, BaseEstimator):
    """Clustering in the latent space of a variational autoencoder.

    ``method="vade"`` (default) is VaDE (Jiang et al., 2017): an autoencoder
    is pretrained, a Gaussian mixture fitted to its codes (best likelihood of
    a few restarts) initialises a mixture prior p(z) = sum_k pi_k N(mu_k,
    Sigma_k), and the VAE and the prior are then trained end to end on the
    ELBO; clusters are argmax_k p(k | z) at the encoder mean. Both phases
    use Adam with the learning rate multiplied by 0.9 every 10 epochs, as in
    the paper. The latent mixture's covariances are floored at 1e-3 of the
    codes' mean variance, and VaDE starts the encoder's variances where the
    KL to the prior is least. ``method="vae_gmm"`` trains a VAE with a N(0, I) prior and
    fits a Gaussian mixture to the latent means.

    VaDE with full prior covariances is the default because it clustered
    best in our measurements (``benchmarks/suite_deep.py``, all 10,000 MNIST
    test images, random_state=0: Hungarian accuracy 0.869 for VaDE, 0.863
    for VAE + GMM, 0.542 for k-means on the pixels; on scikit-learn's
    digits 0.814, 0.755 and 0.792). The paper's prior is diagonal
    (``covariance_type="diag"``); with every other default equal it reached
    0.766 on MNIST (random_state=0). On one set of pretrained codes,
    diagonal mixtures scored 0.73-0.80 depending on the restart, full ones
    0.83 on every restart, and VaDE keeps much of its starting partition.

    Parameters
    ----------
    n_clusters : int, default=8
    method : {"vade", "vae_gmm"}, default="vade"
    hidden_dim : int or sequence of int, default=(500, 500)
        Encoder hidden widths (the decoder mirrors them).
    latent_dim : int, default=10
    likelihood : {"bernoulli", "gaussian"}, default="bernoulli"
        p(x | z); Bernoulli needs X in [0, 1].
    covariance_type : {"full", "diag"}, default="full"
        Covariances of the latent mixture (VaDE's prior or the fitted GMM).
    pretrain_epochs : int, default=100
        Autoencoder pretraining epochs (VaDE only).
    epochs : int, default=50
        Epochs of VAE ("vae_gmm") or VaDE training.
    batch_size : int, default=100
    learning_rate : float, default=2e-3
        Adam's initial step size, multiplied by 0.9 every 10 epochs.
    validation_fraction : float in [0, 1), default=0.0
        Rows held out to monitor the ELBO; > 0 enables early stopping.
    early_stopping : bool, default=True
    n_iter_no_change : int, default=10
    device : str, default="cpu"
    random_state : int, Generator or None, default=None
    verbose : int, default=0

    Attributes
    ----------
    labels_ : ndarray of shape (n_samples,)
        ``predict(X)`` for the training data.
    weights_, means_, covariances_ : ndarray
        The latent mixture (covariances ``(K, d)`` if diag, ``(K, d, d)`` if full).
    module_ : torch.nn.Module
        The trained network.
    history_ : pandas.DataFrame of shape (n_iter_, 4 or 7)
        One row per epoch (index ``"epoch"``): ``phase`` ("pretrain" for
        VaDE's autoencoder pretraining, then "train") and the epoch's mean
        ELBO terms per sample, ``train_elbo``, ``train_reconstruction``,
        ``train_kl`` (and ``val_*`` with a validation split), as in ``VAE``.
        In pretraining the "ELBO" is the autoencoder's reconstruction
        objective (its ``kl`` is 0).
    n_iter_ : int
        Epochs run, pretraining included (``len(history_)``).
    converged_ : bool
        Whether early stopping ended the training phase.
    n_features_in_ : int

    Examples
    --------
    >>> import numpy as np
    >>> from clusterlab.deep import DeepClustering
    >>> X = np.random.default_rng(0).random((60, 5))
    >>> dc = DeepClustering(3, hidden_dim=8, latent_dim=2, pretrain_epochs=2, epochs=2,
    ...                     random_state=0).fit(X)
    >>> dc.labels_.shape, dc.predict_proba(X).shape, dc.transform(X).shape
    ((60,), (60, 3), (60, 2))
    """

    _parameter_constraints = {
        "n_clusters": [Interval(int, 1, None)],
        "method": [Options({"vade", "vae_gmm"})],
        "hidden_dim": [Interval(int, 1, None), "array-like"],
        "latent_dim": [Interval(int, 1, None)],
        "likelihood": [Options({"bernoulli", "gaussian"})],
        "covariance_type": [Options({"diag", "full"})],
        "pretrain_epochs": [Interval(int, 0, None)],
        "epochs": [Interval(int, 0, None)],
        **_base.TRAINING_CONSTRAINTS,
    }

    def __init__(self, n_clusters=8, *, method="vade", hidden_dim=(500, 500),
                 latent_dim=10, likelihood="bernoulli", covariance_type="full",
                 pretrain_epochs=100, epochs=50, batch_size=100, learning_rate=2e-3,
                 validation_fraction=0.0, early_stopping=True, n_iter_no_change=10,
                 device="cpu", random_state=None, verbose=0):
        self.n_clusters = n_clusters
        self.method = method
        self.hidden_dim = hidden_dim
        self.latent_dim = latent_dim
        self.likelihood = likelihood
        self.covariance_type = covariance_type
        self.pretrain_epochs = pretrain_epochs
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.validation_fraction = validation_fraction
        self.early_stopping = early_stopping
        self.n_iter_no_change = n_iter_no_change
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    # ------------------------------------------------------------------ fit
    def _fit_mixture(self, Z, rng):
        seed = int(rng.integers(2**31 - 1))
        gmm = _gaussian_mixture(self.n_clusters, self.covariance_type, Z, seed)
        return gmm.weights_, gmm.means_, gmm.covariances_

    def fit(self, X, y=None):
        """Learn the representation and the clusters of ``X``; returns ``self``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : ignored

        Returns
        -------
        self : DeepClustering
        """
        device = self._check_params()
        X = _base.check_input(self, X, reset=True, likelihood=self.likelihood)
        check_n_samples(X, self.n_clusters)
        rng, init_gen, noise_gen = _base.torch_generators(self.random_state, device)
        vae = VAENet(X.shape[1], _base.hidden_sizes(self.hidden_dim), self.latent_dim,
                     self.likelihood, init_gen).to(device)
        Xt = _base.as_tensor(X, device)
        data = self._split(Xt, rng)
        phases = []
        if self.method == "vade":
            pre = self._train(autoencoder_terms(vae, self.likelihood), vae, data,
                              self.pretrain_epochs, rng, noise_gen, "pretraining", **_SCHEDULE)
            phases.append(("pretrain", pre))
            Z = _base.to_numpy(_base.batched(lambda x: vae.encode(x)[0], Xt), np.float64)
            net = VaDENet(vae, self.n_clusters, self.covariance_type).to(device)
            net.set_prior(*self._fit_mixture(Z, rng))
            net.start_posterior_variances()
            result = self._train(lambda x, g: net.terms(x, g, self.likelihood), net, data,
                                 self.epochs, rng, noise_gen, "VaDE", **_SCHEDULE)
            self.module_ = net
            self._prior_from_net()
        else:
            result = self._train(vae_terms(vae, self.likelihood), vae, data, self.epochs, rng,
                                 noise_gen, "VAE", **_SCHEDULE)
            self.module_ = vae
            Z = _base.to_numpy(_base.batched(lambda x: vae.encode(x)[0], Xt), np.float64)
            self.weights_, self.means_, self.covariances_ = self._fit_mixture(Z, rng)
        phases.append(("train", result))
        self.history_ = _phase_history(phases)
        self.n_iter_ = len(self.history_)
        self.converged_ = result.stopped_early
        self.labels_ = self.predict(X)
        return self

    def _prior_from_net(self):
        weights, means, covariances = (t.double().cpu().numpy() for t in self.module_.prior())
        self.weights_, self.means_, self.covariances_ = weights / weights.sum(), means, covariances

    # ------------------------------------------------------------ inference
    def _encoder(self):
        return self.module_.vae if isinstance(self.module_, VaDENet) else self.module_

    def predict_proba(self, X):
        """p(cluster | z) at the latent mean of each row.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_clusters)
        """
        Z = self.transform(X)
        log_joint = mixture_log_joint(Z, self.weights_, self.means_, self.covariances_,
                                      self.covariance_type)
        proba = np.exp(log_joint - logsumexp(log_joint, axis=1, keepdims=True))
        return proba.astype(Z.dtype, copy=False)

    def predict(self, X):
        """Most probable cluster of each row.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        return np.argmax(self.predict_proba(X), axis=1)

    # ---------------------------------------------------------- model files
    def _model_schema(self):
        latent = ("n_clusters", "latent_dim")
        cov = latent if self.covariance_type == "diag" else (*latent, "latent_dim")
        return (
            Field("n_features_in_", "int", low=1),
            Field("n_iter_", "int", low=0),
            Field("converged_", "bool"),
            Field("history_", "history"),
            Field("weights_", "array", shape=("n_clusters",), low=0, high=1),
            Field("means_", "array", shape=latent),
            Field("covariances_", "array", shape=cov,
                  low=0 if self.covariance_type == "diag" else None),
            Field("labels_", "array", dtype="iu", shape=("n_samples",), low=0,
                  high="n_clusters-1"),
            Field("module_", "module"),
        )

    def _module_state(self):
        return _base.module_arrays(self.module_)

    def _module_shapes(self):
        """The weights' shapes the hyperparameters imply (checked before building)."""
        shapes = vae_state_shapes(self.n_features_in_, _base.hidden_sizes(self.hidden_dim),
                                  self.latent_dim, self.likelihood)
        if self.method != "vade":
            return shapes
        return vade_state_shapes(shapes, self.n_clusters, self.latent_dim, self.covariance_type)

    def _restore_module(self, arrays):
        gen = torch.Generator().manual_seed(0)
        vae = VAENet(self.n_features_in_, _base.hidden_sizes(self.hidden_dim), self.latent_dim,
                     self.likelihood, gen)
        module = VaDENet(vae, self.n_clusters, self.covariance_type) \
            if self.method == "vade" else vae
        self.module_ = _base.restore_module(module, arrays, self.device)
