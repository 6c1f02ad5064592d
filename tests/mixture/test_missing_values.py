"""GaussianMixture on data with missing entries (NaN), every covariance model (issue 17)."""

import warnings

import numpy as np
import pytest
from scipy import integrate, stats

from clusterlab import GaussianMixture
from clusterlab.datasets import load_iris
from clusterlab.mixture.families._parsimonious import MCLUST_MODELS


def _mcar(X, frac, seed=0):
    rng = np.random.default_rng(seed)
    mask = rng.uniform(size=X.shape) < frac
    mask[mask.all(axis=1), 0] = False  # keep at least one observed entry per row
    M = X.copy()
    M[mask] = np.nan
    return M, mask


@pytest.fixture(scope="module")
def iris():
    return load_iris()[0]


@pytest.mark.parametrize("frac", [0.1, 0.3])
@pytest.mark.parametrize("model", MCLUST_MODELS)
def test_log_likelihood_never_falls(iris, model, frac):
    M, _ = _mcar(iris, frac)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gm = GaussianMixture(2, covariance_type=model, random_state=0).fit(M)
    ll = gm.history_["log_likelihood"].to_numpy()
    assert np.all(np.diff(ll) >= -1e-10 * np.abs(ll[1:])), model
    for out in (gm.predict(M), gm.predict_proba(M), gm.score_samples(M)):
        assert np.all(np.isfinite(out))
    np.testing.assert_allclose(gm.predict_proba(M).sum(axis=1), 1.0)


def test_parameters_approach_the_complete_data_fit(iris):
    full = GaussianMixture(2, covariance_type="VVV", random_state=0).fit(iris)
    errors = []
    for frac in (0.3, 0.1, 0.02):
        gm = GaussianMixture(2, covariance_type="VVV", random_state=0).fit(_mcar(iris, frac)[0])
        order = np.argsort(gm.means_[:, 2])
        ref = np.argsort(full.means_[:, 2])
        errors.append(np.abs(gm.means_[order] - full.means_[ref]).max())
    assert errors[0] > errors[1] > errors[2] and errors[2] < 0.05


def test_score_samples_is_the_marginal_density_by_2d_integration():
    rng = np.random.default_rng(1)
    X = np.vstack([rng.multivariate_normal([0, 0, 0], [[1, .5, .2], [.5, 1, .3], [.2, .3, 1]],
                                           200),
                   rng.multivariate_normal([3, 1, -2], np.eye(3) * 0.5, 200)])
    gm = GaussianMixture(2, covariance_type="VVV", random_state=0).fit(X)
    row = np.array([[0.7, np.nan, np.nan]])

    def density(x2, x1):
        x = np.array([0.7, x1, x2])
        return sum(w * stats.multivariate_normal(m, c).pdf(x)
                   for w, m, c in zip(gm.weights_, gm.means_, gm.covariances_, strict=True))

    value, _ = integrate.dblquad(density, -12, 12, -12, 12, epsabs=1e-11)
    np.testing.assert_allclose(np.exp(gm.score_samples(row)[0]), value, rtol=1e-6)


@pytest.mark.parametrize("frac", [0.1, 0.3])
def test_impute_beats_column_means_on_held_out_entries(iris, frac):
    M, mask = _mcar(iris, frac, seed=3)
    gm = GaussianMixture(2, covariance_type="VEV", random_state=0).fit(M)
    imputed = gm.impute(M)
    means = np.where(mask, np.nanmean(M, axis=0), M)
    ours = np.sqrt(np.mean((imputed[mask] - iris[mask]) ** 2))
    baseline = np.sqrt(np.mean((means[mask] - iris[mask]) ** 2))
    assert ours < 0.6 * baseline
    np.testing.assert_array_equal(imputed[~mask], iris[~mask])


def test_all_nan_row_is_a_clear_error(iris):
    M = iris.copy()
    M[5] = np.nan
    with pytest.raises(ValueError, match="every entry missing"):
        GaussianMixture(2).fit(M)
    gm = GaussianMixture(2, random_state=0).fit(iris)
    with pytest.raises(ValueError, match="every entry missing"):
        gm.predict(M)
    with pytest.raises(ValueError):
        GaussianMixture(2).fit(np.where(np.isnan(M), np.inf, M))


def test_complete_data_keep_todays_path(iris):
    a = GaussianMixture(3, covariance_type="full", random_state=0).fit(iris)
    assert type(a._check_apply(iris)[1]).__name__ == "Gaussian"
    b = GaussianMixture(3, covariance_type="full", random_state=0).fit(iris.copy())
    np.testing.assert_array_equal(a.means_, b.means_)
    # a model fitted with NaN scores complete rows with the plain kernels
    M, _ = _mcar(iris, 0.1)
    gm = GaussianMixture(2, random_state=0).fit(M)
    complete = ~np.isnan(M).any(axis=1)
    np.testing.assert_allclose(gm.score_samples(M)[complete], gm.score_samples(iris[complete]),
                               rtol=1e-12)
