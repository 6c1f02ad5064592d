import numpy as np
import pytest
from sklearn.base import BaseEstimator

from clusterlab._validation import (
    Interval,
    Options,
    check_data,
    check_n_samples,
    check_sample_weight,
    validate_params,
)


class _Est(BaseEstimator):
    _parameter_constraints = {
        "k": [Interval(int, 1, None)],
        "algo": [Options({"a", "b"})],
        "tol": [Interval(float, 0, None, closed="left")],
    }

    def __init__(self, k=2, algo="a", tol=1e-4):
        self.k, self.algo, self.tol = k, algo, tol


@pytest.mark.parametrize(
    "params, error, match",
    [
        ({"k": 0}, ValueError,
         r"'k' parameter of _Est must be an int in the range \[1, inf\). Got 0"),
        ({"k": 2.5}, TypeError, "Got 2.5"),
        ({"k": True}, TypeError, "Got True"),
        ({"k": "2"}, TypeError, "Got '2'"),
        ({"algo": "c"}, ValueError, "must be one of 'a', 'b'. Got 'c'"),
        ({"algo": 3}, TypeError, "must be one of 'a', 'b'. Got 3"),
        ({"tol": -1.0}, ValueError, r"\[0, inf\)"),
        ({"tol": float("nan")}, ValueError, "'tol' .* Got nan"),
        ({"tol": float("inf")}, ValueError, "'tol' .* Got inf"),
        ({"tol": "small"}, TypeError, "'tol' .* Got 'small'"),
        ({"tol": None}, TypeError, "'tol' .* Got None"),
    ],
)
def test_validate_params_messages(params, error, match):
    """A wrong type is a TypeError, a wrong value (NaN and inf included) a ValueError."""
    with pytest.raises(error, match=match) as info:
        validate_params(_Est(**params))
    assert type(info.value) is error


def test_interval_infinity_only_when_asked():
    assert not Interval(float, 0, None).accepts(float("inf"))
    assert Interval(float, 0, None, finite=False).accepts(float("inf"))
    assert not Interval(float, 0, None, finite=False).accepts(float("nan"))
    assert Interval(int, 1, None).accepts(10**400)  # huge ints are fine, not NaN


def test_check_data_keeps_float32_and_converts_ints():
    est = BaseEstimator()
    assert check_data(est, np.ones((3, 2), np.float32)).dtype == np.float32
    assert check_data(est, np.ones((3, 2), np.int64)).dtype == np.float64


@pytest.mark.parametrize(
    "X, exc, match",
    [
        (np.array([[1.0, np.nan]]), ValueError, "NaN"),
        (np.array([[1.0, np.inf]]), ValueError, "infinity"),
        (np.empty((0, 2)), ValueError, "0 sample"),
        (np.ones(3), ValueError, "2-D"),
        (np.ones((2, 2, 2)), ValueError, "2-D"),
        (np.array([["a", "b"]]), TypeError, "strings"),
        (np.array([[1.0, "x"]], dtype=object), TypeError, "non-numeric"),
    ],
)
def test_check_data_rejects(X, exc, match):
    with pytest.raises(exc, match=match):
        check_data(BaseEstimator(), X)


def test_check_n_samples_and_weights():
    X = np.zeros((3, 2))
    with pytest.raises(ValueError, match="n_samples=3 should be >= n_clusters=4"):
        check_n_samples(X, 4)
    with pytest.raises(ValueError, match="Negative values in sample_weight"):
        check_sample_weight([1, -1, 1], X)
    with pytest.raises(ValueError, match=r"shape \(3,\)"):
        check_sample_weight([1, 1], X)
    assert check_sample_weight(2.0, X).tolist() == [2.0, 2.0, 2.0]


def test_array_like_constraint_rejects_strings():
    class _Init(BaseEstimator):
        _parameter_constraints = {"init": [Options({"k-means++"}), "array-like"]}

        def __init__(self, init="k-means++"):
            self.init = init

    validate_params(_Init(init=[[0.0, 1.0]]))
    with pytest.raises(ValueError, match="one of 'k-means\\+\\+' or an array-like. Got 'kmeans'"):
        validate_params(_Init(init="kmeans"))
