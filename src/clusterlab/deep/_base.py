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

from clusterlab._history import frame_from_state, frame_to_state
from clusterlab._rng import as_generator
from clusterlab._validation import check_data

_WEIGHT_PREFIX = "weights."


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


def state_arrays(module):
    """A module's state dict as plain numpy arrays (safe to store in ``.npz``)."""
    return {
        _WEIGHT_PREFIX + k: v.detach().cpu().numpy() for k, v in module.state_dict().items()
    }


def load_state_arrays(module, arrays):
    """Load weights written by :func:`state_arrays` into ``module``."""
    state = {
        k[len(_WEIGHT_PREFIX):]: torch.from_numpy(np.array(v))
        for k, v in arrays.items()
        if k.startswith(_WEIGHT_PREFIX)
    }
    module.load_state_dict(state)


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


def state_meta(estimator, names):
    """The JSON part of a torch estimator's model file: ``names`` plus ``history_``."""
    check_is_fitted(estimator)
    meta = {name: getattr(estimator, name) for name in names}
    meta["n_features_in_"] = int(meta["n_features_in_"])
    meta["history_"] = frame_to_state(estimator.history_, as_lists=True)
    return meta


def restore_meta(estimator, meta, names):
    """Inverse of :func:`state_meta`."""
    for name in names:
        setattr(estimator, name, meta[name])
    estimator.history_ = frame_from_state(meta["history_"])


def check_input(estimator, X, *, reset, likelihood):
    """Validated numpy data (``check_data``) plus the likelihood's range check."""
    X = check_data(estimator, X, reset=reset)
    check_unit_interval(X, likelihood)
    return X
