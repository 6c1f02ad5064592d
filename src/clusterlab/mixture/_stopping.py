"""EM stopping rules: what the engine compares with ``tol`` after every E-step.

``"relative"`` (the default, mclust's rule): the change of the total
log-likelihood relative to its size, ``|L_t - L_{t-1}| / (1 + |L_t|)``. It does
not depend on the number of samples the way a per-sample change does, and a
slow plateau (a change of 1e-3 per sample per step over a hundred steps) does
not pass for convergence at the default ``tol=1e-8``.

``"aitken"`` (Böhning et al. 1994): the distance from ``L_t`` to the
Aitken-extrapolated limit ``L_{t-1} + (L_t - L_{t-1}) / (1 - a_t)``, with the
rate ``a_t = (L_t - L_{t-1}) / (L_{t-1} - L_{t-2})``, relative to ``1 + |L_t|``.
On a slow plateau ``a_t`` is near 1 and the estimated distance is large.

``"absolute"`` (scikit-learn's rule): the change of the mean log-likelihood
per sample.
"""

import math


def _relative(history, n):
    if len(history) < 2:
        return math.inf
    cur, prev = history[-1] * n, history[-2] * n
    return abs(cur - prev) / (1.0 + abs(cur))


def _absolute(history, n):
    if len(history) < 2:
        return math.inf
    return abs(history[-1] - history[-2])


def _aitken(history, n):
    if len(history) < 3:
        return math.inf
    l2, l1, l0 = (v * n for v in history[-3:])
    step, before = l0 - l1, l1 - l2
    if before == 0.0:
        return abs(step) / (1.0 + abs(l0))
    rate = step / before
    if not 0.0 <= rate < 1.0:  # not (yet) a linear approach: fall back on the change
        return abs(step) / (1.0 + abs(l0))
    return abs(step / (1.0 - rate)) / (1.0 + abs(l0))


STOPPING_RULES = {"relative": _relative, "aitken": _aitken, "absolute": _absolute}


def criterion(rule, history, n):
    """The value the stopping ``rule`` compares with ``tol``.

    Parameters
    ----------
    rule : {"relative", "aitken", "absolute"}
    history : list of float
        The objective (mean log-likelihood per unit of sample weight) so far.
    n : float
        Total sample weight (turns means into totals).

    Examples
    --------
    >>> criterion("relative", [-2.0, -1.5], 100.0)  # |-150 + 200| / 151
    0.33112582781456956
    >>> criterion("absolute", [-2.0, -1.5], 100.0)
    0.5
    """
    return STOPPING_RULES[rule](history, n)
