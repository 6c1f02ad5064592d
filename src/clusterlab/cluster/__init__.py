"""Clustering estimators: the k-means family and hierarchical clustering."""

from clusterlab._lazy import lazy_getattr

_LAZY = {
    "KMeans": "clusterlab.cluster._kmeans",
    "MiniBatchKMeans": "clusterlab.cluster._minibatch",
    "FuzzyCMeans": "clusterlab.cluster._fuzzy",
    "kmeans_plusplus": "clusterlab.cluster._init",
    "k_means": "clusterlab.cluster._kmeans",
    "SphericalKMeans": "clusterlab.cluster._spherical",
    "linkage": "clusterlab.cluster._hierarchical",
    "AgglomerativeClustering": "clusterlab.cluster._hierarchical",
    "Tree": "clusterlab.cluster._hierarchical",
}
__all__ = sorted(_LAZY)

__getattr__ = lazy_getattr(__name__, _LAZY)
