"""
k-means on Gaussian blobs
=========================

Lloyd's algorithm alternates two steps: assign every point to its nearest
centroid, then move every centroid to the mean of its points. Each step can
only lower the distortion ``J = sum_i ||x_i - mu_{c_i}||^2``, so the
algorithm stops, but at a local minimum that depends on the start. This
example shows the centres found against the true ones, the distortion
falling, random starts against k-means++ seeding over many seeds, and how
keeping the best of ``n`` runs helps.

Run ``python examples/01_kmeans_blobs.py``; ``CLUSTERLAB_EXAMPLE_SMALL=1``
runs a smaller version (for CI), ``CLUSTERLAB_EXAMPLE_OUT`` says where the
figures go.
"""


import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_blobs

from clusterlab import kmeans
from clusterlab.plots.gallery import is_small_run, save_figure

SMALL = is_small_run()  # CLUSTERLAB_EXAMPLE_SMALL=1: the small size, for CI


N_SAMPLES, N_SEEDS = (400, 12) if SMALL else (3000, 100)
K = 8

X, y, true_centres = make_blobs(N_SAMPLES, centers=K, cluster_std=0.9, center_box=(-12, 12),
                                return_centers=True, random_state=4)

# %%
# One run: the centres found and the distortion after each assignment step
# --------------------------------------------------------------------------
centroids, labels, history, n_iters = kmeans(X, K, random_state=0)
print(f"k-means++ start: {n_iters} iterations, final distortion {history[-1]:.1f}")

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4.2))
ax1.scatter(*X.T, c=labels, s=6, cmap="tab10")
ax1.scatter(*true_centres.T, marker="o", s=120, facecolors="none", edgecolors="k",
            label="true centres")
ax1.scatter(*centroids.T, marker="x", s=80, c="k", label="k-means centroids")
ax1.legend(loc="lower left")
ax1.set_title(f"k-means, k={K}")
ax2.plot(np.arange(1, n_iters + 1), history, "o-")
ax2.set_xlabel("iteration")
ax2.set_ylabel("distortion J")
ax2.set_title("J never increases")
fig.tight_layout()
save_figure(fig, "kmeans_blobs")

# %%
# Random starts versus k-means++ over many seeds
# ----------------------------------------------
# k-means++ picks each new centre with probability proportional to the
# squared distance from the centres already chosen, so the starts spread out
# and the runs end in better minima, in fewer iterations.
runs = {}
for init in ("random", "kmeans++"):
    out = [kmeans(X, K, init_method=init, random_state=seed) for seed in range(N_SEEDS)]
    runs[init] = (np.array([r[2][-1] for r in out]), np.array([r[3] for r in out]))
best = min(r[0].min() for r in runs.values())
for init, (dist, iters) in runs.items():
    print(f"{init:>9}: distortion median {np.median(dist):8.1f}, worst {dist.max():8.1f}, "
          f"runs within 1% of the best {np.mean(dist < 1.01 * best):.0%}, "
          f"mean iterations {iters.mean():.1f}")

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
ax1.boxplot([runs["random"][0], runs["kmeans++"][0]], tick_labels=["random", "k-means++"])
ax1.set_ylabel("final distortion")
ax1.set_title(f"{N_SEEDS} seeds each")
# best of n runs: the expected minimum of n draws from the runs above
ns = np.arange(1, 11)
rng = np.random.default_rng(0)
for init, (dist, _) in runs.items():
    best_of = [np.mean([rng.choice(dist, n).min() for _ in range(200)]) for n in ns]
    ax2.plot(ns, best_of, "o-", label=init)
ax2.set_xlabel("n runs (keep the lowest distortion)")
ax2.set_ylabel("expected best distortion")
ax2.set_title("Best of n runs")
ax2.legend()
fig.tight_layout()
save_figure(fig, "kmeans_starts")

# %%
# The best of ``n_init`` runs in one call
# ----------------------------------------
_, _, hist10, _ = kmeans(X, K, init_method="random", n_init=10, random_state=0)
print(f"best of 10 random starts: distortion {hist10[-1]:.1f} (best seen over all seeds: "
      f"{best:.1f})")
