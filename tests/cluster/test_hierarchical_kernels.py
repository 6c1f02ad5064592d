"""Linkage kernels against brute force and scipy: distances, spanning trees,
tie-breaking."""

import numpy as np
import pytest
import scipy.cluster.hierarchy as sch
from scipy.sparse.csgraph import minimum_spanning_tree
from scipy.spatial.distance import pdist, squareform

from clusterlab import linkage
from clusterlab.cluster.hierarchy._solvers import METRICS, pairwise_condensed

METRIC_NAMES = sorted(METRICS)


@pytest.mark.parametrize("metric", METRIC_NAMES)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_pdist_matches_scipy(rng, metric, dtype):
    X = rng.normal(size=(301, 7)).astype(dtype)  # odd n: the paired-rows split
    ours = pairwise_condensed(X, metric)
    theirs = pdist(X.astype(np.float64), metric)
    assert ours.dtype == np.float64
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("metric", METRIC_NAMES)
def test_single_linkage_is_a_minimum_spanning_tree(rng, metric):
    # brute force: total single-linkage height = weight of the MST
    X = rng.normal(size=(120, 3))
    Z = linkage(X, "single", metric=metric)
    mst = minimum_spanning_tree(squareform(pdist(X, metric)))
    np.testing.assert_allclose(Z[:, 2].sum(), mst.sum(), rtol=1e-12)
    assert np.all(np.diff(Z[:, 2]) >= 0)


@pytest.mark.parametrize("method", ["single", "complete", "average", "weighted", "ward"])
def test_ties_break_like_scipy(method):
    # a regular grid: every nearest-neighbour distance is tied
    X = np.array([[i, j] for i in range(5) for j in range(4)], dtype=np.float64)
    Zs = sch.linkage(pdist(X), method)
    candidates = [linkage(pdist(X), method)]
    if method != "ward":  # ward on observations uses the generic algorithm
        candidates.append(linkage(X, method))
    for Z in candidates:  # same merges; heights up to rounding
        np.testing.assert_array_equal(Z[:, [0, 1, 3]], Zs[:, [0, 1, 3]])
        np.testing.assert_allclose(Z[:, 2], Zs[:, 2], rtol=1e-12)


def test_ties_are_deterministic_for_centre_methods():
    X = np.array([[i, j] for i in range(6) for j in range(6)], dtype=np.float64)
    for method in ("ward", "centroid", "median"):
        first = linkage(X, method)
        np.testing.assert_array_equal(first, linkage(X.copy(), method))
        # the first merge joins the lowest-index closest pair
        np.testing.assert_array_equal(first[0, :2], [0, 1])


def test_two_points_and_duplicates():
    Z = linkage(np.array([[1.0, 1.0], [1.0, 1.0]]), "ward")
    np.testing.assert_array_equal(Z, [[0.0, 1.0, 0.0, 2.0]])
    X = np.repeat(np.arange(4.0), 3).reshape(-1, 1)
    for method in ("single", "average", "ward", "centroid"):
        Z = linkage(X, method)
        assert np.count_nonzero(Z[:, 2] == 0) == 8  # 4 groups of 3 copies


def test_condensed_input_is_not_modified(rng):
    D = pdist(rng.normal(size=(30, 2)))
    before = D.copy()
    for method in ("single", "average", "ward", "centroid"):
        linkage(D, method)
    np.testing.assert_array_equal(D, before)
