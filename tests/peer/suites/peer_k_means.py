"""scikit-learn's sklearn/cluster/tests/test_k_means.py against clusterlab."""

import clusterlab
from tests.peer._bind import bind

globals().update(bind("sklearn.cluster.tests.test_k_means", {
    "KMeans": clusterlab.KMeans,
    "MiniBatchKMeans": clusterlab.MiniBatchKMeans,
    "kmeans_plusplus": clusterlab.kmeans_plusplus,
    "k_means": getattr(clusterlab, "k_means", None),
}))
