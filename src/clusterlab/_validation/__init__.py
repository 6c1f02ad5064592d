"""Validation at the boundary: data (shape, dtype, finiteness) and parameters."""

from clusterlab._validation.arguments import check_sample_count
from clusterlab._validation.data import (
    check_data,
    check_n_samples,
    check_sample_weight,
)
from clusterlab._validation.params import (
    Interval,
    Options,
    validate_params,
)

__all__ = [
    "Interval",
    "Options",
    "check_data",
    "check_n_samples",
    "check_sample_count",
    "check_sample_weight",
    "validate_params",
]
