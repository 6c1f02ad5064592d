"""Bernoulli components: independent binary features (e.g. binarised digits)."""

import numpy as np

from clusterlab._validation.schema import Field
from clusterlab.mixture.families._protocol import Family, check_counts


class Bernoulli(Family):
    """Independent Bernoulli features per component.

    Parameters
    ----------
    alpha : float, default=1e-9
        Pseudo-count added to the successes and the failures of every feature,
        so a probability never reaches exactly 0 or 1 (a component that never
        saw a 1 would otherwise give log(0) to any later 1).

    Examples
    --------
    >>> import numpy as np
    >>> fam = Bernoulli()
    >>> X = np.array([[1.0, 0.0], [1.0, 1.0]])
    >>> fam.m_step(fam.statistics(X, np.ones((2, 1)), np.ones(2)))["probs"].round(3).tolist()
    [[1.0, 0.5]]
    """

    name = "bernoulli"
    public_params = ("probs",)

    def __init__(self, alpha=1e-9):
        self.alpha = alpha

    def check_X(self, X):
        check_counts(X, self.name, binary=True)

    def log_prob(self, X, params):
        p = params["probs"]
        log_p, log_q = np.log(p), np.log1p(-p)
        return X @ (log_p - log_q).T + log_q.sum(axis=1)

    def statistics(self, X, resp, weights):
        wr = resp * weights[:, None]
        return {"n": wr.sum(axis=0), "ones": wr.T @ X}

    def param_fields(self):
        return (Field("probs", "array", shape=("n_components", "n_features_in_"), low=0, high=1),)

    def m_step(self, stats):
        n = stats["n"][:, None]
        return {"probs": (stats["ones"] + self.alpha) / (n + 2 * self.alpha)}

    def n_parameters(self, n_components, n_features):
        return n_components * n_features

    def sample(self, params, counts, rng):
        return np.vstack([(rng.random((c, p.size)) < p).astype(np.float64)
                          for p, c in zip(params["probs"], counts, strict=True)])
