"""Kernel density estimation."""

from clusterlab._lazy import lazy_facade

_LAZY = {"KernelDensity": "clusterlab.density._kde"}
__all__ = sorted(_LAZY)

__getattr__, __dir__ = lazy_facade(__name__, _LAZY, globals())
