"""Initial centres: greedy k-means++ (as scikit-learn's) and k random data points."""

import math

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator

from clusterlab._kernels import kernels
from clusterlab._rng import as_generator
from clusterlab._validation import check_data, check_n_samples, check_sample_weight
from clusterlab.cluster._sparse import plusplus


def _plusplus(X, n_clusters, w, rng, n_local_trials):
    """Greedy k-means++ on validated arrays; returns (centers, indices)."""
    n, d = X.shape
    w64 = w.astype(np.float64)
    centers = np.empty((n_clusters, d), dtype=X.dtype)
    indices = np.empty(n_clusters, dtype=np.int64)
    first = int(rng.choice(n, p=w64 / w64.sum()))
    centers[0] = X[first]
    indices[0] = first
    closest = np.full(n, np.inf)
    pot = np.empty((1, n))
    distance = kernels("distance", n * d * n_local_trials)
    distance.min_sq_dist_update(X, X[first : first + 1], closest, pot)
    closest = pot[0].copy()
    current = float(closest @ w64)
    pots = np.empty((n_local_trials, n))
    for c in range(1, n_clusters):
        if current > 0:
            cum = np.cumsum(w64 * closest)
            ids = np.searchsorted(cum, rng.uniform(size=n_local_trials) * cum[-1])
            ids = np.minimum(ids, n - 1)
        else:  # every point already coincides with a centre: any point will do
            ids = rng.integers(0, n, size=n_local_trials)
        distance.min_sq_dist_update(X, np.ascontiguousarray(X[ids]), closest, pots)
        cand_pot = pots @ w64
        best = int(np.argmin(cand_pot))
        current = float(cand_pot[best])
        closest = pots[best].copy()
        centers[c] = X[ids[best]]
        indices[c] = ids[best]
    return centers, indices


def kmeans_plusplus(X, n_clusters, *, sample_weight=None, x_squared_norms=None,
                    random_state=None, n_local_trials=None):
    """Choose initial centres by greedy k-means++.

    Each new centre is the best (lowest potential) of ``n_local_trials``
    candidates drawn with probability proportional to the weighted squared
    distance to the nearest centre chosen so far (Arthur and Vassilvitskii,
    2007, with scikit-learn's greedy trials).

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        The data (float64 or float32; float32 stays float32). Sparse input is
        used as CSR without densifying.
    n_clusters : int
        Number of centres to choose.
    sample_weight : array-like of shape (n_samples,), default=None
        Weights of the points; ``None`` gives unit weights.
    x_squared_norms : array-like of shape (n_samples,), default=None
        Squared Euclidean norms of the rows, as scikit-learn's argument. Used
        for sparse ``X``; dense distances are computed directly (the norms are
        only checked for their length).
    random_state : int, Generator, RandomState or None, default=None
        Seed of the random draws.
    n_local_trials : int, default=None
        Candidates per centre; ``None`` gives ``2 + int(log(n_clusters))``.

    Returns
    -------
    centers : ndarray of shape (n_clusters, n_features)
        The chosen centres (rows of ``X``).
    indices : ndarray of shape (n_clusters,)
        Their row indices in ``X``.

    Examples
    --------
    >>> import numpy as np
    >>> from clusterlab import kmeans_plusplus
    >>> X = np.array([[0.0, 0.0], [0.0, 1.0], [10.0, 0.0], [10.0, 1.0]])
    >>> centers, idx = kmeans_plusplus(X, 2, random_state=0)
    >>> sorted(centers[:, 0].tolist())
    [0.0, 10.0]
    """
    X = _as_float_array(X)
    if x_squared_norms is not None:
        x_squared_norms = np.asarray(x_squared_norms, dtype=np.float64).ravel()
        if x_squared_norms.shape[0] != X.shape[0]:
            raise ValueError(f"The length of x_squared_norms {x_squared_norms.shape[0]} should "
                             f"be equal to the length of n_samples {X.shape[0]}.")
    if not isinstance(n_clusters, int | np.integer) or n_clusters < 1:
        raise ValueError(f"n_clusters must be an int >= 1; got {n_clusters!r}.")
    check_n_samples(X, n_clusters)
    w = check_sample_weight(sample_weight, X)
    if n_local_trials is None:
        n_local_trials = 2 + int(math.log(n_clusters))
    elif not isinstance(n_local_trials, int | np.integer) or n_local_trials < 1:
        raise ValueError(f"n_local_trials must be an int >= 1; got {n_local_trials!r}.")
    rng = as_generator(random_state)
    if sp.issparse(X):
        return plusplus(X, int(n_clusters), w, rng, int(n_local_trials), x_squared_norms)
    return _plusplus(X, int(n_clusters), w, rng, int(n_local_trials))


def random_init(X, n_clusters, w, rng):
    """``n_clusters`` distinct rows drawn with probability proportional to weight."""
    w64 = w.astype(np.float64)
    positive = int(np.count_nonzero(w64))
    if positive >= n_clusters:
        idx = rng.choice(X.shape[0], size=n_clusters, replace=False, p=w64 / w64.sum())
    else:
        idx = rng.choice(X.shape[0], size=n_clusters, replace=False)
    if sp.issparse(X):
        return X[idx].toarray(), idx
    return np.ascontiguousarray(X[idx]), idx


def _as_float_array(X):
    return check_data(BaseEstimator(), X, accept_sparse=True)


def check_init_array(init, X, k):
    arr = np.asarray(init)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"init must be numeric; got dtype {arr.dtype}.")
    if arr.shape != (k, X.shape[1]):
        raise ValueError(
            f"init should have shape (n_clusters, n_features) = ({k}, {X.shape[1]}); "
            f"got {arr.shape}."
        )
    if not np.all(np.isfinite(arr)):
        raise ValueError("init contains NaN or infinity.")
    return arr.astype(X.dtype)
