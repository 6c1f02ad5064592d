"""Judging clusterings and choosing the number of clusters."""

from clusterlab._lazy import lazy_facade

_LAZY = {
    "select_k": "clusterlab.evaluation._select_k",
    "SelectionResult": "clusterlab.evaluation._select_k",
    "within_dispersion": "clusterlab.evaluation._scores",
    "gap_statistic": "clusterlab.evaluation._scores",
    "elbow_index": "clusterlab.evaluation._scores",
    "CRITERIA": "clusterlab.evaluation._criteria",
}
__all__ = sorted(_LAZY)

__getattr__, __dir__ = lazy_facade(__name__, _LAZY, globals())
