"""Torch weights as a safetensors member: written and parsed here, checked before use.

The safetensors format is an 8-byte little-endian header length, a JSON header
``{name: {"dtype", "shape", "data_offsets": [begin, end]}}`` and the raw
little-endian tensor bytes, with no gaps. It cannot hold code. Parsing the
header first lets the loader compare every name and shape with the
architecture the hyperparameters describe before a byte of weights is read;
the file can then be opened by the ``safetensors`` library as well.

Examples
--------
>>> import numpy as np
>>> blob = to_bytes({"w": np.ones((2, 3), np.float32)})
>>> header = parse_header(blob[:8], lambda n: blob[8:8 + n], len(blob))
>>> header["w"]
((2, 3), dtype('float32'), 0, 24)
>>> from_bytes(blob, header)["w"].sum()
np.float32(6.0)
"""

import json
import math
import struct

import numpy as np

from clusterlab.io.errors import Malformed

_DTYPES = {"F32": np.dtype("<f4"), "F64": np.dtype("<f8")}
_CODES = {v: k for k, v in _DTYPES.items()}
MAX_HEADER = 16 * 2**20


def to_bytes(arrays):
    """The safetensors bytes of ``arrays`` (name -> float32/float64 array)."""
    header, offset, chunks = {}, 0, []
    for name, arr in arrays.items():
        arr = np.ascontiguousarray(arr)
        dtype = arr.dtype.newbyteorder("<")
        if dtype not in _CODES:
            raise TypeError(f"cannot store weight {name!r} of dtype {arr.dtype}")
        data = arr.astype(dtype, copy=False).tobytes()
        header[name] = {"dtype": _CODES[dtype], "shape": list(arr.shape),
                        "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        chunks.append(data)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)  # the data starts 8-byte aligned
    return struct.pack("<Q", len(text)) + text + b"".join(chunks)


def parse_header(first8, read, size):
    """``{name: (shape, dtype, begin, end)}`` from a member of ``size`` bytes.

    ``read(n)`` returns the next ``n`` bytes after the first eight. Offsets
    are relative to the data section, which must be covered exactly.
    """
    if len(first8) != 8:
        raise Malformed("the weights are not in safetensors format (too short)")
    (n,) = struct.unpack("<Q", first8)
    if n > min(MAX_HEADER, size - 8):
        raise Malformed(f"the weights' safetensors header claims {n} bytes")
    try:
        header = json.loads(read(n))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError, ValueError) as exc:
        raise Malformed(f"the weights' safetensors header is not JSON ({exc})") from None
    if not isinstance(header, dict):
        raise Malformed("the weights' safetensors header is not an object")
    header.pop("__metadata__", None)
    out, spans = {}, []
    for name, entry in header.items():
        out[name] = _entry(name, entry)
        spans.append(out[name][2:])
    covered = 0
    for begin, end in sorted(spans):
        if begin != covered:
            raise Malformed("the weights' safetensors data has gaps or overlaps")
        covered = end
    if covered != size - 8 - n:
        raise Malformed(f"the weights' safetensors data is {size - 8 - n} bytes; "
                        f"the header describes {covered}")
    return out


def _entry(name, entry):
    ok = isinstance(entry, dict) and set(entry) == {"dtype", "shape", "data_offsets"}
    shape = entry.get("shape") if ok else None
    offsets = entry.get("data_offsets") if ok else None
    ok = ok and entry["dtype"] in _DTYPES and isinstance(shape, list) and all(
        isinstance(s, int) and not isinstance(s, bool) and s >= 0 for s in shape)
    ok = ok and isinstance(offsets, list) and len(offsets) == 2 and all(
        isinstance(o, int) and not isinstance(o, bool) and o >= 0 for o in offsets)
    if not ok:
        raise Malformed(f"weight {name!r} has a malformed safetensors entry")
    dtype = _DTYPES[entry["dtype"]]
    begin, end = offsets
    if end - begin != math.prod(shape) * dtype.itemsize:
        raise Malformed(f"weight {name!r}: its byte range does not match shape {shape}")
    return tuple(shape), dtype, begin, end


def from_bytes(blob, header):
    """Arrays (copies, writeable) from the member's bytes and its parsed header."""
    (n,) = struct.unpack("<Q", blob[:8])
    start = 8 + n
    return {name: np.frombuffer(blob, dtype, math.prod(shape), start + begin)
            .reshape(shape).copy()
            for name, (shape, dtype, begin, _) in header.items()}
