"""scikit-learn's sklearn/neighbors/tests/test_kde.py against clusterlab."""

import clusterlab
from tests.peer._bind import bind

globals().update(bind("sklearn.neighbors.tests.test_kde", {
    "KernelDensity": clusterlab.KernelDensity,
}))
