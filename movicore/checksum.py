"""Model-file checksum: CRC-32C of the data section (every byte after the header).

Stored in ``__metadata__["checksum"]`` as ``"crc32c:<8 lowercase hex digits>"`` by every writer
(:func:`movicore.modelfile.assemble_header`), verified by every reader when present (files
written before checksums existed carry none and still load). safetensors itself has no
checksum, so without it a flipped bit in the weights would load silently.

CRC-32C because CPUs compute it in hardware (SSE4.2 ``crc32``, the ARMv8 CRC extension) at
several GB/s in the compiled core, so verifying costs far less than reading the file; the
core falls back to a portable table method elsewhere.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from movicore.errors import ModelFormatError

KEY = "checksum"
ALGORITHM = "crc32c"
_VALUE = re.compile(r"crc32c:([0-9a-f]{8})")


def crc32c(data: Any, crc: int = 0) -> int:
    """CRC-32C of a C-contiguous buffer, continuing from ``crc`` (the CRC of the bytes before)."""
    from movicore._native import core

    return int(core().crc32c(data, crc))


def of_chunks(chunks: Iterable[Any]) -> str:
    """The metadata value for a data section given as consecutive C-contiguous buffers."""
    crc = 0
    for chunk in chunks:
        crc = crc32c(chunk, crc)
    return format_value(crc)


def format_value(crc: int) -> str:
    return f"{ALGORITHM}:{crc:08x}"


def parse_value(value: str) -> int:
    """The CRC stored in a metadata value; ModelFormatError when it is not ``crc32c:<hex8>``."""
    m = _VALUE.fullmatch(value)
    if m is None:
        raise ModelFormatError(f"__metadata__ {KEY} must be '{ALGORITHM}:' and 8 lowercase hex "
                               f"digits, got {value[:40]!r}")
    return int(m.group(1), 16)


def verify(value: str, data: Any, where: str) -> None:
    """Raise ModelFormatError unless ``data`` (the whole data section) has checksum ``value``."""
    want = parse_value(value)
    got = crc32c(data)
    if got != want:
        raise ModelFormatError(
            f"{where}: checksum mismatch: the data section has {format_value(got)} but the "
            f"header records {format_value(want)}: the file is corrupt (a damaged copy or "
            f"disk); download or convert it again")
