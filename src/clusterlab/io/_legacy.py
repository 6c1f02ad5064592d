"""Version-1 model files, translated to version-2 nodes (then checked like any file).

Version 1 named the class ``module:qualname`` (resolved through the
registry's aliases, never imported), marked arrays as ``"array:<key>"``
strings, and kept torch weights as ``weights.<name>`` members.

Examples
--------
>>> convert({"class": "clusterlab.cluster._kmeans:KMeans", "params": {"init": "array:p"},
...          "state": {"attributes": {}}}, {"p"})["params"]
{'init': {'__array__': 'p'}}
"""

from clusterlab.io import registry
from clusterlab.io.errors import Malformed

FLAG = "legacy"
_PREFIX = "array:"
_WEIGHTS = "weights."
_DEEP_ARRAYS = ("weights_", "means_", "covariances_", "labels_")
_FRAME = "__dataframe__"
# the oldest files kept history_ as an array or a dict of arrays: column name, index name
_HISTORY = {"KMeans": ("inertia", "iteration"), "MiniBatchKMeans": ("inertia", "step"),
            "FuzzyCMeans": ("objective", "iteration"), "GaussianMixture": (None, "iteration"),
            "MixtureModel": (None, "iteration"), "VAE": (None, "epoch")}


def _refs(value):
    if isinstance(value, str) and value.startswith(_PREFIX):
        return {"__array__": value[len(_PREFIX):]}
    if isinstance(value, list):
        return [_refs(v) for v in value]
    if isinstance(value, dict):
        if set(value) == {_FRAME}:  # a DataFrame (history_), version 1's late form
            return _frame(_refs(value[_FRAME]))
        return {k: _refs(v) for k, v in value.items()}
    return value


def _frame(state):
    """Version 1's ``{"index_name", "names", "columns"}`` as a version-2 DataFrame entry."""
    if not isinstance(state, dict) or set(state) != {"index_name", "names", "columns"}:
        raise Malformed("a version-1 DataFrame entry needs index_name, names and columns")
    return {"__frame__": {"columns": state["names"], "data": state["columns"],
                          "index": None, "index_name": state["index_name"]}}


def convert(meta, members):
    """The version-2 node of a version-1 metadata dict."""
    if not isinstance(meta.get("state"), dict) or not isinstance(meta.get("params"), dict):
        raise Malformed("a version-1 file needs 'params' and 'state' objects")
    name = registry.name_of(registry.get_class(meta.get("class")))
    state = meta["state"]
    if name in ("VAE", "DeepClustering"):
        attrs = {k: _refs(v) for k, v in state.items()}
        history = state.get("history_")
        if isinstance(history, dict) and set(history) == {"index_name", "names", "columns"}:
            attrs["history_"] = _frame(history)
        weights = {m[len(_WEIGHTS):]: {"__array__": m} for m in sorted(members)
                   if m.startswith(_WEIGHTS)}
        attrs["module_"] = {"__module__": weights}
        # files from before converged_ existed: a VAE converged when it stopped early
        attrs.setdefault("converged_", bool(state.get("stopped_early_", False)))
        if name == "DeepClustering":
            attrs.update({k: {"__array__": k} for k in _DEEP_ARRAYS})
    else:
        if not isinstance(state.get("attributes"), dict):
            raise Malformed("a version-1 file needs a 'state.attributes' object")
        attrs = _refs(state["attributes"])
    if name in _HISTORY and "history_" in attrs:
        attrs["history_"] = _old_history(attrs["history_"], *_HISTORY[name])
    return {"class": name, "params": _refs(meta["params"]), "attributes": attrs, FLAG: True}


def _old_history(history, column, index_name):
    """An array (one column) or a flat dict of columns as a version-2 DataFrame entry,
    so every loaded estimator has the DataFrame ``history_`` of today's API."""
    if column is not None and isinstance(history, dict) and set(history) == {"__array__"}:
        history = {column: history}
    if not isinstance(history, dict) or not history or any(
            k.startswith("__") or isinstance(v, dict) and set(v) != {"__array__"}
            for k, v in history.items()):
        return history  # already a frame entry, or something the checks will judge
    return {"__frame__": {"columns": list(history), "data": list(history.values()),
                          "index": None, "index_name": index_name}}
