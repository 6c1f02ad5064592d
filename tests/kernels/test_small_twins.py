"""The numpy kernels of small fits (``_kernels/small``) against numba's, and what they spare.

Each twin is called with the same arguments as its numba kernel on random
inputs (both dtypes, weights, ties, empty clusters, -inf rows): labels must be
equal and floats equal to rounding. Then whole fits with and without the twins
(``clusterlab.config(small_kernel_work=0)`` sends every call to numba), and a
new process that fits small KMeans and GaussianMixture models must never
import numba (issue 18's memory floor: numba's runtime is ~100 MB).
"""

import json
import subprocess
import sys
import warnings

import numpy as np
import pytest

import clusterlab
from clusterlab import FuzzyCMeans, GaussianMixture, KMeans, MiniBatchKMeans
from clusterlab._kernels import distance, estep, fuzzy, is_small, kernels, lloyd
from clusterlab._kernels.small import distance as s_distance
from clusterlab._kernels.small import estep as s_estep
from clusterlab._kernels.small import fuzzy as s_fuzzy
from clusterlab._kernels.small import lloyd as s_lloyd
from clusterlab.cluster._lloyd import make_layout

DTYPES = [np.float64, np.float32]


def _close(a, b, dtype=np.float64):
    rtol = 1e-12 if dtype == np.float64 else 1e-6
    np.testing.assert_allclose(a, b, rtol=rtol, atol=rtol)


def test_kernels_picks_the_twin_by_size_and_setting():
    assert kernels("lloyd", 100) is s_lloyd
    assert kernels("lloyd", 10**9) is lloyd
    assert kernels("sparse", 1).__name__ == "clusterlab._kernels.sparse"  # no twin
    with clusterlab.config(small_kernel_work=0):
        assert kernels("estep", 1) is estep
        assert not is_small(1)
    assert kernels("estep", 1) is s_estep


@pytest.mark.parametrize("bad", [-1, 1.5, "big", True])
def test_small_kernel_work_is_validated(bad):
    with pytest.raises((TypeError, ValueError), match="small_kernel_work"):
        clusterlab.config(small_kernel_work=bad)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("d", [1, 3, 6, 9])
def test_lloyd_twins_equal_numba(rng, dtype, d):
    n, k = 1500, 5
    X = rng.normal(size=(n, d)).astype(dtype)
    X[:3] = X[3]  # duplicate rows
    offset = X.mean(axis=0).astype(dtype)
    C = (X[rng.choice(n, k, replace=False)] - offset).astype(dtype)
    C[4] = C[3]  # a duplicate centre: ties go to the lower index
    w = rng.uniform(0.5, 2.0, size=n).astype(dtype)
    lay = make_layout(n, k, d, X.itemsize, 128)
    results = []
    for mod in (lloyd, s_lloyd):
        x_sq = np.empty(n)
        mod.centred_sq_norms(X, offset, x_sq)
        out = {"x_sq": x_sq}
        for fused in (False, True):
            labels = np.full(n, -1, dtype=np.int32)
            labels[::7] = 0
            sums, wts = np.empty((lay.n_blocks, k, d)), np.empty((lay.n_blocks, k))
            sq, changed = np.empty((lay.n_blocks, k)), np.empty(lay.n_blocks, dtype=np.int64)
            mod.lloyd_pass(X, offset, np.empty(0) if fused else x_sq, w, C, lay.block_size,
                           lay.chunk, labels, sums, wts, sq, changed)
            tot = np.empty((k, d)), np.empty(k), np.empty(k)
            mod.reduce_blocks(sums, wts, sq, *tot)
            out[fused] = (labels, sums, wts, sq, changed, tot)
        centers = (C.astype(np.float64) + offset).astype(dtype)
        labels, min_sq = np.empty(n, dtype=np.int32), np.empty(n)
        mod.assign_pass(X, offset, C, centers, lay.block_size, lay.chunk, labels, min_sq)
        to_label = np.empty(n)
        mod.sq_dist_to_label(X, offset, C, labels, to_label)
        out["assign"] = (labels, min_sq, to_label)
        results.append(out)
    a, b = results
    _close(a["x_sq"], b["x_sq"])
    for fused in (False, True):
        np.testing.assert_array_equal(a[fused][0], b[fused][0])
        assert a[fused][4].sum() == b[fused][4].sum()  # labels changed
        assert 4 not in set(b[fused][0].tolist())  # the duplicate centre never wins
        # the twin puts every moment in block 0: the block totals must agree
        for x, y in zip(a[fused][5], b[fused][5], strict=True):
            _close(x, y, dtype)
    np.testing.assert_array_equal(a["assign"][0], b["assign"][0])
    _close(a["assign"][1], b["assign"][1])
    _close(a["assign"][2], b["assign"][2])
    # and both against brute force
    D = ((X.astype(np.float64)[:, None] - (C + offset).astype(dtype)[None]) ** 2).sum(-1)
    np.testing.assert_array_equal(b["assign"][0], D.argmin(axis=1))


@pytest.mark.parametrize("dtype", DTYPES)
def test_distance_twins_equal_numba(rng, dtype):
    n, d, k = 800, 4, 6
    X = rng.normal(size=(n, d)).astype(dtype)
    C = rng.normal(size=(k, d)).astype(dtype)
    cand = X[rng.choice(n, 3, replace=False)]
    closest = rng.uniform(0, 8, size=n)
    w = rng.uniform(0.5, 2.0, size=n)
    labels = rng.integers(0, k, size=n).astype(np.int32)
    out = []
    for mod in (distance, s_distance):
        D = np.empty((n, k))
        mod.all_sq_distances(X, C, D)
        pot = np.empty((3, n))
        mod.min_sq_dist_update(X, cand, closest, pot)
        removal, sse = np.empty(k), np.empty(k)
        mod.cluster_costs(X, w, C.astype(np.float64), labels, removal, sse)
        out.append((D, pot, removal, sse))
    for x, y in zip(*out, strict=True):
        _close(x, y)


def test_cluster_costs_of_one_cluster(rng):
    X = rng.normal(size=(50, 2))
    C = X[:1].copy()
    labels = np.zeros(50, dtype=np.int32)
    got = [(np.empty(1), np.empty(1)) for _ in range(2)]
    distance.cluster_costs(X, np.ones(50), C, labels, *got[0])
    s_distance.cluster_costs(X, np.ones(50), C, labels, *got[1])
    _close(got[0][0], got[1][0])
    _close(got[0][1], got[1][1])


@pytest.mark.parametrize("hard", [False, True])
def test_estep_twins_equal_numba(rng, hard):
    n, d, k = 700, 3, 4
    X = rng.normal(size=(n, d))
    logp = rng.normal(scale=30, size=(n, k))
    logp[5] = -np.inf  # no component can produce this row
    logp[6, 2] = logp[6, 1]  # a tie: the first maximum wins
    means_t, prec_t = rng.normal(size=(d, k)), rng.uniform(0.5, 2, size=(d, k))
    log_det = rng.normal(size=k)
    w = rng.uniform(0.5, 2.0, size=n)
    resp = rng.dirichlet(np.ones(k), size=n)
    resp[0] = [1.0, 0.0, 0.0, 0.0]
    Y = rng.normal(size=(n, d * k))
    shift = rng.normal(size=d * k)
    means = rng.normal(size=(k, d))
    out = []
    for mod in (estep, s_estep):
        r = logp.copy()
        ln, el = np.empty(n), np.empty(n)
        mod.normalize_rows(r, hard, ln, el)
        ent = mod.entropy_rows(resp)
        dl, bl = np.empty((n, k)), np.empty((n, k))
        mod.diag_log_prob(X, means_t, prec_t, log_det, dl)
        mod.blocked_log_prob(Y, shift, log_det, bl)
        dev = np.empty((n, k * d))
        mod.weighted_deviations(X, resp, means, dev)
        cm = np.empty(d)
        mod.column_means(X, cm)
        counts, moments = np.empty(k), np.empty((k, 2 * d))
        mod.diag_statistics(X, resp, w, cm, counts, moments)
        fc, fm = np.empty(k), np.empty((k, 2 * d))
        sums = mod.diag_estep(X, means_t, prec_t, log_det, np.log(np.full(k, 1 / k)), w, hard,
                              cm, fc, fm)
        out.append((r, ln, el, np.array([ent]), dl, bl, dev, cm, counts, moments, fc, fm,
                    np.array(sums)))
    for x, y in zip(*out, strict=True):
        _close(x, y)
    assert np.all(out[1][0][5] == 1 / k) and out[1][1][5] == -np.inf


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kw", [{}, {"algorithm": "lloyd"}, {"init": "random", "n_init": 3},
                                {"sample_weight": True}])
def test_kmeans_fit_same_with_and_without_twins(rng, dtype, kw):
    X = rng.normal(size=(1500, 3)).astype(dtype)
    X[:500] += 4.0
    kw = dict(kw)
    sw = rng.uniform(0.5, 2, size=1500) if kw.pop("sample_weight", False) else None
    a = KMeans(4, random_state=0, **kw).fit(X, sample_weight=sw)
    with clusterlab.config(small_kernel_work=0):
        b = KMeans(4, random_state=0, **kw).fit(X, sample_weight=sw)
    np.testing.assert_array_equal(a.labels_, b.labels_)
    assert a.n_iter_ == b.n_iter_
    _close(a.cluster_centers_, b.cluster_centers_, dtype)
    _close(a.inertia_, b.inertia_, dtype)
    np.testing.assert_array_equal(a.predict(X), b.predict(X))
    _close(a.transform(X), b.transform(X), dtype)


@pytest.mark.parametrize("covariance_type", ["full", "diag", "tied", "spherical"])
def test_gaussian_mixture_fit_same_with_and_without_twins(rng, covariance_type):
    X = rng.normal(size=(1200, 3))
    X[:400] += 5.0
    fits = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence is not the point here
        for work in (None, 0):
            with clusterlab.config(small_kernel_work=work):
                gm = GaussianMixture(3, covariance_type=covariance_type, random_state=0,
                                     max_iter=60).fit(X)
                fits.append((gm, gm.predict_proba(X), gm.score_samples(X)))
    (a, pa, sa), (b, pb, sb) = fits
    assert a.n_iter_ == b.n_iter_
    for x, y in ((a.means_, b.means_), (a.covariances_, b.covariances_),
                 (a.weights_, b.weights_), (pa, pb), (sa, sb)):
        np.testing.assert_allclose(x, y, rtol=1e-9, atol=1e-10)


SMALL_FITS = """
import json, sys
import numpy as np
from clusterlab import FuzzyCMeans, GaussianMixture, KMeans, MiniBatchKMeans
rng = np.random.default_rng(0)
X = rng.normal(size=(2000, 3))
X[:700] += 5.0
for dtype in ("float64", "float32"):
    km = KMeans(3, random_state=0).fit(X.astype(dtype))
    km.predict(X), km.transform(X), km.score(X)
    MiniBatchKMeans(3, random_state=0).fit(X.astype(dtype)).predict(X)
    FuzzyCMeans(3, random_state=0).fit(X.astype(dtype)).predict_proba(X)
    for ct in ("full", "diag", "tied", "spherical"):
        gm = GaussianMixture(3, covariance_type=ct, random_state=0, max_iter=20)
        gm.fit(X.astype(dtype)).predict_proba(X)
        gm.score_samples(X), gm.bic(X)
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in ("numba", "llvmlite"))))
"""


def test_small_kmeans_and_gaussian_mixture_never_import_numba(tmp_path):
    # MiniBatchKMeans too: its batches use the kernels the whole problem's size picks
    proc = subprocess.run([sys.executable, "-W", "ignore", "-c", SMALL_FITS], cwd=tmp_path,
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == []


def test_minibatch_kmeans_same_with_and_without_twins(rng):
    X = rng.normal(size=(1500, 3))
    X[:500] += 4.0
    a = MiniBatchKMeans(4, random_state=0).fit(X)
    with clusterlab.config(small_kernel_work=0):
        b = MiniBatchKMeans(4, random_state=0).fit(X)
    np.testing.assert_array_equal(a.labels_, b.labels_)
    assert a.n_iter_ == b.n_iter_
    _close(a.cluster_centers_, b.cluster_centers_)


@pytest.mark.parametrize("m", [2.0, 1.5, 3.0])
def test_fuzzy_twins_equal_numba(rng, m):
    n, d, k = 900, 3, 4
    X = rng.normal(size=(n, d))
    C = rng.normal(size=(k, d))
    C[3] = C[2]  # coincident centres
    X[10] = C[2]  # a point on (both of) them
    X[11] = C[0]
    w = rng.uniform(0.5, 2.0, size=n)
    u0 = rng.uniform(size=(n, k))
    lay = make_layout(n, k, d, 8)
    out = []
    for mod in (fuzzy, s_fuzzy):
        nb = lay.n_blocks
        sums, wts, obj, pc = np.empty((nb, k, d)), np.empty((nb, k)), np.empty(nb), np.empty(nb)
        mod.fcm_pass(X, w, C, m, lay.block_size, sums, wts, obj, pc)
        u = np.empty((n, k))
        mod.fcm_memberships(X, C, m, u)
        ms, mw = np.empty((k, d)), np.empty(k)
        code = mod.membership_moments(X, w, u0, m, ms, mw)
        out.append((sums.sum(0), wts.sum(0), np.array([obj.sum(), pc.sum(), code]), u, ms, mw))
    for x, y in zip(*out, strict=True):
        _close(x, y)
    np.testing.assert_allclose(out[1][3][10], [0, 0, 0.5, 0.5])
    np.testing.assert_allclose(out[1][3][11], [1, 0, 0, 0])
    bad = u0.copy()
    bad[5, 1] = -1.0
    zero = u0.copy()
    zero[7] = 0.0
    for mod in (fuzzy, s_fuzzy):
        assert mod.membership_moments(X, w, bad, m, ms, mw) == 1
        assert mod.membership_moments(X, w, zero, m, ms, mw) == 2


@pytest.mark.parametrize("m", [2.0, 1.7])
def test_fuzzy_cmeans_fit_same_with_and_without_twins(rng, m):
    X = rng.normal(size=(1500, 3))
    X[:500] += 4.0
    a = FuzzyCMeans(4, m=m, random_state=0).fit(X)
    with clusterlab.config(small_kernel_work=0):
        b = FuzzyCMeans(4, m=m, random_state=0).fit(X)
    np.testing.assert_array_equal(a.labels_, b.labels_)
    assert a.n_iter_ == b.n_iter_
    _close(a.cluster_centers_, b.cluster_centers_)
    _close(a.objective_, b.objective_)
    _close(a.predict_proba(X), b.predict_proba(X))
