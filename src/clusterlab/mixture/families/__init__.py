"""Distribution families for the EM engine (see ``_protocol.py``).

Examples
--------
>>> get_family("bernoulli")
Bernoulli()
"""

from clusterlab.mixture.families._covariance import (
    Diag,
    FixedSpherical,
    Full,
    Spherical,
    Tied,
)
from clusterlab.mixture.families._protocol import DegenerateFitError, Family
from clusterlab.mixture.families.bernoulli import Bernoulli
from clusterlab.mixture.families.categorical import Categorical
from clusterlab.mixture.families.gaussian import Gaussian
from clusterlab.mixture.families.poisson import Poisson

FAMILIES = {
    "gaussian": Gaussian,
    "bernoulli": Bernoulli,
    "categorical": Categorical,
    "multinomial": Categorical,
    "poisson": Poisson,
}


def get_family(family):
    """Return a family instance for a registered name, or pass an instance through.

    Examples
    --------
    >>> get_family("multinomial").name
    'categorical'
    """
    if isinstance(family, Family):
        return family
    if isinstance(family, str) and family in FAMILIES:
        return FAMILIES[family]()
    raise ValueError(
        f"family must be one of {sorted(FAMILIES)} or a Family instance; got {family!r}."
    )


__all__ = [
    "Bernoulli", "Categorical", "DegenerateFitError", "Diag", "FAMILIES", "Family",
    "FixedSpherical", "Full", "Gaussian", "Poisson", "Spherical", "Tied", "get_family",
]
