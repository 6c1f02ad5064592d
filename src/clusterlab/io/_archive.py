"""Reading a model file's ``.npz`` lazily: headers first, then only the arrays asked for.

A ``.npz`` is a zip of ``.npy`` members. :class:`Archive` lists the members
without reading them, reads an array's header (dtype, shape) from its member
alone, and reads the data only when asked, after the caller has checked the
header. Members must be stored uncompressed and hold exactly the bytes their
header declares, so reading an array never allocates more than the file
physically holds.
"""

import json
import math
import os
import zipfile

import numpy as np

from clusterlab.io import _safetensors
from clusterlab.io.errors import Malformed

METADATA = "__metadata__"
MAX_METADATA_BYTES = 64 * 2**20
_MAX_HEADER = 10_000


class Archive:
    """A model file opened for lazy reading (use as a context manager).

    Examples
    --------
    >>> import os, tempfile, numpy as np
    >>> path = os.path.join(tempfile.mkdtemp(), "a.npz")
    >>> np.savez(path, __metadata__=np.array("{}"), x=np.arange(3.0))
    >>> with Archive(path) as archive:
    ...     archive.header("x")[:2], archive.read("x").tolist()
    (((3,), dtype('float64')), [0.0, 1.0, 2.0])
    """

    def __init__(self, path):
        self.size = os.path.getsize(path)
        try:
            self._zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError) as exc:
            raise Malformed(f"not a model file (not a zip/npz archive: {exc})") from None
        names = [info.filename for info in self._zip.infolist()]
        if len(set(names)) != len(names):
            self._zip.close()
            raise Malformed("the archive holds two members of the same name")
        self.members, self._suffix = {}, {}
        for info in self._zip.infolist():
            stem, dot, suffix = info.filename.rpartition(".")
            if not dot or suffix not in ("npy", "safetensors") or stem in self.members:
                self._zip.close()
                raise Malformed(f"the archive holds {info.filename!r}, which is not an .npy "
                                "array or safetensors weights (or repeats a name)")
            self.members[stem], self._suffix[stem] = info, suffix

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._zip.close()

    def _info(self, key, suffix="npy"):
        if self._suffix.get(key) != suffix:
            raise Malformed(f"the {'array' if suffix == 'npy' else 'weights'} {key!r} the "
                            "metadata refers to is not in the file")
        info = self.members[key]
        if info.compress_type != zipfile.ZIP_STORED:
            raise Malformed(f"array {key!r} is compressed; model files store arrays uncompressed")
        if info.header_offset + info.file_size > self.size or info.compress_size != info.file_size:
            raise Malformed(f"array {key!r} claims more bytes than the file holds")
        return info

    def header(self, key):
        """``(shape, dtype, fortran_order)`` of a member, reading only its header."""
        try:
            return self._header(key)
        except (zipfile.BadZipFile, EOFError, OSError) as exc:
            raise Malformed(f"the archive is damaged at array {key!r} ({exc})") from None

    def _header(self, key):
        info = self._info(key)
        with self._zip.open(info) as fh:
            try:
                version = np.lib.format.read_magic(fh)
                if version == (1, 0):
                    header = np.lib.format.read_array_header_1_0(fh, max_header_size=_MAX_HEADER)
                elif version == (2, 0):
                    header = np.lib.format.read_array_header_2_0(fh, max_header_size=_MAX_HEADER)
                else:
                    raise ValueError(f"unsupported .npy version {version}")
            except (ValueError, SyntaxError, TypeError, EOFError, OverflowError) as exc:
                raise Malformed(f"array {key!r} has an invalid .npy header ({exc})") from None
            offset = fh.tell()
        shape, fortran, dtype = header
        if dtype.hasobject or dtype.fields is not None or dtype.subdtype is not None:
            raise Malformed(f"array {key!r} has dtype {dtype}; only plain dtypes are stored")
        count = math.prod(shape)
        if offset + count * dtype.itemsize != info.file_size:
            raise Malformed(
                f"array {key!r} declares shape {shape} of {dtype} "
                f"({count * dtype.itemsize} bytes) but holds {info.file_size - offset} bytes"
            )
        return shape, dtype, fortran

    def read(self, key):
        """The array ``key`` (call :meth:`header` first to check its size)."""
        self.header(key)
        try:
            with self._zip.open(self._info(key)) as fh:
                arr = np.lib.format.read_array(fh, allow_pickle=False,
                                               max_header_size=_MAX_HEADER)
        except (ValueError, OSError, EOFError, zipfile.BadZipFile) as exc:
            raise Malformed(f"the archive is damaged at array {key!r} ({exc})") from None
        # the kernels need native byte order (a file may come from another machine)
        return arr if arr.dtype.isnative else arr.astype(arr.dtype.newbyteorder("="))

    def weights_header(self, key):
        """The parsed safetensors header of member ``key`` (names, shapes, byte ranges)."""
        info = self._info(key, "safetensors")
        try:
            with self._zip.open(info) as fh:
                return _safetensors.parse_header(fh.read(8), fh.read, info.file_size)
        except (zipfile.BadZipFile, EOFError, OSError) as exc:
            raise Malformed(f"the archive is damaged at weights {key!r} ({exc})") from None

    def weights(self, key, header):
        """The arrays of safetensors member ``key`` (its header checked by the caller)."""
        info = self._info(key, "safetensors")
        try:
            with self._zip.open(info) as fh:
                return _safetensors.from_bytes(fh.read(info.file_size), header)
        except (zipfile.BadZipFile, EOFError, OSError, ValueError) as exc:
            raise Malformed(f"the archive is damaged at weights {key!r} ({exc})") from None

    def metadata(self):
        """The JSON metadata (a dict), read under a size cap."""
        if METADATA not in self.members:
            raise Malformed("not a clusterlab model file (no __metadata__ entry)")
        shape, dtype, _ = self.header(METADATA)
        if dtype.kind not in "US" or shape != ():
            raise Malformed("the __metadata__ entry is not a string")
        if self.members[METADATA].file_size > MAX_METADATA_BYTES:
            raise Malformed(f"the metadata is larger than {MAX_METADATA_BYTES} bytes")
        raw = self.read(METADATA)[()]
        try:
            text = raw.decode("utf-8") if isinstance(raw, bytes) else str(raw)
            meta = json.loads(text)
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError, ValueError) as exc:
            raise Malformed(f"the metadata is not valid JSON ({exc})") from None
        if not isinstance(meta, dict):
            raise Malformed("the metadata is not a JSON object")
        return meta


def write(path, metadata, arrays, weights=None):
    """Write ``metadata`` (JSON-able), ``arrays`` and safetensors ``weights`` (member
    name -> {tensor name -> array}) to ``path`` (a temporary file)."""
    text = json.dumps(metadata, allow_nan=True)
    with open(path, "wb") as fh:
        np.savez(fh, **{METADATA: np.array(text)}, **arrays)
    if weights:
        with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_STORED) as zf:
            for key, tensors in weights.items():
                zf.writestr(key + ".safetensors", _safetensors.to_bytes(tensors))
