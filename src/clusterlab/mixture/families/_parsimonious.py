"""mclust's fourteen parsimonious covariance models (Celeux and Govaert 1995).

Every component covariance is ``Sigma_k = lambda_k D_k A_k D_k^T``: volume
``lambda_k``, orientation ``D_k``, shape ``A_k`` (diagonal, determinant 1). A
three-letter name says, for volume, shape and orientation, whether it is Equal
across components, Variable, or the Identity. Each model is a covariance
structure (the strategies of ``_covariance.py``): its M-step turns the
components' counts ``n_k`` and centred scatters ``W_k`` into covariances, in
closed form where one exists, else by the published iterations (Celeux and
Govaert's for VEI, VEE and VEV; Browne and McNicholas' 2014 MM algorithm for
EVE and VVE), each run to a relative change of ``1e-12``.

The diagonal models keep ``(k, d)`` variances (EII ``(k,)``) and the fast
diagonal kernels; the others ``(k, d, d)`` matrices. scikit-learn's four names
are four of the fourteen: spherical = VII, diag = VVI, tied = EEE, full = VVV.
``n_parameters`` counts as mclust's ``nVarParams``.
"""

import numpy as np

from clusterlab.mixture.families import _covariance as cov_mod
from clusterlab.mixture.families._covariance import Diag, Full, Spherical, Tied
from clusterlab.mixture.families._protocol import DegenerateFitError

_INNER_TOL = 1e-12
_INNER_ITER = 500
# mclust caps the MM iterations at .Machine$integer.max; its first EVE M-step on the
# seeds data takes 14,119 of them, so a small cap would stop on another path
_MM_ITER = 100_000
_TINY = np.finfo(np.float64).tiny


def _geo(values):
    """``prod(values) ** (1/d)`` along the last axis, by logs (no overflow)."""
    return np.exp(np.mean(np.log(np.maximum(values, _TINY)), axis=-1))


def _alternate(update, state, objective, max_iter=_INNER_ITER):
    """Apply ``update`` until ``objective`` changes by < ``_INNER_TOL`` (relative).

    Singular or non-finite scatter matrices (a collapsed component) have no
    solution: that is a :class:`DegenerateFitError`, not a LinAlgError.
    """
    try:
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            prev = cur = objective(state)
            for _ in range(max_iter):
                state = update(state)
                cur = objective(state)
                if not np.isfinite(cur):
                    break
                if abs(prev - cur) <= _INNER_TOL * (1.0 + abs(cur)):
                    break
                prev = cur
    except np.linalg.LinAlgError as exc:
        raise DegenerateFitError(
            f"this covariance model's M-step failed on singular scatter matrices ({exc}): "
            "a component has too few distinct points; use fewer components, a larger "
            "reg_covar or a simpler covariance model."
        ) from None
    if not np.isfinite(cur):
        raise DegenerateFitError(
            "this covariance model's M-step diverged (non-finite objective): a component "
            "has too few distinct points; use fewer components, a larger reg_covar or a "
            "simpler covariance model."
        )
    return state


class _DiagModel(Diag):
    """A diagonal model: ``m2`` holds per-feature scatters ``diag(W_k)``, shape (k, d)."""

    def covariances(self, n, m2, reg):
        return self.variances(n, m2) + reg


class EII(Spherical):
    """Equal spherical covariances ``lambda I`` (mclust's EII).

    Examples
    --------
    >>> EII().n_parameters(3, 2)
    1
    """

    name = "EII"

    def covariances(self, n, m2, reg):
        lam = m2.sum() / (n.sum() * m2.shape[1])
        return np.full(n.shape[0], lam) + reg

    def n_parameters(self, k, d):
        return 1


class EEI(_DiagModel):
    """Equal diagonal covariances ``lambda A`` (mclust's EEI).

    Examples
    --------
    >>> EEI().n_parameters(3, 2)
    2
    """

    name = "EEI"

    def variances(self, n, m2):
        return np.broadcast_to(m2.sum(axis=0) / n.sum(), m2.shape).copy()

    def n_parameters(self, k, d):
        return d


class VEI(_DiagModel):
    """Diagonal ``lambda_k A``: volumes vary, one shape (Celeux and Govaert's iteration).

    Examples
    --------
    >>> VEI().n_parameters(3, 2)
    4
    """

    name = "VEI"

    def variances(self, n, m2):
        d = m2.shape[1]

        def update(lam):
            b = (m2 / lam[:, None]).sum(axis=0)
            b = b / _geo(b)
            return np.maximum((m2 / b).sum(axis=1) / (d * n), _TINY), b

        def objective(state):
            lam, b = state
            return float(np.sum(d * n * np.log(lam)) + np.sum((m2 / b).sum(axis=1) / lam))

        lam0 = np.maximum(m2.sum(axis=1) / (d * n), _TINY)
        lam, b = _alternate(lambda s: update(s[0]), update(lam0), objective)
        return lam[:, None] * b[None, :]

    def n_parameters(self, k, d):
        return k + d - 1


class EVI(_DiagModel):
    """Diagonal ``lambda A_k``: one volume, shapes vary (closed form).

    Examples
    --------
    >>> EVI().n_parameters(3, 2)
    4
    """

    name = "EVI"

    def variances(self, n, m2):
        g = _geo(m2)
        lam = g.sum() / n.sum()
        return lam * m2 / np.maximum(g, _TINY)[:, None]

    def n_parameters(self, k, d):
        return 1 + k * (d - 1)


def _eigh_desc(m2):
    """Eigenvalues (descending) and eigenvectors of each scatter matrix."""
    vals, vecs = np.linalg.eigh(m2)
    return np.maximum(vals[..., ::-1], 0.0), vecs[..., ::-1]


def _compose(vecs, diag):
    """``V diag(a) V^T`` for stacked ``vecs`` (k, d, d) and ``diag`` (k, d)."""
    out = np.einsum("kij,kj,klj->kil", vecs, diag, vecs)
    return 0.5 * (out + np.swapaxes(out, 1, 2))


class _FullModel(Full):
    """A full model: ``m2`` holds the scatter matrices ``W_k``, shape (k, d, d)."""

    def covariances(self, n, m2, reg):
        cov = self.matrices(n, m2)
        cov += reg * np.eye(m2.shape[1])
        return cov


class VEE(_FullModel):
    """``lambda_k C``: volumes vary, one shape and orientation (Celeux and Govaert).

    Examples
    --------
    >>> VEE().n_parameters(3, 2)
    5
    """

    name = "VEE"

    def matrices(self, n, m2):
        d = m2.shape[1]

        def update(lam):
            c = (m2 / lam[:, None, None]).sum(axis=0)
            c = c / np.exp(np.linalg.slogdet(c)[1] / d)
            cinv = np.linalg.inv(c)
            tr = np.einsum("kij,ji->k", m2, cinv)
            return np.maximum(tr / (d * n), _TINY), c, tr

        def objective(state):
            lam, _, tr = state
            return float(np.sum(d * n * np.log(lam)) + np.sum(tr / lam))

        lam0 = np.maximum(np.trace(m2, axis1=1, axis2=2) / (d * n), _TINY)
        lam, c, _ = _alternate(lambda s: update(s[0]), update(lam0), objective)
        return lam[:, None, None] * c[None]

    def n_parameters(self, k, d):
        return k + (d - 1) + d * (d - 1) // 2


class EEV(_FullModel):
    """``lambda D_k A D_k^T``: one volume and shape, orientations vary (closed form).

    Examples
    --------
    >>> EEV().n_parameters(3, 2)
    5
    """

    name = "EEV"

    def matrices(self, n, m2):
        vals, vecs = _eigh_desc(m2)
        total = vals.sum(axis=0)
        g = _geo(total)
        a = total / max(g, _TINY)
        lam = g / n.sum()
        return _compose(vecs, np.broadcast_to(lam * a, vals.shape))

    def n_parameters(self, k, d):
        return 1 + (d - 1) + k * d * (d - 1) // 2


class VEV(_FullModel):
    """``lambda_k D_k A D_k^T``: volumes and orientations vary, one shape (Celeux and
    Govaert's iteration).

    Examples
    --------
    >>> VEV().n_parameters(3, 2)
    7
    """

    name = "VEV"

    def matrices(self, n, m2):
        d = m2.shape[1]
        vals, vecs = _eigh_desc(m2)

        def update(lam):
            a = (vals / lam[:, None]).sum(axis=0)
            a = a / _geo(a)
            return np.maximum((vals / a).sum(axis=1) / (d * n), _TINY), a

        def objective(state):
            lam, a = state
            return float(np.sum(d * n * np.log(lam)) + np.sum((vals / a).sum(axis=1) / lam))

        lam0 = np.maximum(vals.sum(axis=1) / (d * n), _TINY)
        lam, a = _alternate(lambda s: update(s[0]), update(lam0), objective)
        return _compose(vecs, lam[:, None] * a[None, :])

    def n_parameters(self, k, d):
        return k + (d - 1) + k * d * (d - 1) // 2


class EVV(_FullModel):
    """``lambda C_k``: one volume, shapes and orientations vary (closed form).

    Examples
    --------
    >>> EVV().n_parameters(3, 2)
    7
    """

    name = "EVV"

    def matrices(self, n, m2):
        d = m2.shape[1]
        logdet = np.linalg.slogdet(m2)[1]
        g = np.exp(logdet / d)
        lam = g.sum() / n.sum()
        return lam * m2 / np.maximum(g, _TINY)[:, None, None]

    def n_parameters(self, k, d):
        return 1 + k * (d - 1) + k * d * (d - 1) // 2


def _mm_steps(m2, shifted, d_mat, w):
    """One inner iteration of Browne and McNicholas' two MM updates of the common
    orientation ``D``, as mclust's ``meeve``/``mevve`` run them (MM 1, then MM 2 with
    the same diagonal weights ``w_k = 1 / diag(Delta_k)``).

    Both minimise majorisers of ``sum_k tr(W_k D diag(w_k) D^T)`` over orthogonal
    ``D``, which are linear in ``D``, so each step is an SVD: MM 1 shifts by the
    largest eigenvalue of ``W_k`` (``shifted``: the ``W_k - omega_k I``),
    ``F = sum_k diag(w_k) D^T (W_k - omega_k I) = U S V^T`` and ``D = V U^T``; MM 2
    by the largest weight, ``F = sum_k W_k D (diag(w_k) - max(w_k) I) = P S R^T``
    and ``D = P R^T``.
    """
    f = np.einsum("kj,kjl->jl", w, np.matmul(d_mat.T, shifted))
    u, _, vt = np.linalg.svd(f)
    d_mat = vt.T @ u.T
    f = np.einsum("kij,kj->ij", np.matmul(m2, d_mat), w - w.max(axis=1, keepdims=True))
    u, _, vt = np.linalg.svd(f)
    return u @ vt


def _common_orientation(m2, diag_of, target, weights_of, state=None):
    """Alternate ``D`` (both MM steps) and the per-component diagonals
    ``diag_of(proj)``, ``proj_k = diag(D^T W_k D)``, until ``target(proj)`` changes
    by < ``_INNER_TOL`` (relative); the MM steps weigh the components by
    ``weights_of(diagonals)``. ``state`` is the last M-step's ``(D, weights)``;
    a run starts, as mclust's, from ``D = I`` and unit weights. Returns
    ``(D, diagonals, weights)``."""
    k, d = m2.shape[:2]
    if state is None or state[1].shape != (k, d):
        state = (np.eye(d), np.ones((k, d)))
    top = np.linalg.eigvalsh(m2)[:, -1]
    shifted = m2 - top[:, None, None] * np.eye(d)

    def update(s):
        dm = _mm_steps(m2, shifted, s[0], s[1])
        p = (np.matmul(m2, dm) * dm).sum(axis=1)
        diag = diag_of(p)
        return dm, weights_of(np.maximum(diag, _TINY)), diag, p

    def objective(s):
        return np.inf if s[3] is None else target(s[3])

    d_mat, w, diag, _ = _alternate(update, (*state, None, None), objective, _MM_ITER)
    return d_mat, diag, w


class _CommonOrientation(_FullModel):
    """EVE and VVE: the MM iterations start from the last M-step's orientation and
    weights (as mclust's, which keeps them between EM iterations), so near
    convergence an M-step takes a few of them; ``reset`` forgets them (a new run)."""

    def __eq__(self, other):
        return type(self) is type(other)

    def __hash__(self):
        return hash(self.name)

    def reset(self):
        self._state = None

    def weights(self, diag):
        """The MM steps' weights: ``Delta_k^-1``, as ``tr(W_k D Delta_k^-1 D^T)`` in
        the likelihood (mclust's VVE uses the unit-determinant shapes' ``A_k^-1``
        instead, leaving out the volumes; see tests/oracles/test_mclust_oracle.py)."""
        return 1.0 / diag

    def matrices(self, n, m2):
        d_mat, diag, w = _common_orientation(m2, lambda p: self.diagonals(n, p),
                                             lambda p: self.target(n, p), self.weights,
                                             getattr(self, "_state", None))
        self._state = (d_mat, w)
        return _compose(np.broadcast_to(d_mat, m2.shape), diag)


class EVE(_CommonOrientation):
    """``lambda D A_k D^T``: one volume and orientation, shapes vary (Browne and
    McNicholas' MM algorithm).

    Examples
    --------
    >>> EVE().n_parameters(3, 2)
    5
    """

    name = "EVE"

    def diagonals(self, n, p):
        g = _geo(p)
        return (g.sum() / n.sum()) * p / np.maximum(g, _TINY)[:, None]

    def target(self, n, p):
        # mclust's: sum_k tr(A_k^-1 D^T W_k D) with unit-determinant shapes A_k
        return float(p.shape[1] * _geo(p).sum())

    def n_parameters(self, k, d):
        return 1 + k * (d - 1) + d * (d - 1) // 2


class VVE(_CommonOrientation):
    """``lambda_k D A_k D^T``: one orientation, volumes and shapes vary (Browne and
    McNicholas' MM algorithm).

    Examples
    --------
    >>> VVE().n_parameters(3, 2)
    7
    """

    name = "VVE"

    def diagonals(self, n, p):
        return p / n[:, None]

    def target(self, n, p):
        # the profile of -2 log-likelihood in D (Delta_k = diag(D^T W_k D) / n_k)
        return float(np.sum(n[:, None] * np.log(np.maximum(p, _TINY))))

    def n_parameters(self, k, d):
        return k * d + d * (d - 1) // 2


def _alias(base, mclust_name):
    """scikit-learn's structure under mclust's name: the same strategy, the same path."""
    return type(mclust_name, (base,), {"name": mclust_name, "__doc__": base.__doc__})


MCLUST_MODELS = ("EII", "VII", "EEI", "VEI", "EVI", "VVI", "EEE", "VEE", "EVE", "VVE",
                 "EEV", "VEV", "EVV", "VVV")
"""mclust's model names, in mclust's order."""

STRUCTURES = {
    **cov_mod.STRUCTURES,
    **{cls.name: cls for cls in (EII, EEI, VEI, EVI, VEE, EVE, VVE, EEV, VEV, EVV)},
    "VII": _alias(Spherical, "VII"),
    "VVI": _alias(Diag, "VVI"),
    "EEE": _alias(Tied, "EEE"),
    "VVV": _alias(Full, "VVV"),
}
"""Every covariance structure by name: scikit-learn's four and mclust's fourteen."""
