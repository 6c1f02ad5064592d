"""
Soft k-means: fuzzy c-means
===========================

Fuzzy c-means gives every point a membership vector ``u_i`` over the
clusters (non-negative, summing to one) instead of a single label. It
minimises ``sum_i sum_j u_ij^m ||x_i - c_j||^2``: memberships fall with the
distance, ``u_ij = 1 / sum_l (d_ij / d_il)^(2 / (m - 1))``, and each centre
is the ``u^m``-weighted mean of the points. The fuzzifier ``m > 1`` sets
how soft the partition is: near 1 it is k-means; as ``m`` grows every
membership tends to ``1 / c``. With three clusters a membership vector is a
colour: red, green and blue in proportion to the memberships, so points
between clusters appear as blends.
"""


import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_blobs

from clusterlab import FuzzyCMeans
from clusterlab.plots.gallery import is_small_run, save_figure

SMALL = is_small_run()  # CLUSTERLAB_EXAMPLE_SMALL=1: the small size, for CI


N = 400 if SMALL else 2000
X, _ = make_blobs(N, centers=[[0, 0], [4, 0], [2, 3.5]], cluster_std=1.1, random_state=0)
FUZZIFIERS = (1.1, 1.5, 2.0, 4.0)

fig, axes = plt.subplots(1, len(FUZZIFIERS), figsize=(4 * len(FUZZIFIERS), 4.2))
print(f"{'m':>4} {'partition coefficient':>22} {'mean largest membership':>24}")
for ax, m in zip(axes, FUZZIFIERS, strict=True):
    fcm = FuzzyCMeans(n_clusters=3, m=m, random_state=0).fit(X)
    U = fcm.predict_proba(X)
    # order the clusters by angle so the colours are the same in every panel
    angle = np.arctan2(*(fcm.cluster_centers_ - X.mean(axis=0)).T[::-1])
    U = U[:, np.argsort(angle)]
    print(f"{m:4.1f} {fcm.partition_coefficient_:22.3f} {U.max(axis=1).mean():24.3f}")
    ax.scatter(*X.T, c=U, s=8)
    ax.scatter(*fcm.cluster_centers_.T, marker="x", c="k", s=80)
    ax.set_title(f"m = {m}: partition coefficient {fcm.partition_coefficient_:.2f}")
    ax.set_xticks([])
    ax.set_yticks([])
fig.suptitle("Fuzzy c-means memberships as colour blends (red, green, blue)")
fig.tight_layout()
save_figure(fig, "fuzzy_memberships")

# %%
# Membership along a line through two centres
# -------------------------------------------
# Larger ``m`` makes the change from one cluster to the next more gradual.
fig, ax = plt.subplots(figsize=(6, 4))
line = np.column_stack([np.linspace(-2, 6, 200), np.zeros(200)])
for m in FUZZIFIERS:
    fcm = FuzzyCMeans(n_clusters=3, m=m, random_state=0).fit(X)
    left = np.argmin(np.linalg.norm(fcm.cluster_centers_ - [0, 0], axis=1))
    ax.plot(line[:, 0], fcm.predict_proba(line)[:, left], label=f"m = {m}")
ax.set_xlabel("x (y = 0)")
ax.set_ylabel("membership of the cluster at (0, 0)")
ax.legend()
fig.tight_layout()
save_figure(fig, "fuzzy_profile")
