"""Bind a peer library's installed test module to clusterlab's estimators.

``bind(module_name, names)`` imports the peer's own test file (as installed in
site-packages, unmodified), replaces the estimator names it imported with
clusterlab's (``names``: peer name -> clusterlab object) in that module's
namespace, and returns everything the module defines so that a wrapper
module can re-export it for pytest to collect.  The tests then run their
own assertions against clusterlab.
"""

import importlib


def bind(module_name, names):
    """Import ``module_name``, rebind ``names`` in it, return its public namespace."""
    module = importlib.import_module(module_name)
    for peer_name, ours in names.items():
        if not hasattr(module, peer_name):
            raise AttributeError(f"{module_name} has no name {peer_name!r} to bind")
        setattr(module, peer_name, ours)
    return {k: v for k, v in vars(module).items() if not k.startswith("__")}
