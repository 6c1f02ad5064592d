"""Covariance structures of the Gaussian family, as small strategy objects.

Each structure knows the shape of its covariance array, which second moment
it needs (``"full"``: a d x d scatter per component, ``"diag"``: d variances
per component, ``None``: none), how to turn moments into covariances and
precision Cholesky factors, how to evaluate log-densities, count parameters
and sample. ``prec_chol`` follows scikit-learn: ``precision = P @ P.T``.
"""

import math

import numpy as np
from scipy import linalg

from clusterlab._kernels import kernels
from clusterlab.mixture.families._protocol import DegenerateFitError

LOG_2PI = math.log(2 * math.pi)


def _chol_precision(cov):
    """Upper-triangular ``P`` with ``P @ P.T = inv(cov)``, or ``None`` if not SPD."""
    try:
        chol = np.linalg.cholesky(cov)
    except np.linalg.LinAlgError:
        return None
    if not np.all(np.diag(chol) > 0):
        return None
    # LAPACK's triangular inverse: exact for triangles, and no BLAS threading overhead
    inv, info = linalg.lapack.dtrtri(chol, lower=1)
    if info != 0 or not np.all(np.isfinite(inv)):
        return None
    # the precision P P^T must be finite too (its entries are at most d max|P|^2)
    if not math.isfinite(cov.shape[0] * float(np.max(np.abs(inv))) ** 2):
        return None
    return np.ascontiguousarray(inv.T)


# jitter grows x10 from 1e-12 of the largest variance up to 1e+3 of it: beyond that
# the matrix is no longer the data's covariance but the jitter
_JITTER_STEPS = 16


def _regularised_chol(cov):
    """Precision Cholesky of ``cov``, adding diagonal jitter until it is SPD.

    Returns ``(prec_chol, jitter)``; ``jitter`` is 0 when none was needed.
    The search is bounded: a covariance that holds NaN or infinity, or
    that no jitter up to 1000 times its largest variance makes positive
    definite, raises ``ValueError``.
    """
    scale = float(np.max(np.abs(np.diag(cov))))
    if not np.all(np.isfinite(cov)):
        raise DegenerateFitError(
            "A component covariance holds NaN or infinity (largest variance "
            f"{scale:g}), so it has no Cholesky factor: the data or reg_covar are "
            "too large or not finite for this dtype. Check reg_covar, or rescale "
            "the data (or use float64)."
        )
    prec = _chol_precision(cov)
    if prec is not None:
        return prec, 0.0
    # an all-zero covariance (one distinct point, reg_covar=0) gets the diagonal
    # structures' floor: 1e-12 in the data's units
    jitter = (scale if scale > 0 else 1.0) * 1e-12
    eye = np.eye(cov.shape[0], dtype=cov.dtype)
    for _ in range(_JITTER_STEPS):
        prec = _chol_precision(cov + jitter * eye)
        if prec is not None:
            return prec, jitter
        jitter *= 10.0
    raise DegenerateFitError(
        f"A component covariance (largest variance {scale:g}) stays not positive "
        f"definite with diagonal jitter up to {jitter / 10:g}; increase reg_covar or "
        "check the data for overflow."
    )


class _Structure:
    name = ""
    m2 = "full"

    def __repr__(self):
        return f"{type(self).__name__}()"

    def __eq__(self, other):
        return type(self) is type(other) and vars(self) == vars(other)

    def __hash__(self):
        return hash(self.name)

    def reset(self):
        """Forget what the M-step keeps between iterations (a new run starts)."""


class Full(_Structure):
    """One full covariance matrix per component.

    Examples
    --------
    >>> Full().n_parameters(2, 3)
    12
    """

    name = "full"
    m2 = "full"

    def covariances(self, n, m2, reg):
        cov = m2 / n[:, None, None]
        cov += reg * np.eye(m2.shape[1])
        return cov

    def precision_cholesky(self, cov):
        out = np.empty_like(cov)
        jitters = np.zeros(cov.shape[0])
        for j in range(cov.shape[0]):
            out[j], jitters[j] = _regularised_chol(cov[j])
        return out, np.flatnonzero(jitters > 0)

    def log_det(self, prec_chol):
        return np.log(np.diagonal(prec_chol, axis1=-2, axis2=-1)).sum(axis=-1)

    def log_prob(self, X, means, prec_chol):
        # one GEMM against the stacked factors [P_1 .. P_k], columns feature-major
        n, d = X.shape
        k = means.shape[0]
        stacked = np.ascontiguousarray(np.transpose(prec_chol, (1, 2, 0)).reshape(d, d * k))
        shift = np.einsum("jf,jfg->gj", means, prec_chol).ravel()
        out = np.empty((n, k))
        log_det = self.log_det(prec_chol) - 0.5 * d * LOG_2PI
        kernels("estep", X.size * k).blocked_log_prob(X @ stacked, shift, log_det, out)
        return out

    def n_parameters(self, k, d):
        return k * d * (d + 1) // 2

    def dense(self, cov, k, d):
        """The covariances as a (k, d, d) stack (for marginals and conditionals)."""
        return np.broadcast_to(cov, (k,) + cov.shape[-2:])

    def precisions(self, prec_chol):
        return prec_chol @ np.swapaxes(prec_chol, -1, -2)

    def from_precisions(self, precisions):
        chol = np.array([linalg.cholesky(p, lower=True) for p in precisions])
        return chol, np.linalg.inv(precisions)

    def shape(self, k, d):
        return (k, d, d)

    def smallest_variances(self, cov):
        """Smallest eigenvalue per component (and -1: no single feature)."""
        vals = np.linalg.eigvalsh(cov)[:, 0]
        return vals, np.full(cov.shape[0], -1)

    def sample(self, means, cov, counts, rng):
        return [rng.multivariate_normal(m, c, size=n)
                for m, c, n in zip(means, cov, counts, strict=True)]


class Tied(Full):
    """One full covariance matrix shared by all components.

    Examples
    --------
    >>> Tied().n_parameters(2, 3)
    6
    """

    name = "tied"

    def covariances(self, n, m2, reg):
        cov = m2.sum(axis=0) / n.sum()
        cov += reg * np.eye(m2.shape[1])
        return cov

    def precision_cholesky(self, cov):
        prec, jitter = _regularised_chol(cov)
        return prec, np.array([0]) if jitter > 0 else np.array([], dtype=int)

    def log_prob(self, X, means, prec_chol):
        k = means.shape[0]
        return Full.log_prob(self, X, means, np.broadcast_to(prec_chol, (k,) + prec_chol.shape))

    def n_parameters(self, k, d):
        return d * (d + 1) // 2

    def precisions(self, prec_chol):
        return prec_chol @ prec_chol.T

    def from_precisions(self, precisions):
        return linalg.cholesky(precisions, lower=True), np.linalg.inv(precisions)

    def shape(self, k, d):
        return (d, d)

    def smallest_variances(self, cov):
        val = np.linalg.eigvalsh(cov)[0]
        return np.array([val]), np.array([-1])

    def sample(self, means, cov, counts, rng):
        return [rng.multivariate_normal(m, cov, size=n) for m, n in zip(means, counts, strict=True)]


class Diag(_Structure):
    """A diagonal covariance (one variance per feature) per component.

    Examples
    --------
    >>> Diag().n_parameters(2, 3)
    6
    """

    name = "diag"
    m2 = "diag"

    def covariances(self, n, m2, reg):
        return m2 / n[:, None] + reg

    def _floor(self, cov):
        """Replace non-positive variances (only possible when reg_covar=0)."""
        bad = ~(cov > 0)
        if np.any(bad):
            cov = cov.copy()
            cov[bad] = 1e-12 * max(float(np.max(cov, initial=0.0)), 1.0)
        rows = np.flatnonzero(bad.reshape(bad.shape[0], -1).any(axis=1)) if bad.ndim else []
        return cov, np.asarray(rows, dtype=int)

    def precision_cholesky(self, cov):
        cov, bad = self._floor(cov)
        return 1.0 / np.sqrt(cov), bad

    def log_det(self, prec_chol):
        return np.log(prec_chol).sum(axis=1)

    def diag_terms(self, n_features, means, prec_chol):
        """``(means^T, precisions^T, log-normaliser)`` as the diagonal kernels take them."""
        log_det = self.log_det(prec_chol) - 0.5 * n_features * LOG_2PI
        return (np.ascontiguousarray(means.T), np.ascontiguousarray((prec_chol**2).T), log_det)

    def log_prob(self, X, means, prec_chol):
        out = np.empty((X.shape[0], means.shape[0]))
        terms = self.diag_terms(X.shape[1], means, prec_chol)
        kernels("estep", X.size * means.shape[0]).diag_log_prob(X, *terms, out)
        return out

    def n_parameters(self, k, d):
        return k * d

    def dense(self, cov, k, d):
        """The covariances as a (k, d, d) stack (for marginals and conditionals)."""
        return cov[:, :, None] * np.eye(d)[None]

    def precisions(self, prec_chol):
        return prec_chol**2

    def from_precisions(self, precisions):
        return np.sqrt(precisions), 1.0 / precisions

    def shape(self, k, d):
        return (k, d)

    def smallest_variances(self, cov):
        return cov.min(axis=1), cov.argmin(axis=1)

    def sample(self, means, cov, counts, rng):
        return [m + rng.standard_normal((n, m.size)) * np.sqrt(c)
                for m, c, n in zip(means, cov, counts, strict=True)]


class Spherical(Diag):
    """One variance per component, shared by its features.

    Examples
    --------
    >>> Spherical().n_parameters(2, 3)
    2
    """

    name = "spherical"

    def covariances(self, n, m2, reg):
        return (m2 / n[:, None]).mean(axis=1) + reg

    def diag_terms(self, n_features, means, prec_chol):
        prec = np.ascontiguousarray(np.repeat((prec_chol**2)[None], n_features, axis=0))
        log_det = n_features * np.log(prec_chol) - 0.5 * n_features * LOG_2PI
        return np.ascontiguousarray(means.T), prec, log_det

    def n_parameters(self, k, d):
        return k

    def dense(self, cov, k, d):
        """The covariances as a (k, d, d) stack (for marginals and conditionals)."""
        return np.asarray(cov)[:, None, None] * np.eye(d)[None]

    def shape(self, k, d):
        return (k,)

    def smallest_variances(self, cov):
        return cov, np.full(cov.shape[0], -1)

    def sample(self, means, cov, counts, rng):
        return [m + rng.standard_normal((n, m.size)) * math.sqrt(c)
                for m, c, n in zip(means, cov, counts, strict=True)]


class FixedSpherical(Spherical):
    """A fixed variance shared by every component and feature (not learned).

    With hard EM and fixed equal weights this is k-means; see
    ``GaussianMixture(covariance_type=FixedSpherical(variance))``.

    Parameters
    ----------
    variance : float
        The variance of every component along every feature.

    Examples
    --------
    >>> FixedSpherical(0.5).covariances(np.ones(2), np.zeros((2, 3)), 1e-6).tolist()
    [0.5, 0.5]
    """

    name = "fixed-spherical"
    m2 = None

    def __init__(self, variance=1.0):
        self.variance = variance

    def __repr__(self):
        return f"FixedSpherical(variance={self.variance!r})"

    def covariances(self, n, m2, reg):
        if not (isinstance(self.variance, int | float) and self.variance > 0):
            raise ValueError(
                f"FixedSpherical variance must be a positive number; got {self.variance!r}."
            )
        return np.full(n.shape[0], float(self.variance))

    def n_parameters(self, k, d):
        return 0


STRUCTURES = {cls.name: cls for cls in (Full, Tied, Diag, Spherical)}
