"""clusterlab: find groups and densities in unlabelled data.

The public API is flat: ``from clusterlab import KMeans, GaussianMixture``.
Nothing heavy happens on import; each name is imported from its module the
first time it is used.

Examples
--------
>>> import numpy as np
>>> from clusterlab import KMeans
>>> X = np.array([[0.0, 0.0], [0.1, 0.0], [5.0, 5.0], [5.1, 5.0]])
>>> KMeans(n_clusters=2, random_state=0).fit(X).inertia_ < 0.02
True
"""

from importlib import import_module

from clusterlab._lazy import lazy_facade

__version__ = "0.1.0"

# public name -> module that defines it (imported lazily, PEP 562)
_LAZY = {
    "KMeans": "clusterlab.cluster",
    "MiniBatchKMeans": "clusterlab.cluster",
    "FuzzyCMeans": "clusterlab.cluster",
    "kmeans_plusplus": "clusterlab.cluster",
    "linkage": "clusterlab.cluster",
    "AgglomerativeClustering": "clusterlab.cluster",
    "Tree": "clusterlab.cluster",
    "GaussianMixture": "clusterlab.mixture",
    "MixtureModel": "clusterlab.mixture",
    "KernelDensity": "clusterlab.density",
    "select_k": "clusterlab.evaluation",
    "load_model": "clusterlab.io",
    "save_model": "clusterlab.io",
    "config": "clusterlab._config",
    "get_config": "clusterlab._config",
    "as_source": "clusterlab.sources",
}
# the course's functions (clusterlab.functional), at the top level too
_LAZY.update(dict.fromkeys(import_module("clusterlab.functional").__all__,
                           "clusterlab.functional"))

__all__ = sorted(_LAZY) + ["__version__"]

__getattr__, __dir__ = lazy_facade(__name__, _LAZY, globals())
