"""What the example scripts share: the small-size switch and saving their figures.

``CLUSTERLAB_EXAMPLE_SMALL=1`` makes every example run at a small size (for
CI and the documentation build); ``CLUSTERLAB_EXAMPLE_OUT`` names the folder
the figures go to (default: ``figures`` in the current directory).
"""

import os
from pathlib import Path

from clusterlab.io.atomic import atomic_path

SMALL_VARIABLE = "CLUSTERLAB_EXAMPLE_SMALL"
OUT_VARIABLE = "CLUSTERLAB_EXAMPLE_OUT"


def is_small_run():
    """Whether the examples should run at their small size.

    True when the environment variable ``CLUSTERLAB_EXAMPLE_SMALL`` is set to
    anything but ``""`` or ``"0"``.

    Returns
    -------
    bool

    Examples
    --------
    >>> import os
    >>> os.environ["CLUSTERLAB_EXAMPLE_SMALL"] = "1"
    >>> is_small_run()
    True
    >>> del os.environ["CLUSTERLAB_EXAMPLE_SMALL"]
    """
    return os.environ.get(SMALL_VARIABLE, "0") not in ("", "0")


def save_figure(fig, name, out=None):
    """Write ``fig`` as ``<out>/<name>.png`` atomically and return the path.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure.
    name : str
        File name without the extension.
    out : str or path-like, optional
        The folder; default ``$CLUSTERLAB_EXAMPLE_OUT``, else ``./figures``.
        Created if missing.

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> import tempfile
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> _ = ax.plot([0, 1], [1, 0])
    >>> path = save_figure(fig, "line", out=tempfile.mkdtemp())
    >>> path.name, path.stat().st_size > 1000
    ('line.png', True)
    """
    folder = Path(out if out is not None else os.environ.get(OUT_VARIABLE, "figures"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=80, format="png")
    return path
