"""Class label lists: the official Kinetics-600 order and label-file loading.

The Kinetics-600 list is the official class-index order of the MoViNet checkpoints
(``official/projects/movinet/files/kinetics_600_labels.txt`` in tensorflow/models), shipped
as package data so that converted 600-class checkpoints get real names by default.
"""

from __future__ import annotations

import functools
import os
from importlib import resources


@functools.cache
def kinetics600() -> tuple[str, ...]:
    """The 600 Kinetics-600 class names in official index order."""
    text = resources.files("movicore.data").joinpath("kinetics600_labels.txt").read_text("utf-8")
    labels = tuple(text.splitlines())
    if len(labels) != 600 or len(set(labels)) != 600:  # packaging error, not user input
        raise RuntimeError(f"bundled kinetics600_labels.txt is corrupt ({len(labels)} lines)")
    return labels


def __getattr__(name: str) -> object:
    # ``labels.KINETICS600`` is loaded on first use so that ``import movicore`` stays cheap.
    if name == "KINETICS600":
        return list(kinetics600())
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def read_labels_file(path: str | os.PathLike[str], num_classes: int | None = None) -> list[str]:
    """One label per line (UTF-8; a trailing newline and CRLF endings are accepted).

    Raises ValueError when the file is not UTF-8, has empty lines, or its line count differs
    from ``num_classes``.
    """
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except UnicodeDecodeError as exc:
        raise ValueError(f"labels file {path} is not valid UTF-8 (byte {exc.start})") from None
    labels = [line.rstrip("\r") for line in text.split("\n")]
    if labels and labels[-1] == "":
        labels.pop()
    empty = [i + 1 for i, s in enumerate(labels) if not s.strip()]
    if empty:
        raise ValueError(f"labels file {path}: line {empty[0]} is empty")
    if num_classes is not None and len(labels) != num_classes:
        raise ValueError(f"labels file {path} has {len(labels)} labels but the model has "
                         f"{num_classes} classes")
    return labels
