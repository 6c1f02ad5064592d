"""The HTML report: one self-contained file, images embedded as base64 PNG.

Sections: the data (rows, columns, what was left out), the choice of k
(table and plot), the chosen model's parameters in the original units,
cluster profiles, the plots, the convergence history, warnings, and the
exact command with the versions used. Nothing in it loads from the network.
"""

import base64
import html
import io
import platform
import sys
from datetime import UTC, datetime

import numpy as np
import pandas as pd

from clusterlab.cli._model import final_estimator

_CSS = """
body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
h1{font-size:1.6em}h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:1.6em}
table{border-collapse:collapse;margin:.6em 0;font-size:.9em}
td,th{border:1px solid #ddd;padding:.25em .6em;text-align:right}th{background:#f4f4f4}
img{max-width:100%;display:block;margin:.6em 0}.warn{color:#a40}
code,pre{background:#f6f6f6;padding:.2em .4em;white-space:pre-wrap}
figure{margin:0 0 1em 0}figcaption{font-size:.85em;color:#555}
"""


def _png(fig):
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _figure(draw, caption):
    """An <figure> with the embedded PNG of ``draw()`` (an Axes or Figure)."""
    out = draw()
    fig = out.figure if hasattr(out, "figure") else out
    return (f'<figure><img alt="{html.escape(caption)}" src="data:image/png;base64,{_png(fig)}">'
            f"<figcaption>{html.escape(caption)}</figcaption></figure>")


def _table(frame, index=False):
    return frame.to_html(index=index, float_format=lambda v: f"{v:.5g}", border=0,
                         na_rep="")


def affine_to_original(pipeline):
    """(shift, scale) with ``original = scaled * scale + shift`` for the scale step.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.pipeline import Pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> p = Pipeline([("scale", StandardScaler().fit([[0.0], [2.0]]))])
    >>> affine_to_original(p)
    (array([1.]), array([1.]))
    """
    scaler = dict(getattr(pipeline, "steps", [])).get("scale")
    if scaler is None:
        return None, None
    shift = getattr(scaler, "mean_", None)
    if shift is None:
        shift = getattr(scaler, "center_", None)
    scale = getattr(scaler, "scale_", None)
    n = scaler.n_features_in_
    return (np.zeros(n) if shift is None else np.asarray(shift, dtype=float),
            np.ones(n) if scale is None else np.asarray(scale, dtype=float))


def _model_parameters(est, pipeline, names):
    """Centres / means (original units), weights and covariances of the model."""
    shift, scale = affine_to_original(pipeline)
    d = len(names)
    if shift is None:
        shift, scale = np.zeros(d), np.ones(d)
    out = {}
    centres = getattr(est, "cluster_centers_", getattr(est, "means_", None))
    if centres is not None and np.ndim(centres) == 2 and np.shape(centres)[1] == d:
        out["centres"] = np.asarray(centres) * scale + shift
    if getattr(est, "weights_", None) is not None and "centres" in out:
        out["weights"] = np.asarray(est.weights_)
    cov = getattr(est, "covariances_", None)
    if cov is not None and "centres" in out:
        k = len(out["centres"])
        full = _full_covariances(cov, k, d, getattr(est, "covariance_type", None))
        out["covariances"] = full * np.outer(scale, scale)[None]
    return out


def _full_covariances(cov, k, d, kind):
    from clusterlab.plots import full_covariances

    return full_covariances(cov, k, d, kind)


def _history(est):
    hist = getattr(est, "history_", None)
    if hist is None:
        return None
    from clusterlab.plots import history_frame

    name = {"KMeans": "inertia", "MiniBatchKMeans": "inertia"}.get(type(est).__name__,
                                                                   "objective")
    frame = history_frame(hist, name)
    return None if frame.empty else frame


def _warnings(est, selection, table):
    out = []
    collapsed = getattr(est, "collapsed_components_", None)
    if collapsed is not None and len(collapsed):
        out.append(f"collapsed components in the chosen model: {list(map(int, collapsed))}")
    if getattr(est, "converged_", True) is False:
        out.append(f"the chosen model did not converge in {getattr(est, 'n_iter_', '?')} "
                   "iterations; raise max_iter (--param max_iter=...).")
    if selection is not None:
        t = selection.table
        if "degenerate" in t and t["degenerate"].any():
            out.append(f"{int(t['degenerate'].sum())} candidate(s) were degenerate (collapsed "
                       "components) and were never chosen.")
        if "converged" in t and (~t["converged"].astype(bool)).any():
            out.append(f"{int((~t['converged'].astype(bool)).sum())} candidate(s) did not "
                       "converge.")
    if len(table.dropped_rows):
        out.append(f"{len(table.dropped_rows)} row(s) with missing values were left out.")
    return out


def _versions():
    import matplotlib
    import scipy
    import sklearn

    import clusterlab

    v = {"clusterlab": clusterlab.__version__, "python": platform.python_version(),
         "numpy": np.__version__, "scipy": scipy.__version__, "scikit-learn": sklearn.__version__,
         "pandas": pd.__version__, "matplotlib": matplotlib.__version__}
    if "torch" in sys.modules:
        v["torch"] = sys.modules["torch"].__version__
    return v


def _plots(X, labels, names, est, params, X_scaled, pipeline, fitted):
    """The report's figures, in order, as HTML."""
    from clusterlab import plots

    out = [_figure(lambda: plots.plot_clusters(X, labels, centers=params.get("centres"),
                                               names=names), "clusters (original units)")]
    if "covariances" in params:
        out.append(_figure(lambda: plots.plot_classification(
            X, labels, means=params["centres"], covariances=params["covariances"], names=names),
            "classification with the Gaussian components (1 and 2 standard deviations)"))
    if hasattr(est, "predict_proba"):
        P = np.asarray(est.predict_proba(X_scaled))
        if type(est).__name__ == "FuzzyCMeans":
            out.append(_figure(lambda: plots.plot_memberships(X, P, names=names),
                               "fuzzy memberships"))
        else:
            out.append(_figure(lambda: plots.plot_uncertainty(X, P, names=names),
                               "uncertainty"))
    if hasattr(est, "score_samples") and X.shape[1] == 2 and "centres" in params:
        out.append(_figure(lambda: _density(est, pipeline, X, names), "mixture density"))
    if 2 <= np.unique(labels).size <= len(X) - 1:
        out.append(_figure(lambda: plots.plot_silhouette(X_scaled, labels),
                           "silhouette (on the scaled columns the model saw)"))
    if type(est).__name__ == "LabelTransfer":
        out.append(_dendrogram(X_scaled, labels, fitted))
    return out


def _dendrogram(X_scaled, labels, fitted):
    """The fitted tree (or, for a saved model, ward's on the data) with the cut."""
    from clusterlab import linkage
    from clusterlab.plots import plot_dendrogram

    Z = getattr(fitted, "linkage_matrix_", None)
    method = getattr(fitted, "linkage", "ward") if Z is not None else "ward"
    if Z is None:
        Z = linkage(X_scaled, method="ward")
    k = np.unique(labels).size
    cut = float((Z[-k, 2] + Z[-k + 1, 2]) / 2) if 2 <= k <= len(Z) else None
    return _figure(lambda: plot_dendrogram(Z, cut_height=cut),
                   f"dendrogram ({method} on the scaled columns) with the cut")


def _density(est, pipeline, X, names):
    from clusterlab.plots import plot_mixture_density

    shift, scale = affine_to_original(pipeline)
    if shift is None:
        shift, scale = np.zeros(X.shape[1]), np.ones(X.shape[1])

    # density in the original units: the scaled model's, times the Jacobian
    def score(G):
        return est.score_samples((G - shift) / scale) - np.log(scale).sum()

    return plot_mixture_density(score, X, names=names)


def render(*, title, source, table, X, labels, pipeline, selection, command, seed,
           fitted=None):
    """The report's HTML text.

    Parameters
    ----------
    table : clusterlab.io.tables.NumericTable
        The data as read (for the summary of what was left out).
    X : ndarray of shape (n_samples, n_features)
        The rows used, in original units.
    labels : ndarray of shape (n_samples,)
    pipeline : sklearn Pipeline
        The fitted (or loaded) model.
    selection : SelectionResult or None
        The choice of k, when the report follows a fit.
    fitted : estimator, optional
        The estimator as fitted, when the pipeline holds a stand-in for it
        (hierarchical clustering's tree).
    """
    from clusterlab import plots

    est = final_estimator(pipeline)
    X_scaled = pipeline[:-1].transform(X) if len(pipeline.steps) > 1 else X
    names = table.names
    params = _model_parameters(est, pipeline, names)
    parts = [f"<h1>{html.escape(title)}</h1>",
             f"<p>{html.escape(type(est).__name__)} on <code>{html.escape(str(source))}</code>, "
             f"{datetime.now(UTC):%Y-%m-%d %H:%M UTC}.</p>", "<h2>Data</h2>"]
    dropped = ", ".join(f"{c} ({why})" for c, why in table.dropped_columns.items()) or "none"
    parts.append(f"<p>{table.n_rows_read} rows read, {len(X)} used "
                 f"({len(table.dropped_rows)} dropped for missing values); "
                 f"columns used: {html.escape(', '.join(names))}; left out: "
                 f"{html.escape(dropped)}.</p>")
    parts.append(_table(pd.DataFrame(X, columns=names).describe().T, index=True))
    if selection is not None:
        parts.append(f"<h2>Choice of k</h2><p>By {html.escape(selection.criterion)}; chosen: "
                     f"<code>{html.escape(str(selection.best_params_))}</code>.</p>")
        parts.append(_table(selection.table.replace({np.nan: None})))
        parts.append(_figure(lambda: plots.plot_criterion(selection),
                             f"{selection.criterion} against k"))
    parts.append("<h2>Model</h2>")
    model_params = {k: v for k, v in est.get_params(deep=False).items()
                    if not isinstance(v, np.ndarray)}
    parts.append(f"<pre>{html.escape(repr(model_params))}</pre>")
    if "centres" in params:
        frame = pd.DataFrame(params["centres"], columns=names)
        if "weights" in params:
            frame.insert(0, "weight", params["weights"])
        frame.index.name = "cluster"
        parts.append("<p>Centres / means in the original units:</p>" + _table(frame, True))
    parts.append("<h2>Cluster profiles</h2>")
    prof = pd.DataFrame(X, columns=names).assign(cluster=labels).groupby("cluster")
    parts.append(_table(pd.concat([prof.size().rename("size"), prof.mean()], axis=1), True))
    parts.append(_figure(lambda: plots.plot_profiles(X, labels, names), "cluster profiles"))
    parts.append("<h2>Plots</h2>")
    parts.extend(_plots(X, labels, names, est, params, X_scaled, pipeline, fitted))
    hist = _history(est)
    parts.append("<h2>Convergence</h2>")
    if hist is not None:
        parts.append(_figure(lambda: plots.plot_history(hist), "objective per iteration"))
    else:
        parts.append("<p>This method has no iteration history.</p>")
    warns = _warnings(est, selection, table)
    parts.append("<h2>Warnings</h2>" + ("<ul>" + "".join(
        f'<li class="warn">{html.escape(w)}</li>' for w in warns) + "</ul>" if warns
        else "<p>None.</p>"))
    versions = ", ".join(f"{k} {v}" for k, v in _versions().items())
    parts.append(f"<h2>Repeat this run</h2><pre>{html.escape(command)}</pre>"
                 f"<p>Seed {seed}. Versions: {html.escape(versions)}.</p>")
    return ("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>"
            + "\n".join(parts) + "</body></html>\n")


def fit_report(res, command):
    """The report after ``clusterlab fit`` (a :class:`~clusterlab.cli._fit.FitResult`)."""
    command = command if "--seed" in command else f"{command} --seed {res.seed}"
    return render(title=f"clusterlab report: {res.method.name} on {res.source}",
                  source=res.source, table=res.table, X=res.table.X, labels=res.labels,
                  pipeline=res.pipeline, selection=res.selection, command=command,
                  seed=res.seed, fitted=res.estimator)


def model_report(model, args, ctx, command):
    """The report of a saved model on data (``clusterlab report``)."""
    from sklearn.pipeline import Pipeline

    from clusterlab.cli._model import rows_for
    from clusterlab.io.tables import read_frame

    if not isinstance(model, Pipeline):
        model = Pipeline([("model", model)])
    frame = read_frame(args.data, header=False if args.no_header else "auto", sep=args.sep)
    rows, table = rows_for(model, frame, args.data)
    labels = np.asarray(model.predict(rows if len(model.steps) > 1 else rows.to_numpy()))
    return render(title=f"clusterlab report: {args.model} on {args.data}", source=args.data,
                  table=table, X=table.X, labels=labels, pipeline=model, selection=None,
                  command=command, seed="as saved")
