"""Bound-based exact k-means assignments (Hamerly 2010, Yinyang 2015): Lloyd's labels,
fewer distances. Each is an assignment strategy for ``solve`` in ``_lloyd.py``."""

import numpy as np
from scipy.spatial.distance import cdist

from clusterlab._kernels.bounds import confirm_labels, hamerly_pass, hot_savings
from clusterlab._kernels.yinyang import estimate_pairs, yinyang_pass

# Above this fraction of rows scanned in the last pass, the next pass scans every row
# without testing bounds. Measured on KM-A and KM-B: a light pass that gathers the
# failing rows costs no more than a full one even when 90% fail, so only (almost)
# all-failing passes go full.
FULL_SCAN_FRACTION = 0.95
# Below this fraction of rows scanned in the last pass, a light pass first computes
# each failing row's exact distance to its centre (which settles some); above it, it
# scans the failing rows straight away: the distances would cost more than the scans
# they spare (KM-B, 50-95% of rows scanned).
TIGHTEN_FRACTION = 0.5
# Hot centres: the next light pass computes the distances to the k / 8 (at most
# HOT_CENTRES) centres that moved most for every row, so the lower bounds decay by the
# largest move of the others only. Done when, estimated from every HOT_STRIDE-th run of
# rows, it spares the scan of more than HOT_PAYS of the rows: checking 8-16 centres for
# every row costs about a fifth of a full pass (KM-B: 10 of 56 ms, bound by reading each
# row's columns and bounds), measured on KM-A (k = 64) and KM-B (k = 256, where 16 beat
# 8 and 4: 0.84 / 0.87 / 0.92 s).
HOT_CENTRES = 16
HOT_PAYS = 0.2
HOT_STRIDE = 64


def half_gaps(centers):
    """Half the distance from each centre to its nearest other centre (inf if k == 1)."""
    k = centers.shape[0]
    if k == 1:
        return np.full(1, np.inf)
    c = centers.astype(np.float64)
    D = cdist(c, c)
    np.fill_diagonal(D, np.inf)
    return 0.5 * D.min(axis=1)


def clear_emptied(buf, counts):
    """Light passes move moments row by row: an emptied cluster may keep rounding
    residue in its sums, so clear it exactly (``counts``: rows per block and cluster)."""
    buf.reduce()
    emptied = counts.sum(axis=0) == 0
    buf.weight[emptied] = 0.0
    buf.total[emptied] = 0.0
    buf.q[emptied] = 0.0


class HamerlyPasses:
    """Hamerly's assignment: an upper bound to the own centre and one lower bound to
    the second nearest per row; a row is scanned only when they overlap."""

    def __init__(self, run, centers):
        n = run.X.shape[0]
        k = centers.shape[0]
        self.run = run
        self.scanned = np.zeros(run.layout.n_blocks, dtype=np.int64)
        self.counts = np.zeros((run.layout.n_blocks, k), dtype=np.int64)
        self.lower = np.zeros(n)
        self.upper = np.zeros(n)
        self.cum_move = np.zeros(k)
        self.cum_max = 0.0
        self.hot = np.zeros(0, dtype=np.int64)
        self.gaps = None  # half_gaps of the centres the next pass gets, made by moved()

    def assign(self, centers):
        r, lay, buf = self.run, self.run.layout, self.run.buf
        n = r.X.shape[0]
        # when most rows failed their bounds last time, scanning them all is cheaper
        full = bool(r.labels[0] < 0 or self.scanned.sum() > FULL_SCAN_FRACTION * n)
        tighten = bool(self.scanned.sum() < TIGHTEN_FRACTION * n)
        gaps = half_gaps(centers) if self.gaps is None else self.gaps
        hamerly_pass(r.X, r.columns(), r.offset, r.x_sq, r.w, centers, self.cum_move,
                     self.cum_max, gaps, full, tighten, self.hot, lay.block_size, lay.chunk,
                     r.labels, self.upper, self.lower, buf.sums, buf.weights, buf.sq,
                     self.counts, buf.changed, self.scanned)
        clear_emptied(buf, self.counts)
        self.half_gap = gaps

    def moved(self, move, centers):
        self.cum_move += move
        # a few centres often move far more than the rest: the next pass checks those
        # against every row (cheap, dense) and the lower bounds decay by the largest
        # move of the others only, when that has lately saved more than it costs
        order = np.argsort(-move, kind="stable")
        k = move.shape[0]
        h = min(HOT_CENTRES, k // 8) if k >= 16 else 0
        top = float(move[order[0]])
        cold = float(move[order[h]]) if h else top
        r = self.run
        self.gaps = half_gaps(centers)
        if h and r.labels[0] >= 0 and hot_savings(
                r.labels, self.upper, self.lower, self.cum_move, self.cum_max, top, cold,
                self.gaps, HOT_STRIDE) > HOT_PAYS:
            self.hot = order[:h].astype(np.int64)
            self.cum_max += cold
        else:
            self.hot = np.zeros(0, dtype=np.int64)
            self.cum_max += top

    def describe(self):
        return f"; rows scanned: {int(self.scanned.sum())} of {self.run.X.shape[0]}"

    def finish(self, centers, originals):
        """Labels and squared distances under ``originals`` (``centers`` in the data's
        coordinates), as ``assign`` gives them: one more light pass, then the
        labels it proves are confirmed in the data's coordinates."""
        self.assign(centers)
        return _confirmed(self.run, self.half_gap, originals, self.upper, self.cum_move,
                          self.lower[:, None], np.array([self.cum_max]))


def _confirmed(run, half_gap, originals, upper, cum_move, lower, lower_off):
    dist = np.empty(run.X.shape[0])
    confirm_labels(run.X, run.x_sq, run.labels, upper, cum_move, lower, lower_off, half_gap,
                   originals, dist)
    return run.labels, dist


# Yinyang: centres per group (t = k / GROUP_SIZE groups, Ding et al. use about 10), at
# most MAX_GROUPS groups (the bounds take n * t * 4 bytes), and the share of all
# point-centre products, estimated from every ESTIMATE_STRIDE-th run of rows, above
# which the next pass scans everything with BLAS (KM-B: a light pass costs about a full one at
# 40% of the pairs; the estimate, from loose bounds, runs high).
GROUP_SIZE = 16
MAX_GROUPS = 32
YINYANG_FULL_FRACTION = 0.45
ESTIMATE_STRIDE = 128
# a light pass scans a row against every centre (one BLAS call for many rows) when its
# failing groups hold more than this share of the centres
FULL_SHARE = 0.33


def group_centers(centers, n_groups, n_iter=5):
    """Split the centres into ``n_groups`` groups of nearby centres (Ding et al.:
    k-means on the initial centres), deterministically.

    Returns ``order`` (centre indices group by group, int64), ``starts`` (where
    each group begins in ``order``; ``len(starts) = t + 1``) and ``group_of``
    (group of each centre, int64). Empty groups are dropped.
    """
    c = np.asarray(centers, dtype=np.float64)
    k = c.shape[0]
    t = int(max(1, min(n_groups, k)))
    # start from centres spread along the first principal axis
    centred = c - c.mean(axis=0)
    axis = np.linalg.svd(centred, full_matrices=False)[2][0] if k > 1 else np.ones(c.shape[1])
    by_axis = np.argsort(centred @ axis, kind="stable")
    means = c[by_axis[(np.arange(t) * k) // t]]
    group = np.zeros(k, dtype=np.int64)
    for _ in range(n_iter):
        group = cdist(c, means, "sqeuclidean").argmin(axis=1)
        for g in range(t):
            members = group == g
            if members.any():
                means[g] = c[members].mean(axis=0)
    used, group = np.unique(group, return_inverse=True)
    order = np.argsort(group, kind="stable")
    starts = np.searchsorted(group[order], np.arange(len(used) + 1))
    return order.astype(np.int64), starts.astype(np.int64), group.astype(np.int64)


class YinyangPasses:
    """Yinyang's assignment: Hamerly's test plus one lower bound per group of about
    GROUP_SIZE centres; a row scans only the groups whose bound it fails."""

    def __init__(self, run, centers):
        n = run.X.shape[0]
        k = centers.shape[0]
        self.run = run
        self.order, self.starts, self.group_of = group_centers(
            centers, min(MAX_GROUPS, -(-k // GROUP_SIZE)))
        t = len(self.starts) - 1
        self.pairs = np.zeros(run.layout.n_blocks, dtype=np.int64)
        self.counts = np.zeros((run.layout.n_blocks, k), dtype=np.int64)
        self.upper = np.zeros(n)
        self.lower = np.zeros((n, t), dtype=np.float32)
        self.lower0 = np.zeros(n, dtype=np.float32)
        self.cum_move = np.zeros(k)
        self.cum_gmove = np.zeros(t)
        self.cum_max = 0.0

    def assign(self, centers):
        r, lay, buf = self.run, self.run.layout, self.run.buf
        n, k = r.X.shape[0], centers.shape[0]
        gaps = half_gaps(centers)
        full = bool(r.labels[0] < 0)
        if not full:
            # the pairs a light pass would scan, from a sample of rows' loose bounds
            expected = estimate_pairs(r.labels, self.upper, self.lower, self.lower0,
                                      self.cum_move, self.cum_gmove, self.cum_max, gaps,
                                      self.starts, ESTIMATE_STRIDE)
            full = expected > YINYANG_FULL_FRACTION * n * k
        yinyang_pass(r.X, r.columns(), r.offset, r.x_sq, r.w, centers, self.order,
                     self.starts, self.group_of, self.cum_move, self.cum_gmove, self.cum_max,
                     gaps, full, int(FULL_SHARE * k), lay.block_size, lay.chunk, r.labels,
                     self.upper, self.lower, self.lower0, buf.sums, buf.weights, buf.sq,
                     self.counts, buf.changed, self.pairs)
        clear_emptied(buf, self.counts)
        self.half_gap = gaps

    def moved(self, move, centers):
        self.cum_move += move
        self.cum_gmove += np.maximum.reduceat(move[self.order], self.starts[:-1])
        self.cum_max += float(move.max())

    def describe(self):
        n, k = self.run.X.shape[0], self.cum_move.shape[0]
        return f"; point-centre products: {int(self.pairs.sum())} of {n * k}"

    def finish(self, centers, originals):
        """As ``HamerlyPasses.finish``."""
        self.assign(centers)
        return _confirmed(self.run, self.half_gap, originals, self.upper, self.cum_move,
                          self.lower, self.cum_gmove)
