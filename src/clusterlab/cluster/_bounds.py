"""Bound-based exact k-means assignments (Hamerly 2010, Yinyang 2015): Lloyd's labels,
fewer distances. Each is an assignment strategy for ``solve`` in ``_lloyd.py``."""

import numpy as np
from scipy.spatial.distance import cdist

from clusterlab._kernels.bounds import confirm_labels, hamerly_pass, hamerly_pass_serial
from clusterlab._kernels.yinyang import yinyang_pass, yinyang_pass_serial

# Above this fraction of rows scanned in the last pass, the next pass scans every row
# without testing bounds. Measured on KM-A and KM-B: a light pass that gathers the
# failing rows costs no more than a full one even when 90% fail, so only (almost)
# all-failing passes go full.
FULL_SCAN_FRACTION = 0.95
# Below this fraction the pass runs on one thread: starting the threads costs more
# than such a pass. Light passes read only the failing rows, so even a 3% pass
# over 200k rows gains from two threads (KM-A: 0.43 -> 0.36 s with 0.02 instead of 0.1).
SERIAL_FRACTION = 0.02


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

    def assign(self, centers):
        r, lay, buf = self.run, self.run.layout, self.run.buf
        n = r.X.shape[0]
        # when most rows failed their bounds last time, scanning them all is cheaper
        full = bool(r.labels[0] < 0 or self.scanned.sum() > FULL_SCAN_FRACTION * n)
        # threads pay off on full passes; a light pass is over before they start
        heavy = full or self.scanned.sum() > SERIAL_FRACTION * n
        kernel = hamerly_pass if heavy else hamerly_pass_serial
        kernel(r.X, r.columns(), r.offset, r.x_sq, r.w, centers, self.cum_move, self.cum_max,
               half_gaps(centers), full, lay.block_size, lay.chunk, r.labels, self.upper,
               self.lower, buf.sums, buf.weights, buf.sq, self.counts, buf.changed,
               self.scanned)
        clear_emptied(buf, self.counts)

    def moved(self, move):
        self.cum_move += move
        self.cum_max += float(move.max())

    def describe(self):
        return f"; rows scanned: {int(self.scanned.sum())} of {self.run.X.shape[0]}"

    def finish(self, centers, originals):
        """Labels and squared distances under ``originals`` (``centers`` in the data's
        coordinates), as ``assign`` gives them: one more light pass, then the
        labels it proves are confirmed in the data's coordinates."""
        self.assign(centers)
        return _confirmed(self.run, centers, originals, self.upper, self.cum_move,
                          self.lower[None, :], np.array([self.cum_max]))


def _confirmed(run, centers, originals, upper, cum_move, lower, lower_off):
    dist = np.empty(run.X.shape[0])
    confirm_labels(run.X, run.x_sq, run.labels, upper, cum_move, lower, lower_off,
                   half_gaps(centers), originals, dist)
    return run.labels, dist


# Yinyang: centres per group (t = k / GROUP_SIZE groups, Ding et al. use about 10), at
# most MAX_GROUPS groups (the bounds take n * t * 4 bytes), and the share of all
# point-centre products above which the next pass scans everything with BLAS.
GROUP_SIZE = 16
MAX_GROUPS = 32
YINYANG_FULL_FRACTION = 0.6
# a light pass scans a row against every centre (one BLAS call for many rows) when its
# failing groups hold more than this share of the centres
FULL_SHARE = 0.33


def padded_length(n):
    """A row length of at least ``n`` float32 whose rows start 64 bytes past a 4 KiB step."""
    return -(-n // 1024) * 1024 + 16


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
        # rows padded so that they do not start a multiple of 4 KiB apart: the passes
        # stream through all t rows at once, and aligned rows would share cache sets
        self.lower = np.zeros((t, padded_length(n)), dtype=np.float32)
        self.cum_move = np.zeros(k)
        self.cum_gmove = np.zeros(t)
        self.after_full = False

    def assign(self, centers):
        r, lay, buf = self.run, self.run.layout, self.run.buf
        n, k = r.X.shape[0], centers.shape[0]
        # a full pass reports every pair; the pass after it is always light
        full = bool(r.labels[0] < 0 or (
            not self.after_full and self.pairs.sum() > YINYANG_FULL_FRACTION * n * k))
        heavy = full or self.pairs.sum() > SERIAL_FRACTION * n * k
        kernel = yinyang_pass if heavy else yinyang_pass_serial
        kernel(r.X, r.columns(), r.offset, r.x_sq, r.w, centers, self.order, self.starts,
               self.group_of, self.cum_move, self.cum_gmove, half_gaps(centers), full,
               int(FULL_SHARE * k), lay.block_size, lay.chunk, r.labels, self.upper,
               self.lower, buf.sums, buf.weights, buf.sq, self.counts, buf.changed, self.pairs)
        clear_emptied(buf, self.counts)
        self.after_full = full

    def moved(self, move):
        self.cum_move += move
        self.cum_gmove += np.maximum.reduceat(move[self.order], self.starts[:-1])

    def describe(self):
        n, k = self.run.X.shape[0], self.cum_move.shape[0]
        return f"; point-centre products: {int(self.pairs.sum())} of {n * k}"

    def finish(self, centers, originals):
        """As ``HamerlyPasses.finish``."""
        self.assign(centers)
        return _confirmed(self.run, centers, originals, self.upper, self.cum_move,
                          self.lower, self.cum_gmove)
