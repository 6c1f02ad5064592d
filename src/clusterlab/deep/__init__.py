"""Variational autoencoders and deep clustering (needs the ``torch`` extra).

``VAE`` learns a latent representation by maximising the ELBO;
``DeepClustering`` finds groups in such representations (a VAE followed by a
Gaussian mixture in its latent space, or VaDE, trained end to end).
``cluster_accuracy`` scores labels against classes after Hungarian matching.

Examples
--------
>>> from clusterlab.deep import cluster_accuracy
>>> cluster_accuracy([0, 0, 1, 1], [1, 1, 0, 0])
1.0
"""

from importlib.util import find_spec

from clusterlab._lazy import lazy_facade

_LAZY = {
    "VAE": "clusterlab.deep._vae",
    "DeepClustering": "clusterlab.deep._clustering",
    "cluster_accuracy": "clusterlab.deep._metrics",
    "clustering_scores": "clusterlab.deep._metrics",
}
# these need no torch (metrics are plain numpy / scipy / sklearn)
_NO_TORCH = {"cluster_accuracy", "clustering_scores"}
__all__ = sorted(_LAZY)

_HINT = (
    "clusterlab.deep needs PyTorch: pip install clusterlab[torch] "
    "(install torch==2.13.0 first to get the CPU build; see the README)."
)


def _needs_torch(name):
    if name not in _NO_TORCH and find_spec("torch") is None:
        raise ImportError(_HINT)


__getattr__, __dir__ = lazy_facade(__name__, _LAZY, globals(), check=_needs_torch)
