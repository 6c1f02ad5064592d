"""Dask map/reduce of clusterlab's kernels and statistics (needs the ``dask`` extra).

Estimators call these through ``clusterlab._mapreduce`` when ``X`` is a
``dask.array.Array``; users normally never import this package.

Examples
--------
>>> import dask.array as da
>>> from clusterlab.sources import as_source
>>> from clusterlab.distributed import dask_map_reduce
>>> from clusterlab._mapreduce import Weights, add
>>> src = as_source(da.ones((10, 2), chunks=(3, 2)))
>>> float(dask_map_reduce(src, lambda x, w, a, b: x.sum(), add, Weights(None, src)))
20.0
"""

from clusterlab.distributed._dask import dask_map_reduce, dask_map_rows

__all__ = ["dask_map_reduce", "dask_map_rows"]
