"""``.plot()`` on fitted estimators (issue 15): each kind renders the artists it
should, from the estimator's own fitted state, and writes a non-empty PNG."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.patches import Ellipse  # noqa: E402

from clusterlab import (  # noqa: E402
    AgglomerativeClustering,
    FuzzyCMeans,
    GaussianMixture,
    KernelDensity,
    KMeans,
    MiniBatchKMeans,
    MixtureModel,
    SphericalKMeans,
)

rng = np.random.default_rng(0)
X = np.r_[rng.normal(0, 0.4, (40, 2)), rng.normal(3, 0.4, (40, 2)), rng.normal((0, 3), 0.4,
                                                                                   (40, 2))]


def _figure(result):
    return result if isinstance(result, plt.Figure) else result.figure


def _png(result, tmp_path):
    path = tmp_path / "plot.png"
    _figure(result).savefig(path)
    plt.close("all")
    assert path.stat().st_size > 5_000
    return path


@pytest.mark.parametrize("make", [
    lambda: KMeans(3, random_state=0), lambda: MiniBatchKMeans(3, random_state=0),
    lambda: SphericalKMeans(3, random_state=0),
])
def test_centroid_clusterers_draw_points_and_centres(make, tmp_path):
    model = make().fit(X)
    fig = model.plot(X)
    ax = fig.axes[0]
    # one scatter per cluster plus the centres
    assert len(ax.collections) == 3 + 1
    centres = ax.collections[-1].get_offsets()
    assert np.allclose(np.sort(centres[:, 0]), np.sort(model.cluster_centers_[:, 0]))
    _png(fig, tmp_path)


@pytest.mark.parametrize("covariance_type", ["full", "tied", "diag", "spherical", "VEV"])
def test_gaussian_mixture_draws_mclusts_classification(covariance_type, tmp_path):
    gm = GaussianMixture(3, covariance_type=covariance_type, random_state=0).fit(X)
    ax = gm.plot(X)
    ellipses = [p for p in ax.patches if isinstance(p, Ellipse)]
    assert ax.get_title() == "classification" and len(ellipses) == 2 * 3
    # the widest ellipse of component 0 at one standard deviation: the covariance's
    # largest eigenvalue (the plot is in the data's own 2-D coordinates here)
    cov = gm._dense_covariances()[0]
    widths = sorted(max(e.width, e.height) for e in ellipses)
    assert np.isclose(widths, 2 * np.sqrt(np.linalg.eigvalsh(cov)[-1]), rtol=1e-6).any()
    _png(ax, tmp_path)


def test_mixture_uncertainty_and_history(tmp_path):
    gm = GaussianMixture(3, random_state=0).fit(X)
    ax = gm.plot(X, kind="uncertainty")
    sizes = ax.collections[0].get_sizes()
    assert sizes.size == len(X) or sizes.size == 1
    _png(ax, tmp_path)
    ax = gm.plot(kind="history")
    assert len(ax.lines) >= 1 and len(ax.lines[0].get_xdata()) == gm.n_iter_
    _png(ax, tmp_path)


def test_poisson_mixture_draws_labels():
    counts = rng.poisson([[2, 9]] * 50 + [[8, 1]] * 50).astype(float)
    mm = MixtureModel(2, family="poisson", random_state=0).fit(counts)
    fig = mm.plot(counts)
    assert len(fig.axes[0].collections) == 2
    plt.close("all")


def test_fuzzy_draws_membership_blends(tmp_path):
    fcm = FuzzyCMeans(3, random_state=0).fit(X)
    ax = fcm.plot(X)
    colours = ax.collections[0].get_facecolors()
    assert colours.shape[0] == len(X)
    _png(ax, tmp_path)


def test_hierarchical_dendrogram_and_clusters(tmp_path):
    agg = AgglomerativeClustering(3).fit(X)
    ax = agg.plot()
    assert ax.get_ylabel() == "height"
    _png(ax, tmp_path)
    fig = agg.plot(X, kind="clusters")
    assert len(fig.axes[0].collections) == 3
    with pytest.raises(ValueError, match="fitted data"):
        agg.plot(X[:10], kind="clusters")


def test_kde_draws_its_density(tmp_path):
    x = rng.normal(size=(300, 1))
    kde = KernelDensity().fit(x)
    ax = kde.plot(x)
    line = ax.lines[0]
    # the curve is the estimate itself (drawn from the binned FFT grid, so equal to
    # the exact density up to the binning error)
    grid, dens = line.get_xdata(), line.get_ydata()
    exact = np.exp(kde.score_samples(grid[:, None]))
    assert np.allclose(dens, exact, rtol=0, atol=1e-3 * exact.max())
    _png(ax, tmp_path)


def test_bad_kind_and_missing_data():
    km = KMeans(3, random_state=0).fit(X)
    with pytest.raises(ValueError, match="kind must be one of"):
        km.plot(X, kind="pie")
    with pytest.raises(ValueError, match="pass X"):
        km.plot()
    with pytest.raises(ValueError, match="cannot draw kind='dendrogram'"):
        km.plot(kind="dendrogram")
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        KMeans(3).plot(X)
