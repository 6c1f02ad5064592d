"""Declarative hyperparameter constraints, checked in ``fit``.

An estimator declares ``_parameter_constraints = {"n_clusters": [Interval(int, 1,
None)], ...}``; :func:`validate_params` checks ``get_params()`` against it and
raises one message shape: what the parameter must be and what it got --
``TypeError`` when no constraint accepts the value's type, ``ValueError``
when the type is right but the value is not (NaN, out of range, unknown
option). Hyperparameters are never modified.
"""

import math
import numbers
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Interval:
    """A number of type ``kind`` in [low, high] (``None`` = unbounded).

    NaN is never accepted; infinity only with ``finite=False`` (an unbounded
    side does not make ``inf`` a meaningful tolerance or exponent).

    Examples
    --------
    >>> Interval(int, 1, None).accepts(3)
    True
    >>> Interval(float, 0, None).accepts(float("nan"))
    False
    >>> Interval(float, 0, None).accepts(float("inf"))
    False
    >>> Interval(float, 0, 1, closed="neither").describe()
    'a float in the range (0, 1)'
    """

    kind: type
    low: float | None
    high: float | None
    closed: str = "both"  # "both", "left", "right", "neither"
    finite: bool = True

    def type_ok(self, value):
        if isinstance(value, bool | np.bool_):
            return False
        if self.kind is int:
            return isinstance(value, numbers.Integral)
        return isinstance(value, numbers.Real)

    def accepts(self, value):
        if not self.type_ok(value):
            return False
        if not isinstance(value, numbers.Integral) and (
            math.isnan(value) or (self.finite and math.isinf(value))
        ):
            return False
        if self.low is not None:
            if value < self.low or (value == self.low and self.closed in ("right", "neither")):
                return False
        if self.high is not None:
            if value > self.high or (value == self.high and self.closed in ("left", "neither")):
                return False
        return True

    def describe(self):
        left = "[" if self.closed in ("both", "left") and self.low is not None else "("
        right = "]" if self.closed in ("both", "right") and self.high is not None else ")"
        lo = "-inf" if self.low is None else f"{self.low:g}"
        hi = "inf" if self.high is None else f"{self.high:g}"
        return f"{'an int' if self.kind is int else 'a float'} in the range {left}{lo}, {hi}{right}"


@dataclass(frozen=True)
class Options:
    """One of a fixed set of values (usually strings).

    Examples
    --------
    >>> Options({"lloyd", "elkan"}).accepts("lloyd")
    True
    """

    values: frozenset

    def __init__(self, values):
        object.__setattr__(self, "values", frozenset(values))

    def type_ok(self, value):
        return any(type(value) is type(v) for v in self.values)

    def accepts(self, value):
        return isinstance(value, str | bool | type(None)) and value in self.values

    def describe(self):
        return "one of " + ", ".join(repr(v) for v in sorted(self.values, key=str))


_NAMED = {
    None: ("None", lambda v: v is None),
    "boolean": ("a bool", lambda v: isinstance(v, bool | np.bool_)),
    "array-like": (
        "an array-like",
        lambda v: not isinstance(v, str) and (hasattr(v, "__len__") or hasattr(v, "shape")),
    ),
    "callable": ("a callable", callable),
    "random_state": (
        "an int, None, or a numpy Generator/RandomState",
        lambda v: v is None
        or (isinstance(v, numbers.Integral) and not isinstance(v, bool))
        or isinstance(v, np.random.Generator | np.random.RandomState),
    ),
    "verbose": (
        "a bool or an int >= 0",
        lambda v: isinstance(v, bool | np.bool_) or (isinstance(v, numbers.Integral) and v >= 0),
    ),
    # the type check behind "verbose": a negative int is a bad value, not a bad type
    "verbose-type": ("", lambda v: isinstance(v, numbers.Integral)),
    dict: ("a dict", lambda v: isinstance(v, dict)),
    str: ("a str", lambda v: isinstance(v, str)),
}


def _accepts(constraint, value):
    if isinstance(constraint, Interval | Options):
        return constraint.accepts(value)
    if isinstance(constraint, type) and constraint not in _NAMED:
        return isinstance(value, constraint)
    return _NAMED[constraint][1](value)


def _type_ok(constraint, value):
    """Whether ``value`` has a type ``constraint`` could accept (its value aside)."""
    if isinstance(constraint, Interval | Options):
        return constraint.type_ok(value)
    if constraint == "verbose":
        return _NAMED["verbose-type"][1](value)
    return _accepts(constraint, value)


def _describe(constraint):
    if isinstance(constraint, Interval | Options):
        return constraint.describe()
    if isinstance(constraint, type) and constraint not in _NAMED:
        return f"an instance of {constraint.__name__}"
    return _NAMED[constraint][0]


def validate_params(estimator):
    """Check ``estimator.get_params()`` against its ``_parameter_constraints``.

    Raises
    ------
    TypeError
        When no constraint accepts the value's type (a str for a number, a
        float for an int, a bool for a number).
    ValueError
        When the type is right but the value is not (out of range, NaN or
        infinite, an unknown option). Both name the parameter, what it must
        be, and the value it got.

    Examples
    --------
    >>> from sklearn.base import BaseEstimator
    >>> class Est(BaseEstimator):
    ...     _parameter_constraints = {"k": [Interval(int, 1, None)]}
    ...     def __init__(self, k=0):
    ...         self.k = k
    >>> validate_params(Est())
    Traceback (most recent call last):
    ...
    ValueError: The 'k' parameter of Est must be an int in the range [1, inf). Got 0 instead.
    >>> validate_params(Est(k="3"))
    Traceback (most recent call last):
    ...
    TypeError: The 'k' parameter of Est must be an int in the range [1, inf). Got '3' instead.
    """
    constraints = getattr(estimator, "_parameter_constraints", {})
    params = estimator.get_params(deep=False)
    for name, allowed in constraints.items():
        value = params[name]
        if any(_accepts(c, value) for c in allowed):
            continue
        options = " or ".join(_describe(c) for c in allowed)
        error = ValueError if any(_type_ok(c, value) for c in allowed) else TypeError
        raise error(
            f"The {name!r} parameter of {type(estimator).__name__} must be {options}. "
            f"Got {value!r} instead."
        )
