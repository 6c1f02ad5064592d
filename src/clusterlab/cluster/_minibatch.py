"""``MiniBatchKMeans``: k-means on random mini-batches, and ``partial_fit`` for streams."""

import numpy as np
from sklearn.base import BaseEstimator, ClusterMixin

from clusterlab._docstrings import fill_doc
from clusterlab._history import history_frame
from clusterlab._kernels import compiled, kernels
from clusterlab._mapreduce import Weights, draw_rows
from clusterlab._moments import means
from clusterlab._rng import as_generator, spawn
from clusterlab._validation import (
    Interval,
    Options,
    check_data,
    check_n_samples,
    check_sample_weight,
    validate_params,
)
from clusterlab._validation.scale import (
    power_of_two_scale,
    scaled,
    unscale,
    unscale_objective,
)
from clusterlab._validation.schema import Field
from clusterlab.cluster import _sparse
from clusterlab.cluster._centers import CentersMixin, center_fields
from clusterlab.cluster._kmeans import initial_centers, scaled_init
from clusterlab.cluster._lloyd import Buffers, assign, make_layout, tolerance, x_sq_norms
from clusterlab.cluster._streaming import final_assignment, summary
from clusterlab.sources import as_source, in_memory_if_small, is_streamed


def minibatch_step(Xb, wb, centers, counts, rng, reassignment_ratio, reassign, lloyd=None):
    """One mini-batch update of ``centers`` and ``counts`` in place; returns the batch inertia.

    Each centre moves to the weighted mean of its old position (weight = the
    total weight it has absorbed so far) and the batch points assigned to it,
    so a centre's learning rate decays as 1 / (its accumulated weight).
    Centres with little weight are moved to random batch points when ``reassign``.
    ``lloyd`` is the Lloyd kernel module (``kernels``; None: numba's, as a stream of
    batches of unknown total size gets).
    """
    n = Xb.shape[0]
    lloyd = lloyd or compiled("lloyd")
    offset, C, total, weight, batch_inertia = _batch_moments(Xb, wb, centers, lloyd)
    hit = weight > 0
    new_counts = counts + weight
    shifted = C.astype(np.float64)
    # the old centre weighs its absorbed weight: one weighted mean of both moments
    shifted[hit] = means(new_counts[hit], shifted[hit] * counts[hit, None] + total[hit],
                         shifted[hit])
    counts[:] = new_counts
    centers[:] = shifted + offset
    if reassign and reassignment_ratio > 0:
        small = counts < reassignment_ratio * counts.max()
        n_positive = int(np.count_nonzero(wb))  # zero weights cannot be drawn
        if small.any() and not small.all() and n_positive:
            n_small = int(small.sum())
            p = wb / wb.sum()
            picks = rng.choice(n, size=min(n_small, n_positive), replace=False, p=p)
            idx = np.flatnonzero(small)[: picks.size]
            centers[idx] = _rows(Xb, picks, dense=True)
            counts[idx] = counts[~small].min()
    return batch_inertia


class _Progress:
    """Steps, history and the smoothed-inertia stopping rule of a streamed fit."""

    def __init__(self, batch, n, patience):
        self.batch, self.n, self.patience = batch, n, patience
        self.step, self.history, self.ewa, self.best, self.stall = 0, [], None, np.inf, 0

    def update(self, value, verbose):
        self.history.append(value)
        if verbose:
            print(f"Step {self.step}: mean batch inertia {value:.6g}", flush=True)
        alpha = min(1.0, 2.0 * self.batch / (self.n + 1))
        self.ewa = value if self.ewa is None else self.ewa * (1 - alpha) + value * alpha
        if self.ewa < self.best:
            self.best, self.stall = self.ewa, 0
        else:
            self.stall += 1
        return self.patience is not None and self.stall >= self.patience


def _mean_inertia(inertia, wb):
    """The batch's inertia per unit weight (0 for a batch of zero weights)."""
    total = float(wb.sum())
    return inertia / total if total > 0 else 0.0


def _batch_moments(Xb, wb, centers, lloyd):
    """``(offset, centres - offset, sum w (x - offset), weight, inertia)`` per cluster."""
    n, d = Xb.shape
    k = centers.shape[0]
    if _sparse.is_sparse(Xb):  # absolute coordinates: centring would densify
        labels, dist = _sparse.assign(Xb, centers)
        total, weight = np.zeros((k, d)), np.zeros(k)
        compiled("sparse").csr_cluster_sums(Xb.indptr, Xb.indices, Xb.data, wb, labels,
                                                     total, weight)
        return 0.0, centers.astype(np.float64), total, weight, float(dist @ wb)
    offset = centers.mean(axis=0).astype(Xb.dtype)
    C = np.ascontiguousarray(centers - offset, dtype=Xb.dtype)
    layout = make_layout(n, k, d, Xb.itemsize)
    buf = Buffers(layout, k, d, lloyd)
    labels = np.full(n, -1, dtype=np.int32)
    lloyd.lloyd_pass(Xb, offset, x_sq_norms(Xb, offset, lloyd), wb, C, layout.block_size,
                     layout.chunk, labels, buf.sums, buf.weights, buf.sq, buf.changed)
    buf.reduce()
    return offset, C, buf.total, buf.weight, buf.inertia(C)


def _rows(X, idx, dense=False):
    """Rows ``idx`` of dense or CSR ``X`` (CSR stays CSR unless ``dense``)."""
    if _sparse.is_sparse(X):
        return X[idx].toarray() if dense else X[idx]
    return np.ascontiguousarray(X[idx])


class MiniBatchKMeans(CentersMixin, ClusterMixin, BaseEstimator):
    """K-means on mini-batches (Sculley, 2010), with ``partial_fit`` for data in pieces.

    Each step draws ``batch_size`` points, assigns them to the nearest centre
    and moves every centre towards the mean of its batch points with a
    learning rate of 1 / (weight absorbed so far). Far cheaper per step than
    full k-means, at a small cost in inertia.

    Parameters
    ----------
    n_clusters : int, default=8
        Number of clusters.
    init : {'k-means++', 'random'}, array-like or callable, default='k-means++'
        Initialisation, as in :class:`KMeans`; it runs on ``init_size`` points
        (on a file or Dask array, distinct rows drawn by weight).
    max_iter : int, default=100
        Most passes (epochs) over the data.
    batch_size : int, default=1024
        Points per step.
    tol : float, default=0.0
        Stop when the squared centre shift of a step, per unit of mean
        feature variance, is at most ``tol`` (0 disables).
    max_no_improvement : int or None, default=10
        Stop after this many steps without improvement of the smoothed batch
        inertia (None disables).
    init_size : int or None, default=None
        Points used to choose the initial centres (default ``3 * batch_size``).
    n_init : 'auto' or int, default='auto'
        Initialisations tried on the init sample; the best is kept.
    reassignment_ratio : float, default=0.01
        Centres with less than this fraction of the largest accumulated weight
        are moved to random batch points every 10 steps.
    verbose : int, default=0
        Print the batch inertia after each step when positive.
    random_state : int, Generator, RandomState or None, default=None
        Seed of the initialisation and of the batches.

    Attributes
    ----------
    cluster_centers_ : ndarray of shape (n_clusters, n_features)
        Cluster centres.
    labels_ : ndarray of shape (n_samples,)
        Labels of the training data (of the last batch after ``partial_fit``).
    inertia_ : float
        Inertia of the training data (of the last batch after ``partial_fit``).
    counts_ : ndarray of shape (n_clusters,)
        Weight absorbed by each centre.
    n_steps_ : int
        Mini-batch steps run.
    n_iter_ : int
        Passes over the data (steps x batch_size / n_samples, rounded up), as
        in scikit-learn.
    converged_ : bool
        Whether ``fit`` stopped before its last step (centres moved less than
        ``tol``, or the smoothed batch inertia stalled for
        ``max_no_improvement`` steps); always False after ``partial_fit``.
    history_ : pandas.DataFrame of shape (n_steps_, 1)
        One row per mini-batch step (index ``"step"``, so ``len(history_) ==
        n_steps_``): ``inertia``, the batch's inertia per unit weight (its
        weighted sum of squared distances to the nearest centre divided by its
        total weight), measured before the step's update.
    n_features_in_ : int
        Number of features seen in ``fit``.

    Examples
    --------
    >>> import numpy as np
    >>> from clusterlab import MiniBatchKMeans
    >>> X = np.array([[1.0, 2.0], [1.0, 4.0], [1.0, 0.0],
    ...               [4.0, 2.0], [4.0, 0.0], [4.0, 4.0]])
    >>> mbk = MiniBatchKMeans(n_clusters=2, batch_size=3, random_state=0)
    >>> mbk = mbk.partial_fit(X[:3]).partial_fit(X[3:])
    >>> mbk.cluster_centers_.shape
    (2, 2)
    """

    _parameter_constraints = {
        "n_clusters": [Interval(int, 1, None)],
        "init": [Options({"k-means++", "random"}), "array-like", "callable"],
        "max_iter": [Interval(int, 1, None)],
        "batch_size": [Interval(int, 1, None)],
        "tol": [Interval(float, 0, None)],
        "max_no_improvement": [None, Interval(int, 0, None)],
        "init_size": [None, Interval(int, 1, None)],
        "n_init": [Options({"auto"}), Interval(int, 1, None)],
        "reassignment_ratio": [Interval(float, 0, None)],
        "verbose": ["verbose"],
        "random_state": ["random_state"],
    }

    _model_schema = center_fields(
        Field("inertia_", "float", low=0),
        Field("counts_", "array", shape=("n_clusters",), low=0),
        Field("n_steps_", "int", low=0),
    )

    def __init__(self, n_clusters=8, *, init="k-means++", max_iter=100, batch_size=1024,
                 tol=0.0, max_no_improvement=10, init_size=None, n_init="auto",
                 reassignment_ratio=0.01, verbose=0, random_state=None):
        self.n_clusters = n_clusters
        self.init = init
        self.max_iter = max_iter
        self.batch_size = batch_size
        self.tol = tol
        self.max_no_improvement = max_no_improvement
        self.init_size = init_size
        self.n_init = n_init
        self.reassignment_ratio = reassignment_ratio
        self.verbose = verbose
        self.random_state = random_state

    def _init_centers(self, X, w, rng, s=1.0):
        """Best of ``n_init`` initialisations, judged on the init sample (``X`` scaled by s)."""
        init = scaled_init(self.init, X, self.n_clusters, s)
        n, k = X.shape[0], self.n_clusters
        size = min(n, max(self.init_size or 3 * self.batch_size, k))
        n_init = self.n_init
        if n_init == "auto":
            n_init = 1 if isinstance(self.init, str) and self.init == "k-means++" else 3
        if not isinstance(self.init, str) and not callable(self.init):
            n_init = 1
        self._n_init = n_init  # scikit-learn's name for the resolved count
        idx = rng.choice(n, size=size, replace=False) if size < n else np.arange(n)
        Xi, wi = _rows(X, idx), w[idx]
        zero = np.zeros(X.shape[1], dtype=X.dtype)
        best, best_inertia = None, np.inf
        for r in spawn(rng, n_init):
            c = initial_centers(Xi, zero, k, wi, init, r)
            _, dist = _sparse.assign(Xi, c) if _sparse.is_sparse(Xi) else assign(Xi, c)
            inertia = float(dist @ wi)
            if inertia < best_inertia:
                best, best_inertia = c, inertia
        return best.astype(np.float64)

    @fill_doc
    def fit(self, X, y=None, sample_weight=None):
        """Fit on random mini-batches of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), memmap, path or Dask array
            Training data; a file or Dask array is streamed chunk by chunk
            (batches drawn within each chunk, chunks in a random order).
        y : Ignored
            Not used, present for API consistency.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each point.

        Returns
        -------
        self : MiniBatchKMeans
            The fitted estimator.
        """
        validate_params(self)
        X = in_memory_if_small(X)
        if is_streamed(X):
            return self._fit_streamed(as_source(X), sample_weight)
        X = check_data(self, X, accept_sparse=True)
        check_n_samples(X, self.n_clusters)
        w = check_sample_weight(sample_weight, X)
        rng = as_generator(self.random_state)
        # extreme magnitudes: fit X / s and w / ws (powers of two; undone in _finish)
        s, ws = power_of_two_scale(X), power_of_two_scale(w)
        X, w = scaled(X, s), scaled(w, ws)
        centers = self._init_centers(X, w, rng, s)
        counts = np.zeros(self.n_clusters)
        n = X.shape[0]
        batch = min(self.batch_size, n)
        n_steps = max(1, (self.max_iter * n) // batch)
        tol = (_sparse.tolerance if _sparse.is_sparse(X) else tolerance)(X, self.tol)
        history, ewa, best, stall = [], None, np.inf, 0
        step, converged = 0, False
        # the whole problem's size decides: a small fit's batches never load numba
        lloyd = kernels("lloyd", n * X.shape[1] * self.n_clusters)
        for step in range(1, n_steps + 1):
            idx = rng.integers(0, n, size=batch)
            Xb, wb = _rows(X, idx), w[idx]
            old = centers.copy()
            inertia = minibatch_step(Xb, wb, centers, counts, rng, self.reassignment_ratio,
                                     reassign=step % 10 == 0, lloyd=lloyd)
            history.append(_mean_inertia(inertia, wb))
            if self.verbose:
                print(f"Step {step}/{n_steps}: mean batch inertia {history[-1]:.6g}", flush=True)
            if tol and float(((centers - old) ** 2).sum()) <= tol:
                converged = True
                break
            # smoothed batch inertia, as scikit-learn: stop when it stalls
            alpha = min(1.0, 2.0 * batch / (n + 1))
            ewa = history[-1] if ewa is None else ewa * (1 - alpha) + history[-1] * alpha
            if ewa < best:
                best, stall = ewa, 0
            else:
                stall += 1
            if self.max_no_improvement is not None and stall >= self.max_no_improvement:
                converged = step < n_steps
                break
        history = unscale(np.asarray(history, dtype=np.float64), s, 2, "history_")
        self._finish(X, w, centers, counts, step, history, s, ws)
        self.converged_ = converged
        self.n_iter_ = int(np.ceil(step * batch / n))
        return self

    def _fit_streamed(self, source, sample_weight):
        """Mini-batches streamed from a source: each epoch visits the chunks in a random
        order and cuts each (rows shuffled) into batches; a Dask block is brought to
        this process one at a time (O(block) memory), the steps being sequential."""
        k, n = self.n_clusters, source.n_rows
        if n < k:
            check_n_samples(np.empty((n, 0)), k)
        weights = Weights(sample_weight, source)
        rng = as_generator(self.random_state)
        size = min(n, max(self.init_size or 3 * self.batch_size, k))
        sample = draw_rows(source, weights, size, int(rng.integers(0, 2**31 - 1)))
        # rows drawn in proportion to their weight: unit weights represent them
        centers = self._init_centers(sample, np.ones(size, dtype=source.dtype), rng)
        counts = np.zeros(k)
        tol = self.tol * float(np.mean(summary(source, weights)[0].variance())) if self.tol \
            else 0.0
        state = _Progress(min(self.batch_size, n), n, self.max_no_improvement)
        for _ in range(self.max_iter):
            if self._epoch(source, weights, centers, counts, rng, tol, state):
                break
        self.n_features_in_ = source.n_features
        self.cluster_centers_ = centers.astype(source.dtype)
        self.counts_, self.n_steps_ = counts, state.step
        self.history_ = history_frame("step", inertia=state.history)
        self.inertia_, self.labels_ = final_assignment(source, weights, self.cluster_centers_)
        if self.labels_ is None:  # Dask: lazy
            self.labels_ = self.predict(source.X)
        self.n_iter_ = int(np.ceil(state.step * state.batch / n))
        return self

    def _epoch(self, source, weights, centers, counts, rng, tol, state):
        """One pass over the chunks; True when a stopping rule fired."""
        bounds = source.bounds()
        for j in rng.permutation(len(bounds)):
            start, stop = bounds[j]
            X, w = source.read(start, stop), weights.chunk(start, stop)
            order = rng.permutation(stop - start)
            for b in range(0, stop - start, state.batch):
                idx = order[b:b + state.batch]
                Xb, wb = np.ascontiguousarray(X[idx]), w[idx]
                if not wb.any():
                    continue
                old = centers.copy()
                state.step += 1
                # a file's chunks need not be shuffled (rows of one cluster together):
                # reassignment and the stall count wait for one whole epoch
                warm = state.step * state.batch > state.n
                inertia = minibatch_step(Xb, wb, centers, counts, rng, self.reassignment_ratio,
                                         reassign=warm and state.step % 10 == 0)
                if state.update(inertia / float(wb.sum()), self.verbose) and warm or (
                        tol and float(((centers - old) ** 2).sum()) <= tol):
                    return True
        return False

    def _finish(self, X, w, centers, counts, n_steps, history, s, ws):
        """Store the fit of ``X / s`` with weights ``w / ws`` in the caller's units.

        ``counts_`` stay in the scaled weights' units (they only set step sizes).
        """
        self.counts_ = counts
        self.n_steps_ = int(n_steps)
        self.history_ = history_frame("step", inertia=history)
        labels, dist = (_sparse.assign(X, centers) if _sparse.is_sparse(X)
                        else assign(X, centers.astype(X.dtype)))
        self.labels_ = labels
        self.inertia_ = unscale_objective(float(dist @ w.astype(np.float64)), s, ws, "inertia_")
        self.cluster_centers_ = unscale(centers, s, 1, "cluster_centers_").astype(X.dtype)

    @fill_doc
    def partial_fit(self, X, y=None, sample_weight=None):
        """Update the centres with one mini-batch ``X``, or with each chunk of a source.

        The first call chooses the initial centres from this batch (it needs at
        least ``n_clusters`` points).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), memmap, path or Dask array
            One batch of data. A file or Dask array is streamed: each of its
            chunks, in row order, is one mini-batch, exactly as ``partial_fit``
            called on each chunk in turn (set the chunk size with
            ``clusterlab.config(source_chunk_bytes=...)`` or the Dask chunks);
            ``labels_`` and ``inertia_`` then cover the whole source (one more
            pass; a lazy Dask array for Dask).
        {y_ignored}
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each point; for a source, also a ``.npy`` path, a memmap
            or a Dask array chunked like ``X``.

        Returns
        -------
        self : MiniBatchKMeans
            The updated estimator.

        Examples
        --------
        >>> import numpy as np, os, tempfile
        >>> from clusterlab import MiniBatchKMeans
        >>> path = os.path.join(tempfile.mkdtemp(), "x.npy")
        >>> rng = np.random.default_rng(0)
        >>> X = rng.normal(size=(2000, 2)) + np.repeat([[0, 0], [8, 8]], 1000, axis=0)
        >>> np.save(path, X)
        >>> mbk = MiniBatchKMeans(2, random_state=0).partial_fit(path)
        >>> mbk.cluster_centers_.shape, mbk.labels_.shape
        ((2, 2), (2000,))
        """
        if is_streamed(X):
            return self._partial_fit_source(as_source(X), sample_weight)
        return self._partial_step(X, sample_weight)

    def _partial_fit_source(self, source, sample_weight):
        """One ``_partial_step`` per chunk of ``source`` (row order), then its labels."""
        if hasattr(self, "n_features_in_") and hasattr(self, "cluster_centers_") and \
                source.n_features != self.n_features_in_:
            raise ValueError(f"X has {source.n_features} features, but MiniBatchKMeans is "
                             f"expecting {self.n_features_in_} features as input.")
        weights = Weights(sample_weight, source)
        for start, stop in source.bounds():
            self._partial_step(source.read(start, stop), weights.chunk(start, stop))
        self.inertia_, self.labels_ = final_assignment(source, weights, self.cluster_centers_)
        if self.labels_ is None:  # Dask: lazy
            self.labels_ = self.predict(source.X)
        return self

    def _partial_step(self, X, sample_weight):
        """``partial_fit`` on one in-memory batch."""
        first = not hasattr(self, "cluster_centers_")
        if first:
            validate_params(self)
        X = check_data(self, X, reset=first, accept_sparse=True)
        w = check_sample_weight(sample_weight, X)
        # this batch and the centres divided by one power of two when extreme
        s = power_of_two_scale(X, *([] if first else [self.cluster_centers_]))
        X = scaled(X, s)
        # weights of extreme magnitude: every batch divided by the first batch's power of
        # two, so that counts_ (the step sizes) stay in one unit
        if first:
            self._weight_scale = power_of_two_scale(w)
        ws = getattr(self, "_weight_scale", 1.0)
        w = scaled(w, ws)
        if not np.all(np.isfinite(w)):
            raise ValueError(
                f"sample_weight of this batch (largest {float(w.max()) * ws:g}) is too far "
                "from the first batch's weights to share their scale; rescale the weights."
            )
        if first:
            check_n_samples(X, self.n_clusters)
            self._rng = as_generator(self.random_state)
            centers = self._init_centers(X, w, self._rng, s)
            counts = np.zeros(self.n_clusters)
            history, steps = [], 0
        else:
            centers = self.cluster_centers_.astype(np.float64) / s
            counts, history = self.counts_.copy(), self.history_["inertia"].tolist()
            steps = self.n_steps_
            if not hasattr(self, "_rng"):
                self._rng = as_generator(self.random_state)
        inertia = minibatch_step(X, w, centers, counts, self._rng, self.reassignment_ratio,
                                 reassign=(steps + 1) % 10 == 0)
        history.append(unscale(_mean_inertia(inertia, w), s, 2, "history_"))
        self._finish(X, w, centers, counts, steps + 1, history, s, ws)
        self.n_iter_ = self.n_steps_
        self.converged_ = False
        return self
