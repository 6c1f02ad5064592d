"""KernelDensity: the estimator (validation, bandwidth, dispatch to evaluators)."""

import numbers

import numpy as np
from scipy.special import logsumexp
from sklearn.base import BaseEstimator, DensityMixin
from sklearn.utils.validation import check_is_fitted

from clusterlab._docstrings import fill_doc
from clusterlab._mapreduce import Weights, map_rows
from clusterlab._plotting import PlotMixin
from clusterlab._rng import as_generator
from clusterlab._validation import (
    Interval,
    Options,
    check_data,
    check_sample_count,
    check_sample_weight,
    validate_params,
)
from clusterlab._validation.scale import check_magnitude
from clusterlab._validation.schema import Field
from clusterlab.density import _bounds, _fft, _streamed
from clusterlab.density._exact import ExactModel
from clusterlab.density.bandwidth import (
    BANDWIDTH_RULES,
    _data_covariance,
    scott_factor,
    silverman_factor,
)
from clusterlab.density.kernels import KERNELS, get_kernel
from clusterlab.sources import Source, as_source, in_memory_if_small, is_streamed

__all__ = ["KernelDensity"]


def _bandwidth_matrix(bandwidth, d):
    """Map a numeric bandwidth (scalar, per-dimension vector, matrix) to ``H``.

    ``H`` holds squared bandwidths; those must be finite, normal float64
    numbers (a bandwidth between about 1e-154 and 1e154).
    """
    with np.errstate(over="ignore", under="ignore"):
        H = _raw_bandwidth_matrix(bandwidth, d)
    diag = np.diag(H)
    if not (np.all(np.isfinite(H)) and np.all(diag >= np.finfo(np.float64).tiny)):
        raise ValueError(
            f"bandwidth {bandwidth!r} is too {'large' if np.any(~np.isfinite(H)) else 'small'}: "
            "its square (the kernel's variance) overflows or underflows float64. Use a "
            "bandwidth between 1e-154 and 1e154 (rescale X with it)."
        )
    return H


def _raw_bandwidth_matrix(bandwidth, d):
    if isinstance(bandwidth, numbers.Real):
        return np.eye(d) * np.float64(bandwidth) ** 2
    b = np.asarray(bandwidth)
    if b.dtype.kind not in "biuf":
        raise TypeError(f"bandwidth must be numeric or a rule name; got dtype {b.dtype}.")
    b = b.astype(np.float64)
    if not np.all(np.isfinite(b)):
        raise ValueError("bandwidth contains NaN or infinity.")
    if b.ndim == 1 and b.size in (1, d):
        if np.any(b <= 0):
            raise ValueError(f"bandwidth values must be > 0; got {b.tolist()}.")
        return np.diag(np.broadcast_to(b, (d,)) ** 2)
    if b.shape == (d, d):
        if not np.allclose(b, b.T, rtol=1e-10, atol=0.0):
            raise ValueError("A bandwidth matrix must be symmetric.")
        try:
            np.linalg.cholesky(b)
        except np.linalg.LinAlgError:
            raise ValueError("A bandwidth matrix must be positive definite.") from None
        return b
    raise ValueError(
        f"bandwidth must be a number, a vector of {d} per-feature standard deviations, "
        f"a ({d}, {d}) covariance matrix or one of {sorted(BANDWIDTH_RULES)}; "
        f"got an array of shape {b.shape}."
    )


class KernelDensity(PlotMixin, DensityMixin, BaseEstimator):
    """Kernel density estimation with many kernels, rules, exact and FFT evaluation.

    Parameters
    ----------
    bandwidth : float, array-like or {"scott", "silverman", "isj", "cv"}, default="scott"
        The kernel's standard deviation. A number gives ``H = h**2 I``; a vector
        of ``n_features`` values gives ``H = diag(h**2)``; an (n_features,
        n_features) matrix is ``H`` itself, the covariance of the kernel (as
        scipy's ``gaussian_kde.covariance``). Rules: ``"scott"`` and
        ``"silverman"`` scale the data's (weighted) covariance as scipy does;
        ``"isj"`` is Botev et al.'s improved Sheather-Jones per feature;
        ``"cv"`` maximises the leave-one-out likelihood over a factor of the
        data's covariance (cost O(n) kernel sums per candidate, on up to 1000
        held-out points).
    kernel : str, default="gaussian"
        One of "gaussian", "epanechnikov", "tophat", "linear", "exponential",
        "cosine", "biweight", "triweight", "tricube". All are scaled to unit
        variance; in several dimensions the kernel is their product in the
        frame whitened by ``H``.
    bounds : None or sequence of (low, high) pairs, default=None
        The domain, one pair per feature (one pair for 1-D data), ``None`` for
        an open side. Reflection at each finite bound makes the density
        integrate to 1 on the domain.

    Attributes
    ----------
    bandwidth_ : ndarray of shape (n_features,)
        The kernel's standard deviation along each feature, ``sqrt(diag(H))``.
    bandwidth_matrix_ : ndarray of shape (n_features, n_features)
        The kernel's covariance ``H``.
    data_ : ndarray of shape (n_samples, n_features)
        The fitted data.
    sample_weight_ : ndarray of shape (n_samples,)
        The weights (ones without ``sample_weight``).
    n_features_in_ : int

    See Also
    --------
    sklearn.neighbors.KernelDensity, scipy.stats.gaussian_kde

    Examples
    --------
    >>> import numpy as np
    >>> from clusterlab import KernelDensity
    >>> X = np.random.default_rng(0).standard_normal((500, 1))
    >>> kde = KernelDensity(bandwidth="silverman").fit(X)
    >>> bool(np.exp(kde.score_samples([[0.0]]))[0] > 0.3)
    True
    >>> grid, dens = kde.evaluate_grid(256)
    >>> round(float(dens.sum() * (grid[1] - grid[0])), 3)
    1.0
    """

    _default_plot = "density"

    _parameter_constraints = {
        "bandwidth": [Interval(float, 0, None, closed="neither"),
                      Options(set(BANDWIDTH_RULES)), "array-like"],
        "kernel": [Options(set(KERNELS))],
        "bounds": [None, "array-like"],
    }

    _model_schema = (
        Field("bandwidth", "array", shape=None, param=True),
        Field("n_features_in_", "int", low=1),
        Field("bandwidth_matrix_", "array", shape=("n_features_in_", "n_features_in_")),
        Field("bandwidth_", "array", shape=("n_features_in_",), low=0),
        Field("data_", "array", shape=("n_samples", "n_features_in_")),
        Field("sample_weight_", "array", shape=("n_samples",), low=0),
    )

    def __init__(self, bandwidth="scott", *, kernel="gaussian", bounds=None):
        self.bandwidth = bandwidth
        self.kernel = kernel
        self.bounds = bounds

    def fit(self, X, y=None, sample_weight=None):
        """Fit the density to ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), memmap, path or Dask array
            A file or Dask array stays where it is: the fitted model keeps it as
            ``data_`` and every evaluation maps over its chunks (bandwidth
            rules 'scott', 'silverman' or a number).
        y : None
            Ignored.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights; integer weights act as repeated rows
            (for a fixed bandwidth; rules use Kish's effective sample size).

        Returns
        -------
        self : KernelDensity
        """
        validate_params(self)
        rule = isinstance(self.bandwidth, str)
        if rule and self.bandwidth not in BANDWIDTH_RULES:
            # "array-like" accepts any str; name the rules instead
            raise ValueError(
                f"The 'bandwidth' parameter of KernelDensity must be a float > 0, an array "
                f"or one of {sorted(BANDWIDTH_RULES)}. Got {self.bandwidth!r} instead."
            )
        X = in_memory_if_small(X)
        if is_streamed(X):
            return self._fit_streamed(as_source(X), sample_weight)
        X = check_data(self, X, min_samples=2 if rule else 1)
        check_magnitude(X, "KernelDensity", "its bandwidth rules' variances and distances")
        w = np.asarray(check_sample_weight(sample_weight, X), dtype=np.float64)
        Xf = np.asarray(X, dtype=np.float64)
        low, high = _bounds.parse_bounds(self.bounds, X.shape[1])
        if np.any(np.isfinite(low)) or np.any(np.isfinite(high)):
            _bounds.check_inside(Xf, low, high)
        kernel = get_kernel(self.kernel)
        if rule:
            H = BANDWIDTH_RULES[self.bandwidth](Xf, w, kernel)
        else:
            H = _bandwidth_matrix(self.bandwidth, X.shape[1])
        self.bandwidth_matrix_ = H
        self.bandwidth_ = np.sqrt(np.diag(H))
        self.data_ = X
        self.sample_weight_ = w
        self._model = None  # exact-evaluation state, built on first use
        self._extent = None
        return self

    def _fit_streamed(self, source, sample_weight):
        """Keep the source as the model; one pass for the bandwidth and the extent."""
        if isinstance(self.bandwidth, str) and self.bandwidth not in ("scott", "silverman"):
            raise ValueError(f"bandwidth={self.bandwidth!r} needs the data in memory; on a "
                             "file or Dask array use 'scott', 'silverman' or a number.")
        d = source.n_features
        low, high = _bounds.parse_bounds(self.bounds, d)
        weights = Weights(sample_weight, source)
        info = _streamed.summarise(source, weights, low, high)
        if isinstance(self.bandwidth, str):
            factor = {"scott": scott_factor, "silverman": silverman_factor}[self.bandwidth]
            H = factor(info["n_eff"], d) ** 2 * _data_covariance(None, None, (info["cov"], 0))
        else:
            H = _bandwidth_matrix(self.bandwidth, d)
        self.n_features_in_ = d
        self.bandwidth_matrix_ = H
        self.bandwidth_ = np.sqrt(np.diag(H))
        self.data_ = source
        self.sample_weight_ = weights.w
        self._model = None
        self._extent = info["extent"]
        self._stream = (weights, info)
        return self

    def _streamed_model(self):
        """The source-backed state, rebuilt when missing (a copy, a loaded model)."""
        if getattr(self, "_stream", None) is None:
            weights = Weights(self.sample_weight_, self.data_)
            low, high = self._domain()
            self._stream = (weights, _streamed.summarise(self.data_, weights, low, high))
            self._extent = self._stream[1]["extent"]
        return self._stream

    def _data_extent(self):
        if isinstance(self.data_, Source):
            return self._streamed_model()[1]["extent"]
        if getattr(self, "_extent", None) is None:
            self._extent = _fft.data_extent(np.asarray(self.data_, dtype=np.float64))
        return self._extent

    def __getstate__(self):
        # the derived evaluation state is rebuilt on demand, never pickled
        state = dict(super().__getstate__())
        state.pop("_model", None)
        state.pop("_extent", None)
        return state

    def _model_data(self):
        # Derived state, rebuilt from the public attributes (e.g. after load_model).
        model = getattr(self, "_model", None)
        if model is None and isinstance(self.data_, Source):
            weights, info = self._streamed_model()
            model = _streamed.StreamedModel(self.data_, weights, self.bandwidth_matrix_,
                                            get_kernel(self.kernel), info["wsum"])
            self._model = model
        if model is None:
            model = ExactModel(self.data_, self.sample_weight_, self.bandwidth_matrix_,
                               get_kernel(self.kernel))
            self._model = model
        return model

    def _domain(self):
        return _bounds.parse_bounds(self.bounds, self.n_features_in_)

    def score_samples(self, X, *, out=None):
        """Log-density at each row of ``X`` (exact evaluation).

        Points outside ``bounds`` have log-density ``-inf``.

        Parameters
        ----------
        X : array-like of shape (n_queries, n_features), memmap, path or Dask array
            Queries; a file is read in chunks, a Dask array gives a lazy result.
        out : ndarray of shape (n_queries,), default=None
            Where to write the result chunk by chunk; not for Dask arrays. Every
            chunk is checked before the first row is written.

        Returns
        -------
        ndarray of shape (n_queries,)
        """
        check_is_fitted(self)
        if is_streamed(X) or out is not None:
            source = as_source(X)
            if source.n_features != self.n_features_in_:
                raise ValueError(f"X has {source.n_features} features, but KernelDensity is "
                                 f"expecting {self.n_features_in_} features as input.")
            return map_rows(source, self.score_samples, out=out)
        X = check_data(self, X, reset=False)
        check_magnitude(X, "KernelDensity", "the scaled distances")
        X = np.asarray(X, dtype=np.float64)
        model = self._model_data()
        low, high = self._domain()
        if np.all(np.isinf(low)) and np.all(np.isinf(high)):
            return model.log_density(X)
        ok = _bounds.inside(X, low, high)
        out = np.full(X.shape[0], -np.inf)
        if ok.any():
            parts = [model.log_density(Q) for Q in _bounds.images(X[ok], low, high)]
            out[ok] = logsumexp(np.stack(parts), axis=0)
        return out

    @fill_doc
    def score(self, X, y=None):
        """Mean log-density per sample of ``X`` (higher is better).

        {density_score}
        (scikit-learn's ``KernelDensity.score`` is the sum; the mean makes
        scores of data sets of different sizes comparable, and model selection
        over equal-sized folds picks the same bandwidth either way.)

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : Ignored

        Returns
        -------
        float
        """
        return float(np.mean(self.score_samples(X)))

    def evaluate_grid(self, grid_points=256, method="auto"):
        """Density on a regular grid.

        Parameters
        ----------
        grid_points : int, sequence of ints, or sequence of 1-D arrays, default=256
            Nodes per feature (the grid spans the data plus the kernel's
            reach, clipped to ``bounds``), or the grid's axes themselves.
        method : {"auto", "fft", "exact"}, default="auto"
            "fft" bins the data and convolves (1 to 3 features, evenly spaced
            axes); "exact" sums every kernel at every node; "auto" picks "fft"
            when it applies. Linear binning's relative error at ``u`` kernel
            standard deviations from the data is about ``(u dx / h)**2 / 8``:
            below 1e-3 wherever the density exceeds 1e-3 of its peak once the
            bandwidth spans some 40 grid steps; coarser grids are accurate in
            the bulk and less so in sparse tails.

        Returns
        -------
        grid : ndarray of shape (g,) for one feature, else tuple of 1-D axes
        density : ndarray of shape (g,) or (g_1, ..., g_d)
            The density (not its log) at the nodes of ``meshgrid(*axes, indexing="ij")``.
        """
        check_is_fitted(self)
        d = self.n_features_in_
        axes = self._grid_axes(grid_points, d)
        if method not in ("auto", "fft", "exact"):
            raise ValueError(f"method must be 'auto', 'fft' or 'exact'; got {method!r}.")
        fft_ok = d <= 3 and all(_fft.is_regular(a) for a in axes)
        diagonal = np.allclose(self.bandwidth_matrix_, np.diag(self.bandwidth_ ** 2),
                               rtol=0, atol=0)
        low, high = self._domain()
        bounded = np.any(np.isfinite(low)) or np.any(np.isfinite(high))
        if method == "fft" and not fft_ok:
            raise ValueError("method='fft' needs 1 to 3 features and evenly spaced axes.")
        if method == "exact" or not fft_ok or (bounded and not diagonal):
            mesh = np.meshgrid(*axes, indexing="ij")
            pts = np.stack([m.ravel() for m in mesh], axis=1)
            dens = np.exp(self.score_samples(pts)).reshape(mesh[0].shape)
        else:
            dens = self._fft_grid(axes, low, high, bounded)
        return (axes[0] if d == 1 else tuple(axes)), dens

    def _fft_grid(self, axes, low, high, bounded):
        if isinstance(self.data_, Source):
            weights, info = self._streamed_model()
            extent = info["image_extent" if bounded else "extent"]
            dens = _streamed.fft_density(self.data_, weights, self.bandwidth_matrix_,
                                         get_kernel(self.kernel), axes, extent, low, high,
                                         info["wsum"])
            if bounded:
                mesh = np.meshgrid(*axes, indexing="ij")
                pts = np.stack([m.ravel() for m in mesh], axis=1)
                dens = np.where(_bounds.inside(pts, low, high).reshape(dens.shape), dens, 0.0)
            return dens
        X = np.asarray(self.data_, dtype=np.float64)
        w = self.sample_weight_
        if bounded:
            # diagonal H: reflecting the data equals reflecting the query
            imgs = _bounds.images(X, low, high)
            X = np.concatenate(imgs)
            w = np.tile(w, len(imgs))
        extent = None if bounded else self._data_extent()
        dens = _fft.fft_density(X, w, self.bandwidth_matrix_, get_kernel(self.kernel), axes,
                                extent)
        if bounded:
            dens = dens * (w.sum() / self.sample_weight_.sum())
            mesh = np.meshgrid(*axes, indexing="ij")
            pts = np.stack([m.ravel() for m in mesh], axis=1)
            dens = np.where(_bounds.inside(pts, low, high).reshape(dens.shape), dens, 0.0)
        return dens

    def _streamed_indices(self, rng, n_samples):
        """Rows drawn with probability proportional to weight (with replacement)."""
        n, w = self.data_.n_rows, self.sample_weight_
        if w is None:
            return rng.integers(0, n, size=n_samples)
        w = np.asarray(w.compute() if hasattr(w, "compute") else w, dtype=np.float64)
        return rng.choice(n, size=n_samples, p=w / w.sum())

    def _grid_axes(self, grid_points, d):
        def is_int(v):
            return isinstance(v, numbers.Integral) and not isinstance(v, bool)

        if is_int(grid_points):
            counts = [int(grid_points)] * d
        else:
            items = list(grid_points)
            if items and all(is_int(v) for v in items) and len(items) == d:
                counts = [int(v) for v in items]
            else:
                if d == 1 and all(isinstance(v, numbers.Real) for v in items):
                    items = [items]
                axes = [np.asarray(a, dtype=np.float64) for a in items]
                if len(axes) != d or any(a.ndim != 1 or a.size < 1 or not np.all(np.isfinite(a))
                                         for a in axes):
                    raise ValueError(
                        f"grid_points must be an int, {d} ints, or {d} finite 1-D axes."
                    )
                return axes
        if any(c < 2 for c in counts):
            raise ValueError(f"grid_points must be >= 2 per feature; got {counts}.")
        low, high = self._domain()
        X = np.empty((0, d)) if isinstance(self.data_, Source) else \
            np.asarray(self.data_, dtype=np.float64)
        return _fft.default_axes(X, self.bandwidth_matrix_, get_kernel(self.kernel),
                                 counts, low, high, self._data_extent())

    @fill_doc
    def sample(self, n_samples=1, random_state=None):
        """Draw samples from the estimated density (any kernel, inside ``bounds``).

        Parameters
        ----------
        {sample_params}

        Returns
        -------
        ndarray of shape (n_samples, n_features)
        """
        check_is_fitted(self)
        n_samples = check_sample_count(n_samples)
        rng = as_generator(random_state)
        if isinstance(self.data_, Source):
            idx = self._streamed_indices(rng, n_samples)
            centres = self.data_.take(idx).astype(np.float64)
        else:
            w = self.sample_weight_
            idx = rng.choice(w.size, size=n_samples, p=w / w.sum())
            centres = np.asarray(self.data_, dtype=np.float64)[idx]
        d = self.n_features_in_
        U = get_kernel(self.kernel).sample(rng, (n_samples, d))
        L = np.linalg.cholesky(self.bandwidth_matrix_)
        out = centres + U @ L.T
        low, high = self._domain()
        return _bounds.fold(out, low, high)
