"""Gaussian components on data with missing entries (NaN), for every covariance model.

E-step (the marginal of a Gaussian): a row is scored on its observed coordinates
``o`` only, ``N(x_o; mu_o, Sigma_oo)``. M-step (Ghahramani and Jordan 1994): the
statistics are the expected complete-data ones, with each missing block replaced
by its conditional mean ``mu_m + Sigma_mo Sigma_oo^-1 (x_o - mu_o)`` and the
scatter increased by the conditional covariance
``Sigma_mm - Sigma_mo Sigma_oo^-1 Sigma_om``, per component; the structure's
M-step then applies the covariance model. Rows are grouped by their pattern of
missing entries, so each pattern costs one small factorisation per component.
Only data holding NaN come here: complete data keep the ``Gaussian`` family's
path unchanged.
"""

import math

import numpy as np
from scipy.linalg import cho_factor, cho_solve, solve_triangular

from clusterlab._kernels import kernels
from clusterlab.mixture.families.gaussian import Gaussian

LOG_2PI = math.log(2 * math.pi)


def patterns(X):
    """``(observed mask, row indices)`` per distinct pattern of NaN in ``X``.

    Examples
    --------
    >>> X = np.array([[1.0, np.nan], [2.0, 3.0], [4.0, np.nan]])
    >>> [(m.tolist(), r.tolist()) for m, r in patterns(X)]
    [([True, False], [0, 2]), ([True, True], [1])]
    """
    observed = ~np.isnan(X)
    keys, inverse = np.unique(observed, axis=0, return_inverse=True)
    return [(keys[i], np.flatnonzero(inverse.ravel() == i)) for i in range(len(keys))]


def check_rows_observed(X):
    """Raise ``ValueError`` for a row with no observed entry."""
    empty = np.flatnonzero(np.isnan(X).all(axis=1))
    if empty.size:
        raise ValueError(
            f"X has {empty.size} row(s) with every entry missing (NaN), e.g. row "
            f"{empty[0]}; such a row carries no information: drop it first."
        )


class MissingGaussian(Gaussian):
    """The Gaussian family on data with NaN entries (see the module docstring).

    Examples
    --------
    >>> import numpy as np
    >>> fam = MissingGaussian("full")
    >>> params = {"means": np.zeros((1, 2)), "covariances": np.eye(2)[None],
    ...           "precisions_cholesky": np.eye(2)[None]}
    >>> round(float(fam.log_prob(np.array([[0.0, np.nan]]), params)[0, 0]), 6)  # log N(0; 0, 1)
    -0.918939
    """

    def _dense(self, params):
        k, d = params["means"].shape
        return self.structure.dense(params["covariances"], k, d)

    def log_prob(self, X, params):
        means = params["means"]
        cov = self._dense(params)
        out = np.empty((X.shape[0], means.shape[0]))
        for obs, rows in patterns(X):
            if obs.all():
                out[rows] = super().log_prob(np.ascontiguousarray(X[rows]), params)
                continue
            xo = X[np.ix_(rows, obs)]
            for j in range(means.shape[0]):
                chol = np.linalg.cholesky(cov[j][np.ix_(obs, obs)])
                z = solve_triangular(chol, (xo - means[j, obs]).T, lower=True)
                log_det = 2 * np.log(np.diag(chol)).sum()
                out[rows, j] = -0.5 * ((z * z).sum(axis=0) + log_det + obs.sum() * LOG_2PI)
        return out

    def _expected(self, X, resp_w, params):
        """Per component: the filled rows' weighted mean and scatter plus the weighted
        conditional covariances (Ghahramani and Jordan's expected statistics)."""
        means = params["means"]
        k, d = means.shape
        cov = self._dense(params)
        n = resp_w.sum(axis=0)
        mean = np.zeros((k, d))
        m2 = np.zeros((k, d, d))
        for j in range(k):
            filled, extra = X.copy(), np.zeros((d, d))
            for obs, rows in patterns(X):
                if obs.all():
                    continue
                mis = ~obs
                s_oo = cov[j][np.ix_(obs, obs)]
                s_mo = cov[j][np.ix_(mis, obs)]
                gain = cho_solve(cho_factor(s_oo, lower=True), s_mo.T).T  # Sigma_mo Sigma_oo^-1
                filled[np.ix_(rows, mis)] = means[j, mis] + (X[np.ix_(rows, obs)]
                                                             - means[j, obs]) @ gain.T
                cond = cov[j][np.ix_(mis, mis)] - gain @ s_mo.T
                extra[np.ix_(mis, mis)] += resp_w[rows, j].sum() * cond
            if n[j] > 0:
                mean[j] = resp_w[:, j] @ filled / n[j]
            dev = filled - mean[j]
            m2[j] = (dev * resp_w[:, j, None]).T @ dev + extra
        return n, mean, 0.5 * (m2 + np.swapaxes(m2, 1, 2))

    def _as_stats(self, n, mean, m2):
        stats = {"n": n, "mean": mean}
        if self.structure.m2 == "full":
            stats["m2"] = m2
        elif self.structure.m2 == "diag":
            stats["m2"] = np.diagonal(m2, axis1=1, axis2=2).copy()
        return stats

    def fused_estep(self, X, weights, params, log_weights, hard):
        logp = np.ascontiguousarray(self.log_prob(X, params) + log_weights)
        log_norm = np.empty(X.shape[0])
        elbo = np.empty(X.shape[0])
        kernels("estep", X.size * logp.shape[1]).normalize_rows(logp, hard, log_norm, elbo)
        resp_w = logp * weights[:, None]
        n, mean, m2 = self._expected(X, resp_w, params)
        return self._as_stats(n, mean, m2), n.copy(), weights @ log_norm, weights @ elbo

    def statistics(self, X, resp, weights):
        """Statistics of an initial partition: missing entries at the column means."""
        return super().statistics(fill_column_means(X), resp, weights)

    def impute(self, X, params, log_weights):
        """Conditional means of the missing entries under the mixture."""
        logp = np.ascontiguousarray(self.log_prob(X, params) + log_weights)
        kernels("estep", X.size * logp.shape[1]).normalize_rows(
            logp, False, np.empty(X.shape[0]), np.empty(X.shape[0]))
        out = X.copy()
        means = params["means"]
        cov = self._dense(params)
        for obs, rows in patterns(X):
            if obs.all():
                continue
            mis = ~obs
            total = np.zeros((rows.size, mis.sum()))
            for j in range(means.shape[0]):
                gain = cho_solve(cho_factor(cov[j][np.ix_(obs, obs)], lower=True),
                                 cov[j][np.ix_(mis, obs)].T).T
                cond = means[j, mis] + (X[np.ix_(rows, obs)] - means[j, obs]) @ gain.T
                total += logp[rows, j, None] * cond
            out[np.ix_(rows, mis)] = total
        return out


def fill_column_means(X):
    """``X`` with each NaN replaced by its column's mean over the observed entries."""
    if not np.isnan(X).any():
        return X
    cols = np.nanmean(X, axis=0)
    return np.where(np.isnan(X), cols, X)
