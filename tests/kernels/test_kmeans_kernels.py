"""k-means kernels against brute-force numpy."""

import numba
import numpy as np
import pytest

from clusterlab._kernels.bounds import hamerly_pass
from clusterlab._kernels.distance import all_sq_distances, cluster_costs
from clusterlab._kernels.fuzzy import fcm_memberships, fcm_pass
from clusterlab._kernels.lloyd import assign_pass, lloyd_pass, transpose_chunks
from clusterlab._kernels.yinyang import yinyang_pass
from clusterlab.cluster._bounds import half_gaps
from clusterlab.cluster._lloyd import Buffers, make_layout, x_sq_norms


@pytest.fixture
def set_threads():
    """Sets numba's thread count for the test (at most what numba has), then restores it."""
    before = numba.get_num_threads()
    yield lambda t: numba.set_num_threads(min(t, numba.config.NUMBA_NUM_THREADS))
    numba.set_num_threads(before)


NO_HOT = np.zeros(0, dtype=np.int64)


def _data(rng, n=700, d=5, k=9, dtype=np.float64):
    X = rng.normal(size=(n, d)).astype(dtype)
    C = rng.normal(size=(k, d)).astype(dtype)
    return X, C


def _brute(X, C):
    D = ((X.astype(np.float64)[:, None, :] - C.astype(np.float64)[None]) ** 2).sum(axis=2)
    return D, D.argmin(axis=1)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_assign_pass_matches_brute_force(rng, dtype):
    X, C = _data(rng, dtype=dtype)
    D, lab = _brute(X, C)
    offset = X.mean(axis=0)
    labels = np.empty(len(X), dtype=np.int32)
    dist = np.empty(len(X))
    assign_pass(X, offset, (C - offset).astype(dtype), C, 100, 33, labels, dist)
    np.testing.assert_array_equal(labels, lab)
    np.testing.assert_allclose(dist, D.min(axis=1), rtol=1e-5 if dtype is np.float32 else 1e-12)


def test_lloyd_pass_moments(rng):
    X, C = _data(rng)
    w = rng.uniform(0.1, 2.0, len(X))
    offset = np.zeros(X.shape[1])
    layout = make_layout(len(X), len(C), X.shape[1], 8, chunk=50)
    buf = Buffers(layout, len(C), X.shape[1])
    labels = np.full(len(X), -1, dtype=np.int32)
    lloyd_pass(X, offset, x_sq_norms(X, offset), w, C, layout.block_size, layout.chunk, labels,
               buf.sums, buf.weights, buf.sq, buf.changed)
    buf.reduce()
    D, lab = _brute(X, C)
    np.testing.assert_array_equal(labels, lab)
    for j in range(len(C)):
        np.testing.assert_allclose(buf.total[j], (w[lab == j, None] * X[lab == j]).sum(0),
                                   atol=1e-10)
        np.testing.assert_allclose(buf.weight[j], w[lab == j].sum())
    np.testing.assert_allclose(buf.inertia(C), (w * D.min(axis=1)).sum(), rtol=1e-10)
    assert buf.changed.sum() == len(X)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_lloyd_pass_without_norms_computes_the_same_moments(rng, dtype):
    """An empty x_sq (streamed chunks): the norms added as the rows are read equal the
    precomputed ones bit for bit."""
    X, C = _data(rng)
    X, C = X.astype(dtype), C.astype(dtype)
    w = rng.uniform(0.1, 2.0, len(X)).astype(dtype)
    offset = X.mean(axis=0).astype(dtype)
    layout = make_layout(len(X), len(C), X.shape[1], X.itemsize, chunk=50)
    out = []
    for x_sq in (x_sq_norms(X, offset), np.empty(0)):
        buf = Buffers(layout, len(C), X.shape[1])
        labels = np.full(len(X), -1, dtype=np.int32)
        lloyd_pass(X, offset, x_sq, w, C, layout.block_size, layout.chunk, labels,
                   buf.sums, buf.weights, buf.sq, buf.changed)
        out.append((labels, buf.sums.copy(), buf.weights.copy(), buf.sq.copy()))
    for a, b in zip(*out, strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("n", [1, 5, 10_000, 300_001])
def test_column_moments_match_numpy(rng, n):
    from clusterlab._kernels.moments import column_moments

    X = (rng.normal(size=(n, 5)) * [1, 10, 1e3, 1e-3, 1] + 1e4).astype(np.float32)
    mean, m2 = column_moments(X)
    X64 = X.astype(np.float64)
    np.testing.assert_allclose(mean, X64.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(m2, ((X64 - X64.mean(axis=0)) ** 2).sum(axis=0), rtol=1e-9,
                               atol=1e-9 * n)


def _columns(X, offset, layout):
    """The centred rows as float32 columns, as ``Run.columns`` makes them."""
    per_block = -(-layout.block_size // layout.chunk)
    out = np.empty((layout.n_blocks * per_block, X.shape[1], layout.chunk), dtype=np.float32)
    transpose_chunks(X, offset, layout.block_size, layout.chunk, out)
    return out


def _hamerly_state(n, k, d):
    """Layout, buffers and per-row state of a Hamerly run before its first pass."""
    layout = make_layout(n, k, d, 8, chunk=64)
    counts = np.zeros((layout.n_blocks, k), dtype=np.int64)
    return (layout, Buffers(layout, k, d), np.zeros(layout.n_blocks, dtype=np.int64), counts,
            np.full(n, -1, dtype=np.int32), np.zeros(n), np.zeros(n))


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("tighten", [True, False])
@pytest.mark.parametrize("n_hot", [0, 2])
def test_hamerly_pass_tracks_brute_force_over_moves(rng, threads, tighten, n_hot, set_threads):
    X, C = _data(rng, n=900, k=7)
    n, d = X.shape
    k = len(C)
    offset = np.zeros(d)
    w = np.ones(n)
    layout, buf, scanned, counts, labels, upper, lower = _hamerly_state(n, k, d)
    cum_move, cum_max = np.zeros(k), 0.0
    x_sq = x_sq_norms(X, offset)
    hot = NO_HOT
    for step in range(6):
        full = step in (0, 3)
        set_threads(threads)
        hamerly_pass(X, _columns(X, offset, layout), offset, x_sq, w, C, cum_move, cum_max,
                     half_gaps(C), full, tighten, hot, layout.block_size, layout.chunk,
                     labels, upper, lower, buf.sums, buf.weights, buf.sq, counts, buf.changed,
                     scanned)
        D, lab = _brute(X, C)
        np.testing.assert_array_equal(labels, lab)
        # the moments (moved row by row on light passes) equal those of the labels
        buf.reduce()
        for j in range(k):
            np.testing.assert_allclose(buf.total[j], X[lab == j].sum(0), atol=1e-9)
            assert buf.weight[j] == (lab == j).sum() == counts[:, j].sum()
        # the lazy bounds are valid
        own = np.sqrt(D[np.arange(n), lab])
        assert np.all(upper + cum_move[lab] >= own - 1e-9)
        D2 = D.copy()
        D2[np.arange(n), lab] = np.inf
        assert np.all(lower - cum_max <= np.sqrt(D2.min(axis=1)) + 1e-9)
        # move the centres a little (and one a lot) for the next pass; with hot
        # centres, the bounds decay by the largest move of the others only
        new = C + rng.normal(scale=0.05, size=C.shape)
        new[step % k] += 1.0
        move = np.sqrt(((new - C) ** 2).sum(axis=1))
        cum_move += move
        order = np.argsort(-move)
        hot = order[:n_hot].astype(np.int64)
        cum_max += move[order[n_hot]]
        C = new
    assert scanned.sum() < n  # the bounds settled some rows on the last light pass


def test_cluster_costs_brute_force(rng):
    X, C = _data(rng, n=300, k=5)
    w = rng.uniform(0.5, 1.5, len(X))
    D, lab = _brute(X, C)
    removal, sse = np.empty(5), np.empty(5)
    cluster_costs(X, w, C, lab.astype(np.int32), removal, sse)
    second = np.sort(D, axis=1)[:, 1]
    for j in range(5):
        m = lab == j
        np.testing.assert_allclose(sse[j], (w[m] * D[m, j]).sum(), rtol=1e-12)
        np.testing.assert_allclose(removal[j], (w[m] * (second[m] - D[m, j])).sum(), rtol=1e-10)


@pytest.mark.parametrize("m", [2.0, 1.5, 4.0])
def test_fcm_memberships_formula(rng, m):
    X, C = _data(rng, n=200, k=4)
    D, _ = _brute(X, C)
    inv = D ** (-1.0 / (m - 1.0))
    expected = inv / inv.sum(axis=1, keepdims=True)
    out = np.empty((len(X), 4))
    fcm_memberships(X, C, m, out)
    np.testing.assert_allclose(out, expected, rtol=1e-10)


def test_all_sq_distances(rng):
    X, C = _data(rng, n=50)
    out = np.empty((50, len(C)))
    all_sq_distances(X, C, out)
    np.testing.assert_allclose(out, _brute(X, C)[0], rtol=1e-12)


@pytest.mark.parametrize("m", [2.0, 1.5])
def test_fcm_pass_moments_brute_force(rng, m):
    # pieces of 256 points plus a short one; one point sits exactly on a centre
    X, C = _data(rng, n=700, k=4)
    X[11] = C[2]
    w = rng.uniform(0.5, 2.0, len(X))
    D, _ = _brute(X, C)
    with np.errstate(divide="ignore", invalid="ignore"):
        inv = D ** (-1.0 / (m - 1.0))
        u = inv / inv.sum(axis=1, keepdims=True)
    u[11] = np.eye(4)[2]
    um = w[:, None] * u**m
    sums, weights = np.zeros((2, 4, X.shape[1])), np.zeros((2, 4))
    obj, pc = np.zeros(2), np.zeros(2)
    fcm_pass(X, w, C, m, 350, sums, weights, obj, pc)
    np.testing.assert_allclose(sums.sum(0), um.T @ X, rtol=1e-12)
    np.testing.assert_allclose(weights.sum(0), um.sum(0), rtol=1e-12)
    np.testing.assert_allclose(obj.sum(), (w * (u**m * D).sum(1)).sum(), rtol=1e-12)
    np.testing.assert_allclose(pc.sum(), (u**2).sum(), rtol=1e-12)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_hamerly_labels_exact_where_float32_cannot_tell(rng, dtype):
    # points a hair (1e-10) off the bisector of two centres: float32 products
    # cannot separate them, so the pass must re-scan them in float64
    C = np.array([[1.0, 0.0, 0.0], [-1.0, 0.0, 0.0], [0.0, 5.0, 0.0]], dtype=dtype)
    n = 400
    X = np.column_stack([np.zeros(n), rng.uniform(-1, 1, n), rng.uniform(-1, 1, n)])
    X[:, 0] = np.where(np.arange(n) % 2 == 0, 1e-10, -1e-10)
    X = X.astype(dtype)
    k, d = C.shape
    layout, buf, scanned, counts, labels, upper, lower = _hamerly_state(n, k, d)
    offset = np.zeros(d, dtype=dtype)
    hamerly_pass(X, _columns(X, offset, layout), offset, x_sq_norms(X, offset), np.ones(n), C,
                 np.zeros(k), 0.0, half_gaps(C), True, True, NO_HOT, layout.block_size,
                 layout.chunk, labels, upper, lower, buf.sums, buf.weights, buf.sq, counts,
                 buf.changed, scanned)
    D, lab = _brute(X, C)
    np.testing.assert_array_equal(labels, lab)
    np.testing.assert_array_equal(lab, np.where(np.arange(n) % 2 == 0, 0, 1))
    own = np.sqrt(D[np.arange(n), lab])
    assert np.all(upper >= own) and np.all(lower <= np.sqrt(np.sort(D, axis=1)[:, 1]))
    # the next pass (nothing moved) keeps them, on bounds alone or rescanned
    hamerly_pass(X, _columns(X, offset, layout), offset, x_sq_norms(X, offset), np.ones(n), C,
                 np.zeros(k), 0.0, half_gaps(C), False, True, NO_HOT, layout.block_size,
                 layout.chunk, labels, upper, lower, buf.sums, buf.weights, buf.sq, counts,
                 buf.changed, scanned)
    np.testing.assert_array_equal(labels, lab)


def _yinyang_state(n, k, d, C, chunk=64):
    """Layout, buffers, groups and per-row state of a Yinyang run before its first pass."""
    from clusterlab.cluster._bounds import group_centers

    layout = make_layout(n, k, d, 8, chunk=chunk)
    order, starts, group_of = group_centers(C, 4)
    t = len(starts) - 1
    counts = np.zeros((layout.n_blocks, k), dtype=np.int64)
    return (layout, Buffers(layout, k, d), (order, starts, group_of),
            np.zeros(layout.n_blocks, dtype=np.int64), counts, np.full(n, -1, dtype=np.int32),
            np.zeros(n), np.zeros((n, t), dtype=np.float32), np.zeros(n, dtype=np.float32))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("full_pairs", [0, 5, 10**9], ids=["all-full", "mixed", "groups"])
def test_yinyang_pass_tracks_brute_force_over_moves(rng, threads, dtype, full_pairs,
                                                   set_threads):
    X, C = _data(rng, n=900, k=17, dtype=dtype)
    n, d = X.shape
    k = len(C)
    offset = X.mean(axis=0).astype(dtype)
    w = rng.uniform(0.5, 2.0, n)
    layout, buf, groups, pairs, counts, labels, upper, lower, lower0 = _yinyang_state(n, k, d, C)
    order, starts, group_of = groups
    cum_move, cum_gmove, cum_max = np.zeros(k), np.zeros(len(starts) - 1), 0.0
    x_sq = x_sq_norms(X, offset)
    light_pairs = []
    for step in range(7):
        Cs = (C - offset).astype(dtype)
        set_threads(threads)
        yinyang_pass(X, _columns(X, offset, layout), offset, x_sq, w, Cs, order, starts, group_of,
               cum_move, cum_gmove, cum_max, half_gaps(Cs), step == 3, full_pairs,
               layout.block_size, layout.chunk, labels, upper, lower, lower0, buf.sums,
               buf.weights, buf.sq, counts, buf.changed, pairs)
        if step not in (0, 3):
            light_pairs.append(pairs.sum())
        D, lab = _brute(X, C)
        np.testing.assert_array_equal(labels, lab)
        buf.reduce()
        Xc = (X - offset).astype(np.float64)
        for j in range(k):
            np.testing.assert_allclose(buf.total[j], (w[lab == j, None] * Xc[lab == j]).sum(0),
                                       atol=1e-8)
            np.testing.assert_allclose(buf.weight[j], w[lab == j].sum(), rtol=1e-12)
            assert counts[:, j].sum() == (lab == j).sum()
        # the lazy bounds are valid: upper above the own distance, each group's bound
        # below its nearest centre other than the own one
        own = np.sqrt(D[np.arange(n), lab])
        assert np.all(upper + cum_move[lab] >= own * (1 - 1e-6))
        for g in range(len(starts) - 1):
            members = order[starts[g]:starts[g + 1]]
            Dg = np.sqrt(D[:, members])
            Dg[lab[:, None] == members[None, :]] = np.inf
            assert np.all(lower[:, g] - cum_gmove[g] <= Dg.min(axis=1) * (1 + 1e-6) + 1e-6)
        D2 = np.sqrt(D)
        D2[np.arange(n), lab] = np.inf
        assert np.all(lower0 - cum_max <= D2.min(axis=1) * (1 + 1e-6) + 1e-6)
        # move the centres a little (and one a lot) for the next pass
        new = C + rng.normal(scale=0.05, size=C.shape).astype(dtype)
        new[step % k] += 1.0
        move = np.sqrt(((new.astype(np.float64) - C) ** 2).sum(axis=1))
        cum_move += move
        cum_gmove += np.maximum.reduceat(move[order], starts[:-1])
        cum_max += move.max()
        C = new
    # the bounds spared work on the light passes
    assert min(light_pairs) < n * k


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_yinyang_labels_exact_where_float32_cannot_tell(rng, dtype):
    # points a hair (1e-10) off the bisector of two centres: float32 products cannot
    # separate them, so both the full and the light pass must rescan them in float64
    C = np.array([[1.0, 0.0, 0.0], [-1.0, 0.0, 0.0], [0.0, 5.0, 0.0], [0.0, -5.0, 0.0]],
                 dtype=dtype)
    n = 400
    X = np.column_stack([np.zeros(n), rng.uniform(-1, 1, n), rng.uniform(-1, 1, n)])
    X[:, 0] = np.where(np.arange(n) % 2 == 0, 1e-10, -1e-10)
    X = X.astype(dtype)
    k, d = C.shape
    layout, buf, groups, pairs, counts, labels, upper, lower, lower0 = _yinyang_state(n, k, d, C)
    order, starts, group_of = groups
    offset = np.zeros(d, dtype=dtype)
    expected = np.where(np.arange(n) % 2 == 0, 0, 1)
    for step, move in enumerate([0.0, 1e-3]):
        cum = np.full(k, move * step)
        yinyang_pass(X, _columns(X, offset, layout), offset, x_sq_norms(X, offset), np.ones(n),
                     C, order, starts, group_of, cum, np.full(len(starts) - 1, move * step),
                     move * step, half_gaps(C), False, 2, layout.block_size, layout.chunk,
                     labels, upper, lower, lower0, buf.sums, buf.weights, buf.sq, counts,
                     buf.changed, pairs)
        np.testing.assert_array_equal(labels, expected)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_assign_pass_exact_where_float32_cannot_tell(rng, dtype):
    # a hair (1e-10) off the bisector of two centres far from the origin: the
    # float32 screen cannot separate them, the float64 decision in the data's
    # own coordinates must
    C = np.array([[101.0, 7.0, 0.0], [99.0, 7.0, 0.0], [100.0, 12.0, 0.0]], dtype=dtype)
    n = 300
    X = np.column_stack([np.full(n, 100.0), 7 + rng.uniform(-1, 1, n), rng.uniform(-1, 1, n)])
    X = X.astype(dtype)
    X[:, 0] += np.where(np.arange(n) % 2 == 0, 1, -1) * np.spacing(dtype(100.0))
    D, lab = _brute(X, C)
    offset = C.mean(axis=0)
    labels = np.empty(n, dtype=np.int32)
    dist = np.empty(n)
    assign_pass(X, offset, (C - offset).astype(dtype), C, 64, 32, labels, dist)
    np.testing.assert_array_equal(labels, lab)
    np.testing.assert_array_equal(lab, np.where(np.arange(n) % 2 == 0, 0, 1))
    np.testing.assert_allclose(dist, D.min(axis=1), rtol=1e-15)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_confirm_labels_in_the_data_coordinates(rng, dtype):
    # far from the origin, so that centring rounds; rows a hair off the bisector of
    # the first two centres: the bound pass works on the centred copy, the
    # confirmation must give the exact labels in the data's own coordinates
    from clusterlab._kernels.bounds import confirm_labels

    centers = np.array([[1001.0, 7.0, 0.0], [999.0, 7.0, 0.0], [1000.0, 12.0, 0.0]],
                       dtype=dtype)
    n = 500
    X = np.column_stack([np.full(n, 1000.0), 7 + rng.uniform(-1, 1, n), rng.uniform(-1, 1, n)])
    X = X.astype(dtype)
    X[:, 0] += np.where(np.arange(n) % 2 == 0, 1, -1) * np.spacing(dtype(1000.0))
    X[::7] += rng.normal(size=(len(X[::7]), 3)).astype(dtype)  # and some ordinary rows
    offset = (X.mean(axis=0) + 0.37).astype(dtype)
    C = (centers - offset).astype(dtype)
    k, d = C.shape
    layout, buf, scanned, counts, labels, upper, lower = _hamerly_state(n, k, d)
    x_sq = x_sq_norms(X, offset)
    hamerly_pass(X, _columns(X, offset, layout), offset, x_sq, np.ones(n), C, np.zeros(k),
                 0.0, half_gaps(C), True, True, NO_HOT, layout.block_size, layout.chunk, labels,
                 upper, lower, buf.sums, buf.weights, buf.sq, counts, buf.changed, scanned)
    dist = np.empty(n)
    confirm_labels(X, x_sq, labels, upper, np.zeros(k), lower[:, None], np.zeros(1),
                   half_gaps(C), centers, dist)
    D, lab = _brute(X, centers)
    np.testing.assert_array_equal(labels, lab)
    np.testing.assert_allclose(dist, D.min(axis=1), rtol=1e-15)
