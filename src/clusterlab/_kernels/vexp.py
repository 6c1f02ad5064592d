"""A vectorisable ``exp``: libm's scalar ``exp`` keeps loops from using SIMD.

Shared by the KDE sums and the E-step's responsibilities.
"""

import numpy as np
from numba import njit

from clusterlab._kernels import _cache  # noqa: F401  (first: see _cache)

_LOG2E = 1.4426950408889634
_LN2HI = 0.693147180369123816490
_LN2LO = 1.90821492927058770002e-10
_MAGIC = 6755399441055744.0  # 1.5 * 2**52: adding it rounds to an integer in the low bits
_MAGIC_BITS = 0x4338000000000000  # the bit pattern of _MAGIC
_EXP_MIN = -708.0  # below this exp() is subnormal; such terms count as 0


@njit(cache=True, nogil=True, fastmath={"contract"})
def exp_neg_block(g, out, tmp, nb):
    """``out[k] = exp(-g[k])`` for ``k < nb`` (0 where ``g > 708``), SIMD-friendly.

    Cody-Waite reduction ``x = k ln2 + r`` and a degree-13 Taylor polynomial
    on ``|r| <= ln2 / 2`` (error below 2e-16 relative). ``2**k`` is built in
    the exponent bits without a float-to-int conversion, so all three loops
    vectorise. Only FMA contraction here: reassociation would fold the rounding
    trick away.
    """
    for k in range(nb):
        x = max(-g[k], _EXP_MIN)
        t = x * _LOG2E + _MAGIC
        kk = t - _MAGIC
        r = (x - kk * _LN2HI) - kk * _LN2LO
        p = 1.0 / 479001600.0
        p = p * r + 1.0 / 39916800.0
        p = p * r + 1.0 / 3628800.0
        p = p * r + 1.0 / 362880.0
        p = p * r + 1.0 / 40320.0
        p = p * r + 1.0 / 5040.0
        p = p * r + 1.0 / 720.0
        p = p * r + 1.0 / 120.0
        p = p * r + 1.0 / 24.0
        p = p * r + 1.0 / 6.0
        p = p * r + 0.5
        p = p * r + 1.0
        p = p * r + 1.0
        out[k] = p
        tmp[k] = t
    bits = tmp.view(np.int64)
    for k in range(nb):
        bits[k] = (bits[k] - _MAGIC_BITS + 1023) << 52
    for k in range(nb):
        out[k] = out[k] * tmp[k] if g[k] <= -_EXP_MIN else 0.0
