"""Yinyang's exact k-means pass (Ding et al., 2015): a lower bound per group of centres.

The centres are split into ``t`` groups once per run (``order`` lists them
group by group, ``starts`` where each group begins). Per point we keep its
label, an upper bound on the distance to its centre and, per group, a lower
bound on the distance to every centre of the group other than its own. A
point whose upper bound is below all its group bounds (or below half the gap
from its centre to the nearest other, Hamerly's test) keeps its label with no
distance computed; the others scan only the groups whose bound they fail.

Bounds are stored lazily so that a point whose bounds hold costs reads only:
the current upper bound is ``upper[i] + cum_move[labels[i]]`` and the current
bound of group g is ``lower[i, g] - cum_gmove[g]``, where ``cum_move`` and
``cum_gmove`` add up the moves of each centre and the largest move in each
group since the run began. ``lower`` is (n, t): a row's bounds share a cache
line. ``lower0[i] - cum_max`` (the smallest group bound, decremented by the
largest move of all centres) is tested first, so most rows read 20 bytes.

Scans use float32 products: a full pass one BLAS call per chunk, a light pass
a loop vectorised across the gathered points of each group. Every bound is
widened by a rigorous bound on that rounding, and a point whose best two
candidates are too close to call at that error is scanned again in float64
against every centre. Labels are therefore those of exact arithmetic (the
first minimum in centre order) for any dtype, chunk size or thread count.
"""

import math

import numpy as np
from numba import njit, prange

from clusterlab._kernels import _cache  # noqa: F401  (first: see _cache)
from clusterlab._kernels.bits import lowest_bit
from clusterlab._kernels.bounds import _move_moments, add_moments, block_moments
from clusterlab._kernels.lloyd import (
    _sq_dist,
    product_slack,
    scan_terms,
)
from clusterlab._kernels.yinyang_scan import (
    all_scan_scratch,
    bounds_from_scan,
    exact_point,
    fresh_chunk,
    reset_lower0,
    scan_all,
    scan_group,
    store_bound,
)

# rows a light pass filters at a time: each group's list of failing points must be
# long enough for the vectorised scan, and the lists should stay in L2
LIGHT_ROWS = 4096
# the light scans run over a multiple of this many points (the vector loop's stride)
SCAN_WIDTH = 64


@njit(cache=True, nogil=True, error_model="numpy")
def _filter_rows(X, s0, e, offset, C, cum_move, cum_gmove, cum_max, half_gap, labels, upper,
                 lower, lower0, ub, zg, mask, rows, own, msk, xb):
    """Rows of ``s0:e`` whose bounds fail even with the exact distance to their centre.

    First Hamerly's test on the smallest of each row's group bounds
    (``lower0``, lazy with ``cum_max``): a row that passes it costs 20 bytes
    read. Then the group bounds of the others, whose ``lower0`` is refreshed
    from them. Each row that fails both is
    gathered (centred) into ``xb``; ``rows`` gets its index within the chunk,
    ``own`` its exact squared distance to its centre and ``msk`` the bit mask
    of the groups whose bound it failed (tested against the loose upper bound:
    a superset). Returns how many rows failed. Rows whose bounds hold are only
    read.
    """
    nr = e - s0
    d = X.shape[1]
    t = lower.shape[1]
    # slices, so that every index is a range variable (no negative-index check):
    # the loops across rows then vectorise
    lab = labels[s0:e]
    up = upper[s0:e]
    lo0 = lower0[s0:e]
    m = 0
    for r in range(nr):
        a = lab[r]
        u = up[r] + cum_move[a]
        ub[r] = u
        rows[m] = r
        m += 1 if u >= max(np.float64(lo0[r]) - cum_max, half_gap[a]) else 0  # strict
    for q in range(m):
        row = lower[s0 + rows[q]]  # one cache line: the row's t bounds
        u = ub[rows[q]]
        z = np.inf
        bits = np.int64(0)
        for g in range(t):
            val = np.float64(row[g]) - cum_gmove[g]
            z = min(z, val)
            bits |= (np.int64(1) << g) if val <= u else 0
        zg[q] = z
        mask[q] = bits
    m1 = 0
    for q in range(m):
        r = rows[q]
        # refresh the first-stage bound from the group bounds: a row whose group
        # bounds hold would otherwise fail the first stage again on every pass
        lo0[r] = store_bound(max(zg[q], 0.0), cum_max)
        z = max(zg[q], half_gap[lab[r]])
        rows[m1] = r  # m1 <= q: what is still to read is not overwritten
        zg[m1] = z
        mask[m1] = mask[q]
        m1 += 1 if ub[r] >= z else 0  # strict test: ties are scanned
    m2 = 0
    tmp = np.empty((1, d), dtype=xb.dtype)
    for q in range(m1):
        r = rows[q]
        i = s0 + r
        a = labels[i]
        # the row goes through a fixed scratch row, so that no row waits for the one
        # before it (only the stores to xb depend on m2); compared squared, sqrt off
        # that path
        for f in range(d):
            tmp[0, f] = X[i, f] - offset[f]
        s = _sq_dist(tmp, 0, C, a)
        z = zg[q]
        upper[i] = math.sqrt(s) - cum_move[a]
        for f in range(d):
            xb[m2, f] = tmp[0, f]
        rows[m2] = r
        own[m2] = s
        msk[m2] = mask[q]
        m2 += 1 if z <= 0.0 or s >= z * z else 0
    return m2


@njit(cache=True, nogil=True, error_model="numpy")
def _group_lists(s0, m, rows, own, msk, lower, cum_gmove, starts, full_pairs, cnt, off, lst,
                 fl):
    """Sort the failing rows into group lists, or into the full scan.

    Each row's mask keeps the groups it fails with its exact distance. A row
    whose failing groups hold more than ``full_pairs`` centres goes to ``fl``
    (its mask set to -1): one BLAS scan of every centre costs it less. The
    others are listed per group (CSR: group g's rows are ``lst[off[g]:off[g +
    1]]``, ascending). Returns the number of rows in ``fl``.
    """
    t = lower.shape[1]
    cnt[:] = 0
    n_full = 0
    for q in range(m):
        i = s0 + rows[q]
        u = math.sqrt(own[q])
        bits = msk[q]
        kept = np.int64(0)
        n_pairs = 0
        while bits != 0:
            g = lowest_bit(bits)
            bits &= bits - 1
            if np.float64(lower[i, g]) - cum_gmove[g] <= u:
                kept |= np.int64(1) << g
                n_pairs += starts[g + 1] - starts[g]
        if n_pairs > full_pairs:
            fl[n_full] = q
            n_full += 1
            msk[q] = -1
            continue
        msk[q] = kept
        while kept != 0:
            cnt[lowest_bit(kept)] += 1
            kept &= kept - 1
    off[0] = 0
    for g in range(t):
        off[g + 1] = off[g] + cnt[g]
        cnt[g] = off[g]  # now the fill cursor
    for q in range(m):
        bits = msk[q]
        if bits < 0:
            continue
        while bits != 0:
            g = lowest_bit(bits)
            bits &= bits - 1
            lst[cnt[g]] = q
            cnt[g] += 1
    return n_full


@njit(cache=True, nogil=True, error_model="numpy")
def _scan_full_rows(s0, n_full, fl, rows, xb, x_sq, C, C2s, c_sqs, c_sq_max, order, starts,
                    group_of, cum_gmove, cum_max, lower, lower0, sc, newlab, newu):
    """The rows listed in ``fl`` against every centre, a scratch's width at a time."""
    d = xb.shape[1]
    slack = product_slack(d)
    xs, _, _, _, _, _, bg, ridx, lab, u, _ = sc
    chunk = xs.shape[1]
    for c0 in range(0, n_full, chunk):
        mc = min(n_full, c0 + chunk) - c0
        for q in range(mc):
            p = fl[c0 + q]
            ridx[q] = s0 + rows[p]
            for f in range(d):
                xs[f, q] = np.float32(xb[p, f])
        n_ties = scan_all(C2s, c_sqs, order, starts, x_sq, slack, c_sq_max, sc, mc)
        bounds_from_scan(sc, mc, x_sq, slack, c_sq_max, cum_gmove, cum_max, lower, lower0)
        for r in range(n_ties):
            q = bg[r]
            j, s = exact_point(xb, fl[c0 + q], C, group_of, ridx[q], cum_gmove, lower)
            lab[q] = j
            u[q] = math.sqrt(s)
        for q in range(mc):
            newlab[fl[c0 + q]] = lab[q]
            newu[fl[c0 + q]] = u[q]


@njit(cache=True, nogil=True, error_model="numpy")
def _scan_group_lists(off, lst, xb, C2s, c_sqs, starts, gT, J1, B1, B2, v):
    """Scan every group against its list of rows; returns the point-centre pairs."""
    t = starts.shape[0] - 1
    d = xb.shape[1]
    pairs = 0
    for g in range(t):
        p0 = off[g]
        mg = off[g + 1] - p0
        if mg == 0:
            continue
        pairs += mg * (starts[g + 1] - starts[g])
        for p in range(mg):
            q = lst[p0 + p]
            for f in range(d):
                gT[f, p] = np.float32(xb[q, f])
        # a multiple of SCAN_WIDTH points keeps the scan in its vector loop (no scalar
        # tail); the extra results land in the next group's slots, which are written
        # after, or past the end of the lists
        width = -(-mg // SCAN_WIDTH) * SCAN_WIDTH
        scan_group(C2s, c_sqs, starts[g], starts[g + 1], gT, width, J1[p0:], B1[p0:],
                   B2[p0:], v)
    return pairs


@njit(cache=True, nogil=True, error_model="numpy")
def _merge_groups(s0, m, rows, own, msk, xb, x_sq, c_sq_max, C, order, group_of, labels,
                  cum_gmove, lower, off, cnt, lst, J1, B1, B2, exact, newlab, newu):
    """Each listed row's best centre from its scanned groups (and its own centre)."""
    t = lower.shape[1]
    slack = product_slack(xb.shape[1])
    for g in range(t):
        cnt[g] = off[g]  # rows are walked in the order the lists were filled
    for q in range(m):
        exact[q] = False
        bits = msk[q]
        if bits < 0:  # scanned in full
            continue
        i = s0 + rows[q]
        a = labels[i]
        ga = group_of[a]
        xq = x_sq[i]
        err = slack * (xq + c_sq_max)
        own_in = (bits >> ga) & 1
        bv = np.inf if own_in else own[q]  # the own centre, unless its group was scanned
        bj = a
        b2nd = np.inf
        bp = -1
        while bits != 0:
            g = lowest_bit(bits)
            bits &= bits - 1
            p = cnt[g]
            cnt[g] = p + 1
            v1 = xq + np.float64(B1[p])
            v2 = xq + np.float64(B2[p])
            if v1 < bv:
                b2nd = min(b2nd, min(bv, v2))
                bv = v1
                bj = order[J1[p]]
                bp = p
            else:
                b2nd = min(b2nd, v1)
        if b2nd - bv <= 4.0 * err:
            exact[q] = True
            j, s = exact_point(xb, q, C, group_of, i, cum_gmove, lower)
            newlab[q] = j
            newu[q] = math.sqrt(s)
            continue
        newlab[q] = bj
        if bp >= 0:
            B1[bp] = B2[bp]  # the new centre's group: its bound is the second best
            newu[q] = math.sqrt(bv + err)
        else:
            newu[q] = math.sqrt(own[q])
        if bj != a and not own_in:
            # the old centre now counts in its group's bound
            lower[i, ga] = min(lower[i, ga], store_bound(math.sqrt(own[q]), cum_gmove[ga]))
    # the scanned groups' bounds (rows rescanned exactly have theirs already)
    for g in range(t):
        cg = cum_gmove[g]
        for p in range(off[g], off[g + 1]):
            q = lst[p]
            if not exact[q]:
                i = s0 + rows[q]
                xq = x_sq[i]
                err = slack * (xq + c_sq_max)
                lower[i, g] = store_bound(math.sqrt(max(xq + np.float64(B1[p]) - err, 0.0)), cg)


@njit(cache=True, nogil=True)
def _light_scratch(nr, d, t, dtype):
    """Scratch of a light pass over up to ``nr`` rows: the tuple ``(ub, zg, mask,
    rows, own, msk, xb, cnt, off, lst, fl, J1, B1, B2, gT, v, exact, newlab, newu)``
    that ``_light_chunk`` unpacks."""
    return (np.empty(nr), np.empty(nr), np.empty(nr, dtype=np.int64),
            np.empty(nr, dtype=np.int64), np.empty(nr), np.empty(nr, dtype=np.int64),
            np.empty((nr, d), dtype=dtype), np.empty(t, dtype=np.int64),
            np.empty(t + 1, dtype=np.int64), np.empty(t * nr, dtype=np.int32),
            np.empty(nr, dtype=np.int64), np.empty(t * nr + SCAN_WIDTH, dtype=np.int32),
            np.empty(t * nr + SCAN_WIDTH, dtype=np.float32),
            np.empty(t * nr + SCAN_WIDTH, dtype=np.float32),
            # rows not 4 KiB apart (cache sets); zeros, so padding columns are finite
            np.zeros((d, nr + SCAN_WIDTH + 16), dtype=np.float32),
            np.empty(nr + SCAN_WIDTH, dtype=np.float32), np.empty(nr, dtype=np.bool_),
            np.empty(nr, dtype=np.int64), np.empty(nr))


@njit(cache=True, nogil=True, error_model="numpy")
def _light_chunk(X, s0, e, offset, x_sq, w, C, C2s, c_sqs, c_sq_max, order, starts,
                 group_of, cum_move, cum_gmove, cum_max, half_gap, full_pairs, labels, upper,
                 lower, lower0, lt, sc, bs, bw, bq, bc):
    """Light pass over rows ``s0:e``: filter, scan what failed, update.

    Returns (labels changed, point-centre pairs scanned). The moments of the
    rows whose label changed are moved in row order.
    """
    ub, zg, mask, rows, own, msk, xb, cnt, off, lst, fl, J1, B1, B2, gT, v, exact, newlab, \
        newu = lt
    m = _filter_rows(X, s0, e, offset, C, cum_move, cum_gmove, cum_max, half_gap, labels,
                     upper, lower, lower0, ub, zg, mask, rows, own, msk, xb)
    if m == 0:
        return 0, 0
    n_full = _group_lists(s0, m, rows, own, msk, lower, cum_gmove, starts, full_pairs, cnt,
                          off, lst, fl)
    _scan_full_rows(s0, n_full, fl, rows, xb, x_sq, C, C2s, c_sqs, c_sq_max, order, starts,
                    group_of, cum_gmove, cum_max, lower, lower0, sc, newlab, newu)
    pairs = n_full * C.shape[0]
    pairs += _scan_group_lists(off, lst, xb, C2s, c_sqs, starts, gT, J1, B1, B2, v)
    _merge_groups(s0, m, rows, own, msk, xb, x_sq, c_sq_max, C, order, group_of, labels,
                  cum_gmove, lower, off, cnt, lst, J1, B1, B2, exact, newlab, newu)
    n_changed = 0
    for q in range(m):
        i = s0 + rows[q]
        reset_lower0(i, lower, cum_gmove, cum_max, lower0)
        a = labels[i]
        j = newlab[q]
        upper[i] = newu[q] - cum_move[j]
        if j != a:
            n_changed += 1
            labels[i] = j
            _move_moments(X, i, offset, w[i], x_sq[i], a, j, bs, bw, bq, bc)
    return n_changed, pairs


@njit(cache=True, nogil=True)
def _yinyang_block(b, X, XT, offset, x_sq, w, C, C2s, c_sqs, order, starts, group_of,
                   cum_move, cum_gmove, cum_max, half_gap, full, full_pairs, block_size, chunk,
                   labels, upper, lower, lower0, sums, weights, sq, counts, changed, pairs):
    """Yinyang's pass over block ``b``.

    A fresh pass scans ``chunk`` rows per BLAS call; a light pass filters
    ``LIGHT_ROWS`` rows at a time.
    """
    n, d = X.shape
    t = starts.shape[0] - 1
    c_sq_max = np.float64(c_sqs.max())
    start = b * block_size
    fresh = full or labels[start] < 0
    stop, bs, bw, bq, bc = block_moments(b, block_size, n, sums, weights, sq, counts, fresh)
    sc = all_scan_scratch(d, t, chunk)
    n_changed = 0
    n_pairs = 0
    if fresh:
        xb = np.empty((1, d), dtype=X.dtype)
        per_block = -(-block_size // chunk)
        for s0 in range(start, stop, chunk):
            e = min(stop, s0 + chunk)
            n_changed += fresh_chunk(X, XT[b * per_block + (s0 - start) // chunk], s0, e,
                                      offset, x_sq, C, C2s, c_sqs, c_sq_max, order, starts,
                                      group_of, cum_move, cum_gmove, cum_max, labels, upper,
                                      lower, lower0, xb, sc)
            add_moments(X, s0, e, offset, w, x_sq, labels, bs, bw, bq, bc)
        n_pairs = (stop - start) * C.shape[0]
    else:
        nr = min(stop - start, LIGHT_ROWS)
        lt = _light_scratch(nr, d, t, X.dtype)
        for s0 in range(start, stop, nr):
            e = min(stop, s0 + nr)
            c, p = _light_chunk(X, s0, e, offset, x_sq, w, C, C2s, c_sqs, c_sq_max, order,
                                starts, group_of, cum_move, cum_gmove, cum_max, half_gap,
                                full_pairs, labels, upper, lower, lower0, lt, sc, bs, bw, bq,
                                bc)
            n_changed += c
            n_pairs += p
    changed[b] = n_changed
    pairs[b] = n_pairs


@njit(cache=True, nogil=True, error_model="numpy")
def estimate_pairs(labels, upper, lower, lower0, cum_move, cum_gmove, cum_max, half_gap, starts,
                   stride):
    """Point-centre pairs a light pass would scan, estimated from every ``stride``-th run
    of 64 rows with their loose upper bounds (no distance computed): an
    overestimate, for choosing between a light and a full pass. Runs of rows, not
    single rows, so that whole cache lines are read."""
    t = starts.shape[0] - 1
    n = labels.shape[0]
    total = 0
    for i0 in range(0, n, 64 * stride):
        for i in range(i0, min(n, i0 + 64)):
            a = labels[i]
            u = upper[i] + cum_move[a]
            if u < max(np.float64(lower0[i]) - cum_max, half_gap[a]):
                continue
            zg = np.inf
            for g in range(t):
                zg = min(zg, np.float64(lower[i, g]) - cum_gmove[g])
            if u < max(half_gap[a], zg):
                continue
            for g in range(t):
                if np.float64(lower[i, g]) - cum_gmove[g] <= u:
                    total += starts[g + 1] - starts[g]
    return total * stride


@njit(cache=True, nogil=True)
def group_scan_terms(C, order):
    """``scan_terms`` with the centres in group order."""
    Cg = np.empty_like(C)
    for r in range(order.shape[0]):
        Cg[r] = C[order[r]]
    return scan_terms(Cg)


@njit(cache=True, nogil=True, parallel=True)
def yinyang_pass(X, XT, offset, x_sq, w, C, order, starts, group_of, cum_move, cum_gmove,
                 cum_max, half_gap, full, full_pairs, block_size, chunk, labels, upper, lower,
                 lower0, sums, weights, sq, counts, changed, pairs):
    """One exact assignment pass with Yinyang's group bounds, plus per-block moments.

    IN: ``XT`` the centred rows as float32 columns (``transpose_chunks`` with
    the same ``block_size`` and ``chunk``); ``order``, ``starts`` and
    ``group_of`` (centre -> group) describe the groups; ``cum_move[j]`` and
    ``cum_gmove[g]`` are the cumulative moves of centre j and the cumulative
    largest move in group g, ``cum_max`` that of all centres; ``half_gap`` as
    for ``hamerly_pass``. Rows with ``labels < 0`` (first pass) or every row
    with ``full`` are scanned against all centres; so is, in a light pass, a
    row whose failing groups hold more than ``full_pairs`` centres.
    IN/OUT: ``labels``, ``upper`` (n,), ``lower`` (n, t) and ``lower0`` (n,),
    the smallest group bound, float32, in the lazy form of the module
    docstring; per block the moments ``sums``, ``weights``, ``sq`` and
    ``counts`` as ``hamerly_pass`` keeps them.
    OUT: ``changed[b]`` labels changed and ``pairs[b]`` point-centre products made.
    """
    C2s, c_sqs = group_scan_terms(C, order)
    for b in prange(sums.shape[0]):
        _yinyang_block(b, X, XT, offset, x_sq, w, C, C2s, c_sqs, order, starts, group_of,
                       cum_move, cum_gmove, cum_max, half_gap, full, full_pairs, block_size,
                       chunk, labels, upper, lower, lower0, sums, weights, sq, counts, changed,
                       pairs)
