"""Bit tricks for masks of groups (one bit per group of centres)."""

from numba.core import cgutils
from numba.extending import intrinsic

from clusterlab._kernels import _cache  # noqa: F401  (first: see _cache)


@intrinsic
def lowest_bit(typingctx, x):
    """Index of the lowest set bit of the integer ``x`` (LLVM's ``cttz``; ``x != 0``)."""
    sig = x(x)

    def codegen(context, builder, signature, args):
        return builder.cttz(args[0], cgutils.false_bit)

    return sig, codegen
