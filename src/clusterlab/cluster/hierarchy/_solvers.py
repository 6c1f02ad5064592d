"""Linkage solvers: pick the algorithm for (method, input kind), run the kernel,
order the merges and relabel them into a scipy-compatible linkage matrix.

Routing (Müllner 2011):

=========================  ==========================  =======================
method                     raw data (n, d)             condensed distances
=========================  ==========================  =======================
single                     Prim over the data, O(nd)   Prim over the vector
complete/average/weighted  pdist + NN-chain            NN-chain
ward                       generic over centres, O(nd) NN-chain
centroid/median            generic over centres, O(nd) generic
=========================  ==========================  =======================

Inputs here are already validated (finite, float, enough points).
"""

import numpy as np

from clusterlab._kernels import linkage_methods as _methods
from clusterlab._kernels import pdist as _pd
from clusterlab._kernels.generic_linkage import generic_condensed, generic_raw
from clusterlab._kernels.linkage_tree import label
from clusterlab._kernels.nn_chain import nn_chain
from clusterlab._kernels.prim import prim_condensed, prim_raw
from clusterlab._validation.scale import power_of_two_scale, scaled, unscale

METHODS = {
    "single": _methods.SINGLE,
    "complete": _methods.COMPLETE,
    "average": _methods.AVERAGE,
    "weighted": _methods.WEIGHTED,
    "ward": _methods.WARD,
    "centroid": _methods.CENTROID,
    "median": _methods.MEDIAN,
}
METRICS = {
    "euclidean": _pd.EUCLIDEAN,
    "sqeuclidean": _pd.SQEUCLIDEAN,
    "cityblock": _pd.CITYBLOCK,
    "cosine": _pd.COSINE,
    "chebyshev": _pd.CHEBYSHEV,
}
EUCLIDEAN_ONLY = frozenset({"ward", "centroid", "median"})
# merges of these algorithms come out of height order and must be sorted;
# the generic algorithm emits them in the order they happen (like scipy)
_SORTED_OUTPUT = frozenset({"single", "complete", "average", "weighted"})


def row_norms_for(X, metric):
    if metric == "cosine":
        return _pd.row_norms(X)
    return np.ones(X.shape[0])


def pairwise_condensed(X, metric):
    """Condensed distance vector of the rows of ``X`` (float64, parallel)."""
    n = X.shape[0]
    length = n * (n - 1) // 2
    try:
        out = np.empty(length)
    except MemoryError:
        raise MemoryError(
            f"metric={metric!r} with this method needs all n*(n-1)/2 = {length:,} pairwise "
            f"distances ({length * 8 / 2**30:.1f} GiB for n={n:,}). Single, ward, centroid "
            "and median linkage with euclidean distance run in O(n d) memory; otherwise "
            "subsample or use a connectivity graph."
        ) from None
    _pd.pdist_condensed(X, METRICS[metric], row_norms_for(X, metric), out)
    return out


def _finish(a, b, h, n, sort):
    if sort:
        order = np.argsort(h, kind="stable")
        a, b, h = a[order], b[order], h[order]
    return label(a, b, h, n)


# how merge heights grow when the data are multiplied by s: s ** power
_HEIGHT_POWER = {"sqeuclidean": 2, "cosine": 0}


def _unscale_heights(Z, s, power):
    """Heights of a tree fitted on data divided by ``s``, in the data's scale."""
    if s != 1.0 and power:
        Z[:, 2] = unscale(Z[:, 2], s, power, "merge heights")
    return Z


def linkage_from_data(X, method, metric):
    """Linkage matrix of the rows of ``X`` (validated, float32 or float64).

    Data of extreme magnitude are clustered divided by a power of two (the
    same merges) and the heights multiplied back.
    """
    s = power_of_two_scale(X)
    Z = _linkage_from_data(scaled(X, s), method, metric)
    return _unscale_heights(Z, s, _HEIGHT_POWER.get(metric, 1))


def _linkage_from_data(X, method, metric):
    n = X.shape[0]
    if method == "single":
        a, b, h = prim_raw(X, METRICS[metric], row_norms_for(X, metric))
        return _finish(a, b, h, n, sort=True)
    if method in EUCLIDEAN_ONLY:
        a, b, h = generic_raw(X, METHODS[method])
        return _finish(a, b, h, n, sort=False)
    D = pairwise_condensed(X, metric)
    return _linkage_from_condensed(D, n, method, overwrite=True)


def linkage_from_condensed(D, n, method, *, overwrite=False):
    """Linkage matrix from a condensed float64 distance vector over n points.

    Extreme distances are divided by a power of two first (heights are
    linear in the distances for every method) so updates cannot overflow.
    """
    s = power_of_two_scale(D)
    if s != 1.0:
        D, overwrite = scaled(D, s), True
    return _unscale_heights(_linkage_from_condensed(D, n, method, overwrite=overwrite), s, 1)


def _linkage_from_condensed(D, n, method, *, overwrite=False):
    if not overwrite or not D.flags.writeable:
        D = np.array(D, dtype=np.float64, copy=True)
    if method == "single":
        a, b, h = prim_condensed(D, n)
    elif method in ("complete", "average", "weighted", "ward"):
        a, b, h = nn_chain(D, n, METHODS[method])
    else:
        a, b, h = generic_condensed(D, n, METHODS[method])
    sort = method in _SORTED_OUTPUT or method == "ward"
    return _finish(a, b, h, n, sort)
