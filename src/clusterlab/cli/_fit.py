"""``clusterlab fit`` and ``clusterlab predict``."""

import os
import shlex
import sys

import numpy as np
import pandas as pd
from rich.table import Table

from clusterlab.cli._common import make_scaler, read_data, resolve_seed
from clusterlab.cli._errors import UsageError
from clusterlab.cli._methods import check_criterion, get_method, make_estimator, parse_params
from clusterlab.cli._outputs import Outputs


class FitResult:
    """Everything one ``fit`` produced, for the summary, JSON and the report."""

    def __init__(self, **kw):
        self.__dict__.update(kw)


def plan_fit_outputs(args, outputs):
    """Check every destination of ``fit`` before reading the data."""
    out_dir = args.out or "."
    if not os.path.isdir(out_dir):
        raise UsageError(f"--out {out_dir}: no such directory.")
    labels = args.labels_out or os.path.join(out_dir, "labels.csv")
    model = args.model_out or os.path.join(out_dir, "model.npz")
    report = args.report
    if report is None and args.data is None:
        report = os.path.join(out_dir, "report.html")
    return (outputs.plan(labels, "--labels-out"), outputs.plan(model, "--model-out"),
            outputs.plan(report, "--report") if report else None)


def _ks(args, method, n_rows):
    if args.k is not None:
        return args.k
    lo, hi = method.k_default
    return list(range(lo, max(lo, min(hi, n_rows - 1)) + 1))


def fit_model(args, ctx):
    """Read, preprocess, choose k and fit; returns a :class:`FitResult`."""
    method = get_method(args.method)
    criterion = args.criterion or method.criterion
    check_criterion(method, criterion)
    params = parse_params(args.param)
    scale = args.scale or method.scale
    seed = resolve_seed(args.seed)
    template = make_estimator(method, seed, params)  # a usage mistake before the data
    frame, table, source = read_data(args, ctx, required=False)
    from clusterlab.cli._model import build_pipeline, fitted_labels, soft_columns
    from clusterlab.evaluation import select_k

    scaler = make_scaler(scale)
    X = table.X if scaler is None else scaler.fit_transform(table.X)
    ks = _ks(args, method, X.shape[0])
    try:
        grid = _grid(args, method)
        total = len(ks) * max(1, len(next(iter(grid.values()))) if grid else 1)
        text = f"{method.name}: fitting k by {criterion}"
        if method.name == "deep" and "verbose" not in params and total == 1:
            # one deep fit: its own per-epoch bar (on stderr) instead of a bar over one
            # candidate (two live bars would garble the terminal)
            template.set_params(verbose=0 if ctx.quiet else 1)
            text = None
        with ctx.progress(text, total) as advance:
            result = select_k(template, X, k=ks, criterion=criterion, param_grid=grid,
                              n_jobs=args.jobs, random_state=seed, progress=advance)
    except (ValueError, TypeError) as exc:
        raise UsageError(f"{source}: {exc}") from None
    estimator = result.best_estimator_
    labels = fitted_labels(estimator, X)
    pipeline = build_pipeline(table.names, args.missing, scaler, estimator, X, labels)
    rows = pd.DataFrame(table.X, columns=table.names, index=table.index)
    return FitResult(method=method, criterion=criterion, seed=seed, scale=scale, source=source,
                     frame=frame, table=table, X=X, selection=result, estimator=estimator,
                     labels=labels, pipeline=pipeline, rows=rows, params=params,
                     soft=soft_columns(pipeline, rows))


def _grid(args, method):
    if method.name != "gmm" or "covariance_type" in parse_params(args.param):
        return None
    return {"covariance_type": args.covariance or ["full"]}


def run_fit(args, ctx):
    """The ``fit`` command."""
    outputs = Outputs()
    labels_path, model_path, report_path = plan_fit_outputs(args, outputs)
    res = fit_model(args, ctx)
    from clusterlab.cli._model import labels_frame
    from clusterlab.io import save_model

    outputs.set(labels_path, lambda tmp: labels_frame(res.table.index, res.labels, res.soft)
                .to_csv(tmp, index=False))
    outputs.set(model_path, lambda tmp: save_model(res.pipeline, tmp))
    if report_path:
        from clusterlab.cli.report import fit_report

        with ctx.status("drawing the report"):
            html = fit_report(res, command_line(args))
        outputs.set(report_path, lambda tmp: _write_text(tmp, html))
    written = outputs.commit()
    show_summary(res, ctx)
    for path in written:
        ctx.say(f"wrote {path}")
    ctx.emit_json(fit_json(res, written))
    return 0


def _write_text(path, text):
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)


def command_line(args):
    """The command as run, for the report's 'repeat this run' line."""
    return shlex.join(["clusterlab", *getattr(args, "argv", sys.argv[1:])])


def cluster_profiles(res):
    """Cluster sizes and means in the original units (one row per cluster)."""
    frame = pd.DataFrame(res.table.X, columns=res.table.names)
    frame["cluster"] = res.labels
    sizes = frame.groupby("cluster").size().rename("size")
    means = frame.groupby("cluster").mean()
    return pd.concat([sizes, means], axis=1)


def show_summary(res, ctx):
    """The candidate table and the cluster profiles on stdout."""
    t = res.selection.table
    crit = res.selection.table.attrs["criterion_column"]
    cols = [c for c in [*t.attrs["param_columns"], crit, "degenerate", "converged"] if c in t]
    table = Table(title=f"{res.source}: {len(res.rows)} rows x {len(res.table.names)} columns; "
                        f"choosing k by {res.criterion}")
    for c in [*cols, "chosen"]:
        table.add_column(c, justify="right")
    for i, row in t.iterrows():
        cells = [f"{row[c]:.6g}" if isinstance(row[c], float) else str(row[c]) for c in cols]
        table.add_row(*cells, "*" if i == res.selection.best_index_ else "")
    ctx.show(table)
    prof = cluster_profiles(res)
    out = Table(title=f"{type(res.estimator).__name__} with {len(prof)} clusters "
                      f"(means in original units; seed {res.seed})")
    out.add_column("cluster", justify="right")
    for c in prof.columns:
        out.add_column(str(c), justify="right")
    for label, row in prof.iterrows():
        out.add_row(str(label), *[f"{v:.4g}" for v in row.to_numpy()])
    ctx.show(out)


def fit_json(res, written):
    """The --json object of ``fit``."""
    prof = cluster_profiles(res)
    return {
        "source": res.source, "method": res.method.name, "criterion": res.criterion,
        "seed": res.seed, "scale": res.scale, "n_rows_read": res.table.n_rows_read,
        "n_rows_used": len(res.rows), "columns": res.table.names,
        "dropped_columns": res.table.dropped_columns,
        "dropped_rows": [str(i) for i in res.table.dropped_rows],
        "best_params": res.selection.best_params_,
        "candidates": res.selection.table.replace({np.nan: None}).to_dict(orient="records"),
        "clusters": [{"label": int(k), "size": int(r["size"]),
                      "means": {c: float(r[c]) for c in res.table.names}}
                     for k, r in prof.iterrows()],
        "outputs": written,
    }


def run_predict(args, ctx):
    """The ``predict`` command: labels (and probabilities) for new raw rows."""
    from sklearn.pipeline import Pipeline

    from clusterlab.cli._model import labels_frame, load_pipeline, rows_for, soft_columns

    outputs = Outputs()
    out_path = outputs.plan(args.labels_out, "--labels-out") if args.labels_out else None
    model = load_pipeline(args.model)
    from clusterlab.io.tables import read_frame

    frame = read_frame(args.data, header=False if args.no_header else "auto", sep=args.sep)
    rows, table = rows_for(model, frame, args.data)
    if len(table.dropped_rows):
        ctx.say(f"{args.data}: {len(table.dropped_rows)} row(s) with missing values left out "
                "(the model's --missing drop).")
    X_in = rows if isinstance(model, Pipeline) else rows.to_numpy()
    try:
        labels = np.asarray(model.predict(X_in))
        soft = soft_columns(model, X_in)
    except (ValueError, TypeError) as exc:
        raise UsageError(f"{args.data}: {exc}") from None
    result = labels_frame(table.index, labels, soft)
    if out_path:
        outputs.set(out_path, lambda tmp: result.to_csv(tmp, index=False))
        outputs.commit()
        ctx.say(f"wrote {out_path}")
    elif not ctx.json:
        ctx.out.file.write(result.to_csv(index=False))
    sizes = np.bincount(labels.astype(np.int64)) if labels.size else np.array([])
    ctx.emit_json({"model": args.model, "data": args.data, "n_rows": int(len(labels)),
                   "dropped_rows": [str(i) for i in table.dropped_rows],
                   "cluster_sizes": sizes.tolist(),
                   "labels": result.to_dict(orient="list"), "output": out_path})
    return 0
