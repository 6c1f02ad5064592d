"""Kernels: one pass over one chunk, arrays in and out.

The numba kernels live in this package's modules; ``small/`` holds numpy
versions of the few that a small k-means, fuzzy c-means or Gaussian-mixture fit calls, with
the same names, arguments and results. :func:`kernels` picks one of the two
by the size of the call, so a small fit never loads numba at all (issue 18:
numba's import and JIT runtime cost about 100 MB of resident memory and
0.2 s in a new process, far more than the numpy kernels lose on small data).

Modules here import only numpy, numba and math, and raise no user-facing
errors; callers validate first. Every numba module imports ``_cache`` before
decorating its kernels (that registers the locator that finds them compiled
in the installed package).
"""

from importlib import import_module

from clusterlab._config import _SETTINGS

# kernel modules with a numpy twin in ``small/``
TWINS = frozenset({"distance", "estep", "fuzzy", "lloyd"})


def is_small(work):
    """Whether a call of ``work`` multiply-adds runs the numpy kernels.

    Examples
    --------
    >>> import clusterlab
    >>> is_small(2_000 * 3 * 3)
    True
    >>> with clusterlab.config(small_kernel_work=0):
    ...     is_small(2_000 * 3 * 3)
    False
    """
    return work <= _SETTINGS["small_kernel_work"]


def kernels(name, work):
    """The kernel module ``name`` for a call of ``work`` multiply-adds.

    Parameters
    ----------
    name : str
        A module of this package (``"lloyd"``, ``"distance"``, ``"estep"``, ...).
    work : int
        Rows x clusters x features of the call (its multiply-adds per pass).

    Returns
    -------
    module
        ``clusterlab._kernels.small.<name>`` (numpy) when ``name`` has a twin and
        ``is_small(work)``; else the numba module ``clusterlab._kernels.<name>``.

    Examples
    --------
    >>> kernels("lloyd", 100).__name__
    'clusterlab._kernels.small.lloyd'
    >>> kernels("lloyd", 10**9).__name__
    'clusterlab._kernels.lloyd'
    """
    if name in TWINS and is_small(work):
        return import_module(f"clusterlab._kernels.small.{name}")
    return compiled(name)


def compiled(name):
    """The numba kernel module ``name``, imported on first use (so a caller that
    does not need it never imports numba).

    Examples
    --------
    >>> compiled("sparse").__name__
    'clusterlab._kernels.sparse'
    """
    return import_module(f"clusterlab._kernels.{name}")
