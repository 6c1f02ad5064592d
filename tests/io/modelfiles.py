"""Helpers to read, tamper with and hand-craft model files in tests."""

import io
import json
import zipfile

import numpy as np


def read_raw(path):
    """(metadata dict, {name: array or bytes}) of a model file, read with plain numpy;
    a safetensors member is kept as bytes under its full name (``module_.safetensors``)."""
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        blobs = {n: zf.read(n) for n in names if not n.endswith(".npy")}
    with np.load(path, allow_pickle=False) as archive:
        meta = json.loads(str(archive["__metadata__"]))
        arrays = {n[:-4]: archive[n[:-4]] for n in names
                  if n.endswith(".npy") and n != "__metadata__.npy"}
    return meta, {**arrays, **blobs}


def write_raw(path, meta, arrays=None):
    """Write a model file from a metadata dict and arrays or raw members (no checks)."""
    arrays = arrays or {}
    np.savez(path, __metadata__=np.array(json.dumps(meta)),
             **{k: v for k, v in arrays.items() if not isinstance(v, bytes)})
    for name, blob in arrays.items():
        if isinstance(blob, bytes):
            add_member(path, name, blob)


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
