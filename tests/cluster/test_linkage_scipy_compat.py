"""linkage against scipy: every pdist metric, callables, optimal_ordering, ClusterWarning."""

import numpy as np
import pytest
from scipy.cluster import hierarchy as sch
from scipy.spatial.distance import pdist

from clusterlab import linkage

REAL = ["braycurtis", "canberra", "chebyshev", "cityblock", "correlation", "cosine",
        "euclidean", "jensenshannon", "mahalanobis", "minkowski", "seuclidean", "sqeuclidean"]
BOOLEAN = ["dice", "hamming", "jaccard", "rogerstanimoto", "russellrao", "sokalsneath",
           "yule"]


def _data(metric, seed=0):
    rng = np.random.default_rng(seed)
    if metric in BOOLEAN:
        return (rng.uniform(size=(30, 997)) < 0.4).astype(float)  # many features: few ties
    return rng.uniform(0.1, 1.0, size=(40, 5))  # positive: jensenshannon, braycurtis


@pytest.mark.parametrize("metric", REAL + BOOLEAN)
@pytest.mark.parametrize("method", ["single", "complete", "average", "weighted"])
def test_every_pdist_metric_matches_scipy(metric, method):
    X = _data(metric)
    ours = linkage(X, method, metric=metric)
    ref = sch.linkage(X, method, metric=metric)
    np.testing.assert_allclose(ours[:, 2], ref[:, 2], rtol=1e-10, atol=1e-12)
    if np.unique(np.round(pdist(X, metric), 12)).size == X.shape[0] * (X.shape[0] - 1) // 2:
        np.testing.assert_array_equal(ours[:, [0, 1, 3]], ref[:, [0, 1, 3]])


def test_callable_metric_matches_scipy():
    X = _data("euclidean", 1)[:25]

    def l1(u, v):
        return float(np.abs(u - v).sum())

    np.testing.assert_allclose(linkage(X, "average", metric=l1),
                               sch.linkage(X, "average", metric=l1), rtol=1e-12)


def test_euclidean_only_methods_refuse_other_metrics():
    with pytest.raises(ValueError, match="needs euclidean"):
        linkage(_data("euclidean"), "ward", metric="correlation")
    with pytest.raises(ValueError, match="pdist"):
        linkage(_data("euclidean"), "single", metric="no-such-metric")


@pytest.mark.parametrize("method", ["single", "complete", "average", "ward"])
def test_optimal_ordering_matches_scipy(method):
    X = np.random.default_rng(3).normal(size=(30, 3))
    ours = linkage(X, method, optimal_ordering=True)
    ref = sch.linkage(X, method, optimal_ordering=True)
    np.testing.assert_allclose(ours, ref, rtol=1e-10)
    np.testing.assert_array_equal(sch.leaves_list(ours), sch.leaves_list(ref))
    D = pdist(X)
    np.testing.assert_allclose(linkage(D, method, optimal_ordering=True), ref, rtol=1e-10)


def test_square_distance_matrix_as_observations_warns():
    D = np.array([[0.0, 1.0, 2.0], [1.0, 0.0, 1.5], [2.0, 1.5, 0.0]])
    with pytest.warns(sch.ClusterWarning):
        linkage(D)
