"""Output files: checked before any work, all written at the end, or none.

``Outputs.plan(path)`` refuses (as a :class:`UsageError` naming the path) a
destination whose directory is missing or read-only, or which is itself a
directory, before the data are even read. ``Outputs.commit()`` writes every
planned file to a temporary file beside it and only then moves them all into
place; a failure removes every temporary file and leaves no output behind.
"""

import contextlib
import os
import tempfile

from clusterlab.cli._errors import UsageError


def check_writable(path, option):
    """Refuse a destination that cannot be written, naming ``option`` and ``path``.

    Examples
    --------
    >>> try:
    ...     check_writable("/nonexistent-dir/labels.csv", "--labels-out")
    ... except UsageError as exc:
    ...     print(exc)
    --labels-out /nonexistent-dir/labels.csv: directory /nonexistent-dir does not exist.
    """
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise UsageError(f"{option} {path} is a directory; give a file name.")
    if not os.path.isdir(directory):
        raise UsageError(f"{option} {path}: directory {directory} does not exist.")
    try:  # a real probe: os.access says yes to root on a read-only mount
        fd, probe = tempfile.mkstemp(prefix=".probe-", dir=directory)
    except OSError:
        raise UsageError(f"{option} {path}: directory {directory} is not writable.") from None
    os.close(fd)
    os.remove(probe)
    return path


def _umask():
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


class Outputs:
    """Files to write at the end of a command, all or none.

    Examples
    --------
    >>> import os, tempfile
    >>> d = tempfile.mkdtemp()
    >>> out = Outputs()
    >>> path = out.plan(os.path.join(d, "a.txt"), "--out")
    >>> out.set(path, lambda tmp: open(tmp, "w").write("hi"))
    >>> [os.path.basename(p) for p in out.commit()]
    ['a.txt']
    >>> sorted(os.listdir(d))
    ['a.txt']
    """

    def __init__(self):
        self._writers = {}
        self._options = {}

    def plan(self, path, option):
        """Check ``path`` now and reserve it; returns the path."""
        path = check_writable(path, option)
        self._options[path] = option
        return path

    def set(self, path, writer):
        """Give the planned ``path`` its ``writer(tmp_path)``."""
        if path not in self._options:
            raise KeyError(f"{path} was not planned")
        self._writers[path] = writer

    def commit(self):
        """Write every file that has a writer; returns their paths."""
        temps = {}
        mode = 0o666 & ~_umask()
        try:
            for path, writer in self._writers.items():
                fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix="-" + os.path.basename(path),
                                           dir=os.path.dirname(os.path.abspath(path)))
                os.close(fd)
                temps[path] = tmp
                os.chmod(tmp, mode)  # mkstemp's 0600 would hide the outputs from others
                try:
                    writer(tmp)
                except OSError as exc:
                    raise UsageError(
                        f"{self._options[path]} {path}: cannot write: {exc.strerror or exc}"
                    ) from None
            for path, tmp in temps.items():
                os.replace(tmp, path)
        finally:
            for tmp in temps.values():
                with contextlib.suppress(FileNotFoundError):
                    os.remove(tmp)
        return list(temps)
