"""BLAS held to one thread while clusterlab's own kernels run theirs.

A threaded BLAS call leaves its workers spinning for about 0.1 s after it
returns, taking cores from the numba threads that follow; and BLAS threads
under numba's would oversubscribe the cores. ``threadpool_limits`` re-reads the
loaded libraries on every use (about 2 ms); one controller, made on first use
and kept, limits them in microseconds.
"""

import functools


@functools.cache
def _controller():
    import scipy.linalg.cython_blas  # noqa: F401  (the BLAS numba's np.dot calls, loaded first)
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


def one_blas_thread():
    """Context manager: every loaded BLAS library on one thread inside it.

    Examples
    --------
    >>> import numpy as np
    >>> from clusterlab._threads import one_blas_thread
    >>> with one_blas_thread():
    ...     float(np.ones(3) @ np.ones(3))
    3.0
    """
    return _controller().limit(limits=1, user_api="blas")
