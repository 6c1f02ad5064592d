"""Fuzzy c-means passes: memberships from distances, and the weighted moments.

For fuzzifier ``m`` and ``e = 1 / (m - 1)`` the membership of a point in
cluster j is ``u_j = d_j^(-e) / sum_l d_l^(-e)`` with ``d`` the squared
distances, and the objective contribution of the point under those memberships
is ``sum_j u_j^m d_j = (sum_l d_l^(-e))^(1 - m)``. A point on a centre belongs
to it (shared equally among coincident centres) and adds nothing.
Blocks are fixed by ``n`` only and reduced in order by the caller.
"""

import math

import numpy as np
from numba import njit, prange

# error_model="numpy": divisions by zero give inf instead of raising, so numba
# drops its per-division check and the reciprocal loops vectorise (the zero
# distances that would divide by zero are handled before any division).
_FLAGS = {"cache": True, "nogil": True, "error_model": "numpy", "fastmath": {"contract"}}


@njit(inline="always", **_FLAGS)
def _memberships(x, C, m, u):
    """Fill ``u`` with the memberships of the row ``x``; return its objective term.

    Each squared distance sums over the features in order; the smallest one
    decides the rare case of a point on a centre before any division.
    """
    k, d = C.shape
    dmin = np.inf
    for j in range(k):
        acc = 0.0
        for f in range(d):
            t = x[f] - C[j, f]
            acc += t * t
        u[j] = acc
        if acc < dmin:
            dmin = acc
    if dmin == 0.0:
        n_zero = 0
        for j in range(k):
            n_zero += u[j] == 0.0
        for j in range(k):
            u[j] = 1.0 / n_zero if u[j] == 0.0 else 0.0
        return 0.0
    total = 0.0
    if m == 2.0:  # the common case without pow
        for j in range(k):
            u[j] = 1.0 / u[j]
        for j in range(k):
            total += u[j]
        inv = 1.0 / total
        for j in range(k):
            u[j] *= inv
        return inv
    # divide by the smallest distance first so that large exponents cannot underflow
    e = 1.0 / (m - 1.0)
    for j in range(k):
        u[j] = math.pow(dmin / u[j], e)
        total += u[j]
    inv = 1.0 / total
    for j in range(k):
        u[j] *= inv
    return dmin * math.pow(total, 1.0 - m)


@njit(parallel=True, **_FLAGS)
def fcm_pass(X, w, C, m, block_size, sums, weights, objective, pc):
    """One fuzzy c-means pass over ``X`` with centres ``C``.

    OUT per block ``b``: ``sums[b]`` (k, d) = sum w u^m x, ``weights[b]`` (k,) =
    sum w u^m, ``objective[b]`` = sum w J_i, ``pc[b]`` = sum_i sum_j u_ij^2.
    """
    n, d = X.shape
    k = C.shape[0]
    for b in prange(sums.shape[0]):
        start = b * block_size
        stop = min(n, start + block_size)
        bs = sums[b]
        bw = weights[b]
        bs[:] = 0.0
        bw[:] = 0.0
        u = np.empty(k)
        acc = 0.0
        acc_pc = 0.0
        for i in range(start, stop):
            x = X[i]
            wi = w[i]
            acc += wi * _memberships(x, C, m, u)
            for j in range(k):
                acc_pc += u[j] * u[j]
            if m == 2.0:
                for j in range(k):
                    u[j] = wi * u[j] * u[j]  # from here on u holds the weights w u^m
            else:
                for j in range(k):
                    u[j] = wi * math.pow(u[j], m)
            for j in range(k):
                bw[j] += u[j]
            for j in range(k):
                wu = u[j]
                for f in range(d):
                    bs[j, f] += wu * x[f]
        objective[b] = acc
        pc[b] = acc_pc


@njit(parallel=True, **_FLAGS)
def fcm_memberships(X, C, m, out):
    """``out[i]`` = memberships of ``X[i]`` (rows sum to 1)."""
    for i in prange(X.shape[0]):
        u = out[i]
        _memberships(X[i], C, m, u)
