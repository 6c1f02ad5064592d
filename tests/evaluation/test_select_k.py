import inspect

import numpy as np
import pytest
from sklearn.cluster import KMeans as SkKMeans
from sklearn.metrics import silhouette_score
from sklearn.mixture import GaussianMixture as SkGaussianMixture

from clusterlab.datasets import load_faithful
from clusterlab.evaluation import elbow_index, gap_statistic, select_k, within_dispersion
from clusterlab.evaluation._scores import gap_choice


def _three_blobs(seed=0, n=60):
    rng = np.random.default_rng(seed)
    centres = np.array([[0.0, 0.0], [4.0, 0.0], [0.0, 4.0]])
    return np.concatenate([rng.normal(c, 0.3, size=(n, 2)) for c in centres])


def test_within_dispersion_equals_sklearn_inertia():
    X = _three_blobs()
    km = SkKMeans(3, n_init=3, random_state=0).fit(X)
    assert within_dispersion(X, km.labels_) == pytest.approx(km.inertia_, rel=1e-9)


def test_within_dispersion_weights_equal_repeats():
    X = _three_blobs(n=10)
    labels = np.repeat([0, 1, 2], 10)
    w = np.arange(30) % 3 + 1
    repeated = np.repeat(X, w, axis=0)
    assert within_dispersion(X, labels, w) == pytest.approx(
        within_dispersion(repeated, np.repeat(labels, w)), rel=1e-12
    )


@pytest.mark.parametrize(
    "criterion", ["silhouette", "calinski_harabasz", "davies_bouldin", "gap", "elbow"]
)
def test_every_label_criterion_finds_three_blobs(criterion):
    X = _three_blobs()
    res = select_k(SkKMeans(n_init=3, random_state=0), X, k=range(1, 7), criterion=criterion,
                   random_state=0)
    assert res.best_params_ == {"n_clusters": 3}
    assert res.best_estimator_.n_clusters == 3
    assert list(res.table["n_clusters"]) == [1, 2, 3, 4, 5, 6]


def test_silhouette_column_matches_sklearn():
    X = _three_blobs()
    res = select_k(SkKMeans(n_init=3, random_state=0), X, k=[2, 3], criterion="silhouette")
    for _, row in res.table.iterrows():
        labels = SkKMeans(int(row["n_clusters"]), n_init=3, random_state=0).fit_predict(X)
        assert row["silhouette"] == pytest.approx(silhouette_score(X, labels), rel=1e-12)


def test_gap_statistic_against_hand_computation():
    gap, s = gap_statistic(np.log([10.0, 2.0]), np.log([[11.0, 12.0], [9.0, 10.0]]))
    expected = np.log([11.0, 12.0]).mean() - np.log(10.0)
    assert gap[0] == pytest.approx(expected)
    assert s[1] == pytest.approx(np.log([9.0, 10.0]).std() * np.sqrt(1.5))
    assert gap_choice([1, 2, 3], np.array([0.0, 1.0, 1.05]), np.array([0.1, 0.1, 0.1])) == 1


def test_elbow_is_scale_free():
    y = np.array([100.0, 30.0, 20.0, 17.0, 15.0])
    assert elbow_index(range(5), y) == elbow_index(range(5), 1e6 * y) == 1


def test_bic_with_param_grid_on_faithful_matches_sklearn_bic():
    X = load_faithful()
    grid = {"covariance_type": ["full", "diag"]}
    res = select_k(SkGaussianMixture(random_state=0), X, k=range(1, 5), criterion="bic",
                   param_grid=grid)
    assert len(res.table) == 8
    for _, row in res.table.iterrows():
        gm = SkGaussianMixture(int(row["n_components"]), covariance_type=row["covariance_type"],
                               random_state=0).fit(X)
        assert row["bic"] == pytest.approx(gm.bic(X), rel=1e-10)
    assert res.table["bic"].iloc[res.best_index_] == res.table["bic"].min()


class _Flagged(SkGaussianMixture):
    """A mixture that flags every fit with more than 2 components as degenerate."""

    def fit(self, X, y=None):
        super().fit(X, y)
        self.collapsed_components_ = np.arange(1) if self.n_components > 2 else np.arange(0)
        return self


def test_degenerate_candidates_are_excluded_and_said_so():
    X = _three_blobs()
    res = select_k(_Flagged(random_state=0), X, k=range(1, 5), criterion="bic")
    assert res.best_params_["n_components"] <= 2
    flagged = res.table[res.table["n_components"] > 2]
    assert flagged["degenerate"].all()
    assert (flagged["excluded"] == "degenerate fit (collapsed component)").all()
    res_all = select_k(_Flagged(random_state=0), X, k=range(1, 5), criterion="bic",
                       exclude_degenerate=False)
    assert res_all.best_params_["n_components"] == 3


def test_bad_arguments():
    X = _three_blobs()
    with pytest.raises(ValueError, match="criterion must be one of"):
        select_k(SkKMeans(), X, criterion="nope")
    with pytest.raises(TypeError, match="needs an estimator with a bic"):
        select_k(SkKMeans(n_init=1), X, k=[2], criterion="bic")
    with pytest.raises(ValueError, match="k must hold positive integers"):
        select_k(SkKMeans(), X, k=[0, 1])
    with pytest.raises(ValueError, match="NaN"):
        select_k(SkKMeans(), np.array([[np.nan, 1.0]] * 5), k=[2])
    with pytest.raises(ValueError, match=r"n_samples=5 should be >= max\(k\)=9"):
        select_k(SkKMeans(), X[:5], k=range(1, 10))


def test_defaults_follow_the_estimators():
    params = inspect.signature(select_k).parameters
    assert params["random_state"].default is None  # as every estimator's
    X = _three_blobs()
    a, b = (select_k(SkKMeans(n_init=1, random_state=0), X, k=[2, 3], criterion="gap",
                     random_state=7) for _ in range(2))
    np.testing.assert_array_equal(a.table["gap"], b.table["gap"])  # seeded: reproducible


def test_progress_is_called_once_per_candidate():
    calls = []
    select_k(SkKMeans(n_init=1, random_state=0), _three_blobs(), k=[2, 3, 4],
             criterion="silhouette", progress=lambda: calls.append(1))
    assert len(calls) == 3
