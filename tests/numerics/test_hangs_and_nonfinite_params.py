"""Issue 12: the two jitter-loop hangs, and NaN / inf hyperparameters refused.

Each case hung or was accepted before the fix; the hang tests run under a
time limit so a regression fails instead of stalling the suite.
"""

import numpy as np
import pytest

from clusterlab import FuzzyCMeans, GaussianMixture, KernelDensity, KMeans, MiniBatchKMeans
from clusterlab.mixture.families._covariance import _regularised_chol

X = np.vstack([np.random.default_rng(0).normal(size=(30, 2)),
               np.random.default_rng(1).normal(size=(30, 2)) + 6.0])


def test_reg_covar_nan_is_refused_not_a_hang(time_limit):
    with time_limit(30), pytest.raises(ValueError, match="'reg_covar' parameter.*Got nan"):
        GaussianMixture(2, reg_covar=float("nan")).fit(X)


def test_float32_data_scaled_by_1e37_is_refused_not_a_hang(time_limit):
    X32 = (X * 1e37).astype(np.float32)
    with time_limit(60), pytest.raises(ValueError, match="largest magnitude"):
        GaussianMixture(2, covariance_type="full", random_state=0).fit(X32)


@pytest.mark.parametrize("cov", [
    np.array([[np.nan, 0.0], [0.0, 1.0]]),
    np.array([[np.inf, 0.0], [0.0, 1.0]]),
])
def test_jitter_search_refuses_non_finite_covariance(cov, time_limit):
    with time_limit(10), pytest.raises(ValueError, match="NaN or infinity"):
        _regularised_chol(cov)


def test_jitter_search_is_bounded(time_limit):
    # indefinite far beyond any jitter the search tries (1e3 x the largest
    # variance): an error, not a loop
    cov = np.array([[1.0, 1e30], [1e30, 1.0]])
    with time_limit(10), pytest.raises(ValueError, match="not positive definite"):
        _regularised_chol(cov)


@pytest.mark.parametrize("make, name", [
    (lambda v: KMeans(2, tol=v), "tol"),
    (lambda v: MiniBatchKMeans(2, tol=v), "tol"),
    (lambda v: FuzzyCMeans(2, m=v), "m"),
    (lambda v: FuzzyCMeans(2, tol=v), "tol"),
    (lambda v: GaussianMixture(2, tol=v), "tol"),
    (lambda v: GaussianMixture(2, reg_covar=v), "reg_covar"),
    (lambda v: KernelDensity(bandwidth=v), "bandwidth"),
])
@pytest.mark.parametrize("value", [float("nan"), float("inf")])
def test_non_finite_hyperparameters_are_refused(make, name, value, time_limit):
    with time_limit(30), pytest.raises(ValueError, match=rf"'{name}' parameter.*Got {value}"):
        make(value).fit(X)
