"""The ``clusterlab`` command: from a table to groups, a model, plots and a report.

Examples
--------
``clusterlab fit`` clusters the bundled Old Faithful data and writes
``labels.csv``, ``model.npz`` and ``report.html``; ``clusterlab fit data.csv
--method gmm --k 1-9`` chooses k by BIC; ``clusterlab predict model.npz
new.csv`` labels new raw rows with the saved preprocessing.

Exit status: 0 on success, 2 for bad input or usage (one line on stderr that
names the input), 1 for an internal error (one line; ``--debug`` shows the
traceback).
"""

import argparse
import sys
import traceback

from clusterlab.cli._errors import UsageError
from clusterlab.cli._methods import METHOD_NAMES

_CRITERIA = ["silhouette", "calinski_harabasz", "davies_bouldin", "gap", "elbow", "bic", "aic",
             "icl"]
_ALIASES = {"faithful": ["fit"], "kmeans": ["fit", "--method", "kmeans"],
            "gmm": ["fit", "--method", "gmm"]}


def parse_k(text):
    """Parse ``"3"``, ``"2-9"`` or ``"2,4,8"`` into a list of ints.

    Examples
    --------
    >>> parse_k("2-4"), parse_k("3"), parse_k("2,5")
    ([2, 3, 4], [3], [2, 5])
    """
    try:
        if "-" in text:
            lo, hi = (int(v) for v in text.split("-", 1))
            values = list(range(lo, hi + 1))
        else:
            values = [int(v) for v in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--k must look like 3, 2-9 or 2,4,8; got {text!r}"
        ) from None
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError(f"--k must name positive numbers; got {text!r}")
    return values


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one line on stderr and exit status 2."""

    def error(self, message):
        raise UsageError(f"{self.prog}: {message} (see {self.prog} --help)")


def _io_options(p, *, data_help="CSV, TSV, Parquet or NPY file"):
    p.add_argument("--columns", nargs="+", metavar="COL", help="columns to use (default: every "
                   "numeric column; a named column that is not numeric is refused)")
    p.add_argument("--drop", nargs="+", metavar="COL", help="columns to leave out")
    p.add_argument("--missing", choices=["drop", "refuse"], default="drop",
                   help="rows with missing values: leave them out (default) or refuse the file")
    p.add_argument("--no-header", action="store_true",
                   help="the first row is data (default: detected from the file)")
    p.add_argument("--sep", help="field separator of a text file (default: sniffed)")


def _common(p):
    p.add_argument("--quiet", "-q", action="store_true", help="no messages or progress")
    p.add_argument("--json", action="store_true", help="one JSON object on stdout, nothing else")
    p.add_argument("--debug", action="store_true", help="show the traceback of an internal error")


def _model_options(p):
    p.add_argument("--method", default="kmeans", metavar="METHOD",
                   help=f"one of {', '.join(METHOD_NAMES)} (default kmeans)")
    p.add_argument("--k", type=parse_k, default=None,
                   help="k, a range 2-9, or a list 2,4 (default: a range, chosen by --criterion)")
    p.add_argument("--criterion", choices=_CRITERIA, default=None,
                   help="how to choose k (default: bic for mixtures, silhouette otherwise)")
    p.add_argument("--scale", choices=["standard", "robust", "none"], default=None,
                   help="column scaling, saved with the model (default: standard; none for "
                        "count/binary mixture families)")
    p.add_argument("--covariance", nargs="+", choices=["full", "tied", "diag", "spherical"],
                   help="gmm covariance structures to compare (default: full)")
    p.add_argument("--param", action="append", metavar="NAME=VALUE",
                   help="any estimator parameter, e.g. --param max_iter=50 (repeatable)")
    p.add_argument("--seed", type=int, default=None,
                   help="random seed; default None as the estimators' random_state (a seed is "
                        "drawn and printed so the run can be repeated)")
    p.add_argument("--jobs", type=int, default=-1,
                   help="candidates fitted in parallel; default -1 = every core, as the "
                        "estimators' kernels and select_k's n_jobs")


_EPILOG = {
    "fit": "examples:\n  clusterlab fit                # bundled Old Faithful -> report.html\n"
           "  clusterlab fit data.csv --method gmm --k 1-9 --out results/\n"
           "  clusterlab fit data.csv --method mixture:poisson --k 2-5 --scale none\n"
           "  clusterlab fit data.csv --method hierarchical --param linkage=average --k 3\n"
           "  clusterlab fit data.csv --drop id --json > summary.json",
    "predict": "examples:\n  clusterlab predict model.npz new.csv > labels.csv\n"
               "  clusterlab predict model.npz new.parquet --labels-out labels.csv --json",
    "select": "examples:\n  clusterlab select data.csv --method gmm --k 1-9 "
              "--covariance full diag --plot bic.png\n"
              "  clusterlab select data.csv --method kmeans --criterion gap --json",
    "density": "examples:\n  clusterlab density data.csv --columns waiting --plot kde.png\n"
               "  clusterlab density data.csv --bandwidth isj --grid 512 --out grid.csv\n"
               "  clusterlab density data.csv --at points.csv --out density.csv",
    "tree": "examples:\n  clusterlab tree data.csv --linkage ward --k 3 --plot tree.png\n"
            "  clusterlab tree data.csv --height 2.5 --labels-out labels.csv",
    "report": "examples:\n  clusterlab report model.npz data.csv --report report.html",
}


def build_parser():
    """The argument parser of every subcommand.

    Examples
    --------
    >>> build_parser().parse_args(["fit", "--k", "2-3"]).k
    [2, 3]
    """
    parser = _Parser(prog="clusterlab", description="Find groups in unlabelled tabular data.",
                     epilog="exit status: 0 success, 2 bad input or usage, 1 internal error")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    fmt = argparse.RawDescriptionHelpFormatter

    def add(name, text):
        p = sub.add_parser(name, help=text, description=text, epilog=_EPILOG[name],
                           formatter_class=fmt)
        _common(p)
        return p

    p = add("fit", "cluster a table; write labels, the model (with its preprocessing) and a "
                   "report")
    p.add_argument("data", nargs="?", help="data file (default: the bundled Old Faithful data, "
                   "and a report.html)")
    _io_options(p)
    _model_options(p)
    p.add_argument("--out", help="directory for labels.csv, model.npz (default: .)")
    p.add_argument("--labels-out", help="labels file (default: OUT/labels.csv)")
    p.add_argument("--model-out", help="model file (default: OUT/model.npz)")
    p.add_argument("--report", help="write the HTML report here")

    p = add("predict", "labels (and probabilities) of new raw rows from a saved model")
    p.add_argument("model", help="model file written by clusterlab fit")
    p.add_argument("data", help="data file with the model's columns")
    p.add_argument("--labels-out", help="write the labels CSV here (default: stdout)")
    p.add_argument("--no-header", action="store_true", help="the first row is data")
    p.add_argument("--sep", help="field separator of a text file (default: sniffed)")

    p = add("select", "criteria over k and models as a table, a plot and --json")
    p.add_argument("data", help="data file")
    _io_options(p)
    _model_options(p)
    p.add_argument("--plot", help="write the criterion-against-k plot (PNG) here")
    p.add_argument("--table-out", help="write the candidate table (CSV) here")

    p = add("density", "kernel density estimate on a grid (1-D, 2-D) or at given points")
    p.add_argument("data", help="data file")
    _io_options(p)
    p.add_argument("--bandwidth", default="scott_cov",
                   help="a number or a rule: scott_cov, silverman_cov (scipy's, scaled by the "
                        "data's covariance), isj, cv, or scikit-learn's scott, silverman "
                        "(for unit-variance data) (default scott_cov)")
    p.add_argument("--kernel", default="gaussian", help="kernel name (default gaussian)")
    p.add_argument("--kernel-form", default="radial", choices=["radial", "product"],
                   help="radial (scikit-learn's) or a product of 1-D kernels (default radial)")
    p.add_argument("--bandwidth-meaning", default="scale", choices=["scale", "std"],
                   help="a number is the kernel's scale (scikit-learn's) or its standard "
                        "deviation (default scale)")
    p.add_argument("--grid", type=int, default=256, help="grid points per axis (default 256)")
    p.add_argument("--at", help="file of points to evaluate at (same columns)")
    p.add_argument("--out", help="write the grid or the points with their density (CSV) here")
    p.add_argument("--plot", help="write the curve or contour plot (PNG) here (1-D, 2-D)")

    p = add("tree", "hierarchical clustering: dendrogram and cuts by k or height")
    p.add_argument("data", help="data file")
    _io_options(p)
    p.add_argument("--linkage", default="ward",
                   choices=["ward", "single", "complete", "average", "weighted", "centroid",
                            "median"], help="linkage method (default ward)")
    p.add_argument("--scale", choices=["standard", "robust", "none"], default="standard",
                   help="column scaling before the tree (default standard)")
    cut = p.add_mutually_exclusive_group()
    cut.add_argument("--k", type=int, help="cut into k clusters")
    cut.add_argument("--height", type=float, help="cut at this height")
    p.add_argument("--plot", help="write the dendrogram (PNG) here")
    p.add_argument("--labels-out", help="write the cut's labels (CSV) here")

    p = add("report", "the HTML report of a saved model on data")
    p.add_argument("model", help="model file written by clusterlab fit")
    p.add_argument("data", help="data file with the model's columns")
    p.add_argument("--report", default="report.html", help="output file (default report.html)")
    p.add_argument("--no-header", action="store_true", help="the first row is data")
    p.add_argument("--sep", help="field separator of a text file (default: sniffed)")
    return parser


def _expand_alias(argv):
    if argv and argv[0] in _ALIASES:
        return [*_ALIASES[argv[0]], *argv[1:]]
    return argv


def run(argv=None, out=None, err=None):
    """Run the command line; returns the exit status (errors propagate).

    Examples
    --------
    >>> import io, tempfile
    >>> from rich.console import Console
    >>> d = tempfile.mkdtemp()
    >>> run(["fit", "--k", "2", "--seed", "0", "--out", d, "--quiet"],
    ...     out=Console(file=io.StringIO()))
    0
    """
    from clusterlab.cli import _explore, _fit
    from clusterlab.cli._common import Context

    argv = _expand_alias(list(sys.argv[1:] if argv is None else argv))
    args = build_parser().parse_args(argv)
    args.argv = argv  # for the report's "repeat this run" line
    ctx = Context.from_args(args, out=out, err=err)
    commands = {"fit": _fit.run_fit, "predict": _fit.run_predict, "select": _explore.run_select,
                "density": _explore.run_density, "tree": _explore.run_tree,
                "report": _explore.run_report}
    return commands[args.command](args, ctx)


def main(argv=None):
    """Console-script entry point: one line on stderr and an exit status.

    2 for bad input or usage (the message names the input), 1 for an
    internal error (``--debug`` prints the traceback).
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv
    try:
        return run(argv)
    except KeyboardInterrupt:
        print("clusterlab: interrupted", file=sys.stderr)
        return 130
    except (UsageError, ValueError, TypeError, OSError) as exc:
        if debug:
            traceback.print_exc()
        print(f"clusterlab: error: {_one_line(exc)}", file=sys.stderr)
        return 2
    except Exception as exc:  # an internal error: one line unless --debug
        if debug:
            traceback.print_exc()
        print(f"clusterlab: internal error: {type(exc).__name__}: {_one_line(exc)} "
              "(run with --debug for the traceback)", file=sys.stderr)
        return 1


def _one_line(exc):
    text = str(exc) or type(exc).__name__
    if isinstance(exc, OSError) and exc.filename:
        text = f"{exc.filename}: {exc.strerror or text}"
    return " ".join(text.split())


if __name__ == "__main__":
    sys.exit(main())
