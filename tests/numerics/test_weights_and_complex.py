"""Issue 12: sample_weight out of range is refused by name; complex input is a TypeError."""

import numpy as np
import pytest

from clusterlab import (
    AgglomerativeClustering,
    FuzzyCMeans,
    GaussianMixture,
    KernelDensity,
    KMeans,
    MiniBatchKMeans,
    MixtureModel,
    linkage,
)

rng = np.random.default_rng(0)
X = np.vstack([rng.normal(size=(30, 2)), rng.normal(size=(30, 2)) + 6.0])
N = X.shape[0]

WEIGHTED = {
    "KMeans": lambda: KMeans(2, n_init=1, random_state=0),
    "MiniBatchKMeans": lambda: MiniBatchKMeans(2, random_state=0),
    "FuzzyCMeans": lambda: FuzzyCMeans(2, random_state=0),
    "GaussianMixture": lambda: GaussianMixture(2, random_state=0),
    "MixtureModel": lambda: MixtureModel(2, family="gaussian", random_state=0),
    "KernelDensity": lambda: KernelDensity(),
}


@pytest.mark.parametrize("name", sorted(WEIGHTED))
@pytest.mark.parametrize("weights, match", [
    (np.full(N, 1e-310), "sample_weight holds only subnormal"),
    (np.full(N, 1e308), "sample_weight sums to more than"),
    (np.r_[np.full(N - 1, 1.0), np.nan], "sample_weight contains NaN or infinity"),
    (np.r_[np.full(N - 1, 1.0), np.inf], "sample_weight contains NaN or infinity"),
], ids=["subnormal", "overflowing-sum", "nan", "inf"])
def test_out_of_range_weights_are_refused_by_name(name, weights, match):
    with pytest.raises(ValueError, match=match):
        WEIGHTED[name]().fit(X, sample_weight=weights)


def test_float32_weights_too_large_for_float32():
    with pytest.raises(ValueError, match="sample_weight holds values too large for float32"):
        KMeans(2, n_init=1).fit(X.astype(np.float32), sample_weight=np.full(N, 1e300))


@pytest.mark.parametrize("name", ["KMeans", "FuzzyCMeans", "GaussianMixture"])
def test_huge_weights_give_the_unweighted_centres(name):
    # weights are scale-invariant for centres: 1e300 each fits as 1 each
    plain = WEIGHTED[name]().fit(X)
    huge = WEIGHTED[name]().fit(X, sample_weight=np.full(N, 1e300))
    centres = "means_" if name == "GaussianMixture" else "cluster_centers_"
    np.testing.assert_allclose(getattr(huge, centres), getattr(plain, centres), rtol=1e-6)


def test_linkage_refuses_complex_input():
    with pytest.raises(TypeError, match="X must hold real numbers; got complex"):
        linkage(X + 1j)


@pytest.mark.parametrize("make", [
    lambda: KMeans(2), lambda: GaussianMixture(2), lambda: AgglomerativeClustering(2),
])
def test_estimators_refuse_complex_input(make):
    # scikit-learn's estimator checks require ValueError("Complex data not supported")
    with pytest.raises(ValueError, match="(?i)complex"):
        make().fit(X + 1j)


def test_cosine_zero_row_check_does_not_underflow():
    # rows of size 1e-300 are not zero rows, although their norm underflows to 0
    Xt = X * 1e-300
    labels = AgglomerativeClustering(2, metric="cosine", linkage="average").fit(Xt).labels_
    expected = AgglomerativeClustering(2, metric="cosine", linkage="average").fit(X).labels_
    assert np.array_equal(labels, expected)
    Xz = X.copy()
    Xz[3] = 0.0
    with pytest.raises(ValueError, match="all-zero rows; X has 1"):
        AgglomerativeClustering(2, metric="cosine", linkage="average").fit(Xz)


def test_cosine_zero_rows_refused_with_connectivity_too():
    from sklearn.neighbors import kneighbors_graph

    Xz = X.copy()
    Xz[5] = 0.0
    graph = kneighbors_graph(Xz, 5, include_self=False)
    with pytest.raises(ValueError, match="all-zero rows; X has 1 of them \\(first at row 5\\)"):
        AgglomerativeClustering(2, metric="cosine", linkage="average",
                                connectivity=graph).fit(Xz)
