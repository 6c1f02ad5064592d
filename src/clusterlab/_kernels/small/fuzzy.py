"""numpy twin of ``clusterlab._kernels.fuzzy`` (the passes of a small fuzzy c-means fit)."""

import numpy as np


def _memberships(X, C, m):
    """``(u, term)``: memberships (n, k) and each point's objective term (n,)."""
    diff = X.astype(np.float64)[:, None, :] - C[None, :, :]
    D = np.einsum("nkd,nkd->nk", diff, diff)
    dmin = D.min(axis=1)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if m == 2.0:  # the common case without pow
            u = 1.0 / D
            term = 1.0 / u.sum(axis=1)
            u *= term[:, None]
        else:
            # divide by the smallest distance first so that large exponents cannot underflow
            u = (dmin[:, None] / D) ** (1.0 / (m - 1.0))
            total = u.sum(axis=1)
            u /= total[:, None]
            term = dmin * total ** (1.0 - m)
    on = dmin == 0.0  # on a centre: shared equally among coincident centres
    if on.any():
        hit = D[on] == 0.0
        u[on] = hit / hit.sum(axis=1, keepdims=True)
        term[on] = 0.0
    return u, term


def fcm_pass(X, w, C, m, block_size, sums, weights, objective, pc):
    """One fuzzy c-means pass (see the numba ``fcm_pass``); every sum lands in block 0,
    the other blocks zero (callers add the blocks)."""
    u, term = _memberships(X, C, m)
    wum = w[:, None] * (u * u if m == 2.0 else u**m)
    for out in (sums, weights, objective, pc):
        out[:] = 0.0
    sums[0] = wum.T @ X
    weights[0] = wum.sum(axis=0)
    objective[0] = w @ term
    pc[0] = np.einsum("nk,nk->", u, u)


def fcm_memberships(X, C, m, out):
    """``out[i]`` = memberships of ``X[i]`` (rows sum to 1)."""
    out[:] = _memberships(X, C, m)[0]


def membership_moments(X, w, u0, m, sums, weights):
    """Moments of initial memberships ``u0`` (rows normalised); returns 1 if ``u0`` holds
    a negative or non-finite value, 2 if a row sums to zero, else 0."""
    if not np.all((u0 >= 0.0) & (u0 < np.inf)):
        return 1
    total = u0.sum(axis=1)
    if np.any(total == 0.0):
        return 2
    r = u0 / total[:, None]
    v = w[:, None] * (r * r if m == 2.0 else r**m)
    weights[:] = v.sum(axis=0)
    sums[:] = v.T @ X
    return 0
