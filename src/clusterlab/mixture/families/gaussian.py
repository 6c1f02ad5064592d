"""The Gaussian family, parameterised by a covariance structure.

Statistics are kept in the numerically stable "count, mean, centred scatter"
form (Chan, Golub and LeVeque's parallel variance): each chunk is centred on
its own weighted component means before any second moment is formed, and two
chunks combine with the parallel-axis correction. The result is exact
whatever the data's offset, and it rescales cleanly for stepwise EM.
"""

import numpy as np

from clusterlab._kernels import kernels
from clusterlab._moments import combine_stats, means, scale_stats
from clusterlab._validation.scale import check_magnitude
from clusterlab._validation.schema import Field
from clusterlab.mixture.families._covariance import FixedSpherical, _Structure
from clusterlab.mixture.families._parsimonious import MCLUST_MODELS, STRUCTURES
from clusterlab.mixture.families._protocol import DegenerateFitError, Family

_EPS = 10 * np.finfo(np.float64).eps
# scikit-learn's message, word for word (users search for it)
ILL_DEFINED = (
    "Fitting the mixture model failed because some components have ill-defined empirical "
    "covariance (for instance caused by singleton or collapsed samples). Try to decrease the "
    "number of components, increase reg_covar, or scale the input data."
)


def get_structure(covariance_type):
    """Return the covariance strategy for a name or pass a strategy through.

    Examples
    --------
    >>> get_structure("diag").name
    'diag'
    """
    if isinstance(covariance_type, _Structure):
        return covariance_type
    if isinstance(covariance_type, str) and covariance_type in STRUCTURES:
        return STRUCTURES[covariance_type]()
    raise ValueError(
        "covariance_type must be one of scikit-learn's 'full', 'tied', 'diag', 'spherical', "
        f"mclust's {', '.join(MCLUST_MODELS)}, or a covariance structure such as "
        f"FixedSpherical(variance); got {covariance_type!r}."
    )


def _full_scatter(X, wr, mean):
    """Per-component centred scatter ``sum_i wr_ij (x_i - m_j)(x_i - m_j)^T``.

    With ``Z_j = wr_j (X - m_j)``, ``sum_i Z_ij = 0`` because ``m_j`` is the
    weighted mean, so the scatter is ``(X - c)^T Z_j`` for any reference ``c``:
    one stacked GEMM ``(X - c)^T [Z_1 .. Z_k]`` for all components.
    """
    n, d = X.shape
    k = mean.shape[0]
    Z = np.empty((n, k * d))
    kernels("estep", Z.size).weighted_deviations(X, np.ascontiguousarray(wr), mean, Z)
    centred = X - X.mean(axis=0)
    m2 = (centred.T @ Z).reshape(d, k, d).transpose(1, 0, 2)
    return 0.5 * (m2 + m2.transpose(0, 2, 1))


def _diag_stats_from_moments(n, moments, shift):
    """Count, mean and centred per-feature scatter from moments about ``shift``.

    The moments are taken about the chunk's mean ``c`` and re-centred:
    ``m2 = S2 - S1^2 / n`` with ``S1, S2`` the first and second moments of
    ``X - c``, exact up to rounding of order ``eps (1 + (m_j - c)^2 / var_j)``.
    """
    k, d = moments.shape[0], moments.shape[1] // 2
    s1, s2 = moments[:, :d], moments[:, d:]
    mean_shifted = means(n, s1, np.zeros((k, d)))
    m2 = np.maximum(s2 - s1 * mean_shifted, 0.0)
    mean = np.where((n > 0)[:, None], mean_shifted + shift, 0.0)
    return {"n": n, "mean": mean, "m2": m2}


def _moment_buffers(X, k):
    """The chunk's column means (the shift) and empty count / moment arrays."""
    shift = np.empty(X.shape[1])
    kernels("estep", X.size * k).column_means(X, shift)
    return shift, np.empty(k), np.empty((k, 2 * X.shape[1]))


def _diag_statistics(X, resp, weights):
    """Diagonal statistics of one chunk (one kernel pass over its rows)."""
    shift, n, moments = _moment_buffers(X, resp.shape[1])
    kernels("estep", X.size * resp.shape[1]).diag_statistics(
        X, np.ascontiguousarray(resp), np.ascontiguousarray(weights), shift, n, moments)
    return _diag_stats_from_moments(n, moments, shift)


class Gaussian(Family):
    """Gaussian components with a given covariance structure.

    Parameters
    ----------
    covariance_type : str or structure, default="full"
        How the covariance matrices are shaped: scikit-learn's "full", "tied",
        "diag", "spherical" or one of mclust's fourteen models ("EII" ... "VVV",
        see ``_parsimonious.py``).
    reg_covar : float, default=1e-6
        Non-negative value added to the diagonal of each covariance.

    Examples
    --------
    >>> import numpy as np
    >>> fam = Gaussian("diag")
    >>> X = np.array([[0.0, 1.0], [2.0, 3.0]])
    >>> params = fam.m_step(fam.statistics(X, np.ones((2, 1)), np.ones(2)))
    >>> params["means"].tolist()
    [[1.0, 2.0]]
    """

    name = "gaussian"
    public_params = ("means", "covariances", "precisions", "precisions_cholesky")
    collapse_remedies = ("fewer components, a larger reg_covar, a 'tied' or 'spherical' "
                         "covariance, or de-duplicating / jittering discretised values")

    def __init__(self, covariance_type="full", reg_covar=1e-6):
        self.covariance_type = covariance_type
        self.reg_covar = reg_covar
        self.structure = get_structure(covariance_type)

    def __repr__(self):
        return f"Gaussian(covariance_type={self.covariance_type!r}, reg_covar={self.reg_covar!r})"

    def reset(self):
        self.structure.reset()

    def row_bytes(self, n_components, n_features):
        if self.structure.m2 == "diag":  # the fused E-step keeps no per-row temporaries
            return 8 * 3 * n_features
        stacked = 2 * n_components * n_features if self.structure.m2 == "full" else 0
        return 8 * (n_components * 4 + 3 * n_features + stacked)

    def check_X(self, X):
        """Refuse magnitudes whose covariances (squares) overflow or vanish."""
        check_magnitude(X, "a Gaussian mixture", "its covariances (the data squared)")

    def log_prob(self, X, params):
        return self.structure.log_prob(X, params["means"], params["precisions_cholesky"])

    def statistics(self, X, resp, weights):
        if self.structure.m2 == "diag":
            return _diag_statistics(X, resp, weights)
        wr = resp * weights[:, None]
        n = wr.sum(axis=0)
        mean = means(n, wr.T @ X, np.zeros((resp.shape[1], X.shape[1])))
        stats = {"n": n, "mean": mean}
        kind = self.structure.m2
        if kind == "full":
            stats["m2"] = _full_scatter(X, wr, mean)
        return stats

    def fused_estep(self, X, weights, params, log_weights, hard):
        """Diagonal and spherical structures: log-densities, responsibilities and
        statistics in one kernel pass, without an (n, k) array; others: ``None``."""
        if self.structure.m2 != "diag":
            return None
        k, d = params["means"].shape
        terms = self.structure.diag_terms(d, params["means"], params["precisions_cholesky"])
        shift, n, moments = _moment_buffers(X, k)
        ll, elbo = kernels("estep", X.size * k).diag_estep(
            X, *terms, np.ascontiguousarray(log_weights, dtype=np.float64),
            np.ascontiguousarray(weights), bool(hard), shift, n, moments)
        return _diag_stats_from_moments(n, moments, shift), n.copy(), ll, elbo

    def combine(self, a, b):
        return combine_stats(a, b)

    def scale(self, stats, factor):
        return scale_stats(stats, factor)

    def param_fields(self):
        shape = self.structure.shape("n_components", "n_features_in_")
        low = None if self.structure.m2 == "full" else 0  # variances (diagonal models)
        return (
            Field("means", "array", shape=("n_components", "n_features_in_")),
            Field("covariances", "array", shape=shape, low=low),
            Field("precisions_cholesky", "array", shape=shape, low=low),
        )

    def m_step(self, stats):
        # scikit-learn adds 10 eps to every count so that empty components stay finite
        nk = stats["n"] + _EPS
        cov = self.structure.covariances(nk, stats.get("m2"), self.reg_covar)
        prec_chol, bad = self.structure.precision_cholesky(cov)
        if len(bad) and self.reg_covar == 0:
            # without regularisation a singular covariance is an error, as in scikit-learn
            raise DegenerateFitError(ILL_DEFINED)
        return {"means": stats["mean"].copy(), "covariances": cov, "precisions_cholesky": prec_chol}

    def to_vector(self, params):
        """Means and covariances, flat (the precision factors follow from them)."""
        return np.concatenate([params["means"].ravel(), np.ravel(params["covariances"])])

    def from_vector(self, vector, like):
        """Means and covariances from ``to_vector``'s layout; ``None`` unless every
        covariance is positive definite without jitter."""
        split = like["means"].size
        means = vector[:split].reshape(like["means"].shape)
        cov = vector[split:].reshape(np.shape(like["covariances"]))
        if self.structure.m2 == "full":
            cov = 0.5 * (cov + np.swapaxes(cov, -1, -2))
        try:
            prec_chol, jittered = self.structure.precision_cholesky(cov)
        except ValueError:
            return None
        if len(jittered):
            return None
        return {"means": means, "covariances": cov, "precisions_cholesky": prec_chol}

    def params_from_precisions(self, means, precisions):
        """Parameters from given means and precisions (scikit-learn's ``precisions_init``)."""
        prec_chol, cov = self.structure.from_precisions(np.asarray(precisions, dtype=np.float64))
        return {"means": np.asarray(means, dtype=np.float64), "covariances": cov,
                "precisions_cholesky": prec_chol}

    def attributes(self, params):
        """Public fitted attributes (without the trailing underscore)."""
        out = dict(params)
        out["precisions"] = self.structure.precisions(params["precisions_cholesky"])
        return out

    def n_parameters(self, n_components, n_features):
        return self.structure.n_parameters(n_components, n_features) + n_components * n_features

    def sample(self, params, counts, rng):
        parts = self.structure.sample(params["means"], params["covariances"], counts, rng)
        return np.vstack(parts)

    def collapsed(self, params, stats):
        """Components whose covariance has collapsed to (about) ``reg_covar``.

        A component sitting on one repeated value (or on fewer distinct points
        than dimensions) has a singular empirical covariance; only ``reg_covar``
        keeps it invertible, and its likelihood grows without bound as
        ``reg_covar`` shrinks, so likelihood criteria must not trust it.
        """
        if isinstance(self.structure, FixedSpherical):
            return []
        cov = params["covariances"]
        smallest, feature = self.structure.smallest_variances(cov)
        scale = float(np.max(smallest, initial=0.0))
        threshold = max(self.reg_covar, 1e-9 * scale)
        out = []
        for j in np.flatnonzero(smallest - self.reg_covar <= threshold):
            where = f" along feature {feature[j]}" if feature[j] >= 0 else ""
            reason = (f"its smallest variance{where} is {smallest[j]:.3g}, "
                      f"at reg_covar={self.reg_covar:g}")
            if smallest.shape[0] == 1 and params["means"].shape[0] > 1:  # tied
                return [(i, "the shared covariance is singular: " + reason)
                        for i in range(params["means"].shape[0])]
            out.append((int(j), reason))
        return out
