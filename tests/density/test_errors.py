"""Bad input gives a clear ValueError or TypeError, never a numba traceback."""

import numpy as np
import pytest

from clusterlab import KernelDensity

X = np.random.default_rng(0).standard_normal((20, 2))


@pytest.mark.parametrize(
    "params, match",
    [
        ({"bandwidth": 0.0}, "'bandwidth' parameter"),
        ({"bandwidth": -1.0}, "'bandwidth' parameter"),
        ({"bandwidth": "sj"}, "'bandwidth' parameter"),
        ({"bandwidth": [0.5, -0.1]}, "must be > 0"),
        ({"bandwidth": [0.5, 0.1, 0.2]}, "vector of 2"),
        ({"bandwidth": [[1.0, 2.0], [2.0, 1.0]]}, "positive definite"),
        ({"bandwidth": [[1.0, 0.5], [0.1, 1.0]]}, "symmetric"),
        ({"bandwidth": [0.5, np.nan]}, "NaN"),
        ({"kernel": "box"}, "'kernel' parameter"),
        ({"bounds": [(0, 1)]}, "one \\(low, high\\) pair per feature"),
        ({"bounds": [(1, 0), (None, None)]}, "low < high"),
        ({"bounds": [(None, None), (np.nan, None)]}, "finite number or None"),
    ],
)
def test_bad_parameters(params, match):
    with pytest.raises(ValueError, match=match):
        KernelDensity(**params).fit(X)


def test_bad_data():
    bad = X.copy()
    bad[3, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        KernelDensity().fit(bad)
    with pytest.raises(ValueError, match="2-D"):
        KernelDensity().fit(X[:, 0])
    with pytest.raises(TypeError, match="numbers"):
        KernelDensity().fit(np.array([["a", "b"]]))
    with pytest.raises(ValueError, match="sample_weight"):
        KernelDensity().fit(X, sample_weight=-np.ones(20))


def test_points_outside_bounds():
    with pytest.raises(ValueError, match="outside the bounds"):
        KernelDensity(bounds=[(0, None), (None, None)]).fit(X)


def test_singular_covariance_with_a_rule():
    flat = np.column_stack([X[:, 0], np.ones(20)])
    with pytest.raises(ValueError, match="singular"):
        KernelDensity(bandwidth="scott_cov").fit(flat)
    KernelDensity(bandwidth=0.5).fit(flat)  # a numeric bandwidth is fine


def test_wrong_dimension_at_scoring():
    kde = KernelDensity(bandwidth=0.5).fit(X)
    with pytest.raises(ValueError, match="3 features"):
        kde.score_samples(np.zeros((4, 3)))
    with pytest.raises(ValueError, match="NaN"):
        kde.score_samples(np.array([[0.0, np.nan]]))
    with pytest.raises(ValueError, match="grid_points"):
        kde.evaluate_grid([np.linspace(0, 1, 5)])
    with pytest.raises(ValueError, match="method"):
        kde.evaluate_grid(16, method="tree")
    with pytest.raises(ValueError, match="n_samples"):
        kde.sample(0)


def test_not_fitted():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        KernelDensity().score_samples(X)


def test_model_file_round_trip(tmp_path):
    from clusterlab import load_model, save_model

    kde = KernelDensity(bandwidth="isj", kernel="triweight", bounds=[(-5, 5), (None, 4)]).fit(X)
    save_model(kde, tmp_path / "kde.npz")
    back = load_model(tmp_path / "kde.npz")
    Q = np.random.default_rng(1).standard_normal((10, 2))
    np.testing.assert_array_equal(back.score_samples(Q), kde.score_samples(Q))
