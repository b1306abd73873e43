"""Load time of a model file with and without the data-section checksum (issue 16).

Writes a random-weight A0 stream model (600 classes, the official size) with the current
writer (checksum in the metadata) and the same file without the checksum key (what files
written before it look like), then times, warm page cache, median of --repeat runs:
  * modelfile.read_model_file (header, validation, NaN check, checksum when present)
  * movicore.load (the above + BN folding + packing for the kernels)
  * the CRC-32C alone over the data section (GB/s)

    PYTHONPATH=. python tools/bench_load.py [--model a0] [--repeat 30]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import struct
import tempfile
import time
from pathlib import Path

import numpy as np

import movicore
from movicore import checksum, modelfile
from movicore.benchmark.models import write_random_model


def _strip_checksum(src: Path, dst: Path) -> None:
    raw = src.read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    del header["__metadata__"][checksum.KEY]
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-(8 + len(h)) % 8)
    dst.write_bytes(struct.pack("<Q", len(h)) + h + raw[8 + n:])


def _time(fn, repeat: int) -> tuple[float, float]:
    fn()  # warm: page cache, imports
    ts = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return statistics.median(ts) * 1e3, min(ts) * 1e3


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="a0")
    ap.add_argument("--repeat", type=int, default=30)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="movicore-load-") as tmp:
        new = write_random_model(args.model, Path(tmp) / "with_checksum.safetensors")
        old = Path(tmp) / "without_checksum.safetensors"
        _strip_checksum(new, old)
        raw, size = modelfile.read_header_bytes(new)
        data = np.memmap(new, dtype=np.uint8, mode="r")[8 + len(raw):]
        print(f"{args.model} stream, {size / 2**20:.1f} MiB file, {data.size / 2**20:.1f} MiB "
              f"data; {platform.processor() or platform.machine()}, "
              f"{movicore.cpu_info()['cpu']}, crc32c kernel {movicore._core.crc32c_kernel()}, "
              f"load average {os.getloadavg()[0]:.1f}; median (min) of {args.repeat}, ms")
        rows = [
            ("read_model_file, no checksum (old file)",
             _time(lambda: modelfile.read_model_file(old), args.repeat)),
            ("read_model_file, checksum verified",
             _time(lambda: modelfile.read_model_file(new), args.repeat)),
            ("movicore.load, no checksum (old file)",
             _time(lambda: movicore.load(old), args.repeat)),
            ("movicore.load, checksum verified",
             _time(lambda: movicore.load(new), args.repeat)),
            ("crc32c of the data section alone",
             _time(lambda: checksum.crc32c(data), args.repeat)),
        ]
        for name, (med, best) in rows:
            print(f"  {name:<42} {med:8.2f} ({best:.2f})")
        med = rows[-1][1][0]
        print(f"  crc32c throughput: {data.size / med / 1e6:.2f} GB/s (median)")


if __name__ == "__main__":
    main()
