"""Categorical / multinomial components: rows of counts over d categories.

A row is a bag of counts (e.g. words); its total is given, so the component
models only how that total splits across categories. One-hot rows are plain
categorical data.
"""

import numpy as np
from scipy.special import gammaln

from clusterlab._validation.schema import Field
from clusterlab.mixture.families._protocol import Family, check_counts


class Categorical(Family):
    """Multinomial counts with one probability vector per component.

    Parameters
    ----------
    alpha : float, default=1e-9
        Pseudo-count added to every category (keeps probabilities above 0).

    Examples
    --------
    >>> import numpy as np
    >>> fam = Categorical()
    >>> X = np.array([[3.0, 1.0], [1.0, 3.0]])
    >>> fam.m_step(fam.statistics(X, np.ones((2, 1)), np.ones(2)))["probs"].round(3).tolist()
    [[0.5, 0.5]]
    """

    name = "categorical"
    public_params = ("probs",)

    def __init__(self, alpha=1e-9):
        self.alpha = alpha

    def check_X(self, X):
        check_counts(X, self.name)

    def log_prob(self, X, params):
        # log multinomial coefficient: log N! - sum log x_f!
        const = gammaln(X.sum(axis=1) + 1.0) - gammaln(X + 1.0).sum(axis=1)
        return X @ np.log(params["probs"]).T + const[:, None]

    def statistics(self, X, resp, weights):
        wr = resp * weights[:, None]
        return {"n": wr.sum(axis=0), "counts": wr.T @ X}

    def param_fields(self):
        return (Field("probs", "array", shape=("n_components", "n_features_in_"), low=0, high=1),)

    def m_step(self, stats):
        counts = stats["counts"] + self.alpha
        return {"probs": counts / counts.sum(axis=1, keepdims=True)}

    def n_parameters(self, n_components, n_features):
        return n_components * (n_features - 1)

    def sample(self, params, counts, rng, trials=None):
        """Draws of ``trials`` counts per row (default: 1, i.e. one-hot rows)."""
        trials = 1 if trials is None else trials
        return np.vstack([rng.multinomial(trials, p, size=c).astype(np.float64)
                          for p, c in zip(params["probs"], counts, strict=True)])
