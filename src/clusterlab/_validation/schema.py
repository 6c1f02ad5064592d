"""Declarations of what a fitted estimator holds, for model files.

Every class that :func:`clusterlab.save_model` can store declares its fitted
state as a tuple of :class:`Field` (the class attribute ``_model_schema``, or a
function of the validated estimator when the shapes depend on a
hyperparameter). The declarations live beside each class; the checking code
lives in ``clusterlab.io.schema`` and runs on every loaded file before the
estimator is returned.

A shape entry is an int, the name of an integer hyperparameter or integer
fitted attribute (``"n_clusters"``, ``"n_features_in_"``), such a name plus or
minus a constant (``"n_leaves_-1"``), or any other name, which is bound by the
first array that uses it and must then agree everywhere else
(``("n_samples", "n_features_in_")`` and ``("n_samples",)``).

Examples
--------
>>> from clusterlab._validation.schema import Field
>>> f = Field("cluster_centers_", "array", shape=("n_clusters", "n_features_in_"))
>>> f.kind, f.shape, f.finite
('array', ('n_clusters', 'n_features_in_'), True)
"""

from dataclasses import dataclass, field

#: the kinds of value a field can hold
KINDS = {
    "array",  # a numeric ndarray (``dtype`` kinds, ``shape``, ``finite``, ``low``/``high``)
    "int",  # a JSON integer (``low``/``high``)
    "float",  # a JSON number (``finite``, ``low``/``high``)
    "bool",  # a JSON boolean
    "str",  # a JSON string (``options``)
    "names",  # a 1-D array of str (``feature_names_in_``)
    "history",  # per-iteration numbers: a DataFrame, an array, or a dict of them
    "arrays",  # a dict of arrays, each declared in ``items``
    "module",  # torch weights, checked by the class's ``_module_shapes``
}


@dataclass(frozen=True)
class Field:
    """One attribute (or array-valued hyperparameter) of a saved estimator.

    Parameters
    ----------
    name : str
        Attribute name (``cluster_centers_``) or, with ``param=True``, the
        hyperparameter name (``init``).
    kind : str
        One of :data:`KINDS`.
    dtype : str, default="f"
        Accepted numpy dtype kinds of an array (``"f"``: float, ``"iu"``: int).
    shape : tuple, default=()
        The array's shape (see the module docstring).
    finite : bool, default=True
        Refuse NaN and infinity.
    low, high : float, int, str or None
        Bounds on the values (a str is resolved like a shape entry).
    nullable : bool, default=False
        ``None`` is allowed.
    optional : bool, default=False
        The attribute may be absent.
    param : bool, default=False
        A hyperparameter whose value may be an array (only when declared).
    derived : bool, default=False
        Not stored: the class's ``_restore_derived`` recomputes it on load.
    items : tuple of Field, default=()
        The entries of an ``"arrays"`` field.
    options : tuple of str, default=()
        Accepted values of a ``"str"`` field (empty: any).
    """

    name: str
    kind: str
    dtype: str = "f"
    shape: tuple = ()
    finite: bool = True
    low: object = None
    high: object = None
    nullable: bool = False
    optional: bool = False
    param: bool = False
    derived: bool = False
    items: tuple = field(default=())
    options: tuple = field(default=())

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"Field kind must be one of {sorted(KINDS)}; got {self.kind!r}.")


def model_schema(estimator):
    """The fields ``estimator`` declares (``_model_schema``, a tuple or a function of it).

    Examples
    --------
    >>> from clusterlab import KMeans
    >>> "cluster_centers_" in [f.name for f in model_schema(KMeans(2))]
    True
    """
    declared = getattr(type(estimator), "_model_schema", None)
    if declared is None:
        return None
    return tuple(declared(estimator)) if callable(declared) else tuple(declared)
