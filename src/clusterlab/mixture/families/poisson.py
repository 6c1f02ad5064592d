"""Poisson components: independent count features."""

import numpy as np
from scipy.special import gammaln

from clusterlab._validation.schema import Field
from clusterlab.mixture.families._protocol import Family, check_counts


class Poisson(Family):
    """Independent Poisson counts per feature and component.

    Parameters
    ----------
    alpha : float, default=1e-9
        Pseudo-count added to every component's total, so a rate is never
        exactly 0 (which would make any later positive count impossible).

    Examples
    --------
    >>> import numpy as np
    >>> fam = Poisson()
    >>> X = np.array([[1.0, 0.0], [3.0, 2.0]])
    >>> fam.m_step(fam.statistics(X, np.ones((2, 1)), np.ones(2)))["rates"].round(3).tolist()
    [[2.0, 1.0]]
    """

    name = "poisson"
    public_params = ("rates",)

    def __init__(self, alpha=1e-9):
        self.alpha = alpha

    def check_X(self, X):
        check_counts(X, self.name)

    def log_prob(self, X, params):
        rates = params["rates"]
        const = gammaln(X + 1.0).sum(axis=1)
        return X @ np.log(rates).T - rates.sum(axis=1) - const[:, None]

    def statistics(self, X, resp, weights):
        wr = resp * weights[:, None]
        return {"n": wr.sum(axis=0), "sum": wr.T @ X}

    def param_fields(self):
        return (Field("rates", "array", shape=("n_components", "n_features_in_"), low=0),)

    def m_step(self, stats):
        n = stats["n"][:, None]
        return {"rates": (stats["sum"] + self.alpha) / (n + self.alpha)}

    def n_parameters(self, n_components, n_features):
        return n_components * n_features

    def sample(self, params, counts, rng):
        return np.vstack([rng.poisson(r, size=(c, r.size)).astype(np.float64)
                          for r, c in zip(params["rates"], counts, strict=True)])
