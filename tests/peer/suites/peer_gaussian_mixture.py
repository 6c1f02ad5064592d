"""scikit-learn's sklearn/mixture/tests/test_gaussian_mixture.py against clusterlab."""

import clusterlab
from tests.peer._bind import bind

globals().update(bind("sklearn.mixture.tests.test_gaussian_mixture", {
    "GaussianMixture": clusterlab.GaussianMixture,
}))
