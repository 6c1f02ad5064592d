"""``VAE``: a variational autoencoder with a scikit-learn-style API."""

import numpy as np
import torch
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from clusterlab._docstrings import fill_doc
from clusterlab._history import history_frame
from clusterlab._rng import as_generator
from clusterlab._validation import Interval, Options, check_sample_count
from clusterlab._validation.schema import Field
from clusterlab.deep import _base
from clusterlab.deep._elbo import elbo_terms, log_likelihood, vae_terms
from clusterlab.deep._nets import VAENet, vae_state_shapes


class VAE(_base.LatentMixin, TransformerMixin, BaseEstimator):
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
        **_base.TRAINING_CONSTRAINTS,
    }

    _model_schema = (
        Field("n_features_in_", "int", low=1),
        Field("n_iter_", "int", low=0),
        Field("converged_", "bool"),
        Field("best_epoch_", "int", low=-1),
        Field("stopped_early_", "bool"),
        Field("history_", "history"),
        Field("module_", "module"),
    )

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
        device = self._check_params()
        X = _base.check_input(self, X, reset=True, likelihood=self.likelihood)
        if self.input_dim is not None and X.shape[1] != self.input_dim:
            raise ValueError(
                f"X has {X.shape[1]} features but input_dim={self.input_dim}; "
                "pass input_dim=None to take it from the data."
            )
        rng, init_gen, noise_gen = _base.torch_generators(self.random_state, device)
        self.module_ = self._build(X.shape[1], init_gen).to(device)
        data = self._split(_base.as_tensor(X, device), rng)
        result = self._train(vae_terms(self.module_, self.likelihood), self.module_, data,
                             self.epochs, rng, noise_gen, "VAE")
        self.history_ = history_frame("epoch", **result.history)
        self.n_iter_ = result.n_epochs
        self.converged_ = result.stopped_early
        self.best_epoch_ = result.best_epoch
        self.stopped_early_ = result.stopped_early
        return self

    # ------------------------------------------------------------ inference
    def _encoder(self):
        return self.module_

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
        mean, log_var = self._encode(X)
        return (mean, log_var) if return_log_var else mean

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

    @fill_doc
    def sample(self, n_samples=1, random_state=None, *, mean=True):
        """Generate rows: z ~ N(0, I), then the mean of p(x | z) (or a draw).

        Parameters
        ----------
        {sample_params}
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
    def _module_state(self):
        return _base.module_arrays(self.module_)

    def _module_shapes(self):
        """The weights' shapes the hyperparameters imply (checked before building)."""
        return vae_state_shapes(self.n_features_in_, _base.hidden_sizes(self.hidden_dim),
                                self.latent_dim, self.likelihood)

    def _restore_module(self, arrays):
        module = self._build(self.n_features_in_, torch.Generator().manual_seed(0))
        self.module_ = _base.restore_module(module, arrays, self.device)
