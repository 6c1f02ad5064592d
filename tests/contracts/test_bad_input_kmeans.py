"""Bad input to the k-means family raises a clear ValueError or TypeError."""

import numpy as np
import pytest

from clusterlab import FuzzyCMeans, KMeans, MiniBatchKMeans

FACTORIES = {
    "KMeans": lambda **kw: KMeans(**{"n_clusters": 2, "random_state": 0, **kw}),
    "MiniBatchKMeans": lambda **kw: MiniBatchKMeans(**{"n_clusters": 2, "random_state": 0, **kw}),
    "FuzzyCMeans": lambda **kw: FuzzyCMeans(**{"n_clusters": 2, "random_state": 0, **kw}),
}
X_OK = np.array([[0.0, 1.0], [1.0, 0.0], [5.0, 5.0], [6.0, 5.0]])


@pytest.fixture(params=sorted(FACTORIES))
def make(request):
    return FACTORIES[request.param]


def test_nan(make):
    X = X_OK.copy()
    X[1, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        make().fit(X)


def test_inf(make):
    X = X_OK.copy()
    X[2, 1] = np.inf
    with pytest.raises(ValueError, match="(?i)infinity"):
        make().fit(X)


def test_empty(make):
    with pytest.raises(ValueError, match="0 sample"):
        make().fit(np.empty((0, 2)))


def test_fewer_samples_than_clusters(make):
    with pytest.raises(ValueError, match="n_samples=4 should be >= n_clusters=5"):
        make(n_clusters=5).fit(X_OK)


def test_one_d(make):
    with pytest.raises(ValueError, match="2-D"):
        make().fit(np.arange(5.0))


def test_three_d(make):
    with pytest.raises(ValueError, match="2-D"):
        make().fit(np.zeros((4, 2, 2)))


def test_strings(make):
    with pytest.raises(TypeError, match="numbers"):
        make().fit(np.array([["a", "b"], ["c", "d"], ["e", "f"]]))


@pytest.mark.parametrize("k", [0, -1])
def test_n_clusters_not_positive(make, k):
    with pytest.raises(ValueError, match="'n_clusters' parameter"):
        make(n_clusters=k).fit(X_OK)


def test_negative_weights(make):
    with pytest.raises(ValueError, match="Negative values in sample_weight"):
        make().fit(X_OK, sample_weight=np.array([1.0, -1.0, 1.0, 1.0]))


def test_predict_wrong_width(make):
    est = make().fit(X_OK)
    with pytest.raises(ValueError, match="features"):
        est.predict(np.zeros((2, 3)))


def test_kmeans_bad_init_shape():
    with pytest.raises(ValueError, match=r"init should have shape .* = \(2, 2\); got \(3, 2\)"):
        KMeans(2, init=np.zeros((3, 2))).fit(X_OK)


def test_kmeans_bad_algorithm():
    with pytest.raises(ValueError, match="'algorithm' parameter"):
        KMeans(2, algorithm="fast").fit(X_OK)


def test_minibatch_partial_fit_too_few_points_first():
    with pytest.raises(ValueError, match="n_samples=1 should be >= n_clusters=2"):
        MiniBatchKMeans(2).partial_fit(X_OK[:1])


def test_minibatch_partial_fit_width_changes():
    est = MiniBatchKMeans(2, random_state=0).partial_fit(X_OK)
    with pytest.raises(ValueError, match="features"):
        est.partial_fit(np.zeros((4, 3)))


@pytest.mark.parametrize("m", [1.0, 0.5])
def test_fuzzy_m_must_exceed_one(m):
    with pytest.raises(ValueError, match="'m' parameter"):
        FuzzyCMeans(2, m=m).fit(X_OK)


def test_fuzzy_bad_membership_init():
    u0 = np.ones((4, 2))
    u0[0] = 0.0
    with pytest.raises(ValueError, match="every row needs a positive entry"):
        FuzzyCMeans(2, init=u0).fit(X_OK)


@pytest.mark.parametrize("bad", [-0.5, np.nan, np.inf])
def test_fuzzy_membership_init_must_be_finite_and_non_negative(bad):
    u0 = np.ones((4, 2))
    u0[2, 1] = bad
    with pytest.raises(ValueError, match="finite and non-negative"):
        FuzzyCMeans(2, init=u0).fit(X_OK)


def test_fuzzy_membership_init_needs_every_cluster():
    u0 = np.zeros((4, 2))
    u0[:, 0] = 1.0
    with pytest.raises(ValueError, match="every cluster needs a positive membership"):
        FuzzyCMeans(2, init=u0).fit(X_OK)
