"""Write ``api.rst``: one autosummary entry for every public name, each object once."""

import importlib
import inspect

# (section title, module); a name already documented above is not repeated
MODULES = [
    ("Top level", "clusterlab"),
    ("The course's functions", "clusterlab.functional"),
    ("Clustering", "clusterlab.cluster"),
    ("Mixture models", "clusterlab.mixture"),
    ("Mixture families", "clusterlab.mixture.families"),
    ("Density estimation", "clusterlab.density"),
    ("Choosing k and scores", "clusterlab.evaluation"),
    ("Deep models (torch extra)", "clusterlab.deep"),
    ("Data sets", "clusterlab.datasets"),
    ("Files", "clusterlab.io"),
    ("Plots: dendrogram", "clusterlab.plots.dendrogram"),
    ("Plots: images", "clusterlab.plots.images"),
    ("Plots: example gallery", "clusterlab.plots.gallery"),
]


def public_names(module):
    """``__all__``, else the functions and classes the module itself defines."""
    names = getattr(module, "__all__", None)
    if names is None:
        names = [n for n, v in vars(module).items() if not n.startswith("_")
                 and (inspect.isfunction(v) or inspect.isclass(v))
                 and v.__module__ == module.__name__]
    return [n for n in names if not n.startswith("_") and n != "__version__"]


def _documentable(value):
    return inspect.isclass(value) or inspect.isfunction(value)


def write_api_page(path):
    seen = set()
    lines = ["API reference", "=============", "",
             "Every public name, grouped by subpackage; each object appears once, under "
             "the shortest import path.", ""]
    for title, name in MODULES:
        module = importlib.import_module(name)
        entries = []
        for attr in public_names(module):
            value = getattr(module, attr)
            if not _documentable(value) or id(value) in seen:
                continue
            seen.add(id(value))
            entries.append(attr)
        if not entries:
            continue
        lines += [title, "-" * len(title), "", f".. currentmodule:: {name}", "",
                  ".. autosummary::", "   :toctree: generated/", ""]
        lines += [f"   {e}" for e in entries] + [""]
    text = "\n".join(lines)
    if not path.exists() or path.read_text() != text:
        path.write_text(text)
