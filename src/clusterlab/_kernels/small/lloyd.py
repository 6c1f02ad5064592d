"""numpy twin of ``clusterlab._kernels.lloyd`` (the kernels a small k-means fit calls)."""

import numpy as np


def _sum_sq(diff, interleave):
    """Sum of squares over the last axis in float64, in the numba kernels' order.

    ``interleave``: four partial sums by feature modulo four (``sq_dist_to_label``);
    else four partial sums over whole groups of four, the rest added to the first
    (``_sq_dist``). Either way ``(s0 + s1) + (s2 + s3)``.
    """
    d = diff.shape[-1]
    acc = np.zeros((4, *diff.shape[:-1]))
    whole = d if interleave else d - d % 4
    for f in range(d):
        t = diff[..., f].astype(np.float64)
        acc[f & 3 if f < whole else 0] += t * t
    return (acc[0] + acc[1]) + (acc[2] + acc[3])


def _first_min(values):
    """Index (int32) of the first smallest entry of each column of ``values`` (k, n),
    as the numba scan picks it (``argmin`` along the short axis was 3x slower)."""
    smallest = values.min(axis=0)
    label = np.full(values.shape[1], values.shape[0] - 1, dtype=np.int32)
    for j in range(values.shape[0] - 2, -1, -1):  # downwards: the lowest index wins
        label[values[j] == smallest] = j
    return label


def center_sq_norms(C):
    """``||C[j]||^2`` in ``C``'s dtype (accumulated in float64, feature order)."""
    s = np.zeros(C.shape[0])
    for f in range(C.shape[1]):
        s += C[:, f] * C[:, f]
    return s.astype(C.dtype)


def centred_sq_norms(X, offset, out):
    """``out[i] = ||X[i] - offset||^2`` in float64 (feature order)."""
    out[:] = 0.0
    for f in range(X.shape[1]):
        t = (X[:, f] - offset[f]).astype(np.float64)
        out += t * t


def lloyd_pass(X, offset, x_sq, w, C, block_size, chunk, labels, sums, weights, sq, changed):
    """Nearest centres by the BLAS expansion, then the moments by one product.

    Same arguments as the numba ``lloyd_pass``; ``chunk`` is unused (the whole
    array is one product) and every moment lands in block 0, the other blocks
    zero: callers only add the blocks (``reduce_blocks``), whose totals then
    equal the numba kernel's up to the order of the sums.
    """
    n = X.shape[0]
    k = C.shape[0]
    xc = X - offset
    if x_sq.shape[0] == 0:
        x_sq = np.empty(n)
        centred_sq_norms(X, offset, x_sq)
    values = (C * -2) @ xc.T  # (k, n): each centre's values contiguous
    values += center_sq_norms(C)[:, None]
    new = _first_min(values)
    member = np.zeros((k, n))  # member[j, i] = w[i] where row i is in cluster j
    member[new, np.arange(n)] = w
    sums[:] = 0.0
    weights[:] = 0.0
    sq[:] = 0.0
    changed[:] = 0
    sums[0] = member @ xc.astype(np.float64)
    weights[0] = member.sum(axis=1)
    sq[0] = member @ x_sq
    changed[0] = np.count_nonzero(labels != new)
    labels[:] = new


def assign_pass(X, offset, C, centers, block_size, chunk, labels, min_sq):
    """Exact nearest centre and its squared distance, every distance in float64.

    The numba kernel screens in float32 and decides close rows in float64; here
    every row is decided in float64, which gives the same labels and distances.
    """
    dist = _sum_sq(X.astype(np.float64)[:, None, :] - centers[None, :, :], interleave=False)
    labels[:] = np.argmin(dist, axis=1)
    min_sq[:] = dist[np.arange(X.shape[0]), labels]


def reduce_blocks(sums, weights, sq, out_sums, out_weights, out_sq):
    """Add the per-block moments."""
    for blocks, out in ((sums, out_sums), (weights, out_weights), (sq, out_sq)):
        np.sum(blocks, axis=0, out=out)


def sq_dist_to_label(X, offset, C, labels, out):
    """``out[i] = ||X[i] - offset - C[labels[i]]||^2`` in float64."""
    out[:] = _sum_sq((X - offset).astype(np.float64) - C[labels], interleave=True)
