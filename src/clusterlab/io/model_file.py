"""Safe model files: JSON metadata plus named arrays in one ``.npz``, never pickle.

Loading a file never runs code from it. The class is looked up by a stable
name in an explicit registry (:mod:`clusterlab.io.registry`), never imported
by a name from the file; the hyperparameters go through the estimator's own
validation; every stored attribute is checked against the schema its class
declares (``_model_schema``: dtype, shape in terms of other attributes,
finiteness, bounds) before the estimator is returned; arrays are read lazily,
only those the metadata references, after their ``.npy`` header matches the
declared shape; torch weights must match the architecture the
hyperparameters describe before any network is built. A malformed file
raises one ``ValueError`` naming the file and what is wrong.

Format (version 2): ``__metadata__`` holds ``{"format", "format_version",
"clusterlab_version", "model"}``, where a model node is ``{"class":
registered name, "params": {...}, "attributes": {...}}``; values are JSON,
with tagged objects for arrays and nested estimators (see ``_codec.py``).
Version-1 files (``"class": "module:qualname"``) are read through the
registry's aliases.
"""

import inspect
import os
import stat
from importlib.metadata import PackageNotFoundError, version

import numpy as np
from sklearn.utils.validation import check_is_fitted

from clusterlab._validation import validate_params
from clusterlab._validation.schema import Field, model_schema
from clusterlab.io import _archive, _legacy, registry
from clusterlab.io import schema as _schema
from clusterlab.io._codec import (
    ArrayRef,
    Encoder,
    FrameRef,
    ModuleRef,
    decode,
    has_refs,
    object_arguments,
)
from clusterlab.io.atomic import atomic_path
from clusterlab.io.errors import Malformed

FORMAT = "clusterlab-model"
FORMAT_VERSION = 2
_SCALARS = ("int", "float", "bool", "str")
_NAMES = Field("feature_names_in_", "names", shape=("n_features_in_",), optional=True)


def _fields(estimator, cls=None):
    """Declared fields of ``estimator`` (or of a static-schema ``cls``), by name.

    ``feature_names_in_`` (set when fitted on a DataFrame) is added to every
    class that has ``n_features_in_``.
    """
    cls = type(estimator) if cls is None else cls
    declared = getattr(cls, "_model_schema", None)
    if declared is None:
        fields = registry.sklearn_schema(cls)
    else:
        fields = model_schema(estimator) if callable(declared) else tuple(declared)
    if fields is None:
        raise TypeError(f"{cls.__name__} declares no model schema")
    if any(f.name == "n_features_in_" for f in fields) and \
            not any(f.name == "feature_names_in_" for f in fields):
        fields = (*fields, _NAMES)
    return {f.name: f for f in fields}


def _params_of(estimator):
    if hasattr(estimator, "get_params"):
        return estimator.get_params(deep=False)
    return object_arguments(estimator)


def _is_fitted(estimator):
    if not hasattr(estimator, "get_params"):
        return  # a Tree is built fitted
    check_is_fitted(estimator)


def _save_node(estimator, encoder, prefix):
    """The JSON node of one estimator; its arrays go to ``encoder``."""
    name = registry.name_of(type(estimator))
    if name is None:
        raise TypeError(
            f"save_model stores the registered classes {registry.registered_names()}; "
            f"got {type(estimator).__name__}."
        )
    _is_fitted(estimator)
    fields = _fields(estimator)
    params = {}
    for key, value in _params_of(estimator).items():
        declared = fields.get(key)
        if _holds_array(value) and not (declared and declared.param):
            raise TypeError(
                f"cannot save {name} with an array as {key!r}: {name} does not declare "
                "that parameter as an array in its model schema."
            )
        params[key] = encoder.encode(value, f"{prefix}param.{key}")
    attributes = {}
    for key, value in vars(estimator).items():
        if not key.endswith("_") or key.startswith("_"):
            continue
        field = fields.get(key)
        if field is None or field.param:
            raise TypeError(
                f"cannot save {name}: its fitted attribute {key!r} is not declared in "
                f"{name}'s model schema (_model_schema), so it could not be checked on load."
            )
        if field.derived:
            continue
        if field.kind == "module":  # torch weights: one safetensors member
            encoder.weights[prefix + key] = estimator._module_state()
            attributes[key] = {"__module__": prefix + key}
        else:
            attributes[key] = encoder.encode(value, f"{prefix}attr.{key}")
    return {"class": name, "params": params, "attributes": attributes}


def _holds_array(value):
    if isinstance(value, np.ndarray):
        return value.dtype.kind in "biufc"
    if isinstance(value, list | tuple):
        return any(_holds_array(v) for v in value)
    if isinstance(value, dict):
        return any(_holds_array(v) for v in value.values())
    return False


def save_model(estimator, path):
    """Write a fitted estimator (or a Pipeline of registered steps) to ``path`` atomically.

    Parameters
    ----------
    estimator : estimator
        A fitted estimator of a registered class
        (:func:`clusterlab.io.registry.registered_names`): every clusterlab
        estimator, ``Tree``, and scikit-learn's ``Pipeline``,
        ``StandardScaler`` and ``RobustScaler``.
    path : str or path-like
        Destination file (conventionally ``*.npz``); written through a
        temporary file, so a failure leaves any previous file untouched.

    Raises
    ------
    sklearn.exceptions.NotFittedError
        If the estimator (or a pipeline's last step) is not fitted.
    TypeError
        For a class that is not registered, or a hyperparameter that cannot
        be stored (a callable, a user-defined family that is not registered).

    Examples
    --------
    >>> import os, tempfile, numpy as np
    >>> from clusterlab import KMeans, save_model, load_model
    >>> X = np.array([[0.0], [0.1], [5.0], [5.1]])
    >>> km = KMeans(n_clusters=2, random_state=0).fit(X)
    >>> path = os.path.join(tempfile.mkdtemp(), "km.npz")
    >>> save_model(km, path)
    >>> np.array_equal(load_model(path).predict(X), km.predict(X))
    True
    """
    encoder = Encoder(lambda est, prefix: _save_node(est, encoder, prefix))
    node = _save_node(estimator, encoder, "")
    meta = {"format": FORMAT, "format_version": FORMAT_VERSION,
            "clusterlab_version": _version(), "model": node}
    shown = os.fspath(path)
    try:
        with atomic_path(shown) as tmp:
            _archive.write(tmp, meta, encoder.arrays, encoder.weights)
    except OSError as exc:  # name the user's path, not the temporary file beside it
        raise type(exc)(exc.errno, f"cannot write the model file ({exc.strerror})",
                        shown) from None


def _version():
    try:
        return version("clusterlab")
    except PackageNotFoundError:  # running from a source tree
        return None


def load_model(path):
    """Read a model written by :func:`save_model`; the file cannot run code.

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    estimator
        A fitted estimator of the stored class, every attribute checked
        against the class's schema.

    Raises
    ------
    ValueError
        For any malformed, tampered or foreign file, naming ``path`` and
        what is wrong.
    OSError
        If ``path`` cannot be opened.

    Examples
    --------
    >>> import os, tempfile, numpy as np
    >>> from clusterlab import GaussianMixture, save_model, load_model
    >>> X = np.random.default_rng(0).normal(size=(50, 2))
    >>> gm = GaussianMixture(2, random_state=0).fit(X)
    >>> path = os.path.join(tempfile.mkdtemp(), "gm.npz")
    >>> save_model(gm, path)
    >>> np.allclose(load_model(path).score_samples(X), gm.score_samples(X))
    True
    >>> bad = os.path.join(os.path.dirname(path), "bad.npz")
    >>> _ = open(bad, "wb").write(b"not a model")
    >>> load_model(bad)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: Cannot load model file '...bad.npz': not a model file ...
    """
    shown = os.fspath(path)
    # a missing path is an OSError; a directory or a pipe (which would block) is refused
    if not stat.S_ISREG(os.stat(shown).st_mode):
        raise ValueError(f"Cannot load model file {shown!r}: not a regular file.")
    with open(shown, "rb"):
        pass  # an unreadable file is an OSError, not a malformed file
    try:
        with _archive.Archive(shown) as archive:
            return _Loader(archive).load()
    except Malformed as exc:
        raise ValueError(f"Cannot load model file {shown!r}: {exc}") from None
    except (ImportError, MemoryError):
        raise
    except Exception as exc:  # anything a hostile file provokes is reported the same way
        raise ValueError(
            f"Cannot load model file {shown!r}: {type(exc).__name__}: {exc}"
        ) from exc


class _Loader:
    """Builds estimators from a checked archive, one node at a time."""

    def __init__(self, archive):
        self.archive = archive
        self.version = None
        self.used = {_archive.METADATA}

    def load(self):
        meta = self.archive.metadata()
        if meta.get("format") != FORMAT:
            raise Malformed("not a clusterlab model file (wrong 'format')")
        version = self.version = meta.get("format_version")
        if version == 1:
            node = _legacy.convert(meta, set(self.archive.members))
        elif version == FORMAT_VERSION:
            node = meta.get("model")
        elif isinstance(version, int) and not isinstance(version, bool) and version > 2:
            raise Malformed(f"format version {version} is newer than this clusterlab reads "
                            f"({FORMAT_VERSION}); upgrade clusterlab")
        else:
            raise Malformed(f"unknown format version {version!r}")
        estimator = self.node(node, "model", 0)
        unused = sorted(set(self.archive.members) - self.used)
        if unused:
            raise Malformed(f"the file holds arrays the metadata does not use: {unused[:5]}")
        return estimator

    def node(self, node, where, depth):
        if not isinstance(node, dict) or not {"class", "params", "attributes"} <= set(node):
            raise Malformed(f"{where} must be an object with class, params and attributes")
        legacy = node.get(_legacy.FLAG) is True and self.version == 1
        if set(node) - {"class", "params", "attributes", *([_legacy.FLAG] if legacy else [])}:
            raise Malformed(f"{where} has unknown keys {sorted(set(node))}")
        cls = registry.get_class(node["class"])
        name = registry.name_of(cls)
        where = f"{where} ({name})"
        params = decode(node["params"], self.node, f"{where}.params", depth)
        attrs = decode(node["attributes"], self.node, f"{where}.attributes", depth)
        if not isinstance(params, dict) or not isinstance(attrs, dict):
            raise Malformed(f"{where}: params and attributes must be mappings")
        return _build(cls, name, params, attrs, self, where, legacy)

    def track(self, value):
        """Record the arrays a value references (to find unreferenced ones at the end)."""
        if isinstance(value, ArrayRef):
            self.used.add(value.key)
        elif isinstance(value, list | tuple):
            for v in value:
                self.track(v)
        elif isinstance(value, dict):
            for v in value.values():
                self.track(v)
        elif isinstance(value, ModuleRef):
            if value.blob is not None:
                self.used.add(value.blob)
            self.track(value.weights)
        elif isinstance(value, FrameRef):
            self.track(value.data)
            self.track(value.index)


def _validate(estimator, name, where):
    """The estimator's own hyperparameter validation (clusterlab's or scikit-learn's)."""
    try:
        if name == "Pipeline":
            if estimator.memory is not None:
                raise ValueError("a saved Pipeline must have memory=None")
            estimator._validate_params()
            estimator._validate_steps()
        elif registry.sklearn_schema(type(estimator)) is not None:
            estimator._validate_params()
        elif hasattr(estimator, "_parameter_constraints"):
            validate_params(estimator)
    except (TypeError, ValueError) as exc:
        raise Malformed(f"{where}: invalid hyperparameters ({exc})") from None


def _construct(cls, name, params, where):
    try:
        return cls(**params)
    except (TypeError, ValueError) as exc:
        raise Malformed(f"{where}: cannot be built from its parameters ({exc})") from None


def _build(cls, name, params, attrs, loader, where, legacy=False):
    """Check params and attributes against the class's schema; return the estimator."""
    loader.track(params)
    loader.track(attrs)
    if hasattr(cls, "_params_from_older_file"):  # parameters whose meaning has moved
        params = cls._params_from_older_file(params)
    allowed = set(_signature_params(cls))
    if not set(params) <= allowed:
        raise Malformed(f"{where}: unknown parameter(s) {sorted(set(params) - allowed)}")
    array_params = {k for k, v in params.items() if has_refs(v)}
    probe = None
    if hasattr(cls, "get_params"):  # not Tree, whose constructor needs its array
        # validated hyperparameters first (array ones left at their defaults): the
        # schema may depend on them (a mixture's family), and they size the arrays
        probe = _construct(cls, name, {k: v for k, v in params.items()
                                       if k not in array_params}, where)
        _validate(probe, name, where)
    fields = _fields(probe, cls)
    if legacy:  # version 1 stored the attributes that are now recomputed on load
        attrs = {k: v for k, v in attrs.items() if not (k in fields and fields[k].derived)}
    symbols = _schema.Symbols()
    for key, value in params.items():
        symbols.add(key, value)
    _check_attribute_names(fields, attrs, where)
    values = _check_attributes(fields, attrs, loader.archive, symbols, where)
    for key in array_params:
        field = fields.get(key)
        if field is None or not field.param:
            raise Malformed(f"{where}: parameter {key!r} holds an array, which {name} does "
                            "not declare")
        params[key] = _check_value(field, params[key], loader.archive, symbols,
                                   f"{where}.params.{key}")
    estimator = probe if probe is not None and not array_params else \
        _construct(cls, name, params, where)
    if name != "Tree":
        _validate(estimator, name, where)
    module = values.pop(None, None)
    for key, value in values.items():
        setattr(estimator, key, value)
    if module is not None:
        key, ref = module
        expected = estimator._module_shapes()
        weights = _schema.check_module(ref, expected, loader.archive, f"{where}.{key}")
        estimator._restore_module(weights)
    if hasattr(estimator, "_restore_derived"):
        estimator._restore_derived()
    return estimator


def _signature_params(cls):
    return [p for p in inspect.signature(cls.__init__).parameters if p != "self"]


def _check_attribute_names(fields, attrs, where):
    for key in attrs:
        field = fields.get(key)
        if field is None or field.param or field.derived:
            raise Malformed(f"{where}: unknown attribute {key!r} (not in the class's schema)")
    missing = [k for k, f in fields.items()
               if not (f.param or f.derived or f.optional) and k not in attrs]
    if missing:
        raise Malformed(f"{where}: missing attribute(s) {sorted(missing)}")


def _check_attributes(fields, attrs, archive, symbols, where):
    """Scalars first (they size the arrays), then names, arrays and the rest."""
    out = {}
    order = sorted(attrs, key=lambda k: (fields[k].kind not in _SCALARS,
                                         fields[k].kind != "names", k))
    for key in order:
        field, value = fields[key], attrs[key]
        if field.kind == "module":
            out[None] = (key, value)
            continue
        out[key] = _check_value(field, value, archive, symbols, f"{where}.{key}")
        if field.kind == "int":
            symbols.add(key, out[key])
    return out


def _check_value(field, value, archive, symbols, what):
    if value is None:
        if field.nullable:
            return None
        raise Malformed(f"{what} must not be null")
    kind = field.kind
    if kind in _SCALARS:
        return _schema.check_scalar(field, value, symbols, what)
    if kind == "names":
        return _schema.check_names(field, value, symbols, what)
    if kind == "array":
        return _schema.check_array(field, value, archive, symbols, what)
    if kind == "arrays":
        return _schema.check_arrays(field, value, archive, symbols, what)
    if kind == "history":
        return _schema.check_history(value, archive, what)
    raise Malformed(f"{what}: a {kind} cannot appear here")
