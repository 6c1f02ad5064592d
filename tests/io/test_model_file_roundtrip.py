"""save_model / load_model round trips: identical predictions for every saveable class,
Pipelines of registered steps (with DataFrame feature names), and version-1 files."""

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import RobustScaler, StandardScaler

from clusterlab import (
    AgglomerativeClustering,
    FuzzyCMeans,
    GaussianMixture,
    KernelDensity,
    KMeans,
    MiniBatchKMeans,
    MixtureModel,
    Tree,
    load_model,
    save_model,
)
from clusterlab.io.steps import ColumnSelector
from clusterlab.mixture.families import Bernoulli, FixedSpherical, Gaussian

DATA = Path(__file__).parent / "data"
rng = np.random.default_rng(0)
X = np.vstack([rng.normal(0, 1, (30, 3)), rng.normal(6, 1, (30, 3))])
COUNTS = np.round(np.abs(X) * 2)
BINARY = (X > 3).astype(float)
ONE_HOT = np.eye(3)[rng.integers(0, 3, 60)]


def _same_outputs(a, b, X):
    """Every prediction-like method gives bit-identical results."""
    compared = 0
    for method in ("predict", "predict_proba", "transform", "score_samples"):
        if hasattr(a, method):
            np.testing.assert_array_equal(getattr(b, method)(X), getattr(a, method)(X))
            compared += 1
    assert compared


def _round_trip(estimator, tmp_path):
    path = tmp_path / "model.npz"
    save_model(estimator, path)
    return load_model(path)


CASES = [
    (KMeans(2, random_state=0), X),
    (KMeans(2, init=X[[0, 40]], n_init=1), X),
    (MiniBatchKMeans(2, random_state=0, batch_size=16), X),
    (FuzzyCMeans(2, random_state=0), X),
    (FuzzyCMeans(2, init=X[[0, 40]]), X),
    (GaussianMixture(2, random_state=0), X),
    (GaussianMixture(2, covariance_type="tied", random_state=0), X),
    (GaussianMixture(2, covariance_type="diag", random_state=0), X),
    (GaussianMixture(2, covariance_type="spherical", random_state=0), X),
    (GaussianMixture(2, covariance_type=FixedSpherical(2.0), random_state=0), X),
    (GaussianMixture(2, means_init=X[[0, 40]], weights_init=[0.5, 0.5]), X),
    (MixtureModel(2, family="gaussian", random_state=0), X),
    (MixtureModel(2, family=Gaussian("diag", reg_covar=1e-3), random_state=0), X),
    (MixtureModel(2, family="bernoulli", random_state=0), BINARY),
    (MixtureModel(2, family=Bernoulli(alpha=0.5), random_state=0), BINARY),
    (MixtureModel(2, family="categorical", random_state=0), ONE_HOT),
    (MixtureModel(2, family="poisson", random_state=0), COUNTS),
    (MixtureModel(2, family="poisson", params_init={"rates": np.ones((2, 3))},
                  random_state=0), COUNTS),
    (KernelDensity(), X),
    (KernelDensity(bandwidth=[0.5, 1.0, 2.0], kernel="epanechnikov",
                   bounds=[(-10, 20), (None, None), (None, 30)]), X),
    (KernelDensity(bandwidth=np.diag([0.5, 1.0, 2.0])), X),
    (KernelDensity(bandwidth="scott_cov", kernel="tricube", kernel_form="product",
                   bandwidth_meaning="std"), X),
    (KernelDensity(bandwidth="silverman", kernel="cosine", metric="minkowski",
                   metric_params={"p": 3.0}, algorithm="ball_tree", atol=1e-6, rtol=1e-4,
                   breadth_first=False, leaf_size=7), X),
    (KernelDensity(bandwidth=0.8, metric="seuclidean", metric_params={"V": np.ones(3)}), X),
    (KernelDensity(bandwidth=0.8, metric="minkowski",
                   metric_params={"p": 1.5, "w": np.array([1.0, 2.0, 0.5])}), X),
]


@pytest.mark.parametrize("estimator, data", CASES, ids=lambda v: type(v).__name__
                         if not isinstance(v, np.ndarray) else "")
def test_round_trip_identical_predictions(estimator, data, tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        estimator.fit(data)
    loaded = _round_trip(estimator, tmp_path)
    assert type(loaded) is type(estimator)
    assert repr(loaded.get_params()) == repr(estimator.get_params())
    _same_outputs(estimator, loaded, data)
    for name, value in vars(estimator).items():
        if name.endswith("_") and not name.startswith("_"):
            got = getattr(loaded, name)
            if isinstance(value, np.ndarray):
                np.testing.assert_array_equal(got, value)
                assert got.dtype == value.dtype


def test_hierarchical_and_tree(tmp_path):
    model = AgglomerativeClustering(3, linkage="average").fit(X)
    loaded = _round_trip(model, tmp_path)
    np.testing.assert_array_equal(loaded.labels_, model.labels_)
    np.testing.assert_array_equal(loaded.cut(n_clusters=5), model.cut(n_clusters=5))
    tree = Tree.from_data(X, "ward")
    back = _round_trip(tree, tmp_path)
    np.testing.assert_array_equal(back.linkage_matrix, tree.linkage_matrix)
    np.testing.assert_array_equal(back.cut(height=3.0), tree.cut(height=3.0))


def test_history_dataframe_round_trips(tmp_path):
    km = KMeans(2, random_state=0).fit(X)
    km.history_ = pd.DataFrame({"inertia": [3.0, 2.0]}, index=pd.RangeIndex(2, name="it"))
    loaded = _round_trip(km, tmp_path)
    pd.testing.assert_frame_equal(loaded.history_, km.history_, check_index_type=False)


def test_float32_model_keeps_its_dtype(tmp_path):
    km = KMeans(2, random_state=0).fit(X.astype(np.float32))
    loaded = _round_trip(km, tmp_path)
    assert loaded.cluster_centers_.dtype == np.float32
    _same_outputs(km, loaded, X.astype(np.float32))


def test_fitted_on_a_dataframe_keeps_feature_names(tmp_path):
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    km = KMeans(2, random_state=0).fit(frame)
    loaded = _round_trip(km, tmp_path)
    assert loaded.feature_names_in_.tolist() == ["a", "b", "c"]
    np.testing.assert_array_equal(loaded.predict(frame), km.predict(frame))


PIPELINES = [
    lambda: make_pipeline(StandardScaler(), KMeans(2, random_state=0)),
    lambda: make_pipeline(RobustScaler(), GaussianMixture(2, random_state=0)),
    lambda: make_pipeline(StandardScaler(with_mean=False), FuzzyCMeans(2, random_state=0)),
    lambda: Pipeline([("columns", ColumnSelector(["c", "a"], missing="drop")),
                      ("scale", StandardScaler()),
                      ("model", MixtureModel(2, family="gaussian", random_state=0))]),
    lambda: make_pipeline(RobustScaler(with_centering=False), KernelDensity()),
]


@pytest.mark.parametrize("make", PIPELINES)
def test_pipeline_on_a_dataframe(make, tmp_path):
    frame = pd.DataFrame(X * [1, 10, 100], columns=["a", "b", "c"])
    pipe = make().fit(frame)
    loaded = _round_trip(pipe, tmp_path)
    assert [name for name, _ in loaded.steps] == [name for name, _ in pipe.steps]
    assert loaded.feature_names_in_.tolist() == ["a", "b", "c"]
    last = "predict" if hasattr(pipe, "predict") else "score_samples"
    np.testing.assert_array_equal(getattr(loaded, last)(frame), getattr(pipe, last)(frame))
    # raw rows in another column order give the same labels through the selector
    if isinstance(pipe.steps[0][1], ColumnSelector):
        np.testing.assert_array_equal(loaded.predict(frame[["c", "b", "a"]]),
                                      pipe.predict(frame))


def test_pipeline_on_an_array(tmp_path):
    pipe = make_pipeline(StandardScaler(), KMeans(2, random_state=0)).fit(X)
    loaded = _round_trip(pipe, tmp_path)
    np.testing.assert_array_equal(loaded.predict(X), pipe.predict(X))
    assert not hasattr(loaded, "feature_names_in_") or loaded.feature_names_in_ is None


def test_column_selector_missing_policy():
    frame = pd.DataFrame({"a": [1.0, np.nan], "b": [2.0, 3.0]})
    keep = ColumnSelector(missing="drop").fit(frame).keep_rows(frame)
    assert keep.tolist() == [True, False]
    with pytest.raises(ValueError, match="row 1, column 'a'"):
        ColumnSelector(missing="refuse").fit(frame).keep_rows(frame)
    with pytest.raises(ValueError, match="lacks column"):
        ColumnSelector(["a", "z"]).fit(frame)


def test_user_family_needs_registration(tmp_path):
    from clusterlab.io import register_family, unregister_family
    from clusterlab.mixture.families import Poisson

    class Counts(Poisson):
        pass

    model = MixtureModel(2, family=Counts(), random_state=0).fit(COUNTS)
    with pytest.raises(TypeError, match="cannot be saved unless registered"):
        save_model(model, tmp_path / "m.npz")
    register_family(Counts, "test-counts")
    try:
        loaded = _round_trip(model, tmp_path)
        np.testing.assert_array_equal(loaded.predict(COUNTS), model.predict(COUNTS))
    finally:
        unregister_family("test-counts")
    with pytest.raises(ValueError, match="test-counts"):
        load_model(tmp_path / "model.npz")


V1 = ["kmeans", "kmeans_init", "gmm", "poisson", "hierarchical", "kde"]


@pytest.mark.parametrize("name", V1)
@pytest.mark.parametrize("writer", ["v1", "v1b"])
def test_version_1_files_still_load(name, writer):
    """Files written by the version-1 writer (before the registry: ``v1`` with array
    histories, ``v1b`` with DataFrame histories) load and predict alike."""
    X1 = np.load(DATA / "v1_X.npy")
    expected = np.asarray(json.loads((DATA / f"{writer}_expected.json").read_text())[name])
    model = load_model(DATA / f"{writer}_{name}.npz")
    if name == "poisson":
        got = model.predict(np.abs(np.round(X1)))
    elif name == "hierarchical":
        got = model.labels_
    elif name == "kde":
        got = model.score_samples(X1)
    else:
        got = model.predict(X1)
    np.testing.assert_array_equal(got, expected)
    if hasattr(model, "history_"):  # today's API: a DataFrame, whatever the file held
        assert isinstance(model.history_, pd.DataFrame) and len(model.history_)


def test_kernel_density_file_from_before_sklearn_settings(tmp_path):
    # files without kernel_form meant product kernels, std bandwidths and scipy's rules
    from tests.io.modelfiles import read_raw, write_raw

    old = KernelDensity(bandwidth="scott_cov", kernel="epanechnikov", kernel_form="product",
                        bandwidth_meaning="std").fit(X)
    save_model(old, tmp_path / "m.npz")
    meta, arrays = read_raw(tmp_path / "m.npz")
    params = meta["model"]["params"]
    for key in ("algorithm", "metric", "atol", "rtol", "breadth_first", "leaf_size",
                "metric_params", "kernel_form", "bandwidth_meaning"):
        del params[key]
    params["bandwidth"] = "scott"
    write_raw(tmp_path / "old.npz", meta, arrays)
    loaded = load_model(tmp_path / "old.npz")
    assert loaded.get_params()["bandwidth"] == "scott_cov"
    assert loaded.kernel_form == "product" and loaded.bandwidth_meaning == "std"
    np.testing.assert_array_equal(loaded.score_samples(X), old.score_samples(X))
