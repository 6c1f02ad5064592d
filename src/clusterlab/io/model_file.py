"""Safe model files: JSON metadata plus named arrays in one ``.npz``, never pickle.

The file is a NumPy ``.npz`` archive. Entry ``__metadata__`` holds a JSON
string (format version, class, hyperparameters, scalar attributes); every
other entry is a plain numeric array. Loading uses ``allow_pickle=False`` and
only instantiates classes from the ``clusterlab`` package, so a model file
cannot run code.

An estimator whose state is not just arrays and scalars implements
``_get_state() -> (json_dict, arrays_dict)`` and the classmethod-free
``_set_state(json_dict, arrays_dict)``.
"""

import importlib
import json
import numbers

import numpy as np
import pandas as pd

from clusterlab._history import frame_from_state, frame_to_state
from clusterlab.io.atomic import atomic_path

FORMAT = "clusterlab-model"
FORMAT_VERSION = 1
_ARRAY_PREFIX = "array:"
# a DataFrame attribute (history_) is stored as {_FRAME_KEY: its columns}
_FRAME_KEY = "__dataframe__"


def _encode(value, arrays, key):
    """JSON-able form of ``value``; arrays go to ``arrays`` under ``key``."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "biufc":
            raise TypeError(f"cannot store {key!r}: array of dtype {value.dtype} is not numeric")
        arrays[key] = value
        return _ARRAY_PREFIX + key
    if isinstance(value, list | tuple):
        return [_encode(v, arrays, f"{key}.{i}") for i, v in enumerate(value)]
    if isinstance(value, pd.DataFrame):
        return {_FRAME_KEY: _encode(frame_to_state(value), arrays, key)}
    if isinstance(value, dict):
        return {str(k): _encode(v, arrays, f"{key}.{k}") for k, v in value.items()}
    raise TypeError(
        f"cannot store {key!r} of type {type(value).__name__} in a model file; "
        "the estimator must implement _get_state/_set_state."
    )


def _decode(value, arrays):
    if isinstance(value, str) and value.startswith(_ARRAY_PREFIX):
        return arrays[value[len(_ARRAY_PREFIX):]]
    if isinstance(value, list):
        return [_decode(v, arrays) for v in value]
    if isinstance(value, dict):
        if set(value) == {_FRAME_KEY}:
            return frame_from_state(_decode(value[_FRAME_KEY], arrays))
        return {k: _decode(v, arrays) for k, v in value.items()}
    return value


def _default_state(estimator):
    arrays = {}
    fitted = {
        name: value
        for name, value in vars(estimator).items()
        if name.endswith("_") and not name.startswith("_")
    }
    return {"attributes": _encode(fitted, arrays, "attr")}, arrays


def save_model(estimator, path):
    """Write a fitted clusterlab estimator to ``path`` atomically.

    Parameters
    ----------
    estimator : clusterlab estimator
        A fitted estimator.
    path : str or path-like
        Destination file (conventionally ``*.npz``).

    Examples
    --------
    >>> import os, tempfile, numpy as np
    >>> from clusterlab import KMeans, save_model, load_model
    >>> X = np.array([[0.0], [0.1], [5.0], [5.1]])
    >>> km = KMeans(n_clusters=2, random_state=0).fit(X)
    >>> path = os.path.join(tempfile.mkdtemp(), "km.npz")
    >>> save_model(km, path)
    >>> np.allclose(load_model(path).cluster_centers_, km.cluster_centers_)
    True
    """
    cls = type(estimator)
    if not cls.__module__.startswith("clusterlab."):
        raise TypeError(f"save_model stores clusterlab estimators only; got {cls.__name__}.")
    arrays = {}
    params = _encode(estimator.get_params(deep=False), arrays, "param")
    if hasattr(estimator, "_get_state"):
        state, state_arrays = estimator._get_state()
    else:
        state, state_arrays = _default_state(estimator)
    overlap = set(arrays) & set(state_arrays)
    if overlap:
        raise ValueError(f"model state reuses array names {sorted(overlap)}")
    arrays.update(state_arrays)
    meta = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "class": f"{cls.__module__}:{cls.__qualname__}",
        "params": params,
        "state": state,
    }
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as fh:
            np.savez(fh, __metadata__=np.array(json.dumps(meta)), **arrays)


def load_model(path):
    """Read a model written by :func:`save_model`; never unpickles anything.

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    estimator
        A fitted estimator of the stored class.

    Examples
    --------
    See :func:`save_model`.
    """
    with np.load(path, allow_pickle=False) as archive:
        if "__metadata__" not in archive.files:
            raise ValueError(f"{path} is not a clusterlab model file (no metadata).")
        meta = json.loads(str(archive["__metadata__"]))
        arrays = {k: archive[k] for k in archive.files if k != "__metadata__"}
    if meta.get("format") != FORMAT:
        raise ValueError(f"{path} is not a clusterlab model file.")
    if meta.get("format_version", 0) > FORMAT_VERSION:
        raise ValueError(
            f"{path} has format version {meta['format_version']}; this clusterlab reads up to "
            f"{FORMAT_VERSION}. Upgrade clusterlab."
        )
    module_name, _, qualname = meta["class"].partition(":")
    if not module_name.startswith("clusterlab."):
        raise ValueError(f"refusing to load class {meta['class']!r} from outside clusterlab.")
    cls = getattr(importlib.import_module(module_name), qualname)
    estimator = cls(**_decode(meta["params"], arrays))
    if hasattr(estimator, "_set_state"):
        estimator._set_state(meta["state"], arrays)
    else:
        for name, value in _decode(meta["state"]["attributes"], arrays).items():
            setattr(estimator, name, value)
    return estimator
