"""Values <-> JSON for model files: scalars, lists and dicts stay JSON; the rest is tagged.

A tagged value is a JSON object with one ``"__tag__"`` key: ``__array__``
(the name of an ``.npy`` member), ``__tuple__``, ``__names__`` (a list of
str), ``__frame__`` (a DataFrame: columns and their values), ``__estimator__``
(a nested saved estimator, e.g. a Pipeline step), ``__object__`` (a
registered family or structure and its arguments) and ``__module__`` (torch
weights by parameter name). Decoding never builds anything but plain data,
:class:`ArrayRef` placeholders and registered objects.
"""

import inspect
import numbers

import numpy as np
import pandas as pd

from clusterlab.io import registry
from clusterlab.io.errors import Malformed

MAX_DEPTH = 32
_TAGS = ("__array__", "__tuple__", "__names__", "__frame__", "__estimator__", "__object__",
         "__module__")


class ArrayRef:
    """A placeholder for the ``.npy`` member ``key``, read only once its field is checked."""

    __slots__ = ("key",)

    def __init__(self, key):
        self.key = key

    def __repr__(self):
        return f"ArrayRef({self.key!r})"


class FrameRef:
    """A DataFrame to rebuild: column names, column values (lists or refs), index."""

    __slots__ = ("columns", "data", "index", "index_name")

    def __init__(self, columns, data, index, index_name):
        self.columns, self.data, self.index, self.index_name = columns, data, index, index_name


class ModuleRef:
    """Torch weights: a safetensors member (``blob``), or (version 1) parameter name ->
    :class:`ArrayRef` (``weights``)."""

    __slots__ = ("blob", "weights")

    def __init__(self, blob=None, weights=None):
        self.blob, self.weights = blob, weights


def object_arguments(obj):
    """Constructor arguments of a registered object, read back from its attributes."""
    names = [p for p in inspect.signature(type(obj).__init__).parameters if p != "self"]
    return {name: getattr(obj, name) for name in names}


class Encoder:
    """Turns values into JSON, collecting arrays; ``save_node`` stores nested estimators."""

    def __init__(self, save_node):
        self.arrays = {}
        self.weights = {}  # safetensors members: name -> {tensor name -> array}
        self._save_node = save_node

    def array(self, value, key):
        if value.dtype.kind not in "biuf":
            raise TypeError(f"cannot store {key!r}: an array of dtype {value.dtype} is not numeric")
        self.arrays[key] = np.ascontiguousarray(value)
        return {"__array__": key}

    def encode(self, value, key):
        if value is None or isinstance(value, bool | str):
            return value
        if isinstance(value, np.bool_):
            return bool(value)
        if isinstance(value, numbers.Integral):
            return int(value)
        if isinstance(value, numbers.Real):
            return float(value)
        if isinstance(value, np.ndarray):
            if value.dtype.kind in "OU" and value.ndim == 1 and all(
                    isinstance(v, str | numbers.Integral) and not isinstance(v, bool)
                    for v in value.tolist()):
                return {"__names__": [v if isinstance(v, str) else int(v) for v in value.tolist()]}
            return self.array(value, key)
        if isinstance(value, pd.DataFrame):
            return self._frame(value, key)
        if isinstance(value, tuple):
            return {"__tuple__": [self.encode(v, f"{key}.{i}") for i, v in enumerate(value)]}
        if isinstance(value, list):
            return [self.encode(v, f"{key}.{i}") for i, v in enumerate(value)]
        if isinstance(value, dict):
            return self._dict(value, key)
        if registry.name_of(type(value)) is not None:
            return {"__estimator__": self._save_node(value, key + ".")}
        return self._object(value, key)

    def _dict(self, value, key):
        out = {}
        for k, v in value.items():
            if not isinstance(k, str) or k.startswith("__"):
                raise TypeError(f"cannot store {key!r}: dict key {k!r} is not a plain string")
            out[k] = self.encode(v, f"{key}.{k}")
        return out

    def _frame(self, frame, key):
        columns = [str(c) for c in frame.columns]
        if len(set(columns)) != len(columns):
            raise TypeError(f"cannot store {key!r}: a DataFrame with repeated column names")
        data = [self._column(frame[c].to_numpy(), f"{key}.{i}")
                for i, c in enumerate(frame.columns)]
        default = isinstance(frame.index, pd.RangeIndex) and frame.index.start == 0 \
            and frame.index.step == 1
        index = None if default else self.array(np.asarray(frame.index.to_numpy()),
                                                f"{key}.index")
        name = frame.index.name if isinstance(frame.index.name, str) else None
        return {"__frame__": {"columns": columns, "data": data, "index": index,
                              "index_name": name}}

    def _column(self, values, key):
        """A numeric column as an array; a text column (e.g. a phase name) as a JSON list."""
        if values.dtype.kind in "biuf":
            return self.array(values, key)
        if not all(isinstance(v, str) for v in values.tolist()):
            raise TypeError(f"cannot store {key!r}: a DataFrame column of mixed values")
        return values.tolist()

    def _object(self, value, key):
        name = registry.object_name_of(value)
        if name is None:
            what = "family" if hasattr(value, "m_step") and hasattr(value, "log_prob") \
                else "value"
            raise TypeError(
                f"cannot store {key!r}: the {what} {value!r} of type {type(value).__name__} "
                "is not registered for model files. User-defined families cannot be saved "
                "unless registered: declare param_fields(self) on the class and call "
                "clusterlab.io.register_family(cls) before saving and before loading."
            )
        args = object_arguments(value)
        return {"__object__": name,
                "params": {k: self.encode(v, f"{key}.{k}") for k, v in args.items()}}


def decode(node, load_node, where, depth=0):
    """Plain values, :class:`ArrayRef` / :class:`FrameRef` / :class:`ModuleRef`, and objects."""
    if depth > MAX_DEPTH:
        raise Malformed(f"{where} is nested more than {MAX_DEPTH} levels deep")
    if node is None or isinstance(node, bool | int | float | str):
        return node
    if isinstance(node, list):
        return [decode(v, load_node, where, depth + 1) for v in node]
    if not isinstance(node, dict):
        raise Malformed(f"{where} holds a value of type {type(node).__name__}")
    tags = [k for k in node if k in _TAGS]
    if not tags:
        if any(k.startswith("__") for k in node):
            raise Malformed(f"{where} holds an unknown tag {sorted(node)}")
        return {k: decode(v, load_node, f"{where}.{k}", depth + 1) for k, v in node.items()}
    return _tagged(tags[0], node, load_node, where, depth)


def _tagged(tag, node, load_node, where, depth):
    body = node[tag]
    if tag == "__object__":
        if set(node) != {"__object__", "params"} or not isinstance(node["params"], dict):
            raise Malformed(f"{where} is a malformed object entry")
        cls = registry.get_object_class(body)
        args = decode(node["params"], load_node, where, depth + 1)
        if not all(v is None or isinstance(v, bool | int | float | str)
                   or registry.object_name_of(v) is not None for v in args.values()):
            raise Malformed(f"{where}: the arguments of {body} must be numbers, strings or "
                            "registered objects")
        allowed = set(inspect.signature(cls.__init__).parameters) - {"self"}
        if not set(args) <= allowed:
            raise Malformed(f"{where}: {body} takes no argument(s) {sorted(set(args) - allowed)}")
        try:
            return cls(**args)
        except (TypeError, ValueError) as exc:
            raise Malformed(f"{where}: invalid arguments for {body} ({exc})") from None
    if len(node) != 1:
        raise Malformed(f"{where}: a {tag} entry has extra keys {sorted(node)}")
    if tag == "__array__":
        if not isinstance(body, str):
            raise Malformed(f"{where}: an array reference must be a string")
        return ArrayRef(body)
    if tag == "__tuple__":
        if not isinstance(body, list):
            raise Malformed(f"{where}: a tuple must be a list")
        return tuple(decode(body, load_node, where, depth + 1))
    if tag == "__names__":
        if not isinstance(body, list) or not all(
                isinstance(v, str) or (isinstance(v, int) and not isinstance(v, bool))
                for v in body):
            raise Malformed(f"{where}: names must be a list of strings")
        return np.asarray(body, dtype=object)
    if tag == "__estimator__":
        return load_node(body, where, depth + 1)
    if tag == "__module__":
        if isinstance(body, str):
            return ModuleRef(blob=body)
        if not isinstance(body, dict):
            raise Malformed(f"{where}: module weights must name a safetensors member")
        weights = {k: decode(v, load_node, where, depth + 1) for k, v in body.items()}
        if not all(isinstance(v, ArrayRef) for v in weights.values()):
            raise Malformed(f"{where}: every module weight must be an array")
        return ModuleRef(weights=weights)
    return _frame(body, load_node, where, depth)


def _frame(body, load_node, where, depth):
    if not isinstance(body, dict) or set(body) != {"columns", "data", "index", "index_name"}:
        raise Malformed(f"{where}: a malformed DataFrame entry")
    columns, data = body["columns"], decode(body["data"], load_node, where, depth + 1)
    if not isinstance(columns, list) or not all(isinstance(c, str) for c in columns) \
            or not isinstance(data, list) or len(data) != len(columns):
        raise Malformed(f"{where}: a DataFrame needs one column of values per column name")
    index = decode(body["index"], load_node, where, depth + 1)
    name = body["index_name"]
    if name is not None and not isinstance(name, str):
        raise Malformed(f"{where}: a DataFrame's index name must be a string")
    return FrameRef(columns, data, index, name)


def _has_refs(value):
    if isinstance(value, ArrayRef | FrameRef | ModuleRef):
        return True
    if isinstance(value, list | tuple):
        return any(_has_refs(v) for v in value)
    if isinstance(value, dict):
        return any(_has_refs(v) for v in value.values())
    return False


has_refs = _has_refs
