"""``clusterlab select``, ``density``, ``tree`` and ``report``."""

import numpy as np
import pandas as pd
from rich.table import Table

from clusterlab.cli._common import make_scaler, read_data, resolve_seed
from clusterlab.cli._errors import UsageError
from clusterlab.cli._methods import check_criterion, get_method, make_estimator, parse_params
from clusterlab.cli._outputs import Outputs


def _save_figure(fig):
    def write(tmp):
        fig.savefig(tmp, format="png", dpi=100)

    return write


def _frame_table(frame, title, ctx, digits=6):
    table = Table(title=title)
    for c in frame.columns:
        table.add_column(str(c), justify="right")
    for _, row in frame.iterrows():
        table.add_row(*[f"{v:.{digits}g}" if isinstance(v, float) else str(v) for v in row])
    ctx.show(table)


def run_select(args, ctx):
    """The ``select`` command: every candidate's criteria, the choice, a plot."""
    from clusterlab.evaluation import select_k

    outputs = Outputs()
    plot = outputs.plan(args.plot, "--plot") if args.plot else None
    table_out = outputs.plan(args.table_out, "--table-out") if args.table_out else None
    method = get_method(args.method)
    criterion = args.criterion or method.criterion
    check_criterion(method, criterion)
    seed = resolve_seed(args.seed)
    template = make_estimator(method, seed, parse_params(args.param))
    _, table, source = read_data(args, ctx)
    scaler = make_scaler(args.scale or method.scale)
    X = table.X if scaler is None else scaler.fit_transform(table.X)
    ks = args.k or list(range(method.k_default[0], min(method.k_default[1], len(X) - 1) + 1))
    grid = None
    if method.name == "gmm":
        grid = {"covariance_type": args.covariance or ["full", "tied", "diag", "spherical"]}
    try:
        total = len(ks) * (len(grid["covariance_type"]) if grid else 1)
        with ctx.progress(f"{method.name}: scoring k by {criterion}", total) as advance:
            result = select_k(template, X, k=ks, criterion=criterion, param_grid=grid,
                              n_jobs=args.jobs, random_state=seed, progress=advance)
    except (ValueError, TypeError) as exc:
        raise UsageError(f"{source}: {exc}") from None
    frame = result.table
    shown = [c for c in frame.columns if c not in ("excluded",)]
    _frame_table(frame[shown], f"{source}: {method.name}, choosing by {criterion} "
                 f"(best: {result.best_params_}; seed {seed})", ctx)
    if plot:
        from clusterlab.plots import plot_criterion

        outputs.set(plot, _save_figure(plot_criterion(result).figure))
    if table_out:
        outputs.set(table_out, lambda tmp: frame.to_csv(tmp, index=False))
    for path in outputs.commit():
        ctx.say(f"wrote {path}")
    ctx.emit_json({"source": source, "method": method.name, "criterion": criterion,
                   "seed": seed, "best_params": result.best_params_,
                   "candidates": frame.replace({np.nan: None}).to_dict(orient="records")})
    return 0


def _bandwidth(text):
    try:
        return float(text)
    except ValueError:
        return text


def run_density(args, ctx):
    """The ``density`` command: a KDE on a grid (1-D, 2-D) or at given points."""
    from clusterlab import KernelDensity

    outputs = Outputs()
    out = outputs.plan(args.out, "--out") if args.out else None
    plot = outputs.plan(args.plot, "--plot") if args.plot else None
    _, table, source = read_data(args, ctx)
    d = table.X.shape[1]
    if args.at is None and d > 2:
        raise UsageError(f"{source}: a grid needs 1 or 2 columns, not {d}; choose them with "
                         "--columns or give points with --at.")
    if plot and d > 2:
        raise UsageError(f"--plot draws 1-D or 2-D densities; {source} has {d} columns.")
    try:
        kde = KernelDensity(bandwidth=_bandwidth(args.bandwidth), kernel=args.kernel,
                            kernel_form=args.kernel_form,
                            bandwidth_meaning=args.bandwidth_meaning)
        kde.fit(table.X)
        if args.at is not None:
            from clusterlab.io.tables import numeric_table, read_frame

            at = numeric_table(read_frame(args.at), columns=table.names, missing="refuse",
                               source=args.at)
            result = pd.DataFrame(at.X, columns=table.names, index=at.index)
            result["density"] = np.exp(kde.score_samples(at.X))
        else:
            grid, dens = kde.evaluate_grid(args.grid)
            result = _grid_frame(grid, dens, table.names)
    except (ValueError, TypeError) as exc:
        raise UsageError(f"{source}: {exc}") from None
    if plot:
        from clusterlab.plots import plot_kde

        outputs.set(plot, _save_figure(plot_kde(kde, table.X, names=table.names).figure))
    if out:
        outputs.set(out, lambda tmp: result.to_csv(tmp, index=args.at is not None))
    ctx.show(f"{source}: KDE of {table.names} on {len(table.X)} rows, bandwidth "
             f"{np.round(kde.bandwidth_, 6).tolist()} ({args.bandwidth}), {len(result)} values")
    for path in outputs.commit():
        ctx.say(f"wrote {path}")
    ctx.emit_json({"source": source, "columns": table.names,
                   "bandwidth": np.asarray(kde.bandwidth_).tolist(), "n_values": len(result),
                   "values": None if out else result.to_dict(orient="list")})
    return 0


def _grid_frame(grid, dens, names):
    if isinstance(grid, list | tuple):
        mesh = np.meshgrid(*grid, indexing="ij")
        cols = {n: m.ravel() for n, m in zip(names, mesh, strict=True)}
    else:
        grid = np.asarray(grid)
        cols = {names[0]: grid.ravel()} if grid.ndim == 1 else {
            n: grid[:, j] for j, n in enumerate(names)}
    return pd.DataFrame({**cols, "density": np.asarray(dens).ravel()})


def run_tree(args, ctx):
    """The ``tree`` command: the linkage, its dendrogram and a cut."""
    from clusterlab import Tree, linkage

    outputs = Outputs()
    plot = outputs.plan(args.plot, "--plot") if args.plot else None
    labels_out = outputs.plan(args.labels_out, "--labels-out") if args.labels_out else None
    _, table, source = read_data(args, ctx)
    scaler = make_scaler(args.scale)
    X = table.X if scaler is None else scaler.fit_transform(table.X)
    try:
        Z = linkage(X, method=args.linkage)
        tree = Tree(Z)
        labels = None
        if args.k is not None or args.height is not None:
            labels = tree.cut(n_clusters=args.k, height=args.height)
    except (ValueError, TypeError) as exc:
        raise UsageError(f"{source}: {exc}") from None
    if labels_out and labels is None:
        raise UsageError("--labels-out needs a cut: give --k or --height.")
    heights = Z[:, 2]
    ctx.show(f"{source}: {args.linkage} linkage of {len(X)} rows; last merges at heights "
             f"{np.round(heights[-5:][::-1], 4).tolist()}")
    if labels is not None:
        ctx.show(f"cut into {labels.max() + 1} clusters of sizes {np.bincount(labels).tolist()}")
    if plot:
        from clusterlab.plots import plot_dendrogram

        cut = _cut_height(heights, args.k, args.height)
        outputs.set(plot, _save_figure(plot_dendrogram(Z, cut_height=cut).figure))
    if labels_out:
        frame = pd.DataFrame({"label": labels}, index=table.index)
        frame.index.name = table.index.name or "row"
        outputs.set(labels_out, lambda tmp: frame.reset_index().to_csv(tmp, index=False))
    for path in outputs.commit():
        ctx.say(f"wrote {path}")
    ctx.emit_json({"source": source, "linkage": args.linkage, "n_rows": len(X),
                   "heights": heights.tolist(),
                   "labels": None if labels is None else labels.tolist()})
    return 0


def _cut_height(heights, k, height):
    """A height between the merges that a cut by k keeps and undoes."""
    if height is not None:
        return float(height)
    if k is None or k < 2 or k > len(heights) + 1:
        return None
    return float((heights[-k] + heights[-k + 1]) / 2)


def run_report(args, ctx):
    """The ``report`` command: the HTML report of a saved model on data."""
    from clusterlab.cli._fit import _write_text, command_line
    from clusterlab.cli._model import load_pipeline
    from clusterlab.cli.report import model_report

    outputs = Outputs()
    path = outputs.plan(args.report, "--report")
    model = load_pipeline(args.model)
    with ctx.status("drawing the report"):
        html = model_report(model, args, ctx, command_line(args))
    outputs.set(path, lambda tmp: _write_text(tmp, html))
    outputs.commit()
    ctx.say(f"wrote {path}")
    ctx.emit_json({"model": args.model, "data": args.data, "report": path})
    return 0
