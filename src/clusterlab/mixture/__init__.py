"""Mixture models fitted by one family-agnostic EM engine."""

from clusterlab._lazy import lazy_facade

_LAZY = {
    "CollapsedComponentWarning": "clusterlab.mixture._base",
    "DegenerateFitError": "clusterlab.mixture.families",
    "GaussianMixture": "clusterlab.mixture._gaussian_mixture",
    "MixtureModel": "clusterlab.mixture._mixture",
}
__all__ = sorted(_LAZY)

__getattr__, __dir__ = lazy_facade(__name__, _LAZY, globals())
