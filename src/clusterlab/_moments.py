"""Per-cluster moments, the statistics k-means, fuzzy c-means and the Gaussian family share.

A chunk reduces to, per cluster ``j``: the weight ``n_j`` (sum of sample
weight x responsibility), the weighted mean ``mean_j`` and, where a variance
is needed, the centred scatter ``m2_j`` (per feature, ``(k, d)``, or a full
matrix, ``(k, d, d)``). Two chunks combine with the parallel formula of Chan,
Golub and LeVeque, which stays exact whatever the data's offset:

``n = n_a + n_b``, ``mean = mean_a + (mean_b - mean_a) n_b / n``,
``m2 = m2_a + m2_b + (mean_b - mean_a)^2 n_a n_b / n``.

The same combination serves the Gaussian family's statistics (dicts with keys
``n``, ``mean``, ``m2``: ``combine_stats``), the data summary of a streamed
k-means fit, and the means of every centre update (``means``).
"""

from typing import NamedTuple

import numpy as np

from clusterlab._kernels import compiled


def combine_stats(a, b):
    """Chan's parallel combination of two ``{"n", "mean"[, "m2"]}`` dicts.

    Examples
    --------
    >>> import numpy as np
    >>> a = {"n": np.array([2.0]), "mean": np.array([[1.0]]), "m2": np.array([[2.0]])}
    >>> b = {"n": np.array([1.0]), "mean": np.array([[4.0]]), "m2": np.array([[0.0]])}
    >>> out = combine_stats(a, b)   # the points 0, 2 and 4
    >>> out["mean"].tolist(), out["m2"].tolist()
    ([[2.0]], [[8.0]])
    """
    n = a["n"] + b["n"]
    share = np.divide(b["n"], n, out=np.zeros_like(n), where=n > 0)
    delta = b["mean"] - a["mean"]
    out = {**a, "n": n, "mean": a["mean"] + delta * share[:, None]}
    if a.get("m2") is not None:
        cross = a["n"] * share  # na * nb / n
        if a["m2"].ndim == 3:
            corr = delta[:, :, None] * delta[:, None, :] * cross[:, None, None]
        else:
            corr = delta * delta * cross[:, None]
        out["m2"] = a["m2"] + b["m2"] + corr
    return out


def scale_stats(stats, factor):
    """The statistics with every sample weight multiplied by ``factor``.

    Examples
    --------
    >>> import numpy as np
    >>> scale_stats({"n": np.array([2.0]), "mean": np.array([[1.0]])}, 0.5)["n"].tolist()
    [1.0]
    """
    out = dict(stats)
    out["n"] = stats["n"] * factor
    if stats.get("m2") is not None:
        out["m2"] = stats["m2"] * factor
    return out


def means(weight, total, previous):
    """Weighted means ``total / weight``; a cluster of zero weight keeps ``previous``.

    Examples
    --------
    >>> import numpy as np
    >>> means(np.array([0.0, 2.0]), np.array([[0.0], [3.0]]), np.array([[9.0], [0.0]])).tolist()
    [[9.0], [1.5]]
    """
    out = np.array(previous, dtype=np.float64, copy=True)
    filled = weight > 0
    out[filled] = total[filled] * (1.0 / weight[filled])[:, None]
    return out


class Moments(NamedTuple):
    """Count, mean and per-feature centred scatter of one or more groups.

    Examples
    --------
    >>> import numpy as np
    >>> m = Moments.of_rows(np.array([[0.0], [2.0]])).combine(Moments.of_rows(np.array([[4.0]])))
    >>> m.mean.tolist(), m.variance().tolist()
    ([[2.0]], [[2.6666666666666665]])
    """

    n: np.ndarray
    mean: np.ndarray
    m2: np.ndarray

    @classmethod
    def of_rows(cls, X):
        """The moments of the rows of ``X`` as one unweighted group (float64)."""
        X = np.asarray(X)
        if X.ndim == 2 and X.shape[0] > 0 and X.dtype in (np.float32, np.float64):
            # on first use: in-memory fits never import numba
            mean, m2 = compiled("moments").column_moments(X)  # no float64 copy of a float32 chunk
        else:
            X = np.asarray(X, dtype=np.float64)
            mean = X.mean(axis=0)
            m2 = ((X - mean) ** 2).sum(axis=0)
        return cls(np.array([float(X.shape[0])]), mean[None], m2[None])

    def combine(self, other):
        """The moments of the union (Chan et al.'s parallel formula)."""
        out = combine_stats(self._asdict(), other._asdict())
        return Moments(out["n"], out["mean"], out["m2"])

    def variance(self):
        """Population variance per group and feature."""
        return self.m2 / np.maximum(self.n, 1.0)[:, None]
