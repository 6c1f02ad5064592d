"""Issue 12: finite data of any magnitude either fits exactly as the unit-scale data
(labels equal, centres and inertias scaled) or is refused with a ValueError that
names the magnitude; never one silent cluster, inf or NaN."""

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
# powers of two keep the scaled data exact, so results compare exactly
SCALES = [2.0**-990, 2.0**-700, 2.0**-400, 2.0**-120, 2.0**120, 2.0**400, 2.0**990]
ids = [f"2^{int(np.log2(s))}" for s in SCALES]

CENTRES = {
    "KMeans": lambda: KMeans(2, n_init=1, random_state=0),
    "MiniBatchKMeans": lambda: MiniBatchKMeans(2, random_state=0),
    "FuzzyCMeans": lambda: FuzzyCMeans(2, random_state=0),
}


@pytest.mark.parametrize("name", sorted(CENTRES))
@pytest.mark.parametrize("s", SCALES, ids=ids)
def test_centre_based_fit_scaled_data_exactly_or_refuse(name, s):
    ref = CENTRES[name]().fit(X)
    Xs = X * s
    objective = "objective_" if name == "FuzzyCMeans" else "inertia_"
    if s > 2.0**500:  # the true inertia overflows float64: refused by name
        with pytest.raises(ValueError, match="overflows float64"):
            CENTRES[name]().fit(Xs)
        return
    model = CENTRES[name]().fit(Xs)
    assert np.array_equal(model.labels_, ref.labels_)
    assert np.array_equal(model.predict(Xs), model.labels_)
    np.testing.assert_allclose(model.cluster_centers_, ref.cluster_centers_ * s, rtol=1e-12)
    value = getattr(model, objective)
    assert np.isfinite(value)
    if s >= 2.0**-400:  # below that the true inertia underflows float64 to 0
        np.testing.assert_allclose(value, getattr(ref, objective) * s * s, rtol=1e-12)
    if name != "FuzzyCMeans":
        assert np.all(np.isfinite(model.transform(Xs)))
        np.testing.assert_allclose(model.transform(Xs), ref.transform(X) * s, rtol=1e-12)
    else:
        np.testing.assert_allclose(model.predict_proba(Xs), ref.predict_proba(X), rtol=1e-12)


@pytest.mark.parametrize("method", ["single", "complete", "average", "ward", "centroid"])
@pytest.mark.parametrize("s", SCALES, ids=ids)
def test_linkage_heights_scale_with_the_data(method, s):
    Z = linkage(X, method)
    Zs = linkage(X * s, method)
    assert np.array_equal(Zs[:, [0, 1, 3]], Z[:, [0, 1, 3]])
    np.testing.assert_allclose(Zs[:, 2], Z[:, 2] * s, rtol=1e-12)


@pytest.mark.parametrize("metric, power", [("sqeuclidean", 2), ("cosine", 0), ("cityblock", 1)])
def test_linkage_other_metrics_at_extreme_scale(metric, power):
    s = 2.0**-400
    Z = linkage(X, "average", metric=metric)
    Zs = linkage(X * s, "average", metric=metric)
    assert np.array_equal(Zs[:, [0, 1, 3]], Z[:, [0, 1, 3]])
    np.testing.assert_allclose(Zs[:, 2], Z[:, 2] * s**power, rtol=1e-12)


def test_linkage_from_huge_condensed_distances():
    from scipy.spatial.distance import pdist

    D = pdist(X)
    for method in ["average", "ward", "median"]:
        Zs = linkage(D * 2.0**1000, method)
        assert np.all(np.isfinite(Zs))
        np.testing.assert_allclose(Zs[:, 2], linkage(D, method)[:, 2] * 2.0**1000, rtol=1e-12)


@pytest.mark.parametrize("s", SCALES, ids=ids)
def test_agglomerative_labels_do_not_depend_on_scale(s):
    ref = AgglomerativeClustering(2).fit(X).labels_
    assert np.array_equal(AgglomerativeClustering(2).fit(X * s).labels_, ref)


MIXTURES = {
    "GaussianMixture": lambda: GaussianMixture(2, random_state=0),
    "MixtureModel": lambda: MixtureModel(2, family="gaussian", random_state=0),
    "KernelDensity": lambda: KernelDensity(),
    "KernelDensity-isj": lambda: KernelDensity(bandwidth="isj"),
}


@pytest.mark.parametrize("name", sorted(MIXTURES))
@pytest.mark.parametrize("s", [1e-300, 1e-200, 1e-40, 1e40, 1e200, 1e300])
def test_density_models_refuse_magnitudes_they_cannot_represent(name, s):
    data = X[:, :1] if name.endswith("isj") else X
    with pytest.raises(ValueError, match=r"X's largest magnitude is .* outside the range"):
        MIXTURES[name]().fit(data * s)


@pytest.mark.parametrize("name", sorted(MIXTURES))
def test_density_models_fit_large_ordinary_magnitudes(name):
    data = (X[:, :1] if name.endswith("isj") else X) * 1e25
    model = MIXTURES[name]().fit(data)
    scores = model.score_samples(data)
    assert np.all(np.isfinite(scores))
    if not name.startswith("Kernel"):
        assert sorted(np.bincount(model.predict(data)).tolist()) == [30, 30]


def test_float32_gaussian_mixture_at_1e37_is_refused_by_name(time_limit):
    with time_limit(60), pytest.raises(ValueError, match="largest magnitude .* float32"):
        GaussianMixture(2, random_state=0).fit((X * 1e37).astype(np.float32))


def test_float32_kmeans_at_1e37_is_exact():
    X32 = (X * 2.0**120).astype(np.float32)
    model = KMeans(2, n_init=1, random_state=0).fit(X32)
    ref = KMeans(2, n_init=1, random_state=0).fit(X.astype(np.float32))
    assert np.array_equal(model.labels_, ref.labels_)
    assert model.cluster_centers_.dtype == np.float32
    assert np.isfinite(model.inertia_)


@pytest.mark.parametrize("s", [2.0**-990, 2.0**300], ids=["2^-990", "2^300"])
def test_minibatch_partial_fit_at_extreme_scale(s):
    ref = MiniBatchKMeans(2, random_state=0)
    model = MiniBatchKMeans(2, random_state=0)
    for part in (X[::2], X[1::2]):
        ref.partial_fit(part)
        model.partial_fit(part * s)
    np.testing.assert_allclose(model.cluster_centers_, ref.cluster_centers_ * s, rtol=1e-12)
    assert np.array_equal(model.predict(X * s), ref.predict(X))
    assert np.all(np.isfinite(model.history_))


def test_kmeans_score_and_init_array_at_extreme_scale():
    s = 2.0**300
    init = X[[0, 40]]
    ref = KMeans(2, init=init, n_init=1).fit(X)
    model = KMeans(2, init=init * s, n_init=1).fit(X * s)
    assert np.array_equal(model.labels_, ref.labels_)
    np.testing.assert_allclose(model.score(X * s), ref.score(X) * s * s, rtol=1e-12)
    np.testing.assert_allclose(model.fit_transform(X * s), ref.transform(X) * s, rtol=1e-12)


def test_huge_score_that_overflows_is_refused():
    model = KMeans(2, n_init=1, random_state=0).fit(X * 2.0**300)
    with pytest.raises(ValueError, match="overflows float64"):
        model.score(X * 2.0**1000)
