"""Checking a loaded file against the fields its class declares.

The declarations (:class:`~clusterlab._validation.schema.Field`) live beside
each estimator; this module checks values against them: JSON scalars by type
and bounds, arrays by their ``.npy`` header (dtype kind and shape, resolved
against the hyperparameters and integer attributes) *before* their data is
read, then by finiteness and bounds. Every failure is a
:class:`~clusterlab.io.errors.Malformed` naming the attribute.
"""

import math
import numbers
import re

import numpy as np
import pandas as pd

from clusterlab.io._codec import ArrayRef, FrameRef, ModuleRef
from clusterlab.io.errors import Malformed

_SYMBOL = re.compile(r"^([A-Za-z_]\w*)([+-]\d+)?$")
_HISTORY_DEPTH = 2


class Symbols:
    """Known integer sizes (hyperparameters, integer attributes) and sizes bound by arrays.

    Examples
    --------
    >>> s = Symbols({"n_clusters": 3})
    >>> s.match("n_clusters", 3, "x"), s.match("n_samples", 7, "x"), s.value("n_samples-1")
    (None, None, 6)
    """

    def __init__(self, known=None):
        self.values = dict(known or {})

    def add(self, name, value):
        if isinstance(value, numbers.Integral) and not isinstance(value, bool):
            self.values[name] = int(value)

    def value(self, entry):
        """The integer an entry stands for, or ``None`` while it is unbound."""
        if entry is None or isinstance(entry, numbers.Real):
            return entry
        name, offset = _parse(entry)
        if name not in self.values:
            return None
        return self.values[name] + offset

    def match(self, entry, got, what):
        """Check one dimension ``got`` against the declared ``entry`` (binding free names)."""
        if entry is None:
            return
        if isinstance(entry, int):
            want = entry
        else:
            name, offset = _parse(entry)
            if name not in self.values:
                self.values[name] = got - offset
                return
            want = self.values[name] + offset
        if got != want:
            raise Malformed(f"{what} has size {got} where {entry} = {want} is expected")


def _parse(entry):
    m = _SYMBOL.match(entry)
    if m is None:
        raise ValueError(f"bad shape entry {entry!r} in a model schema")
    return m.group(1), int(m.group(2) or 0)


def _is_int(value):
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _bounds(field, lo, hi, symbols, what):
    low, high = symbols.value(field.low), symbols.value(field.high)
    if low is not None and lo < low:
        raise Malformed(f"{what} holds {lo!r}, below its minimum {field.low} = {low}")
    if high is not None and hi > high:
        raise Malformed(f"{what} holds {hi!r}, above its maximum {field.high} = {high}")


def check_scalar(field, value, symbols, what):
    """A JSON scalar field: type, finiteness, bounds; returns the value.

    Examples
    --------
    >>> from clusterlab._validation.schema import Field
    >>> check_scalar(Field("n_iter_", "int", low=0), 3, Symbols(), "n_iter_")
    3
    >>> check_scalar(Field("n_iter_", "int", low=0), "3", Symbols(), "n_iter_")
    Traceback (most recent call last):
    ...
    clusterlab.io.errors.Malformed: n_iter_ must be a JSON int; got '3'
    """
    kind = field.kind
    if kind == "int":
        ok = _is_int(value)
    elif kind == "float":
        ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
    elif kind == "bool":
        ok = isinstance(value, bool)
    else:
        ok = isinstance(value, str) and (not field.options or value in field.options)
    if not ok:
        expect = f"one of {list(field.options)}" if field.options else f"a JSON {kind}"
        raise Malformed(f"{what} must be {expect}; got {_short(value)}")
    if kind == "float" and field.finite and not math.isfinite(value):
        raise Malformed(f"{what} must be finite; got {value!r}")
    if kind in ("int", "float") and not (kind == "float" and math.isnan(value)):
        _bounds(field, value, value, symbols, what)
    return float(value) if kind == "float" else value


def _short(value):
    text = repr(value) if not isinstance(value, ArrayRef) else "an array"
    return text if len(text) < 60 else text[:57] + "..."


def check_names(field, value, symbols, what):
    """A list of column names (``feature_names_in_``).

    Examples
    --------
    >>> from clusterlab._validation.schema import Field
    >>> names = np.array(["a", "b"], dtype=object)
    >>> check_names(Field("f", "names", shape=("n",)), names, Symbols({"n": 2}), "f").tolist()
    ['a', 'b']
    """
    if not (isinstance(value, np.ndarray) and value.dtype == object and value.ndim == 1):
        raise Malformed(f"{what} must be a list of names; got {_short(value)}")
    for entry, got in zip(field.shape, value.shape, strict=False):
        symbols.match(entry, got, what)
    return value


def check_array(field, ref, archive, symbols, what):
    """Check an array's header against the field, then read it and check its values.

    Examples
    --------
    >>> import os, tempfile
    >>> from clusterlab._validation.schema import Field
    >>> from clusterlab.io._archive import Archive
    >>> path = os.path.join(tempfile.mkdtemp(), "a.npz")
    >>> np.savez(path, c=np.zeros((2, 3)))
    >>> field = Field("c", "array", shape=("k", "d"))
    >>> with Archive(path) as archive:
    ...     check_array(field, ArrayRef("c"), archive, Symbols({"k": 2}), "c").shape
    (2, 3)
    >>> with Archive(path) as archive:
    ...     check_array(field, ArrayRef("c"), archive, Symbols({"k": 5}), "c")
    Traceback (most recent call last):
    ...
    clusterlab.io.errors.Malformed: c has size 2 where k = 5 is expected
    """
    if not isinstance(ref, ArrayRef):
        raise Malformed(f"{what} must be an array; got {_short(ref)}")
    shape, dtype, _ = archive.header(ref.key)
    if dtype.kind not in field.dtype or (dtype.kind == "f" and dtype.itemsize not in (4, 8)):
        expected = "float32 or float64" if field.dtype == "f" else f"a kind in {field.dtype!r}"
        raise Malformed(f"{what} has dtype {dtype}; expected {expected}")
    if field.shape is not None:  # None: any shape (bounded by the bytes in the file)
        if len(shape) != len(field.shape):
            raise Malformed(f"{what} has shape {shape}; expected {len(field.shape)} "
                            f"dimension(s) {field.shape}")
        for entry, got in zip(field.shape, shape, strict=True):
            symbols.match(entry, got, what)
    arr = archive.read(ref.key)
    if field.finite and arr.dtype.kind == "f" and not np.all(np.isfinite(arr)):
        raise Malformed(f"{what} holds NaN or infinite values")
    if arr.size and (field.low is not None or field.high is not None):
        values = arr[~np.isnan(arr)] if arr.dtype.kind == "f" else arr
        if values.size:
            _bounds(field, values.min().item(), values.max().item(), symbols, what)
    return arr


def check_arrays(field, value, archive, symbols, what):
    """A dict of arrays whose entries are declared in ``field.items``.

    Examples
    --------
    >>> from clusterlab._validation.schema import Field
    >>> field = Field("params_", "arrays", items=(Field("means", "array", shape=(2,)),))
    >>> check_arrays(field, {"evil": ArrayRef("x")}, None, Symbols(), "params_")
    Traceback (most recent call last):
    ...
    clusterlab.io.errors.Malformed: params_ has unknown entries ['evil']; expected ['means']
    """
    if not isinstance(value, dict):
        raise Malformed(f"{what} must be a mapping of arrays; got {_short(value)}")
    items = {item.name: item for item in field.items}
    unknown = sorted(set(value) - set(items))
    if unknown:
        raise Malformed(f"{what} has unknown entries {unknown}; expected {sorted(items)}")
    missing = sorted(n for n, item in items.items() if not item.optional and n not in value)
    if missing:
        raise Malformed(f"{what} lacks the entries {missing}")
    # an entry declared as a number (a metric's exponent beside its weights) is a scalar
    return {name: check_array(items[name], v, archive, symbols, f"{what}[{name!r}]")
            if items[name].kind == "array" else
            check_scalar(items[name], v, symbols, f"{what}[{name!r}]")
            for name, v in value.items()}


def check_history(value, archive, what, depth=0):
    """Per-iteration numbers: a list, a 1-D array, a DataFrame, or a dict of them.

    Examples
    --------
    >>> check_history({"train_elbo": [-3.0, -2.5]}, None, "history_")
    {'train_elbo': [-3.0, -2.5]}
    >>> check_history({"a": ["x"]}, None, "history_")
    Traceback (most recent call last):
    ...
    clusterlab.io.errors.Malformed: history_['a'] must hold numbers only
    """
    if isinstance(value, list):
        if not all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in value):
            raise Malformed(f"{what} must hold numbers only")
        return value
    if isinstance(value, ArrayRef):
        return _history_array(value, archive, what)
    if isinstance(value, FrameRef):
        return _history_frame(value, archive, what)
    if isinstance(value, dict) and depth < _HISTORY_DEPTH:
        return {k: check_history(v, archive, f"{what}[{k!r}]", depth + 1)
                for k, v in value.items()}
    raise Malformed(f"{what} must be per-iteration numbers; got {_short(value)}")


def _history_frame(value, archive, what):
    """A DataFrame of numeric (array) and text (list of str) columns."""
    columns = []
    for name, column in zip(value.columns, value.data, strict=True):
        where = f"{what}[{name!r}]"
        if isinstance(column, list) and all(isinstance(v, str) for v in column):
            columns.append(column)
        elif isinstance(column, ArrayRef):
            columns.append(_history_array(column, archive, where))
        else:
            columns.append(check_history(column, archive, where, _HISTORY_DEPTH))
    lengths = {len(c) for c in columns}
    index = None
    if value.index is not None:
        index = _history_array(value.index, archive, f"{what}.index", kinds="iuf")
        lengths.add(len(index))
    if len(lengths) > 1 or len(set(value.columns)) < len(columns):
        raise Malformed(f"{what}: the DataFrame's columns differ in length or repeat")
    frame = pd.DataFrame(dict(zip(value.columns, columns, strict=True)), index=index)
    frame.index.name = value.index_name
    return frame


def _history_array(ref, archive, what, kinds="f"):
    if not isinstance(ref, ArrayRef):
        raise Malformed(f"{what} must be an array")
    shape, dtype, _ = archive.header(ref.key)
    if len(shape) != 1 or dtype.kind not in kinds + "iub":
        raise Malformed(f"{what} must be a 1-D numeric array; got {dtype} of shape {shape}")
    return archive.read(ref.key)


def check_module(ref, expected, archive, what):
    """Torch weights: exactly the expected names and shapes, checked before any read.

    ``expected`` maps parameter names to shapes computed from the
    hyperparameters; the weights are read only when every name and shape
    matches, so the network built from them is exactly as large as the
    arrays the file holds.

    Examples
    --------
    >>> check_module(ModuleRef(weights={}), {"w": (2, 2)}, None, "module_")
    Traceback (most recent call last):
    ...
    clusterlab.io.errors.Malformed: module_ does not match the architecture of the \
hyperparameters (unexpected weights [], missing weights ['w'])
    """
    if not isinstance(ref, ModuleRef):
        raise Malformed(f"{what} must be module weights; got {_short(ref)}")
    if ref.blob is not None:
        header = archive.weights_header(ref.blob)
        _same_names(set(header), set(expected), what)
        for name, shape in expected.items():
            have = header[name][0]
            if have != tuple(shape):
                raise Malformed(f"{what}: weight {name!r} has shape {have}; the "
                                f"hyperparameters need shape {tuple(shape)}")
        arrays = archive.weights(ref.blob, header)
        for name, arr in arrays.items():
            if not np.all(np.isfinite(arr)):
                raise Malformed(f"{what}: weight {name!r} holds NaN or infinite values")
        return arrays
    return _legacy_module(ref, expected, archive, what)


def _same_names(got, want, what):
    if got != want:
        extra, lacking = sorted(got - want), sorted(want - got)
        raise Malformed(f"{what} does not match the architecture of the hyperparameters "
                        f"(unexpected weights {extra[:5]}, missing weights {lacking[:5]})")


def _legacy_module(ref, expected, archive, what):
    """Version-1 weights: one ``.npy`` member per tensor."""
    _same_names(set(ref.weights), set(expected), what)
    for name, shape in expected.items():
        have, dtype, _ = archive.header(ref.weights[name].key)
        if tuple(have) != tuple(shape) or dtype.kind != "f":
            raise Malformed(f"{what}: weight {name!r} is {dtype} of shape {have}; the "
                            f"hyperparameters need float of shape {tuple(shape)}")
    arrays = {}
    for name in expected:
        arr = archive.read(ref.weights[name].key)
        if not np.all(np.isfinite(arr)):
            raise Malformed(f"{what}: weight {name!r} holds NaN or infinite values")
        arrays[name] = arr
    return arrays
