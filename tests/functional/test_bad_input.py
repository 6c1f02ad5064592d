"""Bad input to the functional API gets the estimators' own errors (the same checks)."""

import numpy as np
import pytest

from clusterlab import (
    GaussianMixture,
    KMeans,
    MixtureModel,
    bmm_initialize,
    em_mog,
    fa_initialize,
    general_em,
    gmm_e_step,
    gmm_initialize,
    gmm_m_step,
    kmeans,
    mixreg_initialize,
)

GOOD = np.random.default_rng(0).normal(size=(20, 2))
NAN = GOOD.copy()
NAN[3, 1] = np.nan
STRINGS = np.array([["a", "b"]] * 20)
CASES = {
    "nan": (NAN, 2),
    "strings": (STRINGS, 2),
    "1-D": (GOOD[:, 0], 2),
    "too few rows": (GOOD[:3], 5),
    "k zero": (GOOD, 0),
    "k float": (GOOD, 2.5),
}


def _error(fn):
    with pytest.raises((TypeError, ValueError)) as info:
        fn()
    return info.type, str(info.value)


@pytest.mark.parametrize("case", CASES)
def test_kmeans_raises_what_kmeans_estimator_raises(case):
    X, k = CASES[case]
    assert _error(lambda: kmeans(X, k)) == _error(lambda: KMeans(k).fit(X))


@pytest.mark.parametrize("case", CASES)
def test_em_mog_raises_what_gaussian_mixture_raises(case):
    X, k = CASES[case]
    if case == "nan":
        # GaussianMixture models missing entries (issue 17): a row with nothing observed
        # is its bad input, and em_mog runs it, so it raises the same
        X = GOOD.copy()
        X[3] = np.nan
        assert _error(lambda: em_mog(X, k)) == _error(lambda: GaussianMixture(k).fit(X))
        # the step set's own initialiser (the textbook's complete-data EM) refuses NaN
        assert "NaN" in _error(lambda: gmm_initialize(NAN, k))[1]
        return
    assert _error(lambda: em_mog(X, k)) == _error(lambda: GaussianMixture(k).fit(X))
    assert _error(lambda: gmm_initialize(X, k)) == _error(lambda: GaussianMixture(k).fit(X))


def test_parameters_are_checked_by_the_estimators():
    assert _error(lambda: kmeans(GOOD, 2, max_iters=0)) == _error(
        lambda: KMeans(2, max_iter=0).fit(GOOD))
    assert _error(lambda: kmeans(GOOD, 2, init_method="bogus"))[0] is ValueError
    assert _error(lambda: em_mog(GOOD, 2, tol=-1.0)) == _error(
        lambda: GaussianMixture(2, tol=-1.0).fit(GOOD))
    assert _error(lambda: em_mog(GOOD, 2, init_method=5))[0] is TypeError
    with pytest.raises(ValueError, match="init_method must be one of"):
        gmm_initialize(GOOD, 2, init_method="k-means++")
    # the note tells the estimator's parameter names in the function's terms
    with pytest.raises(ValueError) as info:
        kmeans(GOOD, 0)
    assert any("n_clusters=k" in note for note in info.value.__notes__)


def test_bernoulli_steps_reject_non_binary_data():
    assert _error(lambda: bmm_initialize(GOOD, 2)) == _error(
        lambda: MixtureModel(2, family="bernoulli").fit(GOOD))


def test_general_em_checks_its_arguments():
    start = gmm_initialize(GOOD, 2, random_state=0)
    with pytest.raises(TypeError, match="e_step must be a function"):
        general_em(GOOD, start, "gmm", gmm_m_step)
    with pytest.raises(ValueError, match="max_iters must be >= 1"):
        general_em(GOOD, start, gmm_e_step, gmm_m_step, max_iters=0)
    with pytest.raises(TypeError, match="max_iters must be an int"):
        general_em(GOOD, start, gmm_e_step, gmm_m_step, max_iters=2.5)
    with pytest.raises(ValueError, match="tol must be a finite number"):
        general_em(GOOD, start, gmm_e_step, gmm_m_step, tol=float("nan"))
    with pytest.raises(ValueError, match="no elbo_fn was given"):
        general_em(GOOD, start, lambda X, p: gmm_e_step(X, p)[0], gmm_m_step)
    with pytest.raises(ValueError, match="ELBO at iteration 1 is nan"):
        general_em(GOOD, start, lambda X, p: (None, float("nan")), gmm_m_step)


def test_factor_and_regression_steps_validate():
    from sklearn.base import BaseEstimator

    from clusterlab._validation import check_data

    assert _error(lambda: fa_initialize(NAN, 1)) == _error(
        lambda: check_data(BaseEstimator(), NAN, min_samples=2))
    with pytest.raises(ValueError, match="n_factors must be in"):
        fa_initialize(GOOD, 3)
    with pytest.raises(TypeError, match="pair"):
        mixreg_initialize(GOOD, 2)
    with pytest.raises(TypeError, match="must hold numbers"):
        mixreg_initialize((STRINGS, GOOD[:, 0]), 2)
    with pytest.raises(ValueError, match="y must have shape"):
        mixreg_initialize((GOOD, GOOD[:5, 0]), 2)
    with pytest.raises(ValueError, match="y contains NaN"):
        mixreg_initialize((GOOD, NAN[:, 1]), 2)
    with pytest.raises(ValueError, match="n_samples=20 should be >= k=30"):
        mixreg_initialize((GOOD, GOOD[:, 0]), 30)
