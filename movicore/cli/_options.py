"""Options several subcommands share, so their spelling and help text cannot drift apart."""

from __future__ import annotations

import argparse

THREADS_HELP = ("worker threads of each engine (default {default}); 1 = the calling thread only. "
                "More threads help large inputs and many streams; small models on one stream "
                "gain little beyond 2")


def add_threads(p: argparse.ArgumentParser, default: int = 1, help: str | None = None) -> None:
    """``--threads N``; validated (1..256) where the engine is built, like the Python API."""
    p.add_argument("--threads", type=int, default=default, metavar="N",
                   help=(help or THREADS_HELP).format(default=default))
