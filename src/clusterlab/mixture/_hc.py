"""mclust's model-based agglomerative clustering (``hc``, model ``"VVV"``).

Fraley (1998), "Algorithms for model-based Gaussian hierarchical clustering",
as mclust 6's Fortran ``hcvvv`` computes it. Every cluster of ``l`` points with
scatter matrix ``W`` and ``tr = trace(W)`` has the term

* ``l * log(beta * (tr + alpha) / l)`` while ``l <= d`` (too few points for a
  determinant),
* ``l * log(det(W / l) + beta * (tr + alpha) / l)`` once ``l > d``,

with ``beta = 1`` and ``alpha = trace(scatter of the data) / (n d)`` (mclust's
``alpha * traceW(data / sqrt(n p))``), a singleton's term being
``log(alpha beta)``. Each step merges the pair whose merged term exceeds the sum
of theirs by the least (the classification likelihood of the unconstrained
Gaussian model lost by the merge, regularised), ties going, as in the Fortran,
to the last pair in its packed order (largest ``j``, then largest ``i``, with
cluster ``i < j`` kept in slot ``i`` and the last slot moved into ``j``).

The data are first transformed as mclust's ``hcUse = "SVD"`` (the default):
standardised columns on their principal axes, each axis divided by the square
root of its singular value. This is O(n^2) memory and about O(n^2 d^2) work,
so estimators run it on a subset of rows for large data (mclust's
``subset = 2000``).
"""

import numpy as np
from scipy.spatial.distance import pdist, squareform


def svd_scaled(X):
    """mclust's ``hcUse="SVD"``: ``scale(X) %*% V %*% diag(1 / sqrt(d))`` with the SVD
    ``scale(X) = U diag(d) V^T`` of the standardised data (constant columns dropped).

    Examples
    --------
    >>> X = np.array([[0.0, 1.0], [1.0, 3.0], [2.0, 2.0], [3.0, 6.0]])
    >>> svd_scaled(X).shape
    (4, 2)
    """
    X = np.asarray(X, dtype=np.float64)
    centred = X - X.mean(axis=0)
    sd = centred.std(axis=0, ddof=1) if X.shape[0] > 1 else np.zeros(X.shape[1])
    keep = sd > 0
    if not keep.any():
        return np.zeros((X.shape[0], 1))
    scaled = centred[:, keep] / sd[keep]
    _, s, vt = np.linalg.svd(scaled, full_matrices=False)
    use = s > s[0] * 1e-12
    return scaled @ vt[use].T / np.sqrt(s[use])


def _merge_terms(a, others, cnt, mean, scat, tr, alpha, beta):
    """Terms of cluster ``a`` merged with each cluster in ``others`` (and their traces)."""
    p = mean.shape[1]
    nij = cnt[a] + cnt[others]
    coef = cnt[a] * cnt[others] / nij
    delta = mean[others] - mean[a]
    trij = tr[a] + tr[others] + coef * np.einsum("ij,ij->i", delta, delta)
    with np.errstate(divide="ignore"):
        base = np.log(beta * (trij + alpha) / nij)
    term = base.copy()
    big = nij > p
    if big.any():
        sel = others[big]
        d = delta[big]
        wij = scat[a] + scat[sel] + coef[big, None, None] * d[:, :, None] * d[:, None, :]
        sign, logdet = np.linalg.slogdet(wij / nij[big, None, None])
        logdet = np.where(sign > 0, logdet, -np.inf)
        term[big] = np.logaddexp(logdet, base[big])
    return nij * term, trij


class _Costs:
    """The symmetric merge-cost matrix of the active clusters (slots ``0..g-1``) with
    each row's minimum kept up to date, so a step costs O(g) rather than O(g^2)."""

    def __init__(self, cost):
        self.cost = cost
        self.rmin = cost.min(axis=1)
        self.rarg = cost.argmin(axis=1)

    def pick(self, g):
        """The pair ``(i, j)``, ``i < j``, of least cost; ties to the largest ``j``, then
        ``i`` (the last in the Fortran's packed order)."""
        low = self.rmin[:g].min()
        rows = np.flatnonzero(self.rmin[:g] == low)
        r, c = np.nonzero(self.cost[rows, :g] == low)
        i, j = np.minimum(rows[r], c), np.maximum(rows[r], c)
        top = j.max()
        return int(i[j == top].max()), int(top)

    def merged(self, i, j, last):
        """Cluster ``j`` merged into ``i``; slot ``last`` moved into ``j``."""
        cost, g = self.cost, last
        stale = (self.rarg[:g] == i) | (self.rarg[:g] == j)
        if j != last:
            cost[j, :last + 1] = cost[last, :last + 1]
            cost[:last + 1, j] = cost[:last + 1, last]
            cost[j, j] = np.inf
            self.rarg[:g][self.rarg[:g] == last] = j
            self.rmin[j], self.rarg[j] = self.rmin[last], self.rarg[last]
            stale[j] = True
        stale[i] = True
        return stale

    def refresh(self, i, g, stale, row, others):
        """Row and column ``i`` set to ``row`` (over ``others``); minima updated."""
        cost = self.cost
        cost[i, others] = row
        cost[others, i] = row
        cost[i, i] = np.inf
        better = ~stale[others] & (row < self.rmin[others])
        self.rmin[others[better]] = row[better]
        self.rarg[others[better]] = i
        fix = np.flatnonzero(stale)
        if fix.size:
            block = cost[fix, :g]
            self.rarg[fix] = block.argmin(axis=1)
            self.rmin[fix] = block[np.arange(fix.size), self.rarg[fix]]


def hc_vvv_partitions(Z, ks, beta=1.0):
    """Partitions of the rows of ``Z`` into each number of clusters in ``ks`` from
    mclust's VVV agglomeration (``hcVVV`` + ``hclass``), starting from singletons.

    Parameters
    ----------
    Z : ndarray of shape (n_samples, n_features)
        Data as the agglomeration sees them (e.g. ``svd_scaled(X)``).
    ks : iterable of int
        Numbers of clusters, each in ``1..n_samples``.
    beta : float, default=1.0
        mclust's ``beta``.

    Returns
    -------
    dict
        ``{k: labels}``, labels in ``0..k-1`` numbered by first appearance.

    Examples
    --------
    >>> Z = np.array([[0.0, 0.0], [0.1, 0.0], [5.0, 5.0], [5.1, 5.2], [5.0, 5.3]])
    >>> hc_vvv_partitions(Z, [2])[2].tolist()
    [0, 0, 1, 1, 1]
    """
    Z = np.asarray(Z, dtype=np.float64)
    n, p = Z.shape
    ks = sorted({int(k) for k in ks}, reverse=True)
    centred = Z - Z.mean(axis=0)
    alpha = max(float(np.sum(centred * centred)) / (n * p), np.finfo(np.float64).eps)
    ablog = np.log(beta * alpha)
    cnt = np.ones(n)
    mean = Z.copy()
    scat = np.zeros((n, p, p))
    tr = np.zeros(n)
    term = np.full(n, ablog)
    labels = np.arange(n)
    out = {}
    # two singletons: 2 log(beta (|x_i - x_j|^2 / 2 + alpha) / 2) - 2 log(alpha beta)
    cost = squareform(2.0 * np.log(beta * (0.5 * pdist(Z, "sqeuclidean") + alpha) / 2.0)
                      - 2.0 * ablog)
    np.fill_diagonal(cost, np.inf)
    costs = _Costs(cost)
    for g in range(n, 0, -1):
        if g in ks:
            out[g] = _relabel(labels)
        if g == 1 or g <= ks[-1]:
            break
        i, j = costs.pick(g)
        merged, trij = _merge_terms(i, np.array([j]), cnt, mean, scat, tr, alpha, beta)
        delta = mean[j] - mean[i]
        scat[i] = scat[i] + scat[j] + (cnt[i] * cnt[j] / (cnt[i] + cnt[j])) * np.outer(delta, delta)
        mean[i] = (cnt[i] * mean[i] + cnt[j] * mean[j]) / (cnt[i] + cnt[j])
        cnt[i] += cnt[j]
        tr[i], term[i] = trij[0], merged[0]
        labels[labels == j] = i
        last = g - 1
        stale = costs.merged(i, j, last)
        if j != last:  # the last slot moves into j
            for arr in (cnt, mean, scat, tr, term):
                arr[j] = arr[last]
            labels[labels == last] = j
        others = np.delete(np.arange(last), i)
        if others.size:
            merged, _ = _merge_terms(i, others, cnt, mean, scat, tr, alpha, beta)
            costs.refresh(i, last, stale, merged - term[i] - term[others], others)
    return out


def _relabel(labels):
    _, first, inverse = np.unique(labels, return_index=True, return_inverse=True)
    order = np.argsort(np.argsort(first))
    return order[inverse].astype(np.intp)
