"""clusterlab.linkage against scipy.cluster.hierarchy: same merges, heights
(relative 1e-10) and the same clusters at every level."""

import json
from pathlib import Path

import numpy as np
import pytest
import scipy.cluster.hierarchy as sch
from scipy.spatial.distance import pdist, squareform
from sklearn.cluster._agglomerative import _hc_cut
from sklearn.datasets import load_digits
from sklearn.metrics import adjusted_rand_score

from clusterlab import Tree, linkage
from clusterlab.datasets import load_iris

METHODS = ["single", "complete", "average", "weighted", "ward", "centroid", "median"]
GRAPH_METHODS = ["single", "complete", "average", "weighted"]
METRICS = ["euclidean", "sqeuclidean", "cityblock", "cosine", "chebyshev"]


def assert_same_tree(Z, Zs):
    """Same merges and sizes, heights within 1e-10 relative."""
    assert Z.shape == Zs.shape and Z.dtype == np.float64
    np.testing.assert_array_equal(Z[:, [0, 1, 3]], Zs[:, [0, 1, 3]])
    np.testing.assert_allclose(Z[:, 2], Zs[:, 2], rtol=1e-10, atol=0)


def assert_same_levels(Z, Zs):
    """Same partition after every number of merges and at every height."""
    tree = Tree(Z)
    n = tree.n_leaves
    children = Zs[:, :2].astype(np.intp)
    for k in range(1, n + 1, max(1, n // 50)):
        # scikit-learn's cut (undo the last merges) as the independent oracle:
        # scipy's cut_tree mislabels trees with tied heights
        theirs = _hc_cut(k, children, n)
        assert adjusted_rand_score(tree.cut(n_clusters=k), theirs) == 1.0
    # probe between consecutive heights: a probe exactly at a height would
    # compare rounding (1e-16) rather than clusters
    heights = np.unique(Zs[:, 2])
    probes = np.concatenate([[heights[0] / 2], (heights[:-1] + heights[1:]) / 2])
    for t in probes[:: max(1, probes.size // 40)]:
        theirs = sch.fcluster(Zs, t, criterion="distance")
        ours = tree.cut(height=t)
        assert adjusted_rand_score(ours, theirs) == 1.0


@pytest.fixture
def untied(rng):
    return rng.normal(size=(80, 5))


@pytest.mark.parametrize("method", METHODS)
def test_observations_euclidean(untied, method):
    Z = linkage(untied, method)
    Zs = sch.linkage(untied, method)
    assert_same_tree(Z, Zs)
    if method not in ("centroid", "median"):  # inversions: fcluster/cut_tree differ
        assert_same_levels(Z, Zs)


@pytest.mark.parametrize("metric", METRICS)
@pytest.mark.parametrize("method", GRAPH_METHODS)
def test_observations_every_metric(untied, method, metric):
    Z = linkage(untied, method, metric=metric)
    Zs = sch.linkage(pdist(untied, metric), method)
    assert_same_tree(Z, Zs)
    assert_same_levels(Z, Zs)


@pytest.mark.parametrize("method", METHODS)
def test_condensed_and_precomputed(untied, method):
    D = pdist(untied, "cityblock")
    Zs = sch.linkage(D, method)
    assert_same_tree(linkage(D, method), Zs)
    assert_same_tree(linkage(squareform(D), method, metric="precomputed"), Zs)


@pytest.mark.parametrize("method", ["ward", "centroid", "median", "single", "average"])
def test_larger_n_exercises_compaction(method, rng):
    # n > 512 makes the O(n d) generic kernel squeeze out dead slots
    X = rng.normal(size=(1300, 3))
    assert_same_tree(linkage(X, method), sch.linkage(X, method))


def test_float32_observations(untied):
    X = untied.astype(np.float32)
    for method in ("single", "ward", "average"):
        assert_same_tree(linkage(X, method), sch.linkage(X.astype(np.float64), method))


def test_inversions_keep_merge_order(rng):
    # centroid/median heights can decrease; like scipy, rows stay in merge order
    X = rng.normal(size=(300, 2))
    for method in ("centroid", "median"):
        Z = linkage(X, method)
        assert np.any(np.diff(Z[:, 2]) < 0)
        assert_same_tree(Z, sch.linkage(X, method))


# the repository's copy of scipy's published vectors (see tests/data/SOURCES.md)
TEST_DATA = Path(__file__).resolve().parents[1] / "data"

# scipy publishes these vectors rounded to 8 significant digits
PUBLISHED_RTOL = 1e-7


def _published():
    """SciPy's published test vectors, kept in tests/data (see its SOURCES.md)."""
    return json.loads((TEST_DATA / "scipy_hierarchy_test_data.json").read_text())


@pytest.mark.parametrize("method", ["single", "complete", "average", "weighted"])
def test_scipy_published_vectors_ytdist(method):
    data = _published()
    expected = np.asarray(data[f"linkage_ytdist_{method}"], dtype=np.float64)
    Z = linkage(np.asarray(data["ytdist"], dtype=np.float64), method)
    np.testing.assert_allclose(Z, expected, rtol=PUBLISHED_RTOL)


@pytest.mark.parametrize("method", ["centroid", "median", "ward"])
def test_scipy_published_vectors_X(method):
    data = _published()
    expected = np.asarray(data[f"linkage_X_{method}"], dtype=np.float64)
    Z = linkage(np.asarray(data["X"], dtype=np.float64), method)
    np.testing.assert_allclose(Z, expected, rtol=PUBLISHED_RTOL)


def test_scipy_published_cophenet():
    data = _published()
    Z = linkage(np.asarray(data["ytdist"], dtype=np.float64), "single")
    coph = Tree(Z).cophenetic()
    np.testing.assert_allclose(coph, data["cophenet_single_ytdist_M"], rtol=PUBLISHED_RTOL)
    corr = np.corrcoef(coph, data["ytdist"])[0, 1]
    np.testing.assert_allclose(corr, data["cophenet_single_ytdist_c"], rtol=PUBLISHED_RTOL)


def _greedy_oracle(X, Z, method):
    """Brute force: every merge joins a closest pair of the current clusters
    (centre-based distance), at that distance. Holds whatever the ties."""
    n = X.shape[0]
    centre = {i: X[i].astype(np.float64) for i in range(n)}
    size = {i: 1.0 for i in range(n)}

    def dist(a, b):
        sq = np.sum((centre[a] - centre[b]) ** 2, axis=-1)
        if method == "ward":
            return np.sqrt(2 * size[a] * size[b] / (size[a] + size[b]) * sq)
        return np.sqrt(sq)

    for k, (a, b, h, _) in enumerate(Z):
        a, b = int(a), int(b)
        ids = sorted(centre)
        C = np.array([centre[i] for i in ids])
        S = np.array([size[i] for i in ids])
        sq = np.sum((C[:, None, :] - C[None, :, :]) ** 2, axis=-1)
        if method == "ward":
            sq = 2 * S[:, None] * S[None, :] / (S[:, None] + S[None, :]) * sq
        np.fill_diagonal(sq, np.inf)
        assert np.isclose(h, np.sqrt(sq.min()), rtol=1e-10, atol=1e-12)
        assert np.isclose(h, dist(a, b), rtol=1e-10, atol=1e-12)
        new = n + k
        na, nb = size.pop(a), size.pop(b)
        ca, cb = centre.pop(a), centre.pop(b)
        centre[new] = (ca + cb) / 2 if method == "median" else (na * ca + nb * cb) / (na + nb)
        size[new] = na + nb


def _real(name):
    if name == "iris":
        return load_iris()[0]
    return load_digits().data[:700]


@pytest.mark.parametrize("dataset", ["iris", "digits"])
@pytest.mark.parametrize("method", ["single", "complete", "average", "weighted"])
def test_real_data_tied_distances_match_scipy_exactly(dataset, method):
    # iris and digits are full of tied distances; these algorithms break
    # ties exactly as scipy does, so the trees are identical
    X = _real(dataset)
    Zs = sch.linkage(X, method)
    for Z in (linkage(X, method), linkage(pdist(X), method)):
        assert_same_tree(Z, Zs)
        assert_same_levels(Z, Zs)


@pytest.mark.parametrize("dataset", ["iris", "digits"])
def test_real_data_ward(dataset):
    X = _real(dataset)
    Zs = sch.linkage(X, "ward")
    # on distances: NN-chain, identical to scipy even with ties
    Zc = linkage(pdist(X), "ward")
    assert_same_tree(Zc, Zs)
    assert_same_levels(Zc, Zs)
    # on observations (O(n d) generic algorithm): same heights; tied merges
    # may pair up differently, each still a closest pair
    Z = linkage(X, "ward")
    np.testing.assert_allclose(Z[:, 2], Zs[:, 2], rtol=1e-10, atol=1e-12)
    if dataset == "iris":
        _greedy_oracle(X, Z, "ward")


@pytest.mark.parametrize("method", ["centroid", "median", "ward"])
def test_real_data_centre_methods_are_greedy_optimal(method):
    # with ties, scipy's heap and ours may pick different (equally close)
    # pairs; the brute-force oracle checks every merge is a closest pair
    X = _real("iris")
    _greedy_oracle(X, linkage(X, method), method)
    _greedy_oracle(X, linkage(pdist(X), method), method)


def test_real_data_untied_subset_matches_scipy_for_centre_methods():
    # a tiny jitter removes the ties: then centroid and median agree exactly
    X = _real("digits")[:400] + np.random.default_rng(0).normal(scale=1e-3, size=(400, 64))
    for method in ("centroid", "median"):
        assert_same_tree(linkage(X, method), sch.linkage(X, method))
