"""Sphinx configuration: numpydoc API reference, sphinx-gallery over examples/, pydata theme.

``make docs`` builds with warnings as errors. The examples run at their small
size unless ``CLUSTERLAB_EXAMPLE_SMALL`` is already set (``=0``: full size).
"""

import os
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))

os.environ.setdefault("CLUSTERLAB_EXAMPLE_SMALL", "1")
os.environ.setdefault("MPLBACKEND", "Agg")
# the examples' own PNG copies go to a scratch folder; the gallery keeps its scraped images
os.environ.setdefault("CLUSTERLAB_EXAMPLE_OUT", str(HERE / "_build" / "example-figures"))

from api_pages import write_api_page  # noqa: E402

import clusterlab  # noqa: E402

write_api_page(HERE / "api.rst")

project = "clusterlab"
author = "the clusterlab authors"
copyright = "the clusterlab authors"
release = version = clusterlab.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.intersphinx",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]
templates_path = ["_templates"]
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]

autosummary_generate = True
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False

intersphinx_mapping = {}  # offline builds: no inventories fetched

sphinx_gallery_conf = {
    "examples_dirs": str(HERE.parent / "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/\d\d_",
    "ignore_pattern": r"(faithful_bic|__init__)\.py",
    "within_subsection_order": "FileNameSortKey",
    "image_scrapers": ("matplotlib",),
    "download_all_examples": False,
    "show_memory": False,
    "remove_config_comments": True,
    "reference_url": {},
}

html_theme = "pydata_sphinx_theme"
html_title = f"clusterlab {version}"
html_static_path = ["_static"]
html_theme_options = {"navigation_with_keys": False, "show_toc_level": 2}
html_show_sourcelink = False


# "(n_iter_,)" in a type reads as a reST reference to "n_iter"; escape a trailing
# underscore before , ) or ] outside ``literals``
_TRAILING = re.compile(r"\b([A-Za-z]\w*)_(?=[,)\]])")


def _escape_trailing_underscores(app, what, name, obj, options, lines):
    for i, line in enumerate(lines):
        parts = line.split("``")
        parts[::2] = [_TRAILING.sub(r"\1\\_", p) for p in parts[::2]]
        lines[i] = "``".join(parts)


# scikit-learn's metadata-routing and set_output plumbing, inherited by every estimator
_SKLEARN_PLUMBING = re.compile(r"^(set_\w+_request|get_metadata_routing|set_output)$")


def _skip_plumbing(app, what, name, obj, skip, options):
    return True if _SKLEARN_PLUMBING.match(name) else None


def setup(app):
    app.connect("autodoc-process-docstring", _escape_trailing_underscores, priority=600)
    app.connect("autodoc-skip-member", _skip_plumbing)
