"""
Where k-means fails
===================

k-means draws straight boundaries halfway between centroids, so it assumes
round clusters of similar spread. Four data sets break that assumption:
overlapping stretched blobs, two moons, concentric circles and clusters of
very unequal size and spread. For each, a method whose assumptions fit does
better: a Gaussian mixture (elliptical clusters with their own covariance
and weight) or single linkage (clusters as chains of near neighbours). The
adjusted Rand index (ARI, 1 = the true partition) is printed for each.
"""


import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_circles, make_moons
from sklearn.metrics import adjusted_rand_score

from clusterlab import AgglomerativeClustering, GaussianMixture, kmeans
from clusterlab.plots.gallery import is_small_run, save_figure

SMALL = is_small_run()  # CLUSTERLAB_EXAMPLE_SMALL=1: the small size, for CI


N = 300 if SMALL else 1500
rng = np.random.default_rng(0)


def stretched():
    """Two elongated, overlapping Gaussian clouds."""
    a = rng.normal(size=(N // 2, 2)) @ np.array([[3.0, 0.0], [0.0, 0.4]])
    b = rng.normal(size=(N - N // 2, 2)) @ np.array([[3.0, 0.0], [0.0, 0.4]]) + [0.0, 2.0]
    rot = np.array([[np.cos(0.5), -np.sin(0.5)], [np.sin(0.5), np.cos(0.5)]])
    return np.vstack([a, b]) @ rot, np.repeat([0, 1], [N // 2, N - N // 2])


def unequal():
    """A large, wide cluster next to two small, tight ones."""
    sizes = [int(N * 0.8), N // 10, N - int(N * 0.8) - N // 10]
    parts = [rng.normal([0, 0], 1.5, (sizes[0], 2)), rng.normal([6, -1.5], 0.4, (sizes[1], 2)),
             rng.normal([6, 1.5], 0.4, (sizes[2], 2))]
    return np.vstack(parts), np.repeat([0, 1, 2], sizes)


DATA = {
    "stretched, overlapping": (*stretched(), "gmm"),
    "two moons": (*make_moons(N, noise=0.05, random_state=0), "single"),
    "concentric circles": (*make_circles(N, factor=0.45, noise=0.04, random_state=0), "single"),
    "unequal sizes": (*unequal(), "gmm"),
}


def better(X, k, method):
    if method == "gmm":
        gm = GaussianMixture(k, n_init=10, init_params="random_from_data", random_state=0)
        return gm.fit(X).predict(X), "Gaussian mixture"
    return AgglomerativeClustering(k, linkage="single").fit(X).labels_, "single linkage"


fig, axes = plt.subplots(2, 4, figsize=(14, 7))
print(f"{'data':<24}{'k-means ARI':>12}   better method (ARI)")
for col, (name, (X, y, method)) in enumerate(DATA.items()):
    k = len(np.unique(y))
    _, km_labels, _, _ = kmeans(X, k, n_init=5, random_state=0)
    other, other_name = better(X, k, method)
    ari_km, ari_other = adjusted_rand_score(y, km_labels), adjusted_rand_score(y, other)
    print(f"{name:<24}{ari_km:12.2f}   {other_name} ({ari_other:.2f})")
    for row, (lab, title) in enumerate([(km_labels, f"k-means, ARI {ari_km:.2f}"),
                                        (other, f"{other_name}, ARI {ari_other:.2f}")]):
        ax = axes[row, col]
        ax.scatter(*X.T, c=lab, s=5, cmap="tab10")
        ax.set_title(f"{name}\n{title}" if row == 0 else title, fontsize=10)
        ax.set_xticks([])
        ax.set_yticks([])
fig.tight_layout()
save_figure(fig, "kmeans_failures")
