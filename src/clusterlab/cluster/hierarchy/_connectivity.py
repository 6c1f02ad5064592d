"""Structured (connectivity-constrained) agglomeration.

Only clusters joined by at least one edge of the graph may merge.

* ``ward``, ``centroid``, ``median``: the exact distance between the two
  clusters' centres (as without a graph), restricted to adjacent pairs.
* ``single``: the minimum spanning forest of the graph (Kruskal).
* ``complete``, ``average``, ``weighted``: Lance-Williams updates over the
  graph's edges; when only one of the merged clusters is adjacent to a third,
  that one distance is kept (scikit-learn's convention).

A graph with several connected components cannot join them by itself: the
caller is warned, and the components' clusters are joined last, at their
unconstrained linkage distance (computed from the data), so the tree is
complete and ``n_clusters`` below the number of components still works.
"""

import heapq

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components
from scipy.spatial.distance import cdist

from clusterlab._kernels import pdist as _pd
from clusterlab._kernels.linkage_methods import lance_williams
from clusterlab._kernels.linkage_tree import label
from clusterlab.cluster.hierarchy import _solvers


def check_connectivity(connectivity, X):
    """Symmetric CSR graph without self-loops, shape (n, n)."""
    n = X.shape[0]
    if callable(connectivity):
        connectivity = connectivity(X)
    graph = sparse.csr_matrix(connectivity)
    if graph.shape != (n, n):
        raise ValueError(
            f"connectivity must have shape (n_samples, n_samples) = ({n}, {n}); "
            f"got {graph.shape}."
        )
    graph = (graph + graph.T).tocoo()
    keep = graph.row != graph.col
    rows, cols = graph.row[keep], graph.col[keep]
    graph = sparse.csr_matrix((np.ones(rows.size), (rows, cols)), shape=(n, n))
    n_components, comp = connected_components(graph, directed=False)
    return graph, n_components, comp


def _edge_distances(X, rows, cols, metric, precomputed):
    if precomputed is not None:
        return precomputed[rows, cols].astype(np.float64)
    code = _solvers.METRICS[metric]
    norms = _solvers.row_norms_for(X, metric)
    out = np.empty(rows.size)
    for t in range(rows.size):
        out[t] = _pd.pair_distance(X, rows[t], X, cols[t], code, norms, norms)
    return out


def _cross_distance(X, A, B, method, metric, precomputed):
    """Unconstrained linkage distance between point sets A and B."""
    if method in _solvers.EUCLIDEAN_ONLY:
        ca, cb = X[A].mean(axis=0), X[B].mean(axis=0)
        sq = float(np.sum((ca - cb) ** 2))
        if method == "ward":
            return np.sqrt(2.0 * len(A) * len(B) / (len(A) + len(B)) * sq)
        return np.sqrt(sq)
    if precomputed is not None:
        block = precomputed[np.ix_(A, B)]
    else:
        block = cdist(X[A], X[B], metric=metric)
    if method == "single":
        return float(block.min())
    if method == "complete":
        return float(block.max())
    return float(block.mean())


class _State:
    """Clusters, their centres, members and neighbour maps, plus the heap."""

    def __init__(self, X, method, n):
        self.method = method
        self.size = {i: 1.0 for i in range(n)}
        self.centre = None
        if method in _solvers.EUCLIDEAN_ONLY:
            self.centre = {i: np.asarray(X[i], dtype=np.float64) for i in range(n)}
        self.nbrs = {i: {} for i in range(n)}
        self.heap = []

    def key(self, i, j, d):
        heapq.heappush(self.heap, (d, min(i, j), max(i, j)))

    def centre_distance(self, i, j):
        sq = float(np.sum((self.centre[i] - self.centre[j]) ** 2))
        if self.method == "ward":
            si, sj = self.size[i], self.size[j]
            return np.sqrt(2.0 * si * sj / (si + sj) * sq)
        return np.sqrt(sq)

    def merge(self, x, y, dxy, new):
        """Merge x and y into ``new``; push the new cluster's edges."""
        nx, ny = self.size[x], self.size[y]
        self.size[new] = nx + ny
        if self.centre is not None:
            cx, cy = self.centre.pop(x), self.centre.pop(y)
            self.centre[new] = 0.5 * (cx + cy) if self.method == "median" else (
                (nx * cx + ny * cy) / (nx + ny)
            )
        ax, ay = self.nbrs.pop(x), self.nbrs.pop(y)
        ax.pop(y, None)
        ay.pop(x, None)
        merged = {}
        code = _solvers.METHODS[self.method]
        for k in sorted(set(ax) | set(ay)):  # sorted: deterministic heap order
            if self.centre is not None:
                d = self.centre_distance(new, k)
            elif k in ax and k in ay:
                d = lance_williams(code, ax[k], ay[k], dxy, nx, ny, self.size[k])
            else:
                d = ax[k] if k in ax else ay[k]
            merged[k] = d
            nk = self.nbrs[k]
            nk.pop(x, None)
            nk.pop(y, None)
            nk[new] = d
            self.key(new, k, d)
        self.nbrs[new] = merged


def _single_forest(n, rows, cols, dist):
    # Kruskal: the minimum spanning forest's edges in height order
    order = np.argsort(dist, kind="stable")
    parent = np.arange(n)

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    a, b, h = [], [], []
    for t in order:
        ri, rj = find(rows[t]), find(cols[t])
        if ri != rj:
            a.append(rows[t])
            b.append(cols[t])
            h.append(dist[t])
            parent[max(ri, rj)] = min(ri, rj)
    return a, b, h


def structured_linkage(X, method, metric, graph, precomputed=None):
    """Linkage matrix of ``X`` under the connectivity ``graph`` (CSR, symmetric).

    ``precomputed`` is the square distance matrix when metric='precomputed'.
    Merges within components come first (in merge order); the joins across
    components, if any, come last.
    """
    n = graph.shape[0]
    coo = sparse.triu(graph, k=1).tocoo()
    rows, cols = coo.row.astype(np.int64), coo.col.astype(np.int64)
    dist = _edge_distances(X, rows, cols, metric, precomputed)
    state = _State(X, method, n)
    Z = np.empty((n - 1, 4))
    if method == "single":
        a, b, h = _single_forest(n, rows, cols, dist)
        return _finish_single(X, metric, precomputed, n, a, b, h)
    for i, j, d in zip(rows, cols, dist, strict=True):
        if state.centre is not None:
            d = state.centre_distance(i, j)
        state.nbrs[i][j] = d
        state.nbrs[j][i] = d
        state.key(i, j, d)
    k = _agglomerate(state, Z, 0, n)
    if k < n - 1:
        _join_components(X, method, metric, precomputed, state, Z, k, n)
    return Z


def _agglomerate(state, Z, k, n):
    """Pop valid edges until the heap is empty; returns the merges done."""
    while state.heap:
        d, i, j = heapq.heappop(state.heap)
        if i not in state.nbrs or j not in state.nbrs or state.nbrs[i].get(j) != d:
            continue  # stale entry: a side was merged or the distance changed
        new = n + k
        Z[k] = (i, j, d, state.size[i] + state.size[j])
        state.merge(i, j, d, new)
        k += 1
    return k


def _join_components(X, method, metric, precomputed, state, Z, k, n):
    # the remaining clusters lie in different components: make them a
    # complete graph at their unconstrained distances and carry on
    roots = sorted(state.nbrs)
    members = _members(Z, k, n)
    for p, i in enumerate(roots):
        for j in roots[p + 1:]:
            if state.centre is not None:
                d = state.centre_distance(i, j)
            else:
                d = _cross_distance(X, members[i], members[j], method, metric, precomputed)
            state.nbrs[i][j] = d
            state.nbrs[j][i] = d
            state.key(i, j, d)
    _agglomerate(state, Z, k, n)


def _members(Z, k, n):
    # points of each cluster formed by the first k merges (cluster id -> list);
    # a parent's id exceeds its children's, so one top-down pass labels all
    parent = np.arange(2 * n - 1)
    for r in range(k):
        parent[int(Z[r, 0])] = n + r
        parent[int(Z[r, 1])] = n + r
    root = np.arange(2 * n - 1)
    for node in range(n + k - 1, -1, -1):
        if parent[node] != node:
            root[node] = root[parent[node]]
    members = {}
    for i in range(n):
        members.setdefault(int(root[i]), []).append(i)
    return members


def _finish_single(X, metric, precomputed, n, a, b, h):
    # forest edges first (sorted), then join the components' trees at their
    # unconstrained single-linkage distance
    parent = np.arange(n)
    for i, j in zip(a, b, strict=True):
        ri, rj = _root(parent, i), _root(parent, j)
        parent[max(ri, rj)] = min(ri, rj)
    comps = {}
    for i in range(n):
        comps.setdefault(_root(parent, i), []).append(i)
    groups = list(comps.values())
    a2, b2, h2 = [], [], []
    if len(groups) > 1:
        # MST over components with cross distances (Prim on a small graph)
        g = len(groups)
        D = np.zeros((g, g))
        for p in range(g):
            for q in range(p + 1, g):
                D[p, q] = D[q, p] = _cross_distance(
                    X, groups[p], groups[q], "single", metric, precomputed
                )
        inside = [0]
        best = D[0].copy()
        src = np.zeros(g, dtype=np.int64)
        best[0] = np.inf
        for _ in range(g - 1):
            q = int(np.argmin(best))
            a2.append(groups[src[q]][0])
            b2.append(groups[q][0])
            h2.append(best[q])
            inside.append(q)
            best[q] = np.inf
            closer = D[q] < best
            closer[inside] = False
            best[closer] = D[q][closer]
            src[closer] = q
    # Kruskal already yields the forest in height order; the joins across
    # components follow, sorted among themselves
    h2 = np.array(h2, dtype=np.float64)
    order = np.argsort(h2, kind="stable")
    aa = np.concatenate([np.array(a, dtype=np.int64), np.array(a2, dtype=np.int64)[order]])
    bb = np.concatenate([np.array(b, dtype=np.int64), np.array(b2, dtype=np.int64)[order]])
    hh = np.concatenate([np.array(h, dtype=np.float64), h2[order]])
    return label(aa, bb, hh, n)


def _root(parent, i):
    while parent[i] != i:
        parent[i] = parent[parent[i]]  # path halving keeps the walks short
        i = parent[i]
    return i
