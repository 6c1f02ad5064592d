"""What every mixture estimator shares: fit with restarts, partial_fit, scoring, criteria.

Subclasses say which family they fit (``_make_family``) and may override
``_initial_params`` (GaussianMixture accepts given initial parameters).
"""

import math
import warnings

import numpy as np
from sklearn.base import BaseEstimator, DensityMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.validation import check_is_fitted

from clusterlab._history import history_frame
from clusterlab._mapreduce import Weights, map_reduce, map_rows
from clusterlab._rng import as_generator, spawn
from clusterlab._validation import (
    Interval,
    Options,
    check_data,
    check_n_samples,
    check_sample_count,
    check_sample_weight,
    validate_params,
)
from clusterlab.mixture import _em
from clusterlab.mixture._init import INITIALISERS, initialise, streamed_initialise
from clusterlab.sources import Source, as_source, in_memory_if_small, is_streamed


class CollapsedComponentWarning(UserWarning):
    """A mixture component collapsed onto (nearly) a single point or value."""


BASE_CONSTRAINTS = {
    "n_components": [Interval(int, 1, None)],
    "tol": [Interval(float, 0, None)],
    "max_iter": [Interval(int, 1, None)],
    "n_init": [Interval(int, 1, None)],
    "init_params": [Options(set(INITIALISERS)), "callable"],
    "algorithm": [Options({"soft", "hard"})],
    "learn_weights": ["boolean"],
    "random_state": ["random_state"],
    "warm_start": ["boolean"],
    "verbose": ["verbose"],
    "verbose_interval": [Interval(int, 1, None)],
    "chunk_size": [None, Interval(int, 1, None)],
}


class BaseMixture(DensityMixin, BaseEstimator):
    """Shared machinery of :class:`GaussianMixture` and :class:`MixtureModel`."""

    # ---- fitting -----------------------------------------------------------------
    def _validate_fit(self, X, sample_weight, reset=True):
        validate_params(self)
        family = self._make_family()
        X = in_memory_if_small(X)
        if is_streamed(X):
            source = as_source(X)
            if source.n_rows < self.n_components:
                check_n_samples(np.empty((source.n_rows, 0)), self.n_components,
                                param="n_components")
            if reset:
                self.n_features_in_ = source.n_features
            return source, Weights(sample_weight, source), family
        X = check_data(self, X, reset=reset)
        family.check_X(X)
        check_n_samples(X, self.n_components, param="n_components")
        return X, check_sample_weight(sample_weight, X), family

    def _initial_params(self, X, weights, family, rng):
        """Parameters and weights after the initialiser and one M-step."""
        if isinstance(X, Source):
            init = streamed_initialise(X, weights, self.n_components, self.init_params, rng)
        else:
            init = initialise(X, weights, self.n_components, self.init_params, rng)
        stats, nk = _em.stats_from_init(X, weights, family, init, self.n_components,
                                        rows=self.chunk_size)
        return _em.m_step(family, stats, nk, self.learn_weights)

    def fit(self, X, y=None, sample_weight=None):
        """Estimate the parameters by EM, keeping the best of ``n_init`` runs.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : ignored
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights; an integer weight equals repeating the row.

        Returns
        -------
        self
        """
        X, weights, family = self._validate_fit(X, sample_weight)
        warm = self.warm_start and hasattr(self, "params_")
        rngs = spawn(as_generator(self.random_state), 1 if warm else self.n_init)
        best = None
        for run, rng in enumerate(rngs):
            if warm:
                params, mix = self.params_, self.weights_
            else:
                params, mix = self._initial_params(X, weights, family, rng)
            if self.verbose:
                print(f"Initialization {run}")
            res = _em.run_em(
                X, weights, family, params, mix, max_iter=self.max_iter, tol=self.tol,
                hard=self.algorithm == "hard", learn_weights=self.learn_weights,
                rows=self.chunk_size, callback=self._progress if self.verbose else None,
            )
            if best is None or res.lower_bound > best.lower_bound:
                best = res
        if not best.converged:
            warnings.warn(
                f"{type(self).__name__} did not converge in max_iter={self.max_iter} "
                "iterations; try a larger max_iter or tol, or other initial parameters.",
                ConvergenceWarning, stacklevel=2,
            )
        self._store(best, family, X.shape[0])
        self._running = None
        return self

    def _progress(self, it, lower):
        if it % self.verbose_interval == 0 or self.verbose > 1:
            print(f"  Iteration {it}\t lower bound {lower:.6f}")

    def _store(self, res, family, n_samples):
        self.params_ = res.params
        self.weights_ = res.weights
        for key, value in family.attributes(res.params).items():
            setattr(self, key + "_", value)
        self.history_ = history_frame(log_likelihood=res.log_likelihood, elbo=res.elbo)
        self.lower_bound_ = float(res.lower_bound)
        self.n_iter_ = res.n_iter
        self.converged_ = bool(res.converged)
        self.n_parameters_ = self._n_parameters()
        self._flag_collapsed(family, res.params, res.stats)

    def _flag_collapsed(self, family, params, stats):
        found = family.collapsed(params, stats)
        self.collapsed_components_ = np.array(sorted({j for j, _ in found}), dtype=np.intp)
        if not found:
            return
        details = "; ".join(f"component {j}: {reason}" for j, reason in found)
        warnings.warn(
            f"{type(self).__name__}: {len(self.collapsed_components_)} component(s) collapsed "
            f"onto (nearly) a single value ({details}). Their likelihood is unbounded, so "
            "BIC/AIC/ICL of this fit are not trustworthy (see collapsed_components_). "
            f"Remedies: {family.collapse_remedies}.",
            CollapsedComponentWarning, stacklevel=3,
        )

    def fit_predict(self, X, y=None, sample_weight=None):
        """Fit, then return the most probable component of each sample.

        Returns
        -------
        labels : ndarray of shape (n_samples,)
        """
        return self.fit(X, y, sample_weight=sample_weight).predict(X)

    def partial_fit(self, X, y=None, sample_weight=None):
        """One stepwise (online) EM update on a batch.

        The first call initialises from the batch. Later calls move the
        running, per-sample-normalised statistics a step
        ``(n_batches + 1) ** -0.6`` towards the batch's (Cappé and Moulines'
        online EM), then re-estimate the parameters.

        Returns
        -------
        self

        Examples
        --------
        >>> import numpy as np
        >>> from clusterlab import GaussianMixture
        >>> rng = np.random.default_rng(0)
        >>> X = np.vstack([rng.normal(0, 1, (50, 2)), rng.normal(6, 1, (50, 2))])
        >>> gm = GaussianMixture(2, covariance_type="diag", random_state=0)
        >>> for batch in np.array_split(rng.permutation(X), 5):
        ...     gm = gm.partial_fit(batch)
        >>> gm.n_iter_, [round(float(m)) for m in np.sort(gm.means_[:, 0])]
        (5, [0, 6])
        """
        first = not hasattr(self, "params_")
        X, weights, family = self._validate_fit(X, sample_weight, reset=first)
        if first:
            rng = as_generator(self.random_state)
            self.params_, self.weights_ = self._initial_params(X, weights, family, rng)
            self._running, self._n_batches = None, 0
            self.history_ = history_frame(log_likelihood=[], elbo=[])
            self.n_iter_ = 0
        running = getattr(self, "_running", None)
        n_batches = getattr(self, "_n_batches", 0)
        step = (n_batches + 1) ** -0.6
        params, mix, running, ll = _em.stepwise_step(
            X, weights, family, self.params_, self.weights_, running, step,
            hard=self.algorithm == "hard", learn_weights=self.learn_weights, rows=self.chunk_size,
        )
        res = _em.EMResult(params=params, weights=mix, stats=running[0],
                           log_likelihood=[*self.history_["log_likelihood"].tolist(), ll],
                           elbo=[*self.history_["elbo"].tolist(), ll], lower_bound=ll,
                           n_iter=self.n_iter_ + 1, converged=False)
        self._store(res, family, X.shape[0])
        self._running, self._n_batches = running, n_batches + 1
        return self

    # ---- using a fitted model ------------------------------------------------------
    def _check_apply(self, X):
        check_is_fitted(self, "params_")
        if is_streamed(X):
            source = as_source(X)
            if source.n_features != self.n_features_in_:
                raise ValueError(f"X has {source.n_features} features, but "
                                 f"{type(self).__name__} is expecting {self.n_features_in_} "
                                 "features as input.")
            return source, self._make_family()
        X = check_data(self, X, reset=False)
        family = self._make_family()
        family.check_X(X)
        return X, family

    def _rows(self, X, family, what, out=None):
        """Concatenate one per-chunk output of the E-step over ``X`` (a source: chunk by
        chunk into ``out``, or lazily on Dask)."""
        if isinstance(X, Source) or out is not None:
            def one(chunk):
                family.check_X(chunk)
                return self._rows(chunk, family, what)

            width = self.n_components if what == "resp" else None
            dtype = np.intp if what == "label" else np.float64
            return map_rows(X, one, width=width, dtype=dtype, out=out)
        out = []
        for _, resp, log_norm, _ in _em.responsibilities(
            X, family, self.params_, np.log(self.weights_), rows=self.chunk_size
        ):
            out.append({"resp": resp, "log_norm": log_norm,
                        "label": resp.argmax(axis=1) if what == "label" else None}[what])
        return np.concatenate(out)

    def predict_proba(self, X, *, out=None):
        """Posterior probability of each component for each sample.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), memmap, path or Dask array
            A file is read in chunks; a Dask array gives a lazy Dask array.
        out : ndarray, default=None
            Where to write the result chunk by chunk (e.g. a ``numpy.memmap``);
            not for Dask arrays.

        Returns
        -------
        resp : ndarray of shape (n_samples, n_components)

        Examples
        --------
        >>> import numpy as np
        >>> from clusterlab import GaussianMixture
        >>> rng = np.random.default_rng(0)
        >>> X = np.vstack([rng.normal(0, 1, (50, 2)), rng.normal(6, 1, (50, 2))])
        >>> gm = GaussianMixture(2, random_state=0).fit(X)
        >>> np.allclose(gm.predict_proba(X).sum(axis=1), 1.0)
        True
        """
        X, family = self._check_apply(X)
        return self._rows(X, family, "resp", out)

    def predict(self, X, *, out=None):
        """The most probable component of each sample.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), memmap, path or Dask array
            A file is read in chunks; a Dask array gives a lazy Dask array.
        out : ndarray, default=None
            Where to write the result chunk by chunk (e.g. a ``numpy.memmap``);
            not for Dask arrays.

        Returns
        -------
        labels : ndarray of shape (n_samples,)
        """
        X, family = self._check_apply(X)
        return self._rows(X, family, "label", out)

    def score_samples(self, X, *, out=None):
        """Log-likelihood ``log p(x)`` of each sample under the mixture.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), memmap, path or Dask array
            A file is read in chunks; a Dask array gives a lazy Dask array.
        out : ndarray, default=None
            Where to write the result chunk by chunk (e.g. a ``numpy.memmap``);
            not for Dask arrays.

        Returns
        -------
        log_prob : ndarray of shape (n_samples,)
        """
        X, family = self._check_apply(X)
        return self._rows(X, family, "log_norm", out)

    def score(self, X, y=None):
        """Mean log-likelihood per sample of ``X`` (higher is better).

        As every density estimator's ``score`` here: ``score_samples(X).mean()``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : Ignored

        Returns
        -------
        float
        """
        if is_streamed(X):
            X, family = self._check_apply(X)
            log_weights = np.log(self.weights_)

            def part(x, w, a, b):
                family.check_X(x)
                _, _, ll, _ = _em.e_pass(x, w, family, self.params_, log_weights,
                                         rows=self.chunk_size)
                return ll

            return float(map_reduce(X, part)) / X.n_rows
        return float(self.score_samples(X).mean())

    def sample(self, n_samples=1, random_state=None):
        """Draw ``n_samples`` samples from the fitted mixture.

        Parameters
        ----------
        n_samples : int, default=1
            Number of samples to draw.
        random_state : int, Generator, RandomState or None, default=None
            Seed of the draw (the same seed gives the same samples); None draws
            fresh randomness. (scikit-learn's ``GaussianMixture.sample`` reuses
            the estimator's ``random_state``; here, as in every clusterlab
            ``sample``, the draw has its own.)

        Returns
        -------
        X : ndarray of shape (n_samples, n_features)
        y : ndarray of shape (n_samples,)
            The component each sample was drawn from.

        Examples
        --------
        >>> import numpy as np
        >>> from clusterlab import GaussianMixture
        >>> rng = np.random.default_rng(0)
        >>> X = np.vstack([rng.normal(0, 1, (50, 2)), rng.normal(6, 1, (50, 2))])
        >>> Xs, ys = GaussianMixture(2, random_state=0).fit(X).sample(10, random_state=0)
        >>> Xs.shape, ys.shape
        ((10, 2), (10,))
        """
        check_is_fitted(self, "params_")
        n_samples = check_sample_count(n_samples)
        rng = as_generator(random_state)
        counts = rng.multinomial(n_samples, self.weights_ / self.weights_.sum())
        X = self._make_family().sample(self.params_, counts, rng)
        return X, np.repeat(np.arange(self.n_components), counts)

    # ---- model selection ----------------------------------------------------------
    def _n_parameters(self):
        """Free parameters: the components' plus ``k - 1`` mixture weights if learned."""
        family = self._make_family()
        extra = self.n_components - 1 if self.learn_weights else 0
        return int(family.n_parameters(self.n_components, self.n_features_in_) + extra)

    def bic(self, X):
        """Bayesian information criterion on ``X`` (lower is better).

        ``-2 * log-likelihood + n_parameters * log(n_samples)``.

        Returns
        -------
        float

        Examples
        --------
        >>> import numpy as np
        >>> from clusterlab import GaussianMixture
        >>> rng = np.random.default_rng(0)
        >>> X = np.vstack([rng.normal(0, 1, (50, 2)), rng.normal(6, 1, (50, 2))])
        >>> bics = [GaussianMixture(k, random_state=0).fit(X).bic(X) for k in (1, 2, 3)]
        >>> int(np.argmin(bics)) + 1
        2
        """
        n = as_source(X).n_rows if is_streamed(X) else np.asarray(X).shape[0]
        return -2 * self.score(X) * n + self._n_parameters() * math.log(n)

    def aic(self, X):
        """Akaike information criterion on ``X`` (lower is better).

        Returns
        -------
        float
        """
        n = as_source(X).n_rows if is_streamed(X) else np.asarray(X).shape[0]
        return -2 * self.score(X) * n + 2 * self._n_parameters()

    def icl(self, X):
        """Integrated completed likelihood (Biernacki et al.): BIC plus twice the entropy
        of the responsibilities, penalising overlapping components (lower is better).

        Returns
        -------
        float
        """
        X, family = self._check_apply(X)
        ent = _em.entropy(X, family, self.params_, self.weights_, rows=self.chunk_size)
        return self.bic(X) + 2.0 * ent


def check_weights_init(value, k):
    """Validated initial mixture weights: shape (k,), in [0, 1], summing to 1.

    Examples
    --------
    >>> check_weights_init([0.25, 0.75], 2).tolist()
    [0.25, 0.75]
    """
    w = np.asarray(value, dtype=np.float64)
    if w.shape != (k,):
        raise ValueError(f"weights_init must have shape {(k,)}; got {w.shape}.")
    if not np.all(np.isfinite(w)):
        raise ValueError("weights_init contains NaN or infinity.")
    if np.any(w < 0) or np.any(w > 1):
        raise ValueError(f"weights_init must lie in [0, 1]; got min {w.min():g}, max {w.max():g}.")
    if not np.isclose(w.sum(), 1.0):
        raise ValueError(f"weights_init must sum to 1; got sum {w.sum():.6g}.")
    return w
