"""AgglomerativeClustering, Tree and linkage: API, oracles (scikit-learn,
scipy, brute force) and bad input."""

import matplotlib
import numpy as np
import pytest
import scipy.cluster.hierarchy as sch
from scipy.spatial.distance import pdist, squareform
from sklearn.cluster import AgglomerativeClustering as SkAgglo
from sklearn.metrics import adjusted_rand_score
from sklearn.neighbors import kneighbors_graph

from clusterlab import AgglomerativeClustering, Tree, linkage
from clusterlab.io import load_model, save_model

matplotlib.use("Agg")


@pytest.fixture
def blobs(rng):
    centres = np.array([[0.0, 0.0], [6.0, 0.0], [0.0, 6.0], [6.0, 6.0]])
    return np.concatenate([c + rng.normal(size=(30, 2)) for c in centres])


# ------------------------------------------------------------------ bad input


@pytest.mark.parametrize(
    "X, match",
    [
        (np.array([[0.0, 1.0], [np.nan, 2.0], [3.0, 4.0]]), "NaN"),
        (np.array([[0.0, 1.0]]), "1 sample"),
        (np.zeros((0, 2)), "0 sample"),
        (np.zeros((3, 2, 2)), "3-D|dim"),
        (np.array([1.0, 2.0]), "length n\\*\\(n-1\\)/2"),
        (np.array([1.0, -2.0, 3.0]), "non-negative"),
        (np.array([1.0, np.inf, 3.0]), "finite"),
        (np.array([1.0, np.nan, 3.0]), "finite"),
        (np.array([]), "length"),
    ],
)
def test_linkage_bad_input(X, match):
    with pytest.raises(ValueError, match=match):
        linkage(X, "average")


def test_linkage_bad_precomputed():
    D = squareform(pdist(np.arange(8.0).reshape(4, 2)))
    bad_sym = D.copy()
    bad_sym[0, 1] += 1
    with pytest.raises(ValueError, match="symmetric"):
        linkage(bad_sym, "single", metric="precomputed")
    bad_neg = -D
    with pytest.raises(ValueError, match="non-negative"):
        linkage(bad_neg, "single", metric="precomputed")
    bad_diag = D + np.eye(4)
    with pytest.raises(ValueError, match="diagonal"):
        linkage(bad_diag, "single", metric="precomputed")
    with pytest.raises(ValueError, match="square"):
        linkage(D[:, :3], "single", metric="precomputed")
    with pytest.raises(ValueError, match="finite"):
        linkage(np.where(D > 3, np.inf, D), "single", metric="precomputed")


def test_linkage_bad_parameters():
    X = np.arange(8.0).reshape(4, 2)
    with pytest.raises(ValueError, match="method must be one of"):
        linkage(X, "mean")
    with pytest.raises(ValueError, match="metric must be one of"):
        linkage(X, "single", metric="minkowski")
    with pytest.raises(ValueError, match="needs euclidean"):
        linkage(X, "ward", metric="cityblock")
    with pytest.raises(TypeError, match="numbers"):
        linkage(np.array([["a", "b"], ["c", "d"]]), "single")
    with pytest.raises(ValueError, match="all-zero rows"):
        linkage(np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]]), "single", metric="cosine")


def test_estimator_bad_input():
    with pytest.raises(ValueError, match="Exactly one of n_clusters"):
        AgglomerativeClustering(n_clusters=2, distance_threshold=1.0).fit(np.eye(3))
    with pytest.raises(ValueError, match="n_samples=3 should be >= n_clusters=4"):
        AgglomerativeClustering(n_clusters=4).fit(np.eye(3))
    with pytest.raises(ValueError, match="'linkage' parameter"):
        AgglomerativeClustering(linkage="mean").fit(np.eye(3))
    with pytest.raises(ValueError, match="needs euclidean"):
        AgglomerativeClustering(linkage="ward", metric="cosine").fit(np.eye(3))
    with pytest.raises(ValueError, match="connectivity must have shape"):
        AgglomerativeClustering(connectivity=np.eye(2)).fit(np.eye(3))


# ------------------------------------------------------- estimator vs oracles


@pytest.mark.parametrize("method", ["ward", "complete", "average", "single"])
def test_matches_sklearn_labels_and_distances(blobs, method):
    ours = AgglomerativeClustering(n_clusters=4, linkage=method).fit(blobs)
    theirs = SkAgglo(n_clusters=4, linkage=method, compute_distances=True).fit(blobs)
    assert adjusted_rand_score(ours.labels_, theirs.labels_) == 1.0
    np.testing.assert_allclose(ours.distances_, theirs.distances_, rtol=1e-10)
    assert ours.n_clusters_ == 4 and ours.labels_.dtype == np.int64
    np.testing.assert_array_equal(ours.fit_predict(blobs), ours.labels_)


def test_distance_threshold_matches_sklearn(blobs):
    ours = AgglomerativeClustering(n_clusters=None, distance_threshold=5.0).fit(blobs)
    theirs = SkAgglo(n_clusters=None, distance_threshold=5.0).fit(blobs)
    assert ours.n_clusters_ == theirs.n_clusters_
    assert adjusted_rand_score(ours.labels_, theirs.labels_) == 1.0


@pytest.mark.parametrize("method", ["ward", "complete", "average", "single", "centroid"])
def test_distance_threshold_cuts_as_tree_cut_height(blobs, method):
    """One rule: ``cut(height=distance_threshold)`` equals ``labels_``, also at
    thresholds exactly on merge heights; between heights both equal scipy's
    fcluster (exactly on a height, scipy's rounding of that height decides)."""
    Z = linkage(blobs, method)
    heights = Z[:, 2]
    between = 0.5 * (heights[-4] + heights[-3])
    for t in [heights[len(heights) // 2], heights[-3], between]:
        model = AgglomerativeClustering(n_clusters=None, distance_threshold=float(t),
                                        linkage=method).fit(blobs)
        np.testing.assert_array_equal(model.cut(height=t), model.labels_)
        np.testing.assert_array_equal(Tree(Z).cut(height=t), model.labels_)
    expected = sch.fcluster(sch.linkage(blobs, method), between, criterion="distance")
    assert adjusted_rand_score(model.labels_, expected) == 1.0


def test_distance_threshold_on_a_merge_height_keeps_that_merge():
    X = np.array([[0.0], [1.0], [3.0]])  # single-linkage heights 1 and 2
    model = AgglomerativeClustering(n_clusters=None, distance_threshold=1.0,
                                    linkage="single").fit(X)
    assert model.labels_.tolist() == [0, 0, 1] == Tree(linkage(X)).cut(height=1.0).tolist()


def test_recut_without_refit(blobs):
    model = AgglomerativeClustering(n_clusters=2, linkage="average").fit(blobs)
    for k in (1, 3, 4, 7, blobs.shape[0]):
        refit = AgglomerativeClustering(n_clusters=k, linkage="average").fit(blobs)
        np.testing.assert_array_equal(model.cut(n_clusters=k), refit.labels_)
    t = float(np.median(model.distances_))
    expected = sch.fcluster(model.linkage_matrix_, t, criterion="distance")
    assert adjusted_rand_score(model.cut(height=t), expected) == 1.0
    with pytest.raises(ValueError, match="exactly one"):
        model.cut(n_clusters=2, height=1.0)


def test_precomputed_equals_observations(blobs):
    D = squareform(pdist(blobs, "cityblock"))
    a = AgglomerativeClustering(n_clusters=3, linkage="complete", metric="precomputed").fit(D)
    b = AgglomerativeClustering(n_clusters=3, linkage="complete", metric="cityblock").fit(blobs)
    np.testing.assert_array_equal(a.linkage_matrix_, b.linkage_matrix_)


def test_linkage_matrix_is_scipy_valid(blobs):
    model = AgglomerativeClustering(n_clusters=3, linkage="ward").fit(blobs)
    Z = model.linkage_matrix_
    assert sch.is_valid_linkage(Z)
    np.testing.assert_array_equal(model.children_, Z[:, :2].astype(int))
    np.testing.assert_array_equal(model.distances_, Z[:, 2])


def test_model_file_roundtrip(blobs, tmp_path):
    model = AgglomerativeClustering(n_clusters=3, linkage="average").fit(blobs)
    path = tmp_path / "hc"
    save_model(model, path)
    back = load_model(path)
    np.testing.assert_array_equal(back.labels_, model.labels_)
    np.testing.assert_array_equal(back.cut(n_clusters=5), model.cut(n_clusters=5))


# ------------------------------------------------------------- connectivity


@pytest.mark.parametrize("method", ["ward", "complete", "average", "single"])
def test_connectivity_matches_sklearn(blobs, method):
    graph = kneighbors_graph(blobs, 8, include_self=False)
    ours = AgglomerativeClustering(n_clusters=4, linkage=method, connectivity=graph).fit(blobs)
    theirs = SkAgglo(
        n_clusters=4, linkage=method, connectivity=graph, compute_distances=True
    ).fit(blobs)
    assert ours.n_connected_components_ == 1
    assert adjusted_rand_score(ours.labels_, theirs.labels_) == 1.0
    np.testing.assert_allclose(np.sort(ours.distances_), np.sort(theirs.distances_), rtol=1e-10)


@pytest.mark.parametrize(
    "method", ["single", "complete", "average", "weighted", "ward", "centroid", "median"]
)
def test_connectivity_only_merges_along_edges(blobs, method):
    # a chain graph: every merge must join clusters holding adjacent points
    n = blobs.shape[0]
    chain = np.eye(n, k=1) + np.eye(n, k=-1)
    model = AgglomerativeClustering(n_clusters=1, linkage=method, connectivity=chain)
    model.fit(blobs)
    for k in (2, 5, 17):
        labels = model.cut(n_clusters=k)
        # clusters of a chain are runs of consecutive indices
        assert np.all(np.diff(labels) >= 0) and labels.max() == k - 1


def test_disconnected_graph_warns_and_keeps_components_apart(blobs):
    n = blobs.shape[0]
    graph = np.zeros((n, n))
    half = n // 2
    graph[:half, :half] = 1
    graph[half:, half:] = 1
    model = AgglomerativeClustering(n_clusters=2, linkage="ward", connectivity=graph)
    with pytest.warns(UserWarning, match="2 connected components"):
        model.fit(blobs)
    assert model.n_connected_components_ == 2
    np.testing.assert_array_equal(model.labels_, np.repeat([0, 1], half))
    # the tree is complete: one cluster is still reachable, by the last merge
    assert model.linkage_matrix_[-1, 3] == n
    assert np.all(model.cut(n_clusters=1) == 0)


def test_callable_connectivity(blobs):
    model = AgglomerativeClustering(
        n_clusters=4, connectivity=lambda X: kneighbors_graph(X, 8)
    ).fit(blobs)
    assert model.n_clusters_ == 4


# ---------------------------------------------------------------------- Tree


def test_tree_cophenetic_matches_scipy(blobs):
    Z = linkage(blobs, "average")
    tree = Tree(Z)
    np.testing.assert_allclose(tree.cophenetic(), sch.cophenet(Z), rtol=1e-12)
    square = tree.cophenetic(square=True)
    np.testing.assert_allclose(square, squareform(sch.cophenet(Z)), rtol=1e-12)


def test_tree_pandas_plot_and_cuts(blobs):
    tree = Tree.from_data(blobs, "single")
    frame = tree.to_pandas()
    assert list(frame.columns) == ["left", "right", "height", "size"]
    assert frame["size"].iloc[-1] == blobs.shape[0]
    ax = tree.plot(max_leaves=12)
    assert len(ax.get_xticklabels()) == 12
    assert "Tree(n_leaves=120" in repr(tree)
    assert np.unique(tree.cut(n_clusters=4)).size == 4
    assert np.all(tree.cut(height=np.inf) == 0)
    assert np.unique(tree.cut(height=-1.0)).size == blobs.shape[0]


def test_tree_rejects_bad_matrix():
    with pytest.raises(ValueError, match="shape"):
        Tree(np.zeros((3, 3)))
    with pytest.raises(ValueError, match="before it is formed"):
        Tree(np.array([[0.0, 5.0, 1.0, 2.0], [1.0, 2.0, 2.0, 3.0]]))
    with pytest.raises(ValueError, match="n_clusters must be in"):
        Tree(linkage(np.eye(3))).cut(n_clusters=5)
