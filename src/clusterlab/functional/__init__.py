"""The textbook's algorithms as plain functions that return histories.

Thin layers over the estimators (``kmeans`` runs :class:`~clusterlab.KMeans`,
``em_mog`` runs :class:`~clusterlab.GaussianMixture`) and ``general_em``, the
EM algorithm for any latent-variable model given as an E-step and an M-step,
with ready-made step sets: Gaussian (``gmm_*``) and Bernoulli (``bmm_*``)
mixtures, factor analysis (``fa_*``) and a mixture of linear regressions
(``mixreg_*``).

Examples
--------
>>> import numpy as np
>>> from clusterlab.functional import kmeans
>>> X = np.array([[0.0, 0.0], [0.0, 1.0], [9.0, 9.0], [9.0, 10.0]])
>>> centroids, labels, history, n_iters = kmeans(X, 2, random_state=0)
>>> sorted(centroids[:, 0].tolist()), float(history[-1])
([0.0, 9.0], 1.0)
"""

from clusterlab._lazy import lazy_facade

_STEPS = {
    "clusterlab.functional._mixture_steps": (
        "gmm_initialize", "gmm_e_step", "gmm_m_step", "gmm_elbo",
        "bmm_initialize", "bmm_e_step", "bmm_m_step", "bmm_elbo",
    ),
    "clusterlab.functional._factor": ("fa_initialize", "fa_e_step", "fa_m_step", "fa_elbo"),
    "clusterlab.functional._mixreg": (
        "mixreg_initialize", "mixreg_e_step", "mixreg_m_step", "mixreg_elbo",
    ),
    "clusterlab.functional._wrappers": ("kmeans", "em_mog"),
    "clusterlab.functional._general_em": ("general_em", "ElboDecreaseWarning"),
}
_LAZY = {name: module for module, names in _STEPS.items() for name in names}
__all__ = sorted(_LAZY)

__getattr__, __dir__ = lazy_facade(__name__, _LAZY, globals())
