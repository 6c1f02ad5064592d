"""Numba kernels: one pass over one chunk, arrays in and out.

Modules here import only numpy, numba and math, and raise no user-facing
errors; callers validate first.
"""

from clusterlab._kernels import _cache

# before any kernel module is decorated: numba then finds (and saves) the
# compiled kernels in the installed package (see _cache)
_cache.install()
