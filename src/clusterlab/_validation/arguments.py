"""Checks of method arguments (not hyperparameters): one message shape each."""

import numbers

import numpy as np


def check_sample_count(n_samples, name="n_samples"):
    """``n_samples`` of a ``sample`` method as an int >= 1.

    Raises ``TypeError`` for a value that is not an integer (bools included)
    and ``ValueError`` for one below 1.

    Examples
    --------
    >>> check_sample_count(np.int64(3))
    3
    >>> check_sample_count(0)
    Traceback (most recent call last):
    ...
    ValueError: n_samples must be an int >= 1; got 0.
    """
    if isinstance(n_samples, bool | np.bool_) or not isinstance(n_samples, numbers.Integral):
        raise TypeError(f"{name} must be an int >= 1; got {n_samples!r} "
                        f"of type {type(n_samples).__name__}.")
    if n_samples < 1:
        raise ValueError(f"{name} must be an int >= 1; got {n_samples!r}.")
    return int(n_samples)
