"""Process-wide knobs: the memory budget that sets chunk sizes."""

import os

import numpy as np

# Bytes a kernel may use for one chunk's temporaries (distances, log-probs).
CHUNK_BYTES = int(os.environ.get("CLUSTERLAB_CHUNK_BYTES", 8 * 2**20))


def chunk_rows(n_samples, row_bytes, *, minimum=64):
    """Rows per chunk so that ``rows * row_bytes`` stays within the budget.

    Parameters
    ----------
    n_samples : int
        Number of rows in the data.
    row_bytes : int
        Bytes of temporaries that one row needs.
    minimum : int, default=64
        Smallest chunk, so that tiny budgets still make progress.

    Returns
    -------
    int
        Rows per chunk, between ``min(minimum, n_samples)`` and ``n_samples``.

    Examples
    --------
    >>> chunk_rows(1_000_000, 8 * 256) <= 1_000_000
    True
    """
    rows = max(minimum, CHUNK_BYTES // max(int(row_bytes), 1))
    return int(max(1, min(n_samples, rows)))


# Bytes of one chunk read from a source that is not in memory (a memmap, a Parquet
# row group, a Dask block is as the user chunked it); see ``clusterlab.config``.
# Calls of at most ``small_kernel_work`` multiply-adds (rows x clusters x features)
# run the numpy kernels of ``clusterlab._kernels.small`` instead of numba's (k-means,
# fuzzy c-means and Gaussian mixtures have them): a small fit then never imports
# numba (its import and JIT runtime: about 100 MB resident and 0.15 s per process).
# At 2**16 the numpy kernels are at most about 2x slower than warm numba ones
# (KMeans on 4,000 x 4, k=4: 30 vs 16 ms), far less than that cost.
_SETTINGS = {"source_chunk_bytes": int(os.environ.get("CLUSTERLAB_SOURCE_CHUNK_BYTES",
                                                      64 * 2**20)),
             "small_kernel_work": int(os.environ.get("CLUSTERLAB_SMALL_KERNEL_WORK", 2**16))}


def get_config():
    """The current settings as a dict (``source_chunk_bytes``: the memory budget of one
    chunk read from a file source; ``small_kernel_work``: the largest call, in
    multiply-adds, that runs the numpy kernels instead of numba's).

    Examples
    --------
    >>> get_config()["source_chunk_bytes"] > 0
    True
    """
    return dict(_SETTINGS)


class config:  # noqa: N801 - used like a function, as sklearn.config_context
    """Set clusterlab's settings, for good or within a ``with`` block.

    Parameters
    ----------
    source_chunk_bytes : int, default=None
        Bytes of data read at once from a memory-mapped or Parquet source
        (64 MiB unless ``CLUSTERLAB_SOURCE_CHUNK_BYTES`` says otherwise). The
        peak memory of an out-of-core fit is a small multiple of it. ``None``
        keeps the current value.
    small_kernel_work : int, default=None
        Kernel calls of at most this many multiply-adds (rows x clusters x
        features; 65536 unless ``CLUSTERLAB_SMALL_KERNEL_WORK`` says otherwise)
        run numpy versions of the kernels, so a small fit never loads numba's
        compiler runtime (about 55 MB of resident memory and 0.1 s in a new
        process); larger ones run the compiled numba kernels. 0 sends every
        call to numba. Results agree to rounding, except on data with exact ties
        between centres (integer coordinates, say), where a tie decided the
        other way during the passes can lead to another local optimum.
        ``None`` keeps the current value.

    Examples
    --------
    >>> import clusterlab
    >>> with clusterlab.config(source_chunk_bytes=2**20):
    ...     clusterlab.get_config()["source_chunk_bytes"]
    1048576
    >>> clusterlab.get_config()["source_chunk_bytes"] != 2**20
    True
    """

    def __init__(self, *, source_chunk_bytes=None, small_kernel_work=None):
        self._before = dict(_SETTINGS)
        for name, value, low in (("source_chunk_bytes", source_chunk_bytes, 1),
                                 ("small_kernel_work", small_kernel_work, 0)):
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int | np.integer):
                raise TypeError(f"{name} must be an int; got {type(value).__name__}.")
            if value < low:
                raise ValueError(f"{name} must be an int >= {low}; got {value!r}.")
            _SETTINGS[name] = int(value)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        _SETTINGS.clear()
        _SETTINGS.update(self._before)
        return False
