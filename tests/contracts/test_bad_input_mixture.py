"""Bad input to the mixture estimators gets a clear ValueError / TypeError."""

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

from clusterlab import GaussianMixture, MixtureModel

X_OK = np.random.default_rng(0).normal(size=(20, 2))
COUNTS = np.random.default_rng(0).poisson(3.0, size=(20, 3)).astype(float)

ESTIMATORS = [
    lambda **kw: GaussianMixture(2, random_state=0, **kw),
    lambda **kw: MixtureModel(2, family="gaussian", random_state=0, **kw),
]


@pytest.mark.parametrize("make", ESTIMATORS, ids=["GaussianMixture", "MixtureModel"])
@pytest.mark.parametrize(
    "X, error, match",
    [
        (np.array([[0.0, np.nan], [1.0, 2.0], [3.0, 4.0]]), ValueError, "NaN"),
        (np.array([[0.0, np.inf], [1.0, 2.0], [3.0, 4.0]]), ValueError, "infinity"),
        (np.arange(5.0), ValueError, "2-D"),
        (np.zeros((3, 2, 2)), ValueError, "2-D"),
        (np.array([["a", "b"], ["c", "d"]]), TypeError, "numbers"),
        (np.zeros((0, 2)), ValueError, "sample"),
        (np.zeros((1, 2)), ValueError, "n_components"),
    ],
    ids=["nan", "inf", "1d", "3d", "strings", "empty", "fewer-than-k"],
)
def test_bad_data(make, X, error, match):
    if make().__sklearn_tags__().input_tags.allow_nan and X.dtype.kind == "f" and np.isnan(X).any():
        # GaussianMixture models missing values (tests/mixture/test_missing_values.py);
        # a row with nothing observed is its bad input
        X = np.array([[np.nan, np.nan], [1.0, 2.0], [3.0, 4.0]])
        error, match = ValueError, "every entry missing"
    with pytest.raises(error, match=match):
        make().fit(X)


@pytest.mark.parametrize(
    "params, match",
    [
        ({"n_components": 0}, "n_components"),
        ({"covariance_type": "banana"}, "covariance_type"),
        ({"reg_covar": -1.0}, "reg_covar"),
        ({"tol": -1.0}, "tol"),
        ({"max_iter": 0}, "max_iter"),
        ({"n_init": 0}, "n_init"),
        ({"init_params": "bogus"}, "init_params"),
        ({"algorithm": "fuzzy"}, "algorithm"),
        ({"chunk_size": 0}, "chunk_size"),
        ({"weights_init": [0.5, 0.6]}, "sum to 1"),
        ({"weights_init": [1.0]}, "weights_init must have shape"),
        ({"means_init": np.zeros((3, 2))}, "means_init must have shape"),
        ({"precisions_init": np.ones((2, 3, 3))}, "precisions_init must have shape"),
        ({"precisions_init": np.array([[[1.0, 2], [2, 1]]] * 2)}, "positive definite"),
        ({"covariance_type": "diag", "precisions_init": -np.ones((2, 2))}, "positive"),
    ],
)
def test_bad_gaussian_parameters(params, match):
    params = {"n_components": 2, **params}
    with pytest.raises(ValueError, match=match):
        GaussianMixture(**params).fit(X_OK)


def test_bad_family():
    with pytest.raises(ValueError, match="family"):
        MixtureModel(2, family="cauchy").fit(X_OK)


@pytest.mark.parametrize("family", ["poisson", "categorical", "multinomial"])
@pytest.mark.parametrize("value, what", [(-1.0, "-1"), (1.5, "1.5")])
def test_counts_must_be_non_negative_integers(family, value, what):
    X = COUNTS.copy()
    X[4, 1] = value
    with pytest.raises(ValueError, match=rf"non-negative integer counts.*found {what} at row 4"):
        MixtureModel(2, family=family).fit(X)


@pytest.mark.parametrize("value", [2.0, -1.0, 0.5])
def test_bernoulli_needs_binary_values(value):
    X = (COUNTS > 2).astype(float)
    X[3, 0] = value
    with pytest.raises(ValueError, match=r"binary values \(0 or 1\)"):
        MixtureModel(2, family="bernoulli").fit(X)


def test_family_check_also_applies_when_predicting():
    model = MixtureModel(2, family="poisson", random_state=0).fit(COUNTS)
    with pytest.raises(ValueError, match="non-negative integer counts"):
        model.predict(-COUNTS)


@pytest.mark.parametrize("weights, match", [
    (-np.ones(20), "Negative"), (np.ones(19), "shape"), (np.zeros(20), "sums to zero"),
])
def test_bad_sample_weight(weights, match):
    with pytest.raises(ValueError, match=match):
        GaussianMixture(2).fit(X_OK, sample_weight=weights)


def test_use_before_fit_and_wrong_width():
    with pytest.raises(NotFittedError):
        GaussianMixture(2).predict(X_OK)
    model = GaussianMixture(2, random_state=0).fit(X_OK)
    with pytest.raises(ValueError, match="features"):
        model.predict(np.zeros((3, 5)))
    with pytest.raises(ValueError, match="n_samples"):
        model.sample(0)


def test_bad_callable_initialiser():
    with pytest.raises(ValueError, match="init_params callable must return"):
        GaussianMixture(2, init_params=lambda X, k, rng: np.zeros(3)).fit(X_OK)
