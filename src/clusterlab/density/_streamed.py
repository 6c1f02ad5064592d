"""Kernel density on data that stays in a source (a file or a Dask array).

A KDE's model is its data, so the fitted estimator keeps the source and every
evaluation is a map / reduce over its chunks: exact log-densities add up as
``logaddexp`` of each chunk's weighted kernel sums; FFT grids add up the
chunks' linearly binned weights (binning is additive) and convolve once. The
bandwidth rules that need only moments ('scott', 'silverman') come from one
pass of weighted moments (Chan's combination).
"""

import math

import numpy as np
from scipy.signal import fftconvolve

from clusterlab._kernels.binning import linear_binning
from clusterlab._mapreduce import map_reduce
from clusterlab._moments import combine_stats
from clusterlab.density import _bounds, _fft


def _chunk_summary(low, high):
    def part(X, w, start, stop):
        Xf = np.asarray(X, dtype=np.float64)
        _bounds.check_inside(Xf, low, high, name=f"X rows [{start}, {stop})")
        sw = float(w.sum())
        mean = (w @ Xf) / sw if sw > 0 else np.zeros(Xf.shape[1])
        Z = Xf - mean
        stats = {"n": np.array([sw]), "mean": mean[None], "m2": ((Z * w[:, None]).T @ Z)[None]}
        imgs = np.concatenate(_bounds.images(Xf, low, high))
        return (stats, float(w @ w), Xf.min(0), Xf.max(0), imgs.min(0), imgs.max(0))

    return part


def _merge_summary(a, b):
    return (combine_stats(a[0], b[0]), a[1] + b[1], np.minimum(a[2], b[2]),
            np.maximum(a[3], b[3]), np.minimum(a[4], b[4]), np.maximum(a[5], b[5]))


def summarise(source, weights, low, high):
    """One validating pass: weighted covariance (numpy's ``aweights`` convention),
    Kish's effective size, total weight, the data's extent and its reflections'."""
    stats, sw2, lo, hi, ilo, ihi = map_reduce(source, _chunk_summary(low, high), _merge_summary,
                                              weights=weights)
    sw = float(stats["n"][0])
    if sw <= 0:
        raise ValueError("sample_weight sums to zero: at least one weight must be positive.")
    cov = stats["m2"][0] / (sw - sw2 / sw) if sw * sw > sw2 else np.full_like(stats["m2"][0],
                                                                              np.nan)
    return {"cov": cov, "n_eff": sw * sw / sw2, "wsum": sw, "extent": (lo, hi),
            "image_extent": (ilo, ihi)}


class StreamedModel:
    """``log_density`` of the KDE whose data is ``source`` (the ``ExactModel`` role)."""

    def __init__(self, source, weights, form, wsum):
        self.source, self.weights, self.form = source, weights, form
        self.log_wsum = math.log(wsum)

    def log_density(self, Q):
        """Log-density at the rows of ``Q`` (m, d): chunks' log kernel sums added."""
        Q = np.ascontiguousarray(Q, dtype=np.float64)
        form = self.form

        def part(X, w, start, stop):
            sw = float(w.sum())
            if sw <= 0:
                return np.full(Q.shape[0], -np.inf)
            return form.model(X, w).log_density(Q) + math.log(sw)

        return map_reduce(self.source, part, np.logaddexp, weights=self.weights) - self.log_wsum


def fft_density(source, weights, form, axes, extent, low, high, wsum):
    """``_fft.fft_density`` with the binning mapped over chunks (and their reflections
    across finite bounds); ``extent`` must cover every binned point."""
    d = source.n_features
    ext = [_fft._extension(axes[j], extent[0][j], extent[1][j]) for j in range(d)]
    sizes = tuple(ext[j][0] + axes[j].size + ext[j][1] for j in range(d))
    if math.prod(sizes) > _fft.MAX_GRID_NODES:
        raise ValueError(f"The FFT grid would need {math.prod(sizes)} nodes; use "
                         "method='exact' or a coarser grid.")
    dx = np.array([e[2] for e in ext])
    lo = np.array([axes[j][0] - ext[j][0] * dx[j] for j in range(d)])

    def part(X, w, start, stop):
        out = np.zeros(sizes)
        for img in _bounds.images(np.asarray(X, dtype=np.float64), low, high):
            out += linear_binning(np.ascontiguousarray(img), np.asarray(w, dtype=np.float64),
                                  lo, dx, sizes)
        return out

    binned = map_reduce(source, part, weights=weights)
    dens = fftconvolve(binned, form.kernel_grid(dx, sizes), mode="same") / wsum
    sl = tuple(slice(ext[j][0], ext[j][0] + axes[j].size) for j in range(d))
    return np.maximum(dens[sl], 0.0)
