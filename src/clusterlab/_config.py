"""Process-wide knobs: the memory budget that sets chunk sizes."""

import os

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
_SETTINGS = {"source_chunk_bytes": int(os.environ.get("CLUSTERLAB_SOURCE_CHUNK_BYTES",
                                                      64 * 2**20))}


def get_config():
    """The current settings as a dict (``source_chunk_bytes``: the memory budget of one
    chunk read from a file source).

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

    Examples
    --------
    >>> import clusterlab
    >>> with clusterlab.config(source_chunk_bytes=2**20):
    ...     clusterlab.get_config()["source_chunk_bytes"]
    1048576
    >>> clusterlab.get_config()["source_chunk_bytes"] != 2**20
    True
    """

    def __init__(self, *, source_chunk_bytes=None):
        self._before = dict(_SETTINGS)
        if source_chunk_bytes is not None:
            if not (isinstance(source_chunk_bytes, int) and source_chunk_bytes >= 1):
                raise ValueError("source_chunk_bytes must be an int >= 1; got "
                                 f"{source_chunk_bytes!r}.")
            _SETTINGS["source_chunk_bytes"] = int(source_chunk_bytes)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        _SETTINGS.clear()
        _SETTINGS.update(self._before)
        return False
