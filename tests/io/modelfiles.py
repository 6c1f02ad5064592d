"""Helpers to read, tamper with and hand-craft model files in tests."""

import io
import json
import zipfile

import numpy as np


def read_raw(path):
    """(metadata dict, {name: array}) of a model file, read with plain numpy."""
    with np.load(path, allow_pickle=False) as archive:
        meta = json.loads(str(archive["__metadata__"]))
        arrays = {k: archive[k] for k in archive.files if k != "__metadata__"}
    return meta, arrays


def write_raw(path, meta, arrays=None):
    """Write a model file from a metadata dict and arrays (no checks at all)."""
    np.savez(path, __metadata__=np.array(json.dumps(meta)), **(arrays or {}))


def npy_bytes(shape, dtype="<f8", payload=b""):
    """The bytes of an ``.npy`` member whose header declares ``shape`` but which holds
    only ``payload``: a file that claims a huge array without containing it."""
    header = {"descr": dtype, "fortran_order": False, "shape": tuple(shape)}
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, header)
    return buf.getvalue() + payload


def add_member(path, name, data):
    """Append a raw member (e.g. from :func:`npy_bytes`) to a zip file."""
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_STORED) as zf:
        zf.writestr(name, data)


def v1_meta(cls, params=None, attributes=None):
    """Version-1 metadata naming ``cls`` as ``module:qualname``."""
    return {"format": "clusterlab-model", "format_version": 1, "class": cls,
            "params": params or {}, "state": {"attributes": attributes or {}}}


def v2_meta(model):
    return {"format": "clusterlab-model", "format_version": 2, "model": model}
