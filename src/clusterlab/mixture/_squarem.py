"""SQUAREM: squared iterative extrapolation of EM (Varadhan and Roland 2008).

From parameters ``p0`` two EM steps give ``p1`` and ``p2``; with ``r = p1 - p0``,
``v = p2 - 2 p1 + p0`` and the step ``a = -|r| / |v|`` (their scheme S3,
``a <= -1``) the extrapolated point is ``p0 - 2 a r + a^2 v``; one EM step from
it, ``p3``, starts the next cycle. A cycle costs three E-steps (at ``p0``,
``p1`` and the extrapolated point), the E-step at ``p3`` being the next
cycle's first. The parameters are the family's own (``Family.to_vector`` /
``from_vector``) and the log mixture weights, so every family is accelerated
by the engine alone.

Safeguards, so the recorded log-likelihood never falls and the parameters stay
valid: an extrapolated point that is not a valid parameter (``from_vector``
returns ``None``: a covariance that is not positive definite) or whose
log-likelihood is not finite is dropped, and the run goes on from ``p2``; if
``p3``'s log-likelihood is below the last recorded one (``p1``'s), the run goes
back to ``p2`` too. Only EM iterates (``p0``, ``p1``, ``p3``) are recorded
(``history_``); every E-step, those at extrapolated points included, is
counted in ``EMResult.n_evaluations``.

Measured (benchmarks/suite_convergence.py; E-steps to reach 1e-6 of plain EM's
limit relative to plain EM's on GMM-A's shape at 5,000 rows full / diag and
Old Faithful EEE/3): this layout, 0.15 / 0.26 / 0.25; with the previous
layout (four E-steps a cycle, SQUAREM's step bound ``step.max0 = 1``, growing
by 4) 0.60 / 0.61 / 0.55. The step lengths S1 (``-r.v / v.v``) and S2
(``-r.r / r.v``) took 0.69-0.88 and 0.30-0.88; extrapolating Cholesky factors
or log-variances instead of covariances sent the full fit to another, lower
optimum; the bound ``step.max0 = 1`` cost 0.25 -> 0.38 on Old Faithful.
"""

import numpy as np


def _pack(run, params, mix):
    vec = run.family.to_vector(params)
    return np.concatenate([vec, np.log(mix)]) if run.learn_weights else vec


def _unpack(run, vec, like, mix):
    if not np.all(np.isfinite(vec)):
        return None
    m = vec.size - mix.size if run.learn_weights else vec.size
    params = run.family.from_vector(vec[:m], like)
    if params is None:
        return None
    if not run.learn_weights:
        return params, mix
    weights = np.exp(vec[m:] - vec[m:].max())
    return params, weights / weights.sum()


def _extrapolate(p0, p1, p2):
    r = p1 - p0
    v = p2 - 2.0 * p1 + p0
    norm_v = float(np.linalg.norm(v))
    if norm_v == 0.0:
        return None
    alpha = min(-float(np.linalg.norm(r)) / norm_v, -1.0)
    if alpha == -1.0:  # the extrapolation is p2 itself
        return None
    return p0 - 2.0 * alpha * r + alpha * alpha * v


def _cycle(run, params, mix, e0):
    """One SQUAREM cycle from ``p0`` (``e0``: its E-step, if already taken): two
    recorded EM steps, then the extrapolated point's EM step.

    Returns ``(done, next point, fallback)``; ``fallback`` (``p2``) is set when
    the next point comes from an extrapolation.
    """
    points = [(params, mix)]
    for _ in range(2):
        e = e0 if e0 is not None else run.evaluate(*points[-1])
        e0 = None
        if run.record(*points[-1], *e):
            return True, None, None
        points.append((run.res.params, run.res.weights))
    point = _extrapolate(*(_pack(run, p, m) for p, m in points))
    trial = None if point is None else _unpack(run, point, *points[-1])
    if trial is None:  # no step, or not a valid parameter: plain EM goes on from p2
        return False, points[-1], None
    stats, nk, ll, _ = run.evaluate(*trial)
    if not np.isfinite(ll):
        return False, points[-1], None
    return False, run.m_step(stats, nk), points[-1]


def squarem(run, params, mix):
    """Run accelerated EM with the bookkeeping of ``run`` (an ``_em.EMRun``).

    Returns
    -------
    EMResult
    """
    fallback = None  # p2, while the EM step from an extrapolated point is on probation
    for _ in range(3 * run.max_iter + 3):
        e0 = None
        if fallback is not None:
            e0 = run.evaluate(params, mix)
            if not e0[2] >= run.res.log_likelihood[-1]:
                params, mix = fallback  # the extrapolation did not pay: plain EM instead
                fallback = None
                continue
        done, point, fallback = _cycle(run, params, mix, e0)
        if done:
            return run.res
        params, mix = point
    return run.res
