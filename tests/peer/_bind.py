"""Bind a peer library's installed test module to clusterlab's estimators.

``bind(module_name, names)`` imports the peer's own test file (as installed in
site-packages, unmodified), replaces the estimator names it imported with
clusterlab's (``names``: peer name -> clusterlab object) in that module's
namespace, and returns everything the module defines so that a wrapper
module can re-export it for pytest to collect.  The tests then run their
own assertions against clusterlab.
"""

import importlib
import inspect

from _pytest.mark.structures import Mark, ParameterSet


def _swap(value, table):
    """``value`` with every peer object in ``table`` (by identity) replaced by ours."""
    if isinstance(value, ParameterSet):
        return value._replace(values=tuple(_swap(v, table) for v in value.values))
    if isinstance(value, tuple):
        return tuple(_swap(v, table) for v in value)
    return table.get(id(value), value)


def _rebind_parametrize(obj, table):
    """Parametrize lists captured the peer's classes at import: swap them for ours."""
    marks = getattr(obj, "pytestmark", None)
    if not marks:
        return
    new = []
    for mark in marks:
        if mark.name == "parametrize" and len(mark.args) >= 2:
            values = [_swap(v, table) for v in mark.args[1]]
            mark = Mark(mark.name, (mark.args[0], values, *mark.args[2:]), mark.kwargs,
                        _ispytest=True)
        new.append(mark)
    obj.pytestmark = new


def bind(module_name, names):
    """Import ``module_name``, rebind ``names`` in it (module globals and parametrize
    values), return its public namespace."""
    module = importlib.import_module(module_name)
    table = {}
    for peer_name, ours in names.items():
        if not hasattr(module, peer_name):
            raise AttributeError(f"{module_name} has no name {peer_name!r} to bind")
        table[id(getattr(module, peer_name))] = ours
        setattr(module, peer_name, ours)
    for name, obj in vars(module).items():
        if name.startswith("test") and callable(obj):
            _rebind_parametrize(obj, table)
        if inspect.isclass(obj) and name.startswith("Test"):
            for meth in vars(obj).values():
                if callable(meth):
                    _rebind_parametrize(meth, table)
    return {k: v for k, v in vars(module).items() if not k.startswith("__")}
