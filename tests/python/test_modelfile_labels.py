"""Bundled Kinetics-600 label list and label-file parsing."""

from __future__ import annotations

from pathlib import Path

import pytest

from movicore import labels


def test_kinetics600() -> None:
    names = labels.kinetics600()
    assert len(names) == 600 and len(set(names)) == 600
    assert all(n == n.strip() and n for n in names)
    # The official file is sorted (byte order); spot-check both ends.
    assert list(names) == sorted(names)
    assert names[0] == "abseiling" and names[-1] == "zumba"
    assert list(names) == labels.KINETICS600


def test_read_labels_file(tmp_path: Path) -> None:
    p = tmp_path / "l.txt"
    p.write_bytes("a\r\nb c\r\nd\u00e9\n".encode())
    assert labels.read_labels_file(p) == ["a", "b c", "d\u00e9"]
    assert labels.read_labels_file(p, 3) == ["a", "b c", "d\u00e9"]
    with pytest.raises(ValueError, match="has 3 labels but the model has 4"):
        labels.read_labels_file(p, 4)
    p.write_text("a\n \nc")
    with pytest.raises(ValueError, match="line 2 is empty"):
        labels.read_labels_file(p)
