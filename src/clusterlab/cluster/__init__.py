"""Clustering estimators: the k-means family and hierarchical clustering."""

from clusterlab._lazy import lazy_facade

_LAZY = {
    "KMeans": "clusterlab.cluster._kmeans",
    "MiniBatchKMeans": "clusterlab.cluster._minibatch",
    "FuzzyCMeans": "clusterlab.cluster._fuzzy",
    "kmeans_plusplus": "clusterlab.cluster._init",
    "k_means": "clusterlab.cluster._kmeans",
    "SphericalKMeans": "clusterlab.cluster._spherical",
    "kmeans_parallel": "clusterlab.cluster._kmeans_parallel",
    "linkage": "clusterlab.cluster.hierarchy",
    "AgglomerativeClustering": "clusterlab.cluster.hierarchy",
    "Tree": "clusterlab.cluster.hierarchy",
}
__all__ = sorted(_LAZY)

__getattr__, __dir__ = lazy_facade(__name__, _LAZY, globals())
