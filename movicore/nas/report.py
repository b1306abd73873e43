"""Search outputs: the Pareto front as JSON and as a PNG of top-1 vs measured latency."""

from __future__ import annotations

import os
from typing import Any

from movicore.fileio import save_figure_atomic, write_json_atomic
from movicore.nas.search import pareto_front


def write_front(path: str | os.PathLike[str], rows: list[dict[str, Any]], budget_ms: float,
                extra: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    front = pareto_front(rows)
    doc = {"budget_ms": budget_ms, "trials": len(rows),
           "front": [{k: r[k] for k in ("index", "top1", "latency_ms", "predicted_ms",
                                         "frame_stride", "config") if k in r} for r in front]}
    doc.update(extra or {})
    write_json_atomic(path, doc)
    return front


def plot_front(path: str | os.PathLike[str], rows: list[dict[str, Any]], budget_ms: float,
               title: str, marks: dict[str, tuple[float, float]] | None = None) -> None:
    """Every trial (grey), the front (line), the budget and named marks (e.g. T0, best)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    front = pareto_front(rows)
    fig, ax = plt.subplots(figsize=(6.4, 4.2), dpi=120)
    ax.scatter([r["latency_ms"] for r in rows], [100 * r["top1"] for r in rows], s=14,
               c="0.6", label=f"trials ({len(rows)})")
    ax.plot([r["latency_ms"] for r in front], [100 * r["top1"] for r in front], "o-", c="C0",
            ms=4, label="Pareto front")
    ax.axvline(budget_ms, c="C3", ls="--", lw=1, label=f"budget {budget_ms:.3g} ms")
    for i, (name, (x, y)) in enumerate((marks or {}).items()):
        ax.scatter([x], [100 * y], marker="*", s=120, c=f"C{i + 1}", label=name, zorder=3)
    ax.set_xlabel("measured latency (ms per input frame)")
    ax.set_ylabel("top-1 (%)")
    ax.set_title(title, fontsize=9)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
    fig.tight_layout()
    save_figure_atomic(fig, path)
    plt.close(fig)
