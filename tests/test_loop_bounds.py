"""Issue 12: no loop without a bound anywhere in the package.

Every ``while`` loop in src/ must either be a counted loop (its condition
compares a name that the body increments or decrements with ``+=`` / ``-=``)
or be listed below with the reason it terminates. ``while True`` is never a
counted loop, so each one is listed. The keys are (file, function,
condition) so moving code does not break the list, and a stale entry fails.
"""

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "clusterlab"

# (path under src/clusterlab, enclosing function, ast.unparse(condition)) -> why it ends
_LINKED = "walks the linked list of active clusters (j = nxt[j]), which ends at n"
_BITS = "clears the lowest set bit of a 64-bit mask each pass: at most 64 passes"
_FIND = ("union-find root search: parents point to earlier-created roots, so each step "
         "moves strictly up a finite forest")
_REPAIR = ("lazy heap repair: each pass replaces one stale lower bound by the exact row "
           "minimum, so at most one pass per active cluster (scipy's _hierarchy.pyx)")
ALLOWED = {
    ("distributed/_dask.py", "dask_map_reduce", "len(parts) > 1"):
        "each pass groups parts by SPLIT_EVERY (8), so len(parts) shrinks by a factor of 8",
    ("sources.py", "_memmap_source", "isinstance(base.base, np.memmap)"):
        "walks a memmap's finite chain of .base views up to the one that owns the mapping",
    ("_kernels/linkage_heap.py", "_sift_up", "p > 0"): "p = (p - 1) >> 1 halves p each pass",
    ("_kernels/linkage_heap.py", "_sift_down", "True"):
        "p = 2p + 1 (or + 2) grows each pass and the loop breaks once it reaches hsize",
    ("_kernels/generic_linkage.py", "_row_argmin", "j < n"): _LINKED,
    ("_kernels/generic_linkage.py", "_generic_lower_bounds", "j < y"): _LINKED,
    ("_kernels/generic_linkage.py", "_condensed_merge", "j < n"): _LINKED,
    ("_kernels/linkage_tree.py", "_find", "parent[root] != root"): _FIND,
    ("_kernels/linkage_tree.py", "_find", "parent[x] != root"): _FIND,
    ("_kernels/nn_chain.py", "nn_chain", "not alive[s]"):
        "finds the first alive cluster, and one is alive while merges remain",
    ("_kernels/nn_chain.py", "nn_chain", "True"):
        "nearest-neighbour chain: distances along the chain strictly fall (ties go to the "
        "previous link), so it meets a reciprocal pair within n links",
    ("_kernels/generic_linkage.py", "_generic_loop",
     "mindist[x] < _exact_key(store, x, nghbr[x])"): _REPAIR,
    ("_kernels/linkage_tree.py", "cophenetic", "i != -1"): "walks a member list that ends at -1",
    ("_kernels/linkage_tree.py", "cophenetic", "j != -1"): "walks a member list that ends at -1",
    ("_kernels/yinyang.py", "_group_lists", "bits != 0"): _BITS,
    ("_kernels/yinyang.py", "_group_lists", "kept != 0"): _BITS,
    ("_kernels/yinyang.py", "_merge_groups", "bits != 0"): _BITS,
    ("cluster/hierarchy/_connectivity.py", "_agglomerate", "state.heap"):
        "pops one heap entry per pass and pushes only on a merge (at most n - 1 merges, each "
        "pushing at most one entry per neighbour)",
    ("cluster/hierarchy/_connectivity.py", "_root", "parent[i] != i"): _FIND,
    ("cluster/hierarchy/_connectivity.py", "find", "parent[i] != i"): _FIND,
    ("cluster/_kswap.py", "swap_refine", "failures < patience and best[1].shape[0] > 1"):
        "an accepted swap lowers the inertia by a relative 1e-12 (finitely many labelings "
        "so finitely many), every other pass counts a failure up to patience",
    ("density/bandwidth.py", "_isj_root", "True"):
        "tol doubles each pass and the loop returns once it reaches 0.1 (at most ~37 passes)",
}


def _enclosing_functions(tree):
    parents = {}
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            parents[child] = node
    return parents


def _function_of(node, parents):
    while node in parents:  # walks up the finite AST: bounded by its depth
        node = parents[node]
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            return node.name
    return "<module>"


def _counted(loop):
    """A ``while i < n`` / ``while p > 0`` loop whose body steps ``i`` with += or -=."""
    test = loop.test
    if not isinstance(test, ast.Compare) or len(test.ops) != 1:
        return False
    if not isinstance(test.ops[0], ast.Lt | ast.LtE | ast.Gt | ast.GtE):
        return False
    names = {n.id for n in ast.walk(test.left) if isinstance(n, ast.Name)}
    steps = {
        node.target.id
        for stmt in loop.body
        for node in ast.walk(stmt)
        if isinstance(node, ast.AugAssign) and isinstance(node.op, ast.Add | ast.Sub)
        and isinstance(node.target, ast.Name)
    }
    return bool(names & steps)


def _while_loops():
    for path in sorted(SRC.rglob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        parents = _enclosing_functions(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.While):
                key = (path.relative_to(SRC).as_posix(), _function_of(node, parents),
                       ast.unparse(node.test))
                yield key, node


def test_every_while_loop_is_counted_or_listed_with_its_reason():
    unlisted = [f"{key} at line {node.lineno}" for key, node in _while_loops()
                if not _counted(node) and key not in ALLOWED]
    assert not unlisted, (
        "while loops with no evident bound; bound them or add them to ALLOWED with the "
        "reason they end:\n" + "\n".join(unlisted)
    )


def test_allow_list_has_no_stale_entries():
    seen = {key for key, _ in _while_loops()}
    assert not set(ALLOWED) - seen, f"stale ALLOWED entries: {set(ALLOWED) - seen}"


def test_the_scan_sees_while_true():
    tree = ast.parse("def f():\n    while True:\n        i += 1\n")
    loop = next(n for n in ast.walk(tree) if isinstance(n, ast.While))
    assert not _counted(loop)
