"""
The general EM algorithm
========================

For a model ``p(x, z; theta)`` with latent ``z``, Jensen's inequality
(``log E[Y] >= E[log Y]``, ``log`` being concave) bounds the
log-likelihood below by the ELBO for any distribution ``Q`` over ``z``::

    log p(x; theta) = ELBO(Q, theta) + KL(Q || p(z | x; theta)) >= ELBO(Q, theta)

The E-step sets ``Q`` to the posterior, closing the gap (the KL divergence
becomes zero); the M-step raises the ELBO over ``theta``, which raises the
log-likelihood at least as much; then a gap opens again. ``general_em``
runs these two steps for any model given as functions. Here: the gap
closing on a Gaussian mixture, then three other step sets: factor analysis
(a continuous latent vector per point), a mixture of linear regressions,
and a mixture of Bernoullis on binarised digits.
"""

import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.decomposition import FactorAnalysis

from clusterlab import (
    bmm_e_step,
    bmm_initialize,
    bmm_m_step,
    fa_e_step,
    fa_initialize,
    fa_m_step,
    general_em,
    gmm_e_step,
    gmm_elbo,
    gmm_m_step,
    mixreg_e_step,
    mixreg_initialize,
    mixreg_m_step,
)
from clusterlab.datasets import load_faithful, load_mnist_test
from clusterlab.deep import cluster_accuracy
from clusterlab.plots.gallery import is_small_run, save_figure
from clusterlab.plots.images import image_grid

SMALL = is_small_run()  # CLUSTERLAB_EXAMPLE_SMALL=1: the small size, for CI


# %%
# Jensen's inequality and the gap closing at each E-step
# ------------------------------------------------------
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.2))
t = np.linspace(0.3, 6, 200)
ax1.plot(t, np.log(t), label="log y (concave)")
a, b = 0.8, 5.0
ax1.plot([a, b], np.log([a, b]), "k--", label="chord")
ax1.plot([(a + b) / 2], [np.log((a + b) / 2)], "o", label="log E[Y]")
ax1.plot([(a + b) / 2], [np.log([a, b]).mean()], "s", label="E[log Y]")
ax1.set_title("Jensen: E[log Y] <= log E[Y]  (Y = a or b, equally likely)")
ax1.legend()

X = load_faithful()
params = {"phi": np.array([0.5, 0.5]), "mu": np.array([[3.0, 68.0], [3.8, 74.0]]),
          "Sigma": np.repeat(np.cov(X.T)[None], 2, axis=0)}
steps, rows = [], []
for it in range(12):
    Q, loglik = gmm_e_step(X, params)  # E-step: the ELBO touches the log-likelihood
    steps += [(it, loglik, loglik)]
    params = gmm_m_step(X, Q)  # M-step: the ELBO rises for this Q ...
    after = gmm_elbo(X, params, Q)
    new_loglik = gmm_e_step(X, params)[1]  # ... and the log-likelihood at least as much
    steps += [(it + 0.5, new_loglik, after)]
    rows.append((it + 1, loglik, after, new_loglik, new_loglik - after))
x_, ll_, el_ = np.array(steps).T
ax2.plot(x_, ll_, "o-", label="log-likelihood")
ax2.plot(x_, el_, "x--", label="ELBO")
ax2.fill_between(x_, el_, ll_, color="orange", alpha=0.3, label="gap = KL(Q || posterior)")
ax2.set_xlabel("iteration (E-step at whole numbers, M-step at halves)")
ax2.set_ylabel("per sample")
ax2.set_title("Gaussian mixture on Old Faithful")
ax2.legend()
fig.tight_layout()
save_figure(fig, "em_gap")
print("iter  loglik(theta_t)  ELBO after M  loglik(theta_t+1)  KL gap")
for r in rows[:6]:
    print(f"{r[0]:4d}  {r[1]:15.5f}  {r[2]:12.5f}  {r[3]:17.5f}  {r[4]:.2e}")

# A wrong M-step (the means pushed away once) makes general_em warn.
calls = []


def wrong_m_step(X, Q):
    calls.append(1)
    p = gmm_m_step(X, Q)
    return dict(p, mu=p["mu"] + 5.0) if len(calls) == 3 else p


with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    general_em(X, params, gmm_e_step, wrong_m_step, max_iters=6)
print("a wrong M-step:", caught[0].message)

# %%
# Factor analysis: a continuous latent vector per point
# -----------------------------------------------------
rng = np.random.default_rng(0)
n = 500 if SMALL else 5000
L_true = rng.normal(size=(6, 2))
psi_true = rng.uniform(0.2, 1.0, 6)
Xf = rng.normal(size=(n, 2)) @ L_true.T + rng.normal(size=(n, 6)) * np.sqrt(psi_true)
fa, _, fa_elbos, fa_iters = general_em(Xf, fa_initialize(Xf, 2), fa_e_step, fa_m_step,
                                       max_iters=2000, tol=1e-10)
sk = FactorAnalysis(2, tol=1e-10, max_iter=2000, svd_method="lapack").fit(Xf)
cov = fa["L"] @ fa["L"].T + np.diag(fa["psi"])
print(f"factor analysis: {fa_iters} EM iterations; |L L^T + Psi - scikit-learn's| max "
      f"{np.abs(cov - sk.get_covariance()).max():.1e}; log-likelihood {fa_elbos[-1]:.5f} vs "
      f"{sk.score(Xf):.5f}; noise variances {fa['psi'].round(2)} (true {psi_true.round(2)})")

# %%
# A mixture of linear regressions
# -------------------------------
x = rng.uniform(-3, 3, n)
line = rng.random(n) < 0.4
y = np.where(line, 1.0 + 2.0 * x, 3.0 - 1.5 * x) + rng.normal(0, 0.4, n)
runs = [general_em((x, y), mixreg_initialize((x, y), 2, random_state=s), mixreg_e_step,
                   mixreg_m_step, max_iters=300, tol=1e-9) for s in range(3)]
mr, Qr, mr_elbos, _ = max(runs, key=lambda r: r[2][-1])
print("mixture of regressions: intercepts and slopes\n", mr["beta"].round(3),
      "\n(true: 1.0 + 2.0 x with weight 0.4, 3.0 - 1.5 x with weight 0.6); weights",
      mr["phi"].round(3))

# %%
# A mixture of Bernoullis on binarised digits
# -------------------------------------------
images, digits = load_mnist_test()
m = 1000 if SMALL else 10000
Xb = (images[:m].reshape(m, -1) > 127).astype(np.float64)
bm, Qb, bm_elbos, bm_iters = general_em(Xb, bmm_initialize(Xb, 10, random_state=0), bmm_e_step,
                                        bmm_m_step, max_iters=15 if SMALL else 60, tol=1e-4)
print(f"Bernoulli mixture on {m} digits: {bm_iters} iterations, ELBO {bm_elbos[-1]:.2f} "
      f"nats per image, accuracy against the digit classes "
      f"{cluster_accuracy(digits[:m], Qb.argmax(axis=1)):.3f}")

fig, axes = plt.subplots(1, 4, figsize=(18, 4), gridspec_kw={"width_ratios": [1, 1, 1, 2]})
axes[0].plot(fa_elbos)
axes[0].set_title("factor analysis: ELBO per iteration")
axes[1].scatter(x, y, c=Qr.argmax(axis=1), s=5, cmap="coolwarm")
grid = np.linspace(-3, 3, 10)
for intercept, slope in mr["beta"]:
    axes[1].plot(grid, intercept + slope * grid, "k-")
axes[1].set_title("mixture of regressions: the lines found")
axes[2].plot(bm_elbos, "o-")
axes[2].set_title("Bernoulli mixture: ELBO per iteration")
image_grid(bm["p"], n_cols=5, image_shape=(28, 28), ax=axes[3],
           title="Bernoulli mixture: each component's pixel probabilities")
fig.tight_layout()
save_figure(fig, "em_models")
