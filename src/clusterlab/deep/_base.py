"""What the torch estimators share: devices, seeds, data to tensors, safe weights.

Estimators keep torch out of their hyperparameters (plain str / int values)
and put torch objects only in fitted attributes, so ``get_params``,
``clone`` and model files stay plain.
"""

import numbers
import warnings

import numpy as np
import torch
from sklearn.utils.validation import check_is_fitted

from clusterlab._rng import as_generator
from clusterlab._validation import Interval, check_data, validate_params
from clusterlab.deep._training import train

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


def resolve_device(device):
    """``torch.device`` for ``device`` ('cpu', 'cuda', 'cuda:1'), checked.

    Examples
    --------
    >>> resolve_device("cpu")
    device(type='cpu')
    """
    try:
        dev = torch.device(device)
    except (RuntimeError, TypeError) as exc:
        raise ValueError(f"device must be 'cpu' or 'cuda[:index]'; got {device!r}.") from exc
    if dev.type not in ("cpu", "cuda"):
        raise ValueError(f"device must be 'cpu' or 'cuda[:index]'; got {device!r}.")
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            f"device={device!r} was requested but torch.cuda.is_available() is False "
            "(no GPU or a CPU-only torch build); use device='cpu'."
        )
    return dev


def hidden_sizes(hidden_dim, name="hidden_dim"):
    """``hidden_dim`` (an int or a sequence of ints) as a list of positive ints.

    Examples
    --------
    >>> hidden_sizes(400), hidden_sizes((500, 2000))
    ([400], [500, 2000])
    """
    values = [hidden_dim] if isinstance(hidden_dim, numbers.Integral) else list(hidden_dim)
    for v in values:
        if isinstance(v, bool) or not isinstance(v, numbers.Integral) or v < 1:
            raise ValueError(
                f"{name} must be a positive int or a sequence of positive ints; got {hidden_dim!r}."
            )
    return [int(v) for v in values]


def torch_generators(random_state, device):
    """(numpy rng, CPU generator for weights, device generator for noise).

    Examples
    --------
    >>> rng, init, noise = torch_generators(0, torch.device("cpu"))
    >>> init.initial_seed() == torch_generators(0, torch.device("cpu"))[1].initial_seed()
    True
    """
    rng = as_generator(random_state)
    seeds = rng.integers(0, 2**62, size=2)
    init = torch.Generator().manual_seed(int(seeds[0]))
    noise = torch.Generator(device=device).manual_seed(int(seeds[1]))
    return rng, init, noise


def check_unit_interval(X, likelihood):
    """The Bernoulli likelihood needs data in [0, 1]: say so clearly."""
    if likelihood != "bernoulli" or X.size == 0:
        return
    lo, hi = float(X.min()), float(X.max())
    if lo < 0.0 or hi > 1.0:
        raise ValueError(
            f"likelihood='bernoulli' needs X in [0, 1]; X ranges over [{lo:g}, {hi:g}]. "
            "Scale it (for 8-bit images, X / 255) or use likelihood='gaussian'."
        )


def as_tensor(X, device):
    """float32 tensor on ``device`` (networks run in float32 whatever the input)."""
    return torch.as_tensor(np.ascontiguousarray(X, dtype=np.float32), device=device)


def to_numpy(tensor, dtype):
    return tensor.detach().cpu().numpy().astype(dtype, copy=False)


def split_validation(n, fraction, rng):
    """Indices (train, val); no validation set when it would be empty or leave nothing."""
    n_val = int(round(n * fraction))
    if n_val < 1 or n - n_val < 1:
        return np.arange(n), np.arange(0)
    order = rng.permutation(n)
    return np.sort(order[n_val:]), np.sort(order[:n_val])


def batched(fn, X, batch_size=4096):
    """Apply ``fn`` to row blocks of tensor ``X`` without gradients; concatenate."""
    with torch.no_grad():
        parts = [fn(X[s: s + batch_size]) for s in range(0, X.shape[0], batch_size)]
    if isinstance(parts[0], tuple):
        return tuple(torch.cat(p) for p in zip(*parts, strict=True))
    return torch.cat(parts)


def module_arrays(module):
    """A module's state dict as plain numpy arrays, by parameter name (for model files)."""
    return {k: v.detach().cpu().numpy() for k, v in module.state_dict().items()}


def restore_module(module, arrays, device):
    """Load checked arrays (name -> array) into ``module``; move it to ``device``, eval mode."""
    module.load_state_dict({k: torch.from_numpy(np.array(v)) for k, v in arrays.items()})
    return module.to(load_device(device)).eval()


def load_device(device):
    """The device to restore a model onto; CPU (with a warning) if it is unavailable."""
    try:
        return resolve_device(device)
    except ValueError:
        warnings.warn(
            f"the model was saved with device={device!r}, which is unavailable here; "
            "loading it on the CPU.",
            stacklevel=3,
        )
        return torch.device("cpu")


def check_input(estimator, X, *, reset, likelihood):
    """Validated numpy data (``check_data``) plus the likelihood's range check."""
    X = check_data(estimator, X, reset=reset)
    check_unit_interval(X, likelihood)
    return X


class LatentMixin:
    """What ``VAE`` and ``DeepClustering`` share: the checked hyperparameters,
    the training call, the encoder's latent means (``transform``) and the tags.

    The estimator provides ``_encoder()`` (the network whose ``encode`` gives
    q(z | x)); training-loop hyperparameters are its attributes.

    Examples
    --------
    >>> import numpy as np
    >>> from clusterlab.deep import VAE
    >>> X = np.random.default_rng(0).random((40, 4))
    >>> vae = VAE(hidden_dim=4, latent_dim=2, epochs=1, random_state=0).fit(X)
    >>> isinstance(vae, LatentMixin), vae.transform(X).shape
    (True, (40, 2))
    """

    def _check_params(self):
        """Validate the hyperparameters; return the torch device."""
        validate_params(self)
        hidden_sizes(self.hidden_dim)
        return resolve_device(self.device)

    def _split(self, Xt, rng):
        """(training rows, validation rows or None) of the data tensor ``Xt``."""
        tr, va = split_validation(Xt.shape[0], self.validation_fraction, rng)
        return Xt[tr], (Xt[va] if len(va) else None)

    def _train(self, terms, module, data, epochs, rng, generator, desc, **schedule):
        """Adam on ``module``'s parameters through the one training loop."""
        X_train, X_val = data
        return train(
            terms, module.parameters(), module, X_train, X_val, epochs=epochs,
            batch_size=self.batch_size, learning_rate=self.learning_rate, rng=rng,
            generator=generator, early_stopping=self.early_stopping,
            n_iter_no_change=self.n_iter_no_change, verbose=self.verbose, desc=desc,
            **schedule,
        )

    def _device(self):
        return next(self._encoder().parameters()).device

    def _encode(self, X):
        """(mean, log_var) of q(z | x) per row, as arrays of ``X``'s float dtype."""
        check_is_fitted(self)
        X = check_input(self, X, reset=False, likelihood="any")
        mean, log_var = batched(self._encoder().encode, as_tensor(X, self._device()))
        return to_numpy(mean, X.dtype), to_numpy(log_var, X.dtype)

    def transform(self, X):
        """Latent means (the encoder's mean of q(z | x)) of each row.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, latent_dim)
        """
        return self._encode(X)[0]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = self.random_state is None
        return tags
