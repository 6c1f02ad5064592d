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


def test_gmm_one_point_without_reg_covar_is_a_value_error():
    # was a fit with infinite precisions_ (the jitter search accepted 1e-320)
    with pytest.raises(ValueError, match="covariance is exactly zero.*reg_covar"):
        GaussianMixture(1, reg_covar=0.0, random_state=0).fit(np.array([[12573.02]]))


def test_vae_divergence_is_a_value_error():
    deep = pytest.importorskip("clusterlab.deep", exc_type=ImportError)
    # was FloatingPointError: not a ValueError/TypeError
    X = np.array([[12573.02210934]])
    with pytest.raises(ValueError, match="ELBO became"):
        deep.VAE(hidden_dim=4, latent_dim=2, epochs=1, batch_size=4, likelihood="gaussian",
                 random_state=0).fit(X)
