"""
Hierarchical clustering
=======================

Agglomerative clustering starts with every point alone and repeatedly
merges the two closest clusters; the linkage says what "closest" means:
**single** (the closest pair of points: follows chains, and is fooled by
bridges of noise), **complete** (the farthest pair: compact clusters of
similar diameter), **average** (the mean distance over all pairs) and
**Ward** (the merge that raises the within-cluster sum of squares least:
k-means' objective). The sequence of merges is a tree, the dendrogram;
cutting it at a height gives a flat clustering.
"""


import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_blobs, make_moons
from sklearn.metrics import adjusted_rand_score

from clusterlab import Tree, linkage
from clusterlab.plots.dendrogram import plot_dendrogram
from clusterlab.plots.gallery import is_small_run, save_figure

SMALL = is_small_run()  # CLUSTERLAB_EXAMPLE_SMALL=1: the small size, for CI


N = 300 if SMALL else 1000
rng = np.random.default_rng(0)

# %%
# A dendrogram and its cut
# ------------------------
X, y = make_blobs(N, centers=[[0, 0], [5, 0], [2.5, 4]], cluster_std=0.8, random_state=2)
Z = linkage(X, method="ward")
cut_height = float((Z[-3, 2] + Z[-2, 2]) / 2)  # between the last three merges: 3 clusters
labels = Tree(Z).cut(height=cut_height)
print(f"Ward on three blobs: cut at height {cut_height:.1f} gives {labels.max() + 1} clusters, "
      f"ARI {adjusted_rand_score(y, labels):.2f}")
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.2))
plot_dendrogram(Z, ax=ax1, max_leaves=30, color_threshold=cut_height)
ax1.axhline(cut_height, color="k", ls="--")
ax1.set_title("Ward dendrogram (last 30 merges) and the cut")
ax2.scatter(*X.T, c=labels, s=6, cmap="tab10")
ax2.set_title("the three clusters below the cut")
fig.tight_layout()
save_figure(fig, "dendrogram_cut")


# %%
# Four linkages on shapes where they differ
# -----------------------------------------
def bridged_blobs():
    """Two blobs joined by a thin bridge of points: single linkage follows the bridge."""
    a = rng.normal([0, 0], 0.6, (N // 2 - N // 20, 2))
    b = rng.normal([6, 0], 0.6, (N // 2 - N // 20, 2))
    bridge = np.column_stack([np.linspace(0.5, 5.5, 2 * (N // 20)), rng.normal(0, 0.05,
                                                                                2 * (N // 20))])
    X = np.vstack([a, b, bridge])
    return X, (X[:, 0] > 3).astype(int)


def unequal_blobs():
    """A wide cluster next to a tight one: complete linkage cuts the wide one."""
    X = np.vstack([rng.normal([0, 0], 2.0, (N - N // 5, 2)), rng.normal([6, 0], 0.4, (N // 5, 2))])
    return X, np.repeat([0, 1], [N - N // 5, N // 5])


SHAPES = {"two moons": make_moons(N, noise=0.06, random_state=0),
          "bridged blobs": bridged_blobs(), "wide and tight": unequal_blobs()}
METHODS = ("single", "complete", "average", "ward")
fig, axes = plt.subplots(len(SHAPES), len(METHODS), figsize=(14, 10))
print(f"{'shape':<16}" + "".join(f"{m:>10}" for m in METHODS) + "   (ARI)")
for row, (name, (X, y)) in enumerate(SHAPES.items()):
    scores = []
    for col, method in enumerate(METHODS):
        lab = Tree(linkage(X, method=method)).cut(n_clusters=2)
        scores.append(adjusted_rand_score(y, lab))
        ax = axes[row, col]
        ax.scatter(*X.T, c=lab, s=5, cmap="coolwarm")
        ax.set_title(f"{name}: {method} (ARI {scores[-1]:.2f})", fontsize=10)
        ax.set_xticks([])
        ax.set_yticks([])
    print(f"{name:<16}" + "".join(f"{s:10.2f}" for s in scores))
fig.tight_layout()
save_figure(fig, "linkages")
