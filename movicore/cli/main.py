"""``movicore`` entry point.

Every module in this package that defines ``COMMAND`` (name), ``HELP`` (one line),
``add_arguments(parser)`` and ``run(args) -> int`` is a subcommand; adding a command means
adding a file. Expected failures (bad input, malformed files, missing optional extras) print
one line ``movicore <cmd>: error: ...`` and exit 1, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
from types import ModuleType

import movicore.cli as _pkg
from movicore.errors import MovicoreError


def _commands() -> dict[str, ModuleType]:
    found = {}
    for info in pkgutil.iter_modules(_pkg.__path__):
        if info.name.startswith("_") or info.name == "main":
            continue
        mod = importlib.import_module(f"movicore.cli.{info.name}")
        if hasattr(mod, "COMMAND"):
            found[mod.COMMAND] = mod
    return dict(sorted(found.items()))


def build_parser() -> argparse.ArgumentParser:
    from movicore import __version__

    parser = argparse.ArgumentParser(prog="movicore", description="Streaming MoViNet video "
                                     "recognition on the CPU.")
    parser.add_argument("--version", action="version", version=f"movicore {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, mod in _commands().items():
        p = sub.add_parser(name, help=mod.HELP, description=getattr(mod, "DESCRIPTION", mod.HELP),
                           formatter_class=argparse.RawDescriptionHelpFormatter)
        mod.add_arguments(p)
        p.set_defaults(_run=mod.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    try:
        rc = int(args._run(args) or 0)
        sys.stdout.flush()  # a closed pipe shows up here, not at interpreter exit
        return rc
    except BrokenPipeError:
        return _reader_went_away()
    except (MovicoreError, ValueError, OSError, ImportError) as exc:
        print(f"movicore {args.command}: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"movicore {args.command}: interrupted", file=sys.stderr)
        return 130


def _reader_went_away() -> int:
    """stdout's reader closed the pipe (``movicore inspect FILE | head``): stop quietly, as
    a command killed by SIGPIPE would, without Python's 'Exception ignored ... BrokenPipeError'
    when it flushes stdout at exit."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # stdout without a file descriptor (tests capture it)
        pass
    return 128 + 13  # the shell's status for a command ended by SIGPIPE


if __name__ == "__main__":
    sys.exit(main())
