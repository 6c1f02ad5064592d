"""``general_em``: the EM algorithm for any latent-variable model given as functions."""

import math
import warnings

import numpy as np


class ElboDecreaseWarning(UserWarning):
    """The ELBO went down between two E-steps: EM never lowers it, so a step is wrong.

    Examples
    --------
    >>> import warnings
    >>> from clusterlab import ElboDecreaseWarning
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("error", ElboDecreaseWarning)
    ...     _warn_if_lower(-1.0, -2.0, 5)
    Traceback (most recent call last):
    ...
    clusterlab.functional._general_em.ElboDecreaseWarning: general_em: the ELBO decreased at \
iteration 5 by 1 (from -1 to -2). EM never lowers it, so the E-step or the M-step is wrong \
(or not exact).
    """


def _check_int(value, name, low):
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise TypeError(f"{name} must be an int; got {type(value).__name__}.")
    if value < low:
        raise ValueError(f"{name} must be >= {low}; got {value}.")


def _check_steps(e_step, m_step, elbo_fn, tol):
    for name, fn in (("e_step", e_step), ("m_step", m_step)):
        if not callable(fn):
            raise TypeError(f"{name} must be a function; got {type(fn).__name__}.")
    if elbo_fn is not None and not callable(elbo_fn):
        raise TypeError(f"elbo_fn must be a function or None; got {type(elbo_fn).__name__}.")
    if isinstance(tol, bool) or not isinstance(tol, int | float | np.floating | np.integer):
        raise TypeError(f"tol must be a number; got {type(tol).__name__}.")
    if not (tol >= 0 and math.isfinite(tol)):
        raise ValueError(f"tol must be a finite number >= 0; got {tol}.")


def _e_step(X, params, e_step, elbo_fn, it):
    out = e_step(X, params)
    if isinstance(out, tuple) and len(out) == 2:
        Q, elbo = out
    elif elbo_fn is None:
        raise ValueError(
            "e_step returned Q alone and no elbo_fn was given: return (Q, elbo) from the "
            "E-step or pass elbo_fn(X, params, Q)."
        )
    else:
        Q, elbo = out, elbo_fn(X, params, out)
    elbo = float(elbo)
    if not math.isfinite(elbo):
        raise ValueError(f"the ELBO at iteration {it} is {elbo}; the steps produced parameters "
                         "under which the data have no finite likelihood.")
    return Q, elbo


def general_em(X, init_params, e_step, m_step, elbo_fn=None, max_iters=100, tol=1e-4):
    """The EM algorithm for a latent-variable model ``p(x, z; theta)``.

    For any distribution ``Q`` over the latent variables, Jensen's
    inequality gives ``log p(x; theta) >= ELBO(Q, theta) = E_Q[log p(x, z;
    theta) - log Q(z)]``, with equality when ``Q`` is the posterior
    ``p(z | x; theta)``: the gap is ``KL(Q || p(z | x; theta))``. EM
    alternates two ascent steps on the ELBO. E-step: ``Q`` becomes the
    posterior under the current parameters (the bound touches the
    log-likelihood). M-step: ``theta`` maximises the ELBO for that ``Q``.
    Each iteration therefore never lowers the log-likelihood; an ELBO that
    drops from one E-step to the next means a step is wrong, and
    ``general_em`` warns, naming the iteration and the size of the drop.

    Parameters
    ----------
    X : object
        The data, passed unchanged to the steps (an array, or a tuple such
        as ``(X, y)`` for a mixture of regressions).
    init_params : object
        The starting parameters (any object the steps understand).
    e_step : callable
        ``e_step(X, params) -> Q`` or ``(Q, elbo)``: the posterior over the
        latent variables, and optionally the ELBO at that posterior.
    m_step : callable
        ``m_step(X, Q) -> params``: the parameters maximising the ELBO.
    elbo_fn : callable, default=None
        ``elbo_fn(X, params, Q) -> float``, called after each E-step when
        ``e_step`` returns ``Q`` alone.
    max_iters : int, default=100
        Most iterations (one E-step and one M-step each).
    tol : float, default=1e-4
        Stop when the ELBO changes by less than ``tol`` between iterations.

    Returns
    -------
    params : object
        The parameters after the last M-step.
    Q : object
        The posterior under ``params`` (one more E-step, not in ``elbos``).
    elbos : ndarray of shape (n_iters,)
        The ELBO at each iteration's E-step (the log-likelihood of the
        parameters the iteration started from, when ``e_step`` is exact).
    n_iters : int
        Iterations made.

    Warns
    -----
    ElboDecreaseWarning
        When the ELBO decreases between two E-steps by more than rounding.

    Examples
    --------
    >>> import numpy as np
    >>> from clusterlab import general_em, gmm_initialize, gmm_e_step, gmm_m_step
    >>> rng = np.random.default_rng(0)
    >>> X = np.vstack([rng.normal(0, 1, (100, 2)), rng.normal(6, 1, (100, 2))])
    >>> params, Q, elbos, n_iters = general_em(
    ...     X, gmm_initialize(X, 2, random_state=0), gmm_e_step, gmm_m_step)
    >>> params["phi"].round(2).tolist(), bool(np.all(np.diff(elbos) >= 0))
    ([0.5, 0.5], True)
    """
    _check_steps(e_step, m_step, elbo_fn, tol)
    _check_int(max_iters, "max_iters", 1)
    params, elbos = init_params, []
    for it in range(1, max_iters + 1):
        Q, elbo = _e_step(X, params, e_step, elbo_fn, it)
        if elbos:
            _warn_if_lower(elbos[-1], elbo, it)
        elbos.append(elbo)
        params = m_step(X, Q)
        if len(elbos) > 1 and abs(elbos[-1] - elbos[-2]) < tol:
            break
    Q, _ = _e_step(X, params, e_step, elbo_fn, len(elbos) + 1)
    return params, Q, np.asarray(elbos), len(elbos)


def _warn_if_lower(prev, elbo, it):
    drop = prev - elbo
    # rounding: a converged ELBO may wobble by a few ulps of its size
    if drop > 1e-9 * max(1.0, abs(prev)):
        warnings.warn(
            f"general_em: the ELBO decreased at iteration {it} by {drop:.6g} (from {prev:.10g} "
            f"to {elbo:.10g}). EM never lowers it, so the E-step or the M-step is wrong "
            "(or not exact).",
            ElboDecreaseWarning, stacklevel=3,
        )
