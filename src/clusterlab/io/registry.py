"""The classes a model file may name: an explicit registry, never an import by name.

A model file names its class by a stable registered name (``"KMeans"``). The
loader looks that name up here and gets the class from the public facade the
table names (``clusterlab.KMeans``), so moving a class between private modules
never breaks old files, and no string from a file is ever imported. Version 1
files named ``module:qualname``; those strings are aliases of the registered
names (old paths keep loading after a class moves).

Hyperparameters that are objects (a mixture ``family``, a covariance
structure) are registered the same way; a user-defined family can be saved
only after :func:`register_family`.

Examples
--------
>>> from clusterlab.io.registry import get_class, name_of
>>> cls = get_class("KMeans")
>>> name_of(cls), get_class("clusterlab.cluster._kmeans:KMeans") is cls
('KMeans', True)
"""

from importlib import import_module

from clusterlab._validation.schema import Field
from clusterlab.io.errors import Malformed

# registered name -> (public facade, attribute): fixed strings in this file, never from a file
_CLASSES = {
    "KMeans": ("clusterlab", "KMeans"),
    "MiniBatchKMeans": ("clusterlab", "MiniBatchKMeans"),
    "FuzzyCMeans": ("clusterlab", "FuzzyCMeans"),
    "AgglomerativeClustering": ("clusterlab", "AgglomerativeClustering"),
    "Tree": ("clusterlab", "Tree"),
    "GaussianMixture": ("clusterlab", "GaussianMixture"),
    "MixtureModel": ("clusterlab", "MixtureModel"),
    "KernelDensity": ("clusterlab", "KernelDensity"),
    "VAE": ("clusterlab.deep", "VAE"),
    "DeepClustering": ("clusterlab.deep", "DeepClustering"),
    "Pipeline": ("sklearn.pipeline", "Pipeline"),
    "StandardScaler": ("sklearn.preprocessing", "StandardScaler"),
    "RobustScaler": ("sklearn.preprocessing", "RobustScaler"),
    "ColumnSelector": ("clusterlab.io.steps", "ColumnSelector"),
    "LabelTransfer": ("clusterlab.io.steps", "LabelTransfer"),
}

# the ``module:qualname`` strings of version-1 files (and paths classes have lived at)
_ALIASES = {
    "clusterlab.cluster._kmeans:KMeans": "KMeans",
    "clusterlab.cluster._minibatch:MiniBatchKMeans": "MiniBatchKMeans",
    "clusterlab.cluster._fuzzy:FuzzyCMeans": "FuzzyCMeans",
    "clusterlab.cluster._hc_estimator:AgglomerativeClustering": "AgglomerativeClustering",
    "clusterlab.cluster._hierarchical:AgglomerativeClustering": "AgglomerativeClustering",
    "clusterlab.cluster._hierarchical:Tree": "Tree",
    "clusterlab.cluster.hierarchy._estimator:AgglomerativeClustering": "AgglomerativeClustering",
    "clusterlab.cluster.hierarchy._tree:Tree": "Tree",
    "clusterlab.mixture._gaussian_mixture:GaussianMixture": "GaussianMixture",
    "clusterlab.mixture._mixture:MixtureModel": "MixtureModel",
    "clusterlab.density._kde:KernelDensity": "KernelDensity",
    "clusterlab.deep._vae:VAE": "VAE",
    "clusterlab.deep._clustering:DeepClustering": "DeepClustering",
}

# hyperparameter objects: families and covariance structures
_OBJECTS = {
    name: ("clusterlab.mixture.families", name)
    for name in ("Gaussian", "Bernoulli", "Categorical", "Poisson",
                 "Full", "Tied", "Diag", "Spherical", "FixedSpherical")
}
_USER_OBJECTS = {}


def _resolve(table, name):
    module, attr = table[name]
    return getattr(import_module(module), attr)


def get_class(name):
    """The registered class for ``name`` (a registered name or a version-1 alias).

    Raises
    ------
    ValueError
        (``Malformed``) when ``name`` is not registered.

    Examples
    --------
    >>> get_class("GaussianMixture").__name__
    'GaussianMixture'
    """
    if not isinstance(name, str):
        raise Malformed(f"the class name must be a string; got {type(name).__name__}")
    name = _ALIASES.get(name, name)
    if name not in _CLASSES:
        raise Malformed(f"class {name!r} is not one of the saveable classes {sorted(_CLASSES)}")
    return _resolve(_CLASSES, name)


def name_of(cls):
    """The registered name of ``cls`` (exactly that class, not a subclass), or ``None``.

    Examples
    --------
    >>> from sklearn.preprocessing import StandardScaler
    >>> name_of(StandardScaler), name_of(dict)
    ('StandardScaler', None)
    """
    module = getattr(cls, "__module__", "")
    for name, (facade, attr) in _CLASSES.items():
        if attr == cls.__name__ and module.split(".")[0] == facade.split(".")[0]:
            if _resolve(_CLASSES, name) is cls:
                return name
    return None


def get_object_class(name):
    """The registered hyperparameter-object class (family or structure) for ``name``.

    Examples
    --------
    >>> get_object_class("Bernoulli")().name
    'bernoulli'
    """
    if isinstance(name, str) and name in _USER_OBJECTS:
        return _USER_OBJECTS[name]
    if not isinstance(name, str) or name not in _OBJECTS:
        raise Malformed(
            f"object {name!r} is not a registered family or structure "
            f"({sorted(_OBJECTS) + sorted(_USER_OBJECTS)}); a user-defined family loads "
            "only after clusterlab.io.register_family"
        )
    return _resolve(_OBJECTS, name)


def object_name_of(obj):
    """The registered name of a hyperparameter object's class, or ``None``.

    Examples
    --------
    >>> from clusterlab.mixture.families import Poisson
    >>> object_name_of(Poisson())
    'Poisson'
    """
    cls = type(obj)
    for name, registered in _USER_OBJECTS.items():
        if registered is cls:
            return name
    name = cls.__name__
    if name in _OBJECTS and _resolve(_OBJECTS, name) is cls:
        return name
    return None


def register_family(cls, name=None):
    """Let :func:`clusterlab.save_model` store mixtures of a user-defined family.

    The family must declare the fitted parameters it produces, as
    ``param_fields(self)`` returning :class:`~clusterlab._validation.schema.Field`
    objects (shapes in terms of ``n_components`` and ``n_features_in_``), and
    take only JSON values (numbers, strings, lists) as constructor arguments,
    stored as attributes of the same name. A file names the family by
    ``name``; loading it needs the same registration in the loading process.

    Parameters
    ----------
    cls : type
        A subclass of :class:`~clusterlab.mixture.families.Family`.
    name : str, optional
        The name stored in files (default: the class name).

    Examples
    --------
    >>> from clusterlab.mixture.families import Poisson
    >>> class Counts(Poisson):
    ...     pass
    >>> register_family(Counts, "my-counts")
    >>> object_name_of(Counts())
    'my-counts'
    >>> unregister_family("my-counts")
    """
    name = cls.__name__ if name is None else name
    if name in _OBJECTS:
        raise ValueError(f"{name!r} is a built-in family or structure name; choose another.")
    if not callable(getattr(cls, "param_fields", None)):
        raise TypeError(
            f"{cls.__name__} must declare param_fields(self) (the schema of its parameters) "
            "to be saved in model files."
        )
    _USER_OBJECTS[name] = cls


def unregister_family(name):
    """Undo :func:`register_family` (no error if ``name`` is not registered).

    Examples
    --------
    >>> unregister_family("never-registered")
    """
    _USER_OBJECTS.pop(name, None)


# Schemas of the scikit-learn classes, which cannot carry a class attribute of ours.
_FEATURES = Field("n_features_in_", "int", low=1)
_SKLEARN_SCHEMAS = {
    "Pipeline": (),
    "StandardScaler": (
        _FEATURES,
        Field("mean_", "array", shape=("n_features_in_",), nullable=True),
        Field("var_", "array", shape=("n_features_in_",), nullable=True, low=0),
        Field("scale_", "array", shape=("n_features_in_",), nullable=True, low=0),
        Field("n_samples_seen_", "float", low=0),
    ),
    "RobustScaler": (
        _FEATURES,
        Field("center_", "array", shape=("n_features_in_",), nullable=True),
        Field("scale_", "array", shape=("n_features_in_",), nullable=True, low=0),
    ),
}


def sklearn_schema(cls):
    """The declared fitted fields of a registered scikit-learn class, or ``None``.

    Examples
    --------
    >>> from sklearn.preprocessing import RobustScaler
    >>> [f.name for f in sklearn_schema(RobustScaler)]
    ['n_features_in_', 'center_', 'scale_']
    """
    return _SKLEARN_SCHEMAS.get(name_of(cls))


def registered_names():
    """Every registered class name.

    Examples
    --------
    >>> "KMeans" in registered_names()
    True
    """
    return sorted(_CLASSES)
