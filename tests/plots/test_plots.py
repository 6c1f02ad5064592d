"""Image tests for every plot: it renders, has the expected artists, writes a PNG."""

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.patches import Ellipse

from clusterlab import FuzzyCMeans, GaussianMixture, KernelDensity, KMeans, linkage, plots, select_k
from clusterlab.datasets import load_faithful, load_iris

matplotlib.use("Agg")


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def faithful():
    X = load_faithful()
    return (X - X.mean(axis=0)) / X.std(axis=0)


@pytest.fixture(scope="module")
def gmm(faithful):
    return GaussianMixture(2, random_state=0).fit(faithful)


def _png(artist, path):
    fig = artist.figure
    fig.savefig(path, format="png")
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 2000
    # a blank canvas compresses to almost nothing; a drawn one does not
    image = plt.imread(path)
    assert image.std() > 0.01


def test_clusters_pairs_for_few_columns(tmp_path):
    X, y = load_iris()
    km = KMeans(3, random_state=0).fit(X)
    fig = plots.plot_clusters(X, km.labels_, centers=km.cluster_centers_,
                              names=["sl", "sw", "pl", "pw"])
    assert len(fig.axes) == 6  # every pair of 4 columns
    ax = fig.axes[0]
    assert len(ax.collections) == 4  # three clusters and the centres
    assert ax.collections[-1].get_offsets().shape == (3, 2)
    assert ax.get_xlabel() == "sl" and ax.get_ylabel() == "sw"
    _png(fig, tmp_path / "pairs.png")


def test_clusters_pca_beyond_six_columns(tmp_path):
    X = np.random.default_rng(0).normal(size=(80, 8))
    X[:40] += 4
    fig = plots.plot_clusters(X, np.repeat([0, 1], 40))
    assert len(fig.axes) == 1 and fig.axes[0].get_xlabel().startswith("PC 1")
    # the first component separates the two groups
    P = plots.Projection(X).points(X)
    assert abs(P[:40, 0].mean() - P[40:, 0].mean()) > 5
    _png(fig, tmp_path / "pca.png")


def test_classification_with_gaussian_ellipses(tmp_path, faithful, gmm):
    labels = gmm.predict(faithful)
    ax = plots.plot_classification(faithful, labels, means=gmm.means_,
                                   covariances=gmm.covariances_)
    ellipses = [p for p in ax.patches if isinstance(p, Ellipse)]
    assert len(ellipses) == 4  # two components at 1 and 2 standard deviations
    # the 1-sd ellipse's axes are twice the square roots of the covariance's eigenvalues
    vals = np.linalg.eigvalsh(gmm.covariances_[0])
    np.testing.assert_allclose(sorted([ellipses[0].width, ellipses[0].height]),
                               2 * np.sqrt(vals), rtol=1e-10)
    np.testing.assert_allclose(ellipses[0].center, gmm.means_[0])
    _png(ax, tmp_path / "classification.png")


@pytest.mark.parametrize("kind", ["full", "tied", "diag", "spherical"])
def test_every_covariance_layout_becomes_full(kind, faithful):
    gm = GaussianMixture(2, covariance_type=kind, random_state=0).fit(faithful)
    full = plots.full_covariances(gm.covariances_, 2, 2, kind)
    assert full.shape == (2, 2, 2)
    for C in full:
        assert np.all(np.linalg.eigvalsh(C) > 0)


def test_uncertainty_sizes_follow_one_minus_max_probability(tmp_path, faithful, gmm):
    P = gmm.predict_proba(faithful)
    ax = plots.plot_uncertainty(faithful, P)
    sizes = ax.collections[0].get_sizes()
    np.testing.assert_allclose(sizes, 4 + 300 * (1 - P.max(axis=1)))
    _png(ax, tmp_path / "uncertainty.png")


def test_mixture_density_contours(tmp_path, faithful, gmm):
    ax = plots.plot_mixture_density(gmm.score_samples, faithful, grid_size=40)
    from matplotlib.contour import ContourSet

    assert any(isinstance(c, ContourSet) for c in ax.collections) or ax.collections
    _png(ax, tmp_path / "density.png")


def test_criterion_plot_marks_choice_and_degenerate(tmp_path, faithful):
    res = select_k(GaussianMixture(random_state=0), faithful, k=range(1, 4), criterion="bic",
                   param_grid={"covariance_type": ["full", "diag"]})
    ax = plots.plot_criterion(res)
    data_lines = [ln for ln in ax.lines if len(ln.get_xdata()) == 3]
    assert len(data_lines) == 2  # one line per covariance structure
    star = [ln for ln in ax.lines if ln.get_marker() == "*"]
    assert len(star) == 1 and star[0].get_xdata()[0] == res.best_params_["n_components"]
    _png(ax, tmp_path / "criterion.png")


def test_silhouette(tmp_path, faithful):
    labels = KMeans(2, random_state=0).fit(faithful).labels_
    ax = plots.plot_silhouette(faithful, labels)
    from sklearn.metrics import silhouette_score

    assert len(ax.collections) == 2
    assert ax.lines[0].get_xdata()[0] == pytest.approx(silhouette_score(faithful, labels))
    _png(ax, tmp_path / "silhouette.png")


def test_dendrogram_with_cut(tmp_path, faithful):
    Z = linkage(faithful, method="ward")
    cut = float((Z[-2, 2] + Z[-3, 2]) / 2)
    ax = plots.plot_dendrogram(Z, cut_height=cut)
    assert any(np.allclose(ln.get_ydata(), cut) for ln in ax.lines)
    assert len(ax.get_xticklabels()) == 30
    _png(ax, tmp_path / "dendrogram.png")


@pytest.mark.parametrize("history, columns", [
    ("kmeans", ["inertia"]),
    ("gmm", ["log_likelihood", "elbo"]),
    ("frame", ["train_elbo", "val_elbo"]),
])
def test_history_accepts_arrays_dicts_and_dataframes(tmp_path, faithful, gmm, history, columns):
    import pandas as pd

    source = {"kmeans": KMeans(3, random_state=0).fit(faithful).history_,
              "gmm": gmm.history_,
              "frame": pd.DataFrame({"train_elbo": [-5.0, -4.0, -3.5],
                                     "val_elbo": [-5.5, -4.4, -4.0]})}[history]
    ax = plots.plot_history(source, name="inertia")
    assert [ln.get_label() for ln in ax.lines] == columns
    assert len(ax.lines[0].get_xdata()) == len(plots.history_frame(source, "inertia"))
    _png(ax, tmp_path / f"history_{history}.png")


def test_fuzzy_memberships_blend_colours(tmp_path, faithful):
    fcm = FuzzyCMeans(2, random_state=0).fit(faithful)
    U = fcm.predict_proba(faithful)
    ax = plots.plot_memberships(faithful, U)
    colours = ax.collections[0].get_facecolors()[:, :3]
    # a point shared evenly lies between the two pure colours
    pure = np.array([matplotlib.colors.to_rgb(c) for c in plots.clusters.cluster_colors(2)])
    np.testing.assert_allclose(colours, U @ pure, atol=1e-6)
    _png(ax, tmp_path / "memberships.png")


def test_profiles(tmp_path, faithful):
    labels = KMeans(2, random_state=0).fit(faithful).labels_
    ax = plots.plot_profiles(faithful, labels, ["eruptions", "waiting"])
    assert len(ax.patches) == 4
    assert [t.get_text() for t in ax.get_xticklabels()] == ["eruptions", "waiting"]
    _png(ax, tmp_path / "profiles.png")


def test_kde_curve_and_contours(tmp_path):
    X = load_faithful()
    ax = plots.plot_kde(KernelDensity().fit(X[:, 1:]), X[:, 1:])
    x, y = ax.lines[0].get_data()
    assert np.trapezoid(y, x) == pytest.approx(1.0, abs=0.02)
    _png(ax, tmp_path / "kde1.png")
    ax2 = plots.plot_kde(KernelDensity().fit(X), X, names=["eruptions", "waiting"])
    assert ax2.collections and ax2.get_xlabel() == "eruptions"
    _png(ax2, tmp_path / "kde2.png")
    with pytest.raises(ValueError, match="1-D or 2-D"):
        plots.plot_kde(KernelDensity().fit(np.random.default_rng(0).normal(size=(50, 3))))


def test_bad_plot_input_is_a_clear_error(faithful):
    with pytest.raises(ValueError, match="labels must be 272 integers"):
        plots.plot_clusters(faithful, np.zeros(5, dtype=int))
    with pytest.raises(ValueError, match="NaN"):
        plots.plot_clusters(np.full((3, 2), np.nan), np.zeros(3, dtype=int))
    with pytest.raises(ValueError, match="history is empty"):
        plots.plot_history({})
