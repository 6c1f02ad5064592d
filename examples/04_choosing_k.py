"""
Choosing k
==========

No single rule picks the number of clusters; four common ones, side by side
on the same data (four blobs of unequal spread):

* **within versus between variance**: the total scatter splits into the
  within-cluster sum of squares ``W(k)`` and the between-cluster ``B(k)``;
  ``W`` always falls with ``k``, so look for the elbow, or use the
  Calinski-Harabasz ratio ``(B / (k - 1)) / (W / (n - k))`` (higher is
  better);
* **silhouette**: for each point, ``(b - a) / max(a, b)`` with ``a`` its mean
  distance to its own cluster and ``b`` to the nearest other (higher is
  better);
* **the gap statistic** (Tibshirani et al.): how far ``log W(k)`` lies below
  its value on uniform reference data; the smallest ``k`` whose gap is
  within one standard error of the next;
* **BIC** of a Gaussian mixture: ``-2 log-likelihood + p log n`` (lower is
  better).
"""


import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_blobs

from clusterlab import GaussianMixture, KMeans, select_k
from clusterlab.plots.gallery import is_small_run, save_figure

SMALL = is_small_run()  # CLUSTERLAB_EXAMPLE_SMALL=1: the small size, for CI


N, N_REFS = (300, 5) if SMALL else (1200, 20)
X, y = make_blobs(N, centers=[[0, 0], [6, 0], [0, 6], [7, 7]], cluster_std=[0.8, 1.2, 1.0, 1.5],
                  random_state=1)
KS = range(1, 9)

km = KMeans(n_init=4, random_state=0)
tables = {crit: select_k(km, X, k=KS, criterion=crit, n_refs=N_REFS, random_state=0)
          for crit in ("calinski_harabasz", "silhouette", "gap")}
bic = select_k(GaussianMixture(n_init=2, random_state=0), X, k=KS, criterion="bic",
               param_grid={})  # full covariances only (None would sweep mclust's 14 models)

table = tables["gap"].table.set_index("n_clusters")
within = table["inertia"]
total = ((X - X.mean(axis=0)) ** 2).sum()
between = np.round(total - within, 6) + 0.0  # B(1) = 0, not -0 from rounding
print("k    W(k)     B(k)   Calinski-Harabasz  silhouette    gap (se)        BIC")
for k in KS:
    ch = tables["calinski_harabasz"].table.set_index("n_clusters")["calinski_harabasz"][k]
    sil = tables["silhouette"].table.set_index("n_clusters")["silhouette"][k]
    b = bic.table.set_index("n_components")["bic"][k]
    print(f"{k}  {within[k]:7.0f}  {between[k]:7.0f}  {ch:17.1f}  {sil:10.3f}  "
          f"{table['gap'][k]:6.3f} ({table['gap_se'][k]:.3f})  {b:9.1f}")
choices = {name: r.best_params_["n_clusters"] for name, r in tables.items()}
choices["bic"] = bic.best_params_["n_components"]
print("chosen k:", choices, "(true k = 4)")
largest_gap = int(table["gap"].idxmax())
print(f"the gap statistic's one-standard-error rule takes the smallest k with "
      f"Gap(k) >= Gap(k+1) - s(k+1): k = {choices['gap']}; the largest gap is at k = "
      f"{largest_gap}" + (" (the rule stops early: Gap(1) is within one standard error of "
                          "Gap(2) here)" if choices["gap"] == 1 != largest_gap else ""))

# %%
# The four criteria
# -----------------
fig, axes = plt.subplots(1, 5, figsize=(20, 3.8))
axes[0].scatter(*X.T, c=y, s=5, cmap="tab10")
axes[0].set_title("the data (4 clusters)")
ks = np.array(list(KS))
axes[1].plot(ks, within.to_numpy(), "o-", label="within W(k)")
axes[1].plot(ks, between.to_numpy(), "s-", label="between B(k)")
axes[1].set_title("within vs between sum of squares")
axes[1].legend()
tables["silhouette"].plot(ax=axes[2])
axes[2].set_title(f"silhouette: k = {choices['silhouette']}")
axes[3].errorbar(ks, table["gap"], yerr=table["gap_se"], marker="o", capsize=3)
axes[3].axvline(choices["gap"], color="k", ls=":")
axes[3].set_title(f"gap statistic: k = {choices['gap']} (largest at {largest_gap})")
axes[3].set_xlabel("n_clusters")
bic.plot(ax=axes[4])
axes[4].set_title(f"BIC (Gaussian mixture): k = {choices['bic']}")
fig.tight_layout()
save_figure(fig, "choosing_k")
