"""Where numba keeps clusterlab's compiled kernels: in the installed package.

Every kernel is ``@njit(cache=True)``. numba's own locators put the cache in a
``__pycache__`` beside the source or in the user's cache directory, so a new
installation, container or CI job compiles everything again on its first fit
(10-20 s for one estimator, issue 18). This locator puts it in
``clusterlab/_numba_cache/<subpackage>/`` inside the package, where the build
step (``clusterlab._precompile``, run by ``pip install`` / ``make setup``) has
already written every specialisation the estimators use.

- The index numba writes is keyed by a content hash of the source file, the
  numba version, the Python version and the CPU (name and features): a copy
  built for another CPU or numba version is simply not used, and the kernel
  is compiled once on first use and saved beside it.
- A read-only installation (a system site-packages, a read-only image) keeps
  working: the shipped files are copied once into a per-install folder of the
  user's numba cache directory, where later misses are saved; if that cannot
  be written either, numba's own locators decide (as they do without us).
- ``NUMBA_CACHE_DIR``, when set, wins: numba's own locator is used.

Only functions defined in clusterlab's own files are located here; every other
numba user keeps numba's behaviour. The locator is registered when
``clusterlab._kernels`` is imported, before any kernel is decorated.
"""

import functools
import hashlib
import os
import shutil
import tempfile
from pathlib import Path

from numba.core import caching, config

PACKAGE = Path(__file__).resolve().parents[1]
SHIPPED = PACKAGE / "_numba_cache"


def _writable(path):
    """Whether ``path`` exists (made if missing) and accepts a new file."""
    try:
        os.makedirs(path, exist_ok=True)
        tempfile.TemporaryFile(dir=path).close()
        return True
    except OSError:
        return False


@functools.cache
def _user_root():
    """Per-install folder in the user's numba cache (for read-only installs)."""
    from numba.misc.appdirs import AppDirs

    tag = hashlib.sha1(str(PACKAGE).encode()).hexdigest()[:12]
    return Path(AppDirs(appname="numba", appauthor=False).user_cache_dir) / f"clusterlab-{tag}"


@functools.cache
def _seed(shipped, target, module):
    """Copy ``module``'s shipped index and data files into ``target`` once.

    A file is copied when missing there or older than the shipped one, so an
    index numba has since extended in ``target`` is kept, and an upgrade's
    newer files replace the old ones.
    """
    if not shipped.is_dir():
        return
    for src in shipped.glob(f"{module}.*.nb[ic]"):
        dst = target / src.name
        if not dst.exists() or dst.stat().st_mtime < src.stat().st_mtime:
            tmp = dst.with_name(f"{dst.name}.tmp.{os.getpid()}")
            shutil.copy2(src, tmp)
            os.replace(tmp, dst)


@functools.cache
def _content_hash(path, mtime, size):
    # mtime and size in the key: a file edited while the process runs is re-hashed
    with open(path, "rb") as fh:
        return hashlib.sha256(fh.read()).hexdigest()


def cache_dir_for(py_file):
    """The folder numba should cache ``py_file``'s kernels in, or None.

    Examples
    --------
    >>> from clusterlab._kernels import _cache, lloyd
    >>> str(_cache.cache_dir_for(lloyd.__file__)).endswith("_numba_cache/_kernels")
    True
    >>> _cache.cache_dir_for("/elsewhere/module.py") is None
    True
    """
    path = Path(py_file).resolve()
    if PACKAGE not in path.parents:
        return None
    target = _folder_for(path.parent.relative_to(PACKAGE))
    if target is not None and not target.is_relative_to(SHIPPED):
        try:
            _seed(SHIPPED / target.relative_to(_user_root()), target, path.stem)
        except OSError:
            pass  # a partial copy only means compiling what is missing
    return target


@functools.cache
def _folder_for(sub):
    """The shipped folder if writable, else the user's copy if writable, else None
    (decided once per subpackage and process: numba asks once per kernel)."""
    shipped = SHIPPED / sub
    if _writable(shipped):
        return shipped
    target = _user_root() / sub
    return target if _writable(target) else None


class ShippedCacheLocator(caching._SourceFileBackedLocatorMixin, caching._CacheLocator):
    """numba cache locator for clusterlab's kernels (see the module docstring).

    The source stamp is a content hash of the source file (as numba >= 0.61's
    own; older ones use the modification time), so a wheel install (new paths,
    new modification times) still matches the index built before it.
    """

    def __init__(self, py_func, py_file, cache_path):
        self._py_file = py_file
        self._lineno = py_func.__code__.co_firstlineno
        self._cache_path = str(cache_path)

    def get_cache_path(self):
        return self._cache_path

    def get_source_stamp(self):
        st = os.stat(self._py_file)
        return _content_hash(self._py_file, st.st_mtime, st.st_size)

    @classmethod
    def from_function(cls, py_func, py_file):
        if config.CACHE_DIR or not os.path.exists(py_file):
            return None
        path = cache_dir_for(py_file)
        return None if path is None else cls(py_func, py_file, path)


def install():
    """Put :class:`ShippedCacheLocator` first in numba's locator list (once).

    Examples
    --------
    >>> from numba.core import caching
    >>> from clusterlab._kernels import _cache
    >>> _cache.install()
    >>> caching.CacheImpl._locator_classes[0] is _cache.ShippedCacheLocator
    True
    """
    impl = getattr(caching, "CacheImpl", None) or caching._CacheImpl  # renamed in numba 0.61
    classes = impl._locator_classes
    if ShippedCacheLocator not in classes:
        classes.insert(0, ShippedCacheLocator)


def _live_data_files(index, sources):
    """The data files a ``.nbi`` index still uses: empty when the index is for
    another numba version or a source file that has changed (or is gone).

    numba's own index reader does the reading, so its file format stays numba's
    business.
    """
    source = sources.get(index.name.split(".")[0])
    if source is None:
        return set()
    st = os.stat(source)
    stamp = _content_hash(str(source), st.st_mtime, st.st_size)
    try:
        overloads = caching.IndexDataCacheFile(str(index.parent), index.stem, stamp)._load_index()
    except Exception:  # noqa: BLE001 - an unreadable index is dead
        return set()
    return set(overloads.values())


def prune(root=SHIPPED):
    """Delete cache files of changed sources or another numba version; return how many.

    A kernel edited during development leaves its old index and data files
    behind; the build step prunes them so a wheel carries only live code.

    Examples
    --------
    >>> import tempfile
    >>> from clusterlab._kernels import _cache
    >>> _cache.prune(Path(tempfile.mkdtemp()))
    0
    """
    removed = 0
    for folder in {p.parent for p in Path(root).rglob("*.nb[ic]")}:
        sub = folder.relative_to(root)
        sources = {p.stem: p for p in (PACKAGE / sub).glob("*.py")}
        live = set()
        for index in folder.glob("*.nbi"):
            files = _live_data_files(index, sources)
            if files:
                live |= files
            else:
                index.unlink()
                removed += 1
        for data in folder.glob("*.nbc"):
            if data.name not in live:
                data.unlink()
                removed += 1
    return removed


# on import: every numba module of the package imports this one before it
# decorates its kernels, and numba picks the locator at decoration time
install()
