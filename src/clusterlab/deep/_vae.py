"""``VAE``: a variational autoencoder with a scikit-learn-style API."""

import numpy as np
import torch
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from clusterlab._history import history_frame
from clusterlab._rng import as_generator
from clusterlab._validation import Interval, Options, check_sample_count, validate_params
from clusterlab.deep import _base
from clusterlab.deep._elbo import elbo_terms, log_likelihood
from clusterlab.deep._nets import VAENet
from clusterlab.deep._training import train

_JSON_ATTRS = ("n_features_in_", "n_iter_", "converged_", "best_epoch_", "stopped_early_")

# the training-loop hyperparameters shared by VAE and DeepClustering
TRAINING_CONSTRAINTS = {
    "batch_size": [Interval(int, 1, None)],
    "learning_rate": [Interval(float, 0, None, closed="neither")],
    "validation_fraction": [Interval(float, 0, 1, closed="left")],
    "early_stopping": ["boolean"],
    "n_iter_no_change": [Interval(int, 1, None)],
    "device": [str],
    "random_state": ["random_state"],
    "verbose": ["verbose"],
}


class VAE(TransformerMixin, BaseEstimator):
    """Variational autoencoder: ReLU MLP encoder and decoder, Gaussian latent.

    The generative model is p(z) = N(0, I), p(x | z) Bernoulli (logits from
    the decoder) or Gaussian (decoder means, one learned variance per
    feature); q(z | x) is a diagonal Gaussian from the encoder. ``fit``
    maximises the ELBO E_q[log p(x | z)] - KL(q(z | x) || p(z)) with Adam on
    mini-batches.

    Parameters
    ----------
    input_dim : int or None, default=None
        Number of features; ``None`` takes it from the data in ``fit``.
    hidden_dim : int or sequence of int, default=400
        Encoder hidden widths (the decoder mirrors them).
    latent_dim : int, default=20
        Dimension of z.
    likelihood : {"bernoulli", "gaussian"}, default="bernoulli"
        p(x | z). Bernoulli needs X in [0, 1] (e.g. images / 255).
    epochs : int, default=30
        Most passes over the training data.
    batch_size : int, default=128
    learning_rate : float, default=1e-3
        Adam's step size.
    validation_fraction : float in [0, 1), default=0.1
        Share of rows held out to monitor the ELBO (and stop early).
    early_stopping : bool, default=True
        Stop when the validation ELBO has not improved for
        ``n_iter_no_change`` epochs and restore the best weights.
    n_iter_no_change : int, default=10
    device : str, default="cpu"
        "cpu" or "cuda" (or "cuda:1").
    random_state : int, Generator or None, default=None
        Seeds the initial weights, batches and noise; an int gives
        reproducible results on the CPU.
    verbose : int, default=0
        Show a progress bar.

    Attributes
    ----------
    module_ : torch.nn.Module
        The trained networks (in eval mode, on ``device``).
    history_ : pandas.DataFrame of shape (n_iter_, 3 or 6)
        One row per epoch (index ``"epoch"``), means per sample in nats:
        ``train_elbo``, ``train_reconstruction``, ``train_kl``, and
        ``val_elbo``, ``val_reconstruction``, ``val_kl`` when a validation
        split is used.
    n_iter_ : int
        Epochs run.
    converged_ : bool
        Whether early stopping ended training (the validation ELBO stopped
        improving); False when all ``epochs`` ran.
    best_epoch_ : int
        Epoch (0-based) whose weights were kept; -1 without early stopping.
    stopped_early_ : bool
    n_features_in_ : int

    Examples
    --------
    >>> import numpy as np
    >>> from clusterlab.deep import VAE
    >>> X = np.random.default_rng(0).random((64, 6))
    >>> vae = VAE(hidden_dim=8, latent_dim=2, epochs=2, random_state=0).fit(X)
    >>> vae.transform(X).shape, vae.sample(3).shape
    ((64, 2), (3, 6))
    """

    _parameter_constraints = {
        "input_dim": [None, Interval(int, 1, None)],
        "hidden_dim": [Interval(int, 1, None), "array-like"],
        "latent_dim": [Interval(int, 1, None)],
        "likelihood": [Options({"bernoulli", "gaussian"})],
        "epochs": [Interval(int, 1, None)],
        **TRAINING_CONSTRAINTS,
    }

    def __init__(self, input_dim=None, *, hidden_dim=400, latent_dim=20, likelihood="bernoulli",
                 epochs=30, batch_size=128, learning_rate=1e-3, validation_fraction=0.1,
                 early_stopping=True, n_iter_no_change=10, device="cpu", random_state=None,
                 verbose=0):
        self.input_dim = input_dim
        self.hidden_dim = hidden_dim
        self.latent_dim = latent_dim
        self.likelihood = likelihood
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
    def _build(self, n_features, generator):
        return VAENet(n_features, _base.hidden_sizes(self.hidden_dim), self.latent_dim,
                      self.likelihood, generator)

    def _terms(self, x, generator):
        rec, kl = elbo_terms(self.module_, x, generator, self.likelihood)
        return {"reconstruction": rec, "kl": kl}

    def fit(self, X, y=None):
        """Train on ``X`` (rows are samples); returns ``self``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : ignored

        Returns
        -------
        self : VAE
        """
        validate_params(self)
        _base.hidden_sizes(self.hidden_dim)
        device = _base.resolve_device(self.device)
        X = _base.check_input(self, X, reset=True, likelihood=self.likelihood)
        if self.input_dim is not None and X.shape[1] != self.input_dim:
            raise ValueError(
                f"X has {X.shape[1]} features but input_dim={self.input_dim}; "
                "pass input_dim=None to take it from the data."
            )
        rng, init_gen, noise_gen = _base.torch_generators(self.random_state, device)
        self.module_ = self._build(X.shape[1], init_gen).to(device)
        train_idx, val_idx = _base.split_validation(X.shape[0], self.validation_fraction, rng)
        Xt = _base.as_tensor(X, device)
        result = train(
            self._terms, self.module_.parameters(), self.module_, Xt[train_idx],
            Xt[val_idx] if len(val_idx) else None, epochs=self.epochs,
            batch_size=self.batch_size, learning_rate=self.learning_rate, rng=rng,
            generator=noise_gen, early_stopping=self.early_stopping,
            n_iter_no_change=self.n_iter_no_change, verbose=self.verbose, desc="VAE",
        )
        self.history_ = history_frame("epoch", **result.history)
        self.n_iter_ = result.n_epochs
        self.converged_ = result.stopped_early
        self.best_epoch_ = result.best_epoch
        self.stopped_early_ = result.stopped_early
        return self

    # ------------------------------------------------------------ inference
    def _device(self):
        return next(self.module_.parameters()).device

    def encode(self, X, *, return_log_var=False):
        """Mean (and log-variance) of q(z | x) for each row of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        return_log_var : bool, default=False

        Returns
        -------
        mean : ndarray of shape (n_samples, latent_dim)
        log_var : ndarray of shape (n_samples, latent_dim), if asked
        """
        check_is_fitted(self)
        X = _base.check_input(self, X, reset=False, likelihood="any")
        mean, log_var = _base.batched(self.module_.encode, _base.as_tensor(X, self._device()))
        mean = _base.to_numpy(mean, X.dtype)
        return (mean, _base.to_numpy(log_var, X.dtype)) if return_log_var else mean

    def transform(self, X):
        """Latent means, the representation used downstream (same as ``encode``).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, latent_dim)
        """
        return self.encode(X)

    def _mean_of(self, decoded):
        return torch.sigmoid(decoded) if self.likelihood == "bernoulli" else decoded

    def decode(self, Z):
        """Mean of p(x | z) (pixel probabilities for Bernoulli) for each row of ``Z``.

        Parameters
        ----------
        Z : array-like of shape (n_samples, latent_dim)

        Returns
        -------
        ndarray of shape (n_samples, n_features)
        """
        check_is_fitted(self)
        Z = np.asarray(Z)
        if Z.ndim != 2 or Z.shape[1] != self.latent_dim:
            raise ValueError(
                f"Z must have shape (n_samples, {self.latent_dim}); got shape {Z.shape}."
            )
        dtype = Z.dtype if Z.dtype in (np.float32, np.float64) else np.float64
        out = _base.batched(lambda z: self._mean_of(self.module_.decode(z)),
                            _base.as_tensor(Z, self._device()))
        return _base.to_numpy(out, dtype)

    def reconstruct(self, X):
        """``decode(encode(X))``: the mean reconstruction of each row.

        Examples
        --------
        >>> import numpy as np
        >>> X = np.random.default_rng(0).random((32, 5))
        >>> VAE(hidden_dim=4, latent_dim=2, epochs=1, random_state=0).fit(X).reconstruct(X).shape
        (32, 5)
        """
        X = _base.check_input(self, X, reset=False, likelihood="any")
        return self.decode(self.encode(X)).astype(X.dtype, copy=False)

    def sample(self, n_samples=1, random_state=None, *, mean=True):
        """Generate rows: z ~ N(0, I), then the mean of p(x | z) (or a draw).

        Parameters
        ----------
        n_samples : int, default=1
            Number of samples to draw.
        random_state : int, Generator, RandomState or None, default=None
            Seed of the draw (the same seed gives the same samples); None draws
            fresh randomness.
        mean : bool, default=True
            Return the mean of p(x | z); False draws x ~ p(x | z).

        Returns
        -------
        ndarray of shape (n_samples, n_features)
        """
        check_is_fitted(self)
        n_samples = check_sample_count(n_samples)
        rng = as_generator(random_state)
        Z = rng.standard_normal((n_samples, self.latent_dim))
        X = self.decode(Z)
        if mean:
            return X
        if self.likelihood == "bernoulli":
            return (rng.random(X.shape) < X).astype(X.dtype)
        scale = np.exp(0.5 * self.module_.log_var_x.detach().cpu().numpy())
        return X + scale * rng.standard_normal(X.shape)

    def score_samples(self, X, *, n_draws=1, random_state=0):
        """ELBO of each row (nats), averaged over ``n_draws`` draws of z.

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        check_is_fitted(self)
        X = _base.check_input(self, X, reset=False, likelihood=self.likelihood)
        device = self._device()
        gen = torch.Generator(device=device).manual_seed(int(as_generator(random_state)
                                                            .integers(2**62)))

        def elbo(x):
            total = 0.0
            for _ in range(n_draws):
                rec, kl = elbo_terms(self.module_, x, gen, self.likelihood)
                total = total + (rec - kl).double()
            return total / n_draws

        return _base.batched(elbo, _base.as_tensor(X, device)).cpu().numpy()

    def score(self, X, y=None, *, n_draws=1):
        """Mean ELBO per sample in nats (higher is better).

        As every density estimator's ``score`` here: ``score_samples(X).mean()``;
        the ELBO is a lower bound on the log-likelihood.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : ignored
        n_draws : int, default=1

        Returns
        -------
        float
        """
        return float(np.mean(self.score_samples(X, n_draws=n_draws)))

    def log_likelihood_at_mean(self, X):
        """log p(x | z = mean of q(z | x)) per row: a deterministic reconstruction score."""
        X = _base.check_input(self, X, reset=False, likelihood=self.likelihood)

        def fn(x):
            return log_likelihood(x, self.module_.decode(self.module_.encode(x)[0]),
                                  self.likelihood, self.module_.log_var_x)

        return _base.batched(fn, _base.as_tensor(X, self._device())).cpu().numpy()

    # ---------------------------------------------------------- model files
    def _get_state(self):
        return _base.state_meta(self, _JSON_ATTRS), _base.state_arrays(self.module_)

    def _set_state(self, meta, arrays):
        _base.restore_meta(self, meta, _JSON_ATTRS)
        module = self._build(self.n_features_in_, torch.Generator().manual_seed(0))
        _base.load_state_arrays(module, arrays)
        self.module_ = module.to(_base.load_device(self.device)).eval()

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = self.random_state is None
        return tags
