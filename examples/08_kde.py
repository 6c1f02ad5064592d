"""
Kernel density estimation
=========================

A kernel density estimate puts a small bump (the kernel, of width ``h``,
the bandwidth) on every data point and adds them up:
``f(x) = (1 / n) sum_i K_h(x - x_i)``. The bandwidth matters more than the
kernel: too small and the estimate is spiky, too large and it blurs the
structure away. This example compares bandwidth rules on a bimodal sample
(Scott's and Silverman's rules of thumb assume a roughly normal shape;
Botev's improved Sheather-Jones (ISJ) and likelihood cross-validation
adapt to the data), shows reflection at a boundary for data that cannot be
negative, and draws new samples from an estimate.
"""


import matplotlib.pyplot as plt
import numpy as np
from scipy import stats

from clusterlab import KernelDensity
from clusterlab.plots.gallery import is_small_run, save_figure

SMALL = is_small_run()  # CLUSTERLAB_EXAMPLE_SMALL=1: the small size, for CI


N = 400 if SMALL else 5000
rng = np.random.default_rng(0)

# %%
# Bandwidth rules on a bimodal sample
# -----------------------------------
# A mixture: 70% N(0, 1) and 30% N(4, 0.4^2).
x = np.where(rng.random(N) < 0.7, rng.normal(0, 1, N), rng.normal(4, 0.4, N))[:, None]


def true_density(t):
    return 0.7 * stats.norm.pdf(t, 0, 1) + 0.3 * stats.norm.pdf(t, 4, 0.4)


grid = np.linspace(-4, 6.5, 600)
fig, axes = plt.subplots(1, 4, figsize=(18, 3.8), sharey=True)
print(f"{'rule':>13} {'bandwidth':>10} {'integrated squared error':>25}")
# ("scott_cov" and "silverman_cov" are scipy's rules, scaled by the data's covariance;
# scikit-learn's "scott" and "silverman" are the same factors for unit-variance data)
for ax, rule in zip(axes, ("scott_cov", "silverman_cov", "isj", "cv"), strict=True):
    kde = KernelDensity(bandwidth=rule).fit(x)
    dens = np.exp(kde.score_samples(grid[:, None]))
    ise = np.sum((dens - true_density(grid)) ** 2) * (grid[1] - grid[0])
    print(f"{rule:>13} {kde.bandwidth_[0]:10.3f} {ise:25.5f}")
    ax.plot(grid, true_density(grid), "k--", label="true density")
    ax.plot(grid, dens, label="estimate")
    ax.plot(x[:200, 0], np.full(min(200, N), -0.01), "|k", alpha=0.3)
    ax.set_title(f"{rule}: h = {kde.bandwidth_[0]:.3f}, ISE = {ise:.4f}")
axes[0].legend()
fig.tight_layout()
save_figure(fig, "kde_bandwidths")

# %%
# Bounded data: reflection at zero
# --------------------------------
# Waiting times cannot be negative. An ordinary estimate spills mass below
# zero and halves the density at the boundary; reflecting the kernels at
# the bound (``bounds=(0, None)``) keeps the mass inside.
w = rng.exponential(1.0, N)[:, None]
grid_b = np.linspace(-1, 5, 600)
plain = KernelDensity(bandwidth="silverman_cov").fit(w)
reflected = KernelDensity(bandwidth="silverman_cov", bounds=[(0, None)]).fit(w)
d_plain = np.exp(plain.score_samples(grid_b[:, None]))
d_refl = np.exp(reflected.score_samples(grid_b[:, None]))
step = grid_b[1] - grid_b[0]
print(f"mass below 0: plain {d_plain[grid_b < 0].sum() * step:.3f}, reflected "
      f"{d_refl[grid_b < 0].sum() * step:.3f}; density at 0+ (true 1): plain "
      f"{np.exp(plain.score_samples([[1e-9]]))[0]:.2f}, reflected "
      f"{np.exp(reflected.score_samples([[1e-9]]))[0]:.2f}")

# %%
# Sampling from the estimate
# --------------------------
# A draw picks a data point at random and adds kernel noise; with
# reflection, draws that would leave the domain are reflected back in.
draws = reflected.sample(N, random_state=1)
print(f"{N} draws from the reflected estimate: min {draws.min():.3f} (never below 0), mean "
      f"{draws.mean():.3f} (data mean {w.mean():.3f})")

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4))
ax1.plot(grid_b, np.where(grid_b >= 0, np.exp(-grid_b), 0), "k--", label="true Exp(1)")
ax1.plot(grid_b, d_plain, label="no bounds")
ax1.plot(grid_b, d_refl, label="reflected at 0")
ax1.set_title("bounded data")
ax1.legend()
ax2.hist(draws[:, 0], bins=40, density=True, alpha=0.5, label="samples from the estimate")
ax2.plot(grid_b, d_refl, label="the estimate")
ax2.set_title("sampling from the estimate")
ax2.legend()
fig.tight_layout()
save_figure(fig, "kde_bounds_sampling")
