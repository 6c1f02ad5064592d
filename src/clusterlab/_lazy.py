"""The one lazy-import facade (PEP 562): a public name is imported from its
module on first use, so ``import clusterlab`` (and each subpackage) stays light.

Every facade (``clusterlab``, ``clusterlab.cluster``, ``clusterlab.mixture``,
``clusterlab.deep``, ...) declares ``name -> module`` and installs
``__getattr__, __dir__ = lazy_facade(...)``.
"""

from importlib import import_module


def lazy_facade(package, mapping, namespace=None, *, check=None):
    """``(__getattr__, __dir__)`` for a module that resolves ``mapping`` lazily.

    Parameters
    ----------
    package : str
        The facade's module name, for error messages.
    mapping : dict of str to str
        Public name -> module that defines it.
    namespace : dict, optional
        The facade's ``globals()``: a resolved name is stored there, so the
        next access is a plain attribute lookup.
    check : callable, optional
        Called with the name before importing (e.g. to raise an ``ImportError``
        with an install hint for an optional dependency).

    Examples
    --------
    >>> getattr_, dir_ = lazy_facade("demo", {"sqrt": "math"})
    >>> getattr_("sqrt")(4.0), dir_()
    (2.0, ['sqrt'])
    """
    names = sorted(mapping)

    def __getattr__(name):
        if name not in mapping:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        if check is not None:
            check(name)
        value = getattr(import_module(mapping[name]), name)
        if namespace is not None:
            namespace[name] = value
        return value

    def __dir__():
        return list(names) if namespace is None else sorted(namespace.get("__all__", names))

    return __getattr__, __dir__


def lazy_getattr(package, mapping):
    """Only the ``__getattr__`` of :func:`lazy_facade` (kept for facades written
    against it; new facades use ``lazy_facade``).

    Examples
    --------
    >>> lazy_getattr("demo", {"sqrt": "math"})("sqrt")(9.0)
    3.0
    """
    return lazy_facade(package, mapping)[0]
