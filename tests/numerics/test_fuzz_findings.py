"""Regression tests for what the fuzz suite (tests/fuzz) found, one per bug."""

import numpy as np
import pytest

from clusterlab import GaussianMixture, KernelDensity

X4 = np.random.default_rng(0).normal(size=(4, 4)) * 1e5


@pytest.mark.parametrize("bandwidth, word", [(1e300, "large"), (1e-300, "small")])
def test_kde_bandwidth_whose_square_overflows_is_a_value_error(bandwidth, word):
    # was OverflowError (34, 'Numerical result out of range') from float(bandwidth) ** 2
    with pytest.raises(ValueError, match=f"bandwidth .* is too {word}"):
        KernelDensity(bandwidth=bandwidth).fit(np.array([[0.12573022]]))


def test_kde_cv_on_nearly_singular_data_is_a_value_error():
    # was numpy LinAlgError('Matrix is not positive definite') from the cv search:
    # 4 points in 4-D have a rank-3 covariance that Cholesky factors only by rounding
    with pytest.raises(ValueError, match="covariance matrix is singular or nearly so"):
        KernelDensity(bandwidth="cv").fit(X4)


def test_gmm_one_point_without_reg_covar_is_refused_not_infinite():
    # was a fit with infinite precisions_ (the jitter search accepted 1e-320 and
    # P P^T overflowed); without regularisation a singular covariance is now
    # scikit-learn's ValueError (issue 16), never an infinite precision
    from clusterlab.mixture import DegenerateFitError

    with pytest.raises(DegenerateFitError, match="ill-defined empirical covariance"):
        GaussianMixture(1, reg_covar=0.0, random_state=0).fit(np.array([[12573.02]]))
    model = GaussianMixture(1, reg_covar=1e-6, random_state=0).fit(np.array([[12573.02]]))
    assert np.all(np.isfinite(model.precisions_)) and np.all(np.isfinite(model.covariances_))


def test_vae_divergence_is_a_value_error():
    deep = pytest.importorskip("clusterlab.deep", exc_type=ImportError)
    # was FloatingPointError: not a ValueError/TypeError
    X = np.array([[12573.02210934]])
    with pytest.raises(ValueError, match="ELBO became"):
        deep.VAE(hidden_dim=4, latent_dim=2, epochs=1, batch_size=4, likelihood="gaussian",
                 random_state=0).fit(X)


# ---- found by the long profile (CLUSTERLAB_FUZZ=long): weights near the float64 limits


@pytest.mark.parametrize("make, objective", [
    (lambda: __import__("clusterlab").KMeans(1, n_init=1, random_state=0), "inertia_"),
    (lambda: __import__("clusterlab").MiniBatchKMeans(1, batch_size=1, random_state=0),
     "inertia_"),
    (lambda: __import__("clusterlab").FuzzyCMeans(1, random_state=0), "objective_"),
])
def test_weighted_objective_that_overflows_is_a_value_error(make, objective):
    # was inertia_ = inf (KMeans, MiniBatchKMeans) or NaN centres (FuzzyCMeans)
    X = np.array([[12573.02210934], [-13210.48632913]])
    with pytest.raises(ValueError, match=f"fitted ({objective}|history_) overflows float64"):
        make().fit(X, sample_weight=np.full(2, 1e300))


@pytest.mark.parametrize("weight", [1e300, 1e-300])
def test_fuzzy_cmeans_centres_ignore_the_weights_scale(weight):
    from clusterlab import FuzzyCMeans

    X = np.array([[0.5], [0.7]])
    model = FuzzyCMeans(1, random_state=0).fit(X, sample_weight=np.full(2, weight))
    np.testing.assert_allclose(model.cluster_centers_, [[0.6]])
    assert np.isfinite(model.objective_)


def test_gmm_weight_1e308_on_one_point():
    # was lower_bound_ = -inf/NaN from overflowing weighted sums
    model = GaussianMixture(1, random_state=0).fit(np.array([[0.12573022]]),
                                                   sample_weight=np.array([1e308]))
    assert np.isfinite(model.lower_bound_)
    np.testing.assert_allclose(model.means_, [[0.12573022]])


def test_kde_rules_with_tiny_weights():
    # was ZeroDivisionError: sum(w**2) underflowed to 0 in Kish's n_eff
    X = np.array([[12573.02], [12573.02], [12573.02], [10490.01]])
    w = np.array([8.1e-301, 9.1e-301, 6.1e-301, 7.3e-301])
    tiny = KernelDensity(bandwidth="scott_cov").fit(X, sample_weight=w)
    unit = KernelDensity(bandwidth="scott_cov").fit(X, sample_weight=w * 1e300)
    np.testing.assert_allclose(tiny.bandwidth_matrix_, unit.bandwidth_matrix_, rtol=1e-12)


def test_minibatch_batch_of_zero_weights():
    # was ZeroDivisionError (mean batch inertia over a batch whose weights are all 0)
    from clusterlab import MiniBatchKMeans

    X = np.array([[1.0], [1.0], [3.0], [5.0]])
    model = MiniBatchKMeans(1, batch_size=1, random_state=0, max_iter=5)
    model.fit(X, sample_weight=np.array([0.0, 0.0, 0.0, 1.0]))
    np.testing.assert_allclose(model.cluster_centers_, [[5.0]])
    assert np.all(np.isfinite(model.history_))
    # and with weights 1e-300 beside 1e300 (the small ones underflow once scaled)
    model.fit(X[:2], sample_weight=np.array([1e-300, 1e300]))
    assert np.all(np.isfinite(model.history_))
