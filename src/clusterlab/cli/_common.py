"""What every command shares: the consoles, reading DATA, the preprocessing."""

import json
import sys
from dataclasses import dataclass

import numpy as np
from rich.console import Console

from clusterlab.cli._errors import UsageError

BUNDLED = "Old Faithful (bundled)"


@dataclass
class Context:
    """Where a command writes: results on ``out`` (stdout), messages on ``err``.

    ``quiet`` silences messages and progress; ``json`` makes stdout one JSON
    object and nothing else.
    """

    out: Console
    err: Console
    quiet: bool = False
    json: bool = False

    @classmethod
    def from_args(cls, args, out=None, err=None):
        """Consoles for ``args`` (``out``/``err`` replace stdout/stderr in tests)."""
        out = out or Console(file=sys.stdout, soft_wrap=True)
        err = err or Console(file=sys.stderr, soft_wrap=True)
        return cls(out, err, bool(getattr(args, "quiet", False)),
                   bool(getattr(args, "json", False)))

    def say(self, text):
        """A message on stderr (silenced by --quiet)."""
        if not self.quiet:
            self.err.print(text, highlight=False)

    def show(self, renderable):
        """A human-readable result on stdout (not with --json)."""
        if not self.json:
            self.out.print(renderable)

    def status(self, text):
        """A spinner on stderr while work runs (none with --quiet)."""
        from contextlib import nullcontext

        return nullcontext() if self.quiet else self.err.status(text)

    def progress(self, text, total):
        """A rich progress bar on stderr; yields the function that advances it.

        With --quiet it is a no-op.
        """
        from contextlib import contextmanager

        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

        @contextmanager
        def bar():
            if self.quiet or text is None:
                yield lambda: None
                return
            with Progress("[progress.description]{task.description}", BarColumn(),
                          MofNCompleteColumn(), TimeElapsedColumn(), console=self.err,
                          transient=True) as prog:
                task = prog.add_task(text, total=total)
                yield lambda: prog.advance(task)

        return bar()

    def emit_json(self, payload):
        """The one JSON object of --json, on stdout."""
        if self.json:
            self.out.file.write(json.dumps(payload, default=_json_default) + "\n")
            self.out.file.flush()


def _json_default(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return str(value)


def read_data(args, ctx, *, required=True):
    """Read DATA (or the bundled Old Faithful data) into a NumericTable.

    Returns
    -------
    frame : pandas.DataFrame
        The whole file as read.
    table : clusterlab.io.tables.NumericTable
    source : str
        The path (or the bundled data's name) for messages and the report.
    """
    from clusterlab.io.tables import numeric_table, read_frame

    path = getattr(args, "data", None)
    if path is None:
        if required:
            raise UsageError("DATA is required: give a CSV, TSV, Parquet or NPY file.")
        from clusterlab.datasets import faithful_path

        path, source = faithful_path(), BUNDLED
    else:
        source = path
    header = False if getattr(args, "no_header", False) else "auto"
    frame = read_frame(path, header=header, sep=getattr(args, "sep", None))
    table = numeric_table(frame, columns=getattr(args, "columns", None),
                          drop=getattr(args, "drop", None),
                          missing=getattr(args, "missing", "drop"), source=source)
    for name, why in table.dropped_columns.items():
        if why == "not numeric":
            ctx.say(f"{source}: column {name!r} is not numeric; left out.")
    if len(table.dropped_rows):
        shown = ", ".join(str(i) for i in table.dropped_rows[:10])
        more = " ..." if len(table.dropped_rows) > 10 else ""
        ctx.say(f"{source}: dropped {len(table.dropped_rows)} of {table.n_rows_read} rows with "
                f"missing values (rows {shown}{more}).")
    return frame, table, source


def make_scaler(kind):
    """The scaler step of ``--scale`` (None for 'none').

    Examples
    --------
    >>> type(make_scaler("robust")).__name__, make_scaler("none")
    ('RobustScaler', None)
    """
    from sklearn.preprocessing import RobustScaler, StandardScaler

    return {"standard": StandardScaler, "robust": RobustScaler}.get(kind, lambda: None)()


def resolve_seed(seed):
    """``--seed``: None (the default, as the estimators' random_state) draws one.

    The drawn seed is returned so that the summary and the report can print it
    and the run can be repeated with ``--seed``.

    Examples
    --------
    >>> resolve_seed(7)
    7
    >>> 0 <= resolve_seed(None) < 2**31
    True
    """
    if seed is not None:
        return int(seed)
    return int(np.random.SeedSequence().generate_state(1)[0] % (2**31 - 1))
