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

from clusterlab._kernels import _cache  # noqa: F401  (first: see _cache)
from clusterlab._kernels.lloyd import load_columns

# error_model="numpy": divisions by zero give inf instead of raising, so numba
# drops its per-division check and the reciprocal loops vectorise (the zero
# distances that would divide by zero are handled before any division).
_FLAGS = {"cache": True, "nogil": True, "error_model": "numpy", "fastmath": {"contract"}}


# Points per piece of a block: the (k, piece) distance table stays in L1/L2.
_PIECE = 256


@njit(**_FLAGS)
def _piece_memberships(xT, p, C, m, D, term):
    """Memberships of the ``p`` points held as the columns of ``xT`` (d, piece).

    OUT: ``D[j, q]`` = membership of point q in cluster j; ``term[q]`` = the
    point's objective term. Centres are the outer loops and points the inner
    ones, so every step is elementwise across points and vectorises.
    """
    k, d = C.shape
    dmin = np.full(p, np.inf)
    for j in range(k):
        row = D[j]
        row[:p] = 0.0
        for f in range(d):
            cf = C[j, f]
            xr = xT[f]
            for q in range(p):
                t = xr[q] - cf
                row[q] += t * t
        for q in range(p):
            dmin[q] = min(dmin[q], row[q])
    if m == 2.0:  # the common case without pow
        term[:p] = 0.0
        for j in range(k):
            row = D[j]
            for q in range(p):
                row[q] = 1.0 / row[q]
                term[q] += row[q]
        for q in range(p):
            term[q] = 1.0 / term[q]
        for j in range(k):
            row = D[j]
            for q in range(p):
                row[q] *= term[q]
    else:
        # divide by the smallest distance first so that large exponents cannot underflow
        e = 1.0 / (m - 1.0)
        for q in range(p):
            if dmin[q] == 0.0:
                continue
            total = 0.0
            for j in range(k):
                D[j, q] = math.pow(dmin[q] / D[j, q], e)
                total += D[j, q]
            for j in range(k):
                D[j, q] /= total
            term[q] = dmin[q] * math.pow(total, 1.0 - m)
    for q in range(p):
        if dmin[q] == 0.0:  # on a centre: shared equally among coincident centres
            _on_centre(xT, q, C, D)
            term[q] = 0.0


@njit(**_FLAGS)
def _on_centre(xT, q, C, D):
    """Memberships of point q lying on one or more centres (the rare exact case)."""
    k, d = C.shape
    n_zero = 0
    for j in range(k):
        acc = 0.0
        for f in range(d):
            t = xT[f, q] - C[j, f]
            acc += t * t
        D[j, q] = acc
        n_zero += acc == 0.0
    for j in range(k):
        D[j, q] = 1.0 / n_zero if D[j, q] == 0.0 else 0.0


# The sums over a piece's points may be reassociated (vectorised); their order
# is still fixed by the compiled loop, so results are deterministic.
@njit(parallel=True, cache=True, nogil=True, error_model="numpy",
      fastmath={"contract", "reassoc"})
def fcm_pass(X, w, C, m, block_size, sums, weights, objective, pc):
    """One fuzzy c-means pass over ``X`` with centres ``C``.

    OUT per block ``b``: ``sums[b]`` (k, d) = sum w u^m x, ``weights[b]`` (k,) =
    sum w u^m, ``objective[b]`` = sum w J_i, ``pc[b]`` = sum_i sum_j u_ij^2.
    Each block goes through its rows in pieces of ``_PIECE`` points held as
    columns; the sums over a piece's points are formed whole and added to the
    block's in piece order, so the result depends on ``n`` only.
    """
    n, d = X.shape
    k = C.shape[0]
    origin = np.zeros(d)
    for b in prange(sums.shape[0]):
        start = b * block_size
        stop = min(n, start + block_size)
        bs = sums[b]
        bw = weights[b]
        bs[:] = 0.0
        bw[:] = 0.0
        xT = np.empty((d, _PIECE))
        D = np.empty((k, _PIECE))
        term = np.empty(_PIECE)
        acc = 0.0
        acc_pc = 0.0
        for s0 in range(start, stop, _PIECE):
            p = min(_PIECE, stop - s0)
            load_columns(X, s0, s0 + p, origin, xT)
            _piece_memberships(xT, p, C, m, D, term)
            wp = w[s0:s0 + p]
            for q in range(p):
                acc += wp[q] * term[q]
            for j in range(k):
                row = D[j]
                for q in range(p):
                    acc_pc += row[q] * row[q]
                if m == 2.0:
                    for q in range(p):
                        row[q] = wp[q] * row[q] * row[q]  # from here on: w u^m
                else:
                    for q in range(p):
                        row[q] = wp[q] * math.pow(row[q], m)
                t = 0.0
                for q in range(p):
                    t += row[q]
                bw[j] += t
                for f in range(d):
                    xr = xT[f]
                    t = 0.0
                    for q in range(p):
                        t += row[q] * xr[q]
                    bs[j, f] += t
        objective[b] = acc
        pc[b] = acc_pc


@njit(parallel=True, **_FLAGS)
def fcm_memberships(X, C, m, out):
    """``out[i]`` = memberships of ``X[i]`` (rows sum to 1), piece by piece as in ``fcm_pass``."""
    n, d = X.shape
    k = C.shape[0]
    origin = np.zeros(d)
    for b in prange((n + _PIECE - 1) // _PIECE):
        s0 = b * _PIECE
        p = min(_PIECE, n - s0)
        xT = np.empty((d, _PIECE))
        D = np.empty((k, _PIECE))
        term = np.empty(_PIECE)
        load_columns(X, s0, s0 + p, origin, xT)
        _piece_memberships(xT, p, C, m, D, term)
        for q in range(p):
            for j in range(k):
                out[s0 + q, j] = D[j, q]


@njit(**_FLAGS)
def membership_moments(X, w, u0, m, sums, weights):
    """Moments of initial memberships ``u0`` (rows normalised), in one pass.

    OUT: ``sums[j] = sum_i w_i v_ij^m x_i`` and ``weights[j] = sum_i w_i v_ij^m``
    with ``v_i = u0_i / sum_j u0_ij``. Returns 1 if ``u0`` holds a negative or
    non-finite value, 2 if a row sums to zero, else 0 (the caller raises).
    """
    n, d = X.shape
    k = u0.shape[1]
    sums[:] = 0.0
    weights[:] = 0.0
    v = np.empty(k)
    for i in range(n):
        total = 0.0
        for j in range(k):
            x = u0[i, j]
            if not (x >= 0.0 and x < np.inf):
                return 1
            total += x
        if total == 0.0:
            return 2
        inv = 1.0 / total
        for j in range(k):
            r = u0[i, j] * inv
            v[j] = w[i] * (r * r if m == 2.0 else math.pow(r, m))
            weights[j] += v[j]
        for j in range(k):
            for f in range(d):
                sums[j, f] += v[j] * X[i, f]
    return 0

