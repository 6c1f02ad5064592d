"""SQUAREM: squared iterative extrapolation of EM (Varadhan and Roland 2008).

From parameters ``p0`` two EM steps give ``p1`` and ``p2``; with ``r = p1 - p0``,
``v = p2 - 2 p1 + p0`` and the step ``a = -|r| / |v|`` (their scheme S3,
``a <= -1``) the extrapolated point is ``p0 - 2 a r + a^2 v``; one EM step from
it starts the next cycle. The parameters are the family's own
(``Family.to_vector`` / ``from_vector``) and the mixture weights, so every
family is accelerated by the engine alone.

Safeguards, so the recorded log-likelihood never falls and the parameters stay
valid: an extrapolated point that is not a valid parameter (``from_vector``
returns ``None``: a covariance that is not positive definite, a negative
weight), whose log-likelihood is not finite or is below that of ``p2``, is
dropped for the plain EM step from ``p2``; if the EM step from an accepted
extrapolated point (constrained models: it is projected back onto the model)
falls below ``p2``, the run goes back to the plain step too. The largest step
grows by 4 each time it is used and accepted (their adaptive ``step.max``).
Only the EM iterates are recorded (``history_``); the E-steps at extrapolated
points are counted in ``EMResult.n_evaluations``.
"""

import numpy as np

_STEP_GROWTH = 4.0


def _pack(run, params, mix):
    vec = run.family.to_vector(params)
    return np.concatenate([vec, mix]) if run.learn_weights else vec


def _unpack(run, vec, like, mix):
    if not np.all(np.isfinite(vec)):
        return None
    m = vec.size - mix.size if run.learn_weights else vec.size
    params = run.family.from_vector(vec[:m], like)
    if params is None:
        return None
    if not run.learn_weights:
        return params, mix
    weights = vec[m:]
    if np.any(weights <= 0):
        return None
    return params, weights / weights.sum()


def _extrapolate(p0, p1, p2, step_max):
    r = p1 - p0
    v = p2 - 2.0 * p1 + p0
    norm_v = float(np.linalg.norm(v))
    if norm_v == 0.0:
        return None, -1.0
    alpha = max(min(-float(np.linalg.norm(r)) / norm_v, -1.0), -step_max)
    return p0 - 2.0 * alpha * r + alpha * alpha * v, alpha


def squarem(run, params, mix):
    """Run accelerated EM with the bookkeeping of ``run`` (an ``_em.EMRun``).

    Returns
    -------
    EMResult
    """
    step_max = 1.0
    fallback = None  # the plain step from p2 while an extrapolation is on probation
    for _ in range(3 * run.max_iter):
        e0 = run.evaluate(params, mix)
        if fallback is not None and not e0[2] >= run.res.log_likelihood[-1]:
            params, mix = fallback  # the extrapolation did not pay: plain EM instead
            fallback = None
            continue
        fallback = None
        points = [(params, mix)]
        done = run.record(params, mix, *e0)
        for _ in range(2):
            if done:
                return run.res
            points.append((run.res.params, run.res.weights))
            done = run.record(*points[-1], *run.evaluate(*points[-1]))
        if done:
            return run.res
        plain = (run.res.params, run.res.weights)
        vecs = [_pack(run, p, m) for p, m in points]
        point, alpha = _extrapolate(*vecs, step_max)
        params, mix = plain
        if point is None or alpha == -1.0:  # the extrapolation is p2 itself
            step_max *= _STEP_GROWTH if alpha == -step_max else 1.0
            continue
        trial = _unpack(run, point, points[-1][0], points[-1][1])
        if trial is None:
            continue
        stats, nk, ll, _ = run.evaluate(*trial)
        if not (np.isfinite(ll) and ll >= run.res.log_likelihood[-1]):
            continue
        params, mix = run.m_step(stats, nk)
        fallback = plain
        if alpha == -step_max:
            step_max *= _STEP_GROWTH
    return run.res
