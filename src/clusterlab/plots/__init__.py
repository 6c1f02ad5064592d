"""Matplotlib figures for fitted results; matplotlib is imported only here.

Every function draws on ``ax`` (or a new figure) and returns the Axes (the
Figure for multi-panel plots); nothing is imported until a plot is drawn.

Examples
--------
>>> import matplotlib; matplotlib.use("Agg")
>>> import numpy as np
>>> from clusterlab.plots import plot_history
>>> plot_history(np.array([5.0, 3.0, 2.9]), name="inertia").get_ylabel()
'value'
"""

from clusterlab.plots.clusters import (
    Projection,
    full_covariances,
    plot_classification,
    plot_clusters,
    plot_ellipses,
    plot_memberships,
    plot_mixture_density,
    plot_uncertainty,
)
from clusterlab.plots.dendrogram import plot_dendrogram
from clusterlab.plots.diagnostics import (
    history_frame,
    plot_criterion,
    plot_history,
    plot_kde,
    plot_profiles,
    plot_silhouette,
)
from clusterlab.plots.images import image_grid, latent_scatter, reconstruction_grid

__all__ = [
    "Projection", "full_covariances", "history_frame", "image_grid", "latent_scatter",
    "plot_classification", "plot_clusters", "plot_criterion", "plot_dendrogram",
    "plot_ellipses", "plot_history", "plot_kde", "plot_memberships", "plot_mixture_density",
    "plot_profiles", "plot_silhouette", "plot_uncertainty", "reconstruction_grid",
]
