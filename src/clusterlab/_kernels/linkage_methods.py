"""What the linkage kernels share: method codes, the Lance-Williams update,
condensed-matrix access with software prefetch, and the block width of the
O(n d) scans.

Method codes: 0 single, 1 complete, 2 average, 3 weighted, 4 ward,
5 centroid, 6 median (the solvers map scipy's names to them).
"""

import math

from numba import njit, types
from numba.core import cgutils
from numba.extending import intrinsic

from clusterlab._kernels import _cache  # noqa: F401  (first: see _cache)
from clusterlab._kernels.pdist import condensed_index

SINGLE, COMPLETE, AVERAGE, WEIGHTED, WARD, CENTROID, MEDIAN = 0, 1, 2, 3, 4, 5, 6
# Column walks of a condensed matrix jump ~n entries per step, which the
# hardware prefetcher cannot follow; fetching LOOK steps ahead by hand cuts
# the nearest-neighbour chain's time by about a third at n = 10,000.
LOOK = 32


# points per block of the O(n d) scans (Prim over raw data, generic over centres)
BLOCK = 256


@intrinsic
def prefetch(typingctx, arr, idx):
    # llvm.prefetch(ptr, read, high locality, data cache): a hint, never a fault
    sig = types.void(arr, idx)

    def codegen(context, builder, signature, args):
        ary = context.make_array(signature.args[0])(context, builder, args[0])
        ptr = builder.gep(ary.data, [args[1]])
        i32 = cgutils.ir.IntType(32)
        fnty = cgutils.ir.FunctionType(cgutils.ir.VoidType(), [ptr.type, i32, i32, i32])
        fn = cgutils.get_or_insert_function(builder.module, fnty, "llvm.prefetch.p0")
        builder.call(fn, [ptr, i32(0), i32(3), i32(1)])
        return context.get_dummy_value()

    return sig, codegen


@njit(cache=True, nogil=True)
def lance_williams(method, d_xi, d_yi, d_xy, nx, ny, ni):
    """Distance from cluster i to the union of clusters x and y (scipy's formulas)."""
    if method == COMPLETE:
        return max(d_xi, d_yi)
    if method == AVERAGE:
        # weights are loop-invariant in the callers, so the divisions hoist
        return (nx / (nx + ny)) * d_xi + (ny / (nx + ny)) * d_yi
    if method == WEIGHTED:
        return 0.5 * (d_xi + d_yi)
    if method == WARD:
        t = 1.0 / (nx + ny + ni)
        v = (nx + ni) * t * d_xi * d_xi + (ny + ni) * t * d_yi * d_yi - ni * t * d_xy * d_xy
        return math.sqrt(max(v, 0.0))  # clip rounding below zero, never NaN
    if method == CENTROID:
        v = ((nx * d_xi * d_xi) + (ny * d_yi * d_yi) - (nx * ny * d_xy * d_xy) / (nx + ny)) / (
            nx + ny
        )
        return math.sqrt(max(v, 0.0))
    if method == MEDIAN:
        return math.sqrt(max(0.5 * (d_xi * d_xi + d_yi * d_yi) - 0.25 * d_xy * d_xy, 0.0))
    return min(d_xi, d_yi)


@njit(cache=True, nogil=True)
def condensed_get(D, n, i, j):
    # condensed lookup for i != j in either order
    if i < j:
        return D[condensed_index(n, i, j)]
    return D[condensed_index(n, j, i)]
