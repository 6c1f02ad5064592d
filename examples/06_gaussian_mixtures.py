"""
Gaussian mixtures and EM
========================

A Gaussian mixture says each point comes from one of ``k`` Gaussians,
chosen with probabilities ``phi``. EM alternates the E-step (the
responsibilities ``w_ij = p(z_i = j | x_i)``) and the M-step (weighted
means, covariances and weights). This example fits the Old Faithful
eruptions (272 eruptions: duration and waiting time) with ``em_mog``: the
hard labels with each component's covariance ellipse, a map of the largest
responsibility (pale where the components overlap), and the log-likelihood
and ELBO after each E-step (equal there, and never decreasing).

Then k-means as a limit: give every component the same fixed spherical
variance ``sigma^2`` and equal weights. As ``sigma^2`` shrinks, every
responsibility goes to 0 or 1 (the nearest mean takes all) and EM becomes
Lloyd's algorithm; from the same start it ends at k-means' centroids and
labels.
"""


import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Ellipse
from sklearn.datasets import make_blobs

from clusterlab import GaussianMixture, em_mog, kmeans
from clusterlab.datasets import load_faithful
from clusterlab.mixture.families import FixedSpherical
from clusterlab.plots.gallery import is_small_run, save_figure

SMALL = is_small_run()  # CLUSTERLAB_EXAMPLE_SMALL=1: the small size, for CI


GRID = 80 if SMALL else 250

X = load_faithful()
# a deliberately poor start (both means near the middle, the data's covariance), so
# that EM has some way to go
start = (np.array([0.5, 0.5]), np.array([[3.0, 68.0], [3.8, 74.0]]),
         np.repeat(np.cov(X.T)[None], 2, axis=0))
phi, mu, Sigma, w, logliks, elbos = em_mog(X, 2, tol=1e-6, init_method=start)
labels = w.argmax(axis=1)
print(f"Old Faithful, 2 components: weights {phi.round(3)}, means\n{mu.round(2)}")
print(f"{logliks.size} iterations; max |loglik - ELBO| after the E-steps: "
      f"{np.abs(logliks - elbos).max():.1e}; log-likelihood never fell: "
      f"{bool(np.all(np.diff(logliks) >= -1e-12))}")


def ellipse(ax, mean, cov, color):
    """The 1- and 2-standard-deviation contours of N(mean, cov)."""
    vals, vecs = np.linalg.eigh(cov)
    angle = np.degrees(np.arctan2(vecs[1, 1], vecs[0, 1]))
    for n_std in (1, 2):
        w_, h_ = 2 * n_std * np.sqrt(vals[::-1])
        ax.add_patch(Ellipse(mean, w_, h_, angle=angle, fill=False, color=color, lw=1.5))


fig, axes = plt.subplots(1, 3, figsize=(15, 4.3))
colors = ["tab:blue", "tab:orange"]
axes[0].scatter(*X.T, c=[colors[j] for j in labels], s=8)
for j in range(2):
    ellipse(axes[0], mu[j], Sigma[j], colors[j])
axes[0].set_xlabel("eruption (min)")
axes[0].set_ylabel("waiting (min)")
axes[0].set_title("hard labels and covariance ellipses")
gx, gy = np.meshgrid(np.linspace(1.2, 5.5, GRID), np.linspace(40, 100, GRID))
# the same fit as an estimator, for predict_proba on a grid
gm = GaussianMixture(2, tol=1e-6, weights_init=start[0], means_init=start[1],
                     precisions_init=np.linalg.inv(start[2])).fit(X)
assert np.allclose(gm.means_, mu)
resp = gm.predict_proba(np.column_stack([gx.ravel(), gy.ravel()])).max(axis=1)
im = axes[1].pcolormesh(gx, gy, resp.reshape(gx.shape), cmap="viridis", shading="auto")
axes[1].scatter(*X.T, c="w", s=3)
fig.colorbar(im, ax=axes[1], label="largest responsibility")
axes[1].set_title("map of the largest responsibility")
axes[2].plot(np.arange(1, logliks.size + 1), logliks, "o-", label="log-likelihood")
axes[2].plot(np.arange(1, elbos.size + 1), elbos, "x--", label="ELBO (after the E-step)")
axes[2].set_xlabel("iteration")
axes[2].set_ylabel("per sample")
axes[2].legend()
axes[2].set_title("EM never lowers the likelihood")
fig.tight_layout()
save_figure(fig, "gmm_faithful")

# %%
# k-means as the limit of shrinking variances
# -------------------------------------------
Xb, _ = make_blobs(300 if SMALL else 1500, centers=3, cluster_std=1.6, random_state=3)
Xb = (Xb - Xb.mean(axis=0)) / Xb.std()
start = Xb[np.random.default_rng(0).choice(Xb.shape[0], 3, replace=False)]
km_centres, km_labels, _, _ = kmeans(Xb, 3, init_method=start, max_iters=300, tol=0)
variances = (1.0, 0.1, 0.03, 0.01, 1e-4)
fig, axes = plt.subplots(1, len(variances), figsize=(4 * len(variances), 4))
print(f"{'sigma^2':>8} {'mean largest resp.':>19} {'labels = k-means':>17} "
      f"{'max |mean - centroid|':>22}")
for ax, var in zip(axes, variances, strict=True):
    gm = GaussianMixture(3, covariance_type=FixedSpherical(var), learn_weights=False,
                         means_init=start, tol=1e-12, max_iter=500).fit(Xb)
    R = gm.predict_proba(Xb)
    agree = np.mean(R.argmax(axis=1) == km_labels)
    gap = np.abs(gm.means_ - km_centres).max()
    print(f"{var:8.0e} {R.max(axis=1).mean():19.4f} {agree:17.1%} {gap:22.2e}")
    ax.scatter(*Xb.T, c=R, s=6)
    ax.scatter(*gm.means_.T, c="k", marker="x", s=60)
    ax.set_title(f"sigma^2 = {var:g}: {agree:.1%} = k-means")
    ax.set_xticks([])
    ax.set_yticks([])
fig.suptitle("Responsibilities as colour blends harden into the k-means assignment")
fig.tight_layout()
save_figure(fig, "gmm_kmeans_limit")
