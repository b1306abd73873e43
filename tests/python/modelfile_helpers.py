"""Take a model file apart and put it back together, for tests that edit headers or bytes."""

from __future__ import annotations

import json
import struct
from pathlib import Path
from typing import Any

from movicore import checksum


def split(path: Path) -> tuple[dict[str, Any], bytes]:
    """(parsed JSON header, data section) of a safetensors file."""
    raw = path.read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    return json.loads(raw[8:8 + n]), raw[8 + n:]


def assemble(header: dict[str, Any] | bytes, data: bytes, *, restamp: bool = False) -> bytes:
    """A file from an (edited) header and data section. ``restamp``: a dict header's checksum
    is recomputed for ``data``, as a writer would, so that a test of another check is not
    stopped by a checksum mismatch first."""
    if restamp and isinstance(header, dict) and isinstance(header.get("__metadata__"), dict) \
            and checksum.KEY in header["__metadata__"]:
        header["__metadata__"][checksum.KEY] = checksum.format_value(checksum.crc32c(data))
    h = header if isinstance(header, bytes) else json.dumps(header).encode()
    return struct.pack("<Q", len(h)) + h + data
