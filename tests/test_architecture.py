"""The layering of DESIGN.md, checked: kernels import only numpy, numba and math;
the core never imports the optional extras at module level; imports point down
the layers, never reach another package's private names and form no cycle
(the import rules below, over a graph built with ``ast``)."""

import ast
import importlib
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

import clusterlab

SRC = Path(clusterlab.__file__).resolve().parent


def _imports_of(node):
    if isinstance(node, ast.Import):
        return [a.name.split(".")[0] for a in node.names]
    return [node.module.split(".")[0]] if node.level == 0 else ["<relative>"]


# _kernels/_cache.py is numba's cache locator, not a kernel: it finds and copies
# cache files (issue 18), with the standard library only
CACHE_LOCATOR_IMPORTS = {"functools", "hashlib", "os", "shutil", "tempfile", "pathlib"}
# _kernels/__init__.py picks a kernel module by the call's size and the setting
SELECTOR_IMPORTS = {"importlib", "clusterlab"}


@pytest.mark.parametrize("path", sorted((SRC / "_kernels").rglob("*.py")),
                         ids=lambda p: str(p.relative_to(SRC / "_kernels")))
def test_kernels_import_only_numpy_numba_math(path):
    allowed = {"numpy", "numba", "math", "__future__"}
    if path.name == "_cache.py":
        allowed |= CACHE_LOCATOR_IMPORTS
    if path == SRC / "_kernels" / "__init__.py":
        allowed |= SELECTOR_IMPORTS
    tree = ast.parse(path.read_text())
    found = set()
    for node in ast.walk(tree):
        module = getattr(node, "module", None) or ""
        if isinstance(node, ast.ImportFrom) and module.startswith("clusterlab._kernels"):
            continue  # kernels may share kernels
        if isinstance(node, ast.Import | ast.ImportFrom):
            found |= set(_imports_of(node))
    assert found <= allowed, f"{path.name} imports {found - allowed}"


def _module_level_imports(path):
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield from _imports_of(node)


CORE = [p for p in SRC.rglob("*.py") if not {"deep", "distributed", "plots"} & set(p.parts)]


@pytest.mark.parametrize("path", CORE, ids=lambda p: str(p.relative_to(SRC)))
def test_core_does_not_import_extras_at_module_level(path):
    heavy = {"torch", "dask", "distributed", "faiss", "fastcluster", "KDEpy", "skfuzzy"}
    assert not set(_module_level_imports(path)) & heavy


def test_import_is_light_and_silent():
    code = (
        "import sys, warnings; warnings.simplefilter('error'); import clusterlab; "
        "print(sorted(m for m in ('torch', 'dask', 'matplotlib', 'numba') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]" and out.stderr == ""


@pytest.mark.parametrize("name", [n for n in clusterlab.__all__ if n != "__version__"])
def test_every_public_name_resolves_and_is_documented(name):
    obj = getattr(clusterlab, name)
    assert obj.__doc__ and "Examples" in obj.__doc__, f"{name} lacks a docstring example"


@pytest.mark.parametrize("module", ["cluster", "mixture", "density", "evaluation"])
def test_subpackage_facades_resolve(module):
    mod = importlib.import_module(f"clusterlab.{module}")
    for name in mod.__all__:
        assert getattr(mod, name) is not None


# ------------------------------------------------------------------ import rules
# Layer of each top-level part of the package; a module may import its own layer
# and those below it (DESIGN.md: kernels <- solvers <- estimators <- cli/plots/io).
LAYERS = {
    "_kernels": 0,
    "_config": 0,  # process-wide knobs: the kernel selector reads small_kernel_work
    "_threads": 1, "_rng": 1, "_validation": 1, "_history": 1, "_lazy": 1,
    "_docstrings": 1, "datasets": 1, "sources": 1, "_plotting": 1, "_mapreduce": 1, "_moments": 1,
    # the Dask backend of _mapreduce's passes (imports only sources, dask and numba)
    "distributed": 1,
    "cluster": 2, "mixture": 2, "density": 2, "evaluation": 2, "deep": 2,
    "io": 3, "plots": 3, "functional": 3,
    "": 4,  # clusterlab/__init__.py: the flat public facade (lazy names of layers 2-3)
    "cli": 5,  # the command line, over the public facade
    # the build step's list of fits: every public estimator and the command line
    "_precompile": 6,
}
# Shared internals every package may import, private names included (their
# modules are the library's own toolbox, not another package's secrets).
SHARED = {"_kernels", "_config", "_threads", "_rng", "_validation", "_history", "_lazy",
          "_docstrings", "_mapreduce", "_moments", "_plotting"}
# The written exceptions: (importer, imported module) -> why.
UPWARD_EXCEPTIONS = {
    ("clusterlab._plotting", "clusterlab.plots"):
        "estimators' .plot() draws through clusterlab.plots when called, so matplotlib is "
        "imported only then (hdbscan's pattern)",
    ("clusterlab.cluster.hierarchy._tree", "clusterlab.plots.dendrogram"):
        "Tree.plot() draws through clusterlab.plots when called, so matplotlib is "
        "imported only then (hdbscan's pattern)",
}
PRIVATE_EXCEPTIONS = {}
# Imports inside functions: allowed only here (lazy for start-up time or for an
# optional dependency), never to hide a cycle.
FUNCTION_IMPORT_EXCEPTIONS = {
    "clusterlab._plotting": "PlotMixin.plot (see UPWARD_EXCEPTIONS)",
    "clusterlab.cli": "the command line imports what a command needs when it runs, "
                      "so `clusterlab --help` starts fast",
    "clusterlab.cluster.hierarchy._tree": "Tree.plot (see UPWARD_EXCEPTIONS)",
    "clusterlab._mapreduce": "dask is an optional extra: clusterlab.distributed is imported "
                             "only when a pass meets a Dask array",
    "clusterlab.cluster._kmeans": "the bound strategies (numba kernels), when first chosen "
                                  "(issue 18: small fits make Lloyd passes with numpy)",
    "clusterlab._precompile": "the build step runs the command line's job last, and "
                              "scipy.sparse only for the sparse case",
}


def _module_name(path):
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in SRC.rglob("*.py")}


def _targets(node, module, is_package):
    """(imported module, imported name or None) for each clusterlab import in ``node``."""
    if isinstance(node, ast.Import):
        return [(a.name, None) for a in node.names if a.name.split(".")[0] == "clusterlab"]
    base = node.module or ""
    if node.level:
        parts = module.split(".") if is_package else module.split(".")[:-1]
        parts = parts[: len(parts) - node.level + 1]
        base = ".".join(parts + ([base] if base else []))
    if base.split(".")[0] != "clusterlab":
        return []
    return [(f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base, a.name)
            for a in node.names]


def _edges():
    """Every clusterlab import: (importer, imported module, name, inside a function)."""
    out = []
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text())
        top = {id(n) for n in tree.body}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                for target, name in _targets(node, module, path.name == "__init__.py"):
                    out.append((module, target, name, id(node) not in top))
    return out


EDGES = _edges()


def _part(module):
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def test_every_part_has_a_layer():
    missing = sorted({_part(m) for m in MODULES} - set(LAYERS))
    assert not missing, f"give these parts of clusterlab a layer in LAYERS: {missing}"


def test_imports_point_down_the_layers():
    upward = [
        f"{a} (layer {LAYERS[_part(a)]}) imports {b} (layer {LAYERS[_part(b)]})"
        for a, b, _, _ in EDGES
        if LAYERS.get(_part(b), 0) > LAYERS.get(_part(a), 0)
        and (a, b) not in UPWARD_EXCEPTIONS
    ]
    assert not upward, "\n".join(upward)


def _private_path(target, name):
    parts = target.split(".")[1:]
    if parts and parts[0] in SHARED:
        return False
    names = parts + ([name] if name and name != "*" else [])
    return any(p.startswith("_") for p in names)


def test_no_private_names_across_packages():
    found = [
        f"{a} imports {b}{'.' + n if n else ''}"
        for a, b, n, _ in EDGES
        if _part(a) != _part(b) and _private_path(b, n)
        and (a, b) not in PRIVATE_EXCEPTIONS
    ]
    assert not found, "\n".join(found)


def test_imports_inside_functions_only_where_written():
    found = [
        f"{a} imports {b} inside a function"
        for a, b, _, inside in EDGES
        if inside and not any(a == e or a.startswith(e + ".") for e in FUNCTION_IMPORT_EXCEPTIONS)
    ]
    assert not found, "\n".join(found)


def _cycles(edges):
    """Strongly connected components of more than one module (Tarjan)."""
    graph = defaultdict(set)
    for a, b in edges:
        if a != b:
            graph[a].add(b)
    index, low, on_stack, stack, out = {}, {}, set(), [], []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in list(graph):
        if v not in index:
            visit(v)
    return out


def test_no_import_cycles():
    # every import counts, inside functions too: a cycle hidden in a function is a cycle
    assert _cycles([(a, b) for a, b, _, _ in EDGES]) == []


def test_the_cycle_finder_finds_cycles():
    assert _cycles([("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")]) == [["a", "b", "c"]]
    assert _cycles([("a", "b"), ("b", "c")]) == []


def test_hierarchy_is_a_one_way_chain():
    chain = ["_linkage", "_tree", "_estimator"]
    pkg = "clusterlab.cluster.hierarchy."
    for i, low in enumerate(chain):
        for high in chain[i + 1:]:
            assert not [e for e in EDGES if e[0] == pkg + low and e[1] == pkg + high]
    assert any(e[0] == pkg + "_tree" and e[1] == pkg + "_linkage" for e in EDGES)
    assert any(e[0] == pkg + "_estimator" and e[1] == pkg + "_tree" for e in EDGES)


def test_modules_stay_small():
    # DESIGN.md: a module stays under about 600 lines
    big = {str(p.relative_to(SRC)): n for p in SRC.rglob("*.py")
           if (n := len(p.read_text().splitlines())) >= 600}
    assert not big, big
