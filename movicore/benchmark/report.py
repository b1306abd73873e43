"""Human-readable table and optional bar chart of a benchmark report."""

from __future__ import annotations

import os
from typing import Any

from movicore.fileio import save_figure_atomic


def _mib(x: dict[str, float] | None) -> str:
    return "-" if x is None else f"{x['median']:.1f}"


def format_table(report: dict[str, Any]) -> str:
    m, h = report["model"], report["host"]
    st = report["settings"]
    lines = [
        (f"model: {m['model_id']}-stream @{m['height']}x{m['width']} ({m['source']}), "
         f"{m['macs_per_frame'] / 1e6:.1f} M MACs/frame"),
        f"cpu: {h['cpu_model']} ({h['affinity_cpus']} cpus), movicore ISA {h['isa']}",
        (f"frames: {st['frames']} timed after {st['warmup']} warm-up, {st['repeat']} fresh "
         f"process(es) per cell; peak {st['peak_gflops_per_core']:.0f} GFLOP/s per core"),
        "",
        (f"{'engine':<12} {'thr':>3} {'median ms':>10} {'(min..max)':>15} {'p90 ms':>8} "
         f"{'fps':>7} {'GFLOP/s':>8} {'floor%':>7} {'RSS+MiB':>8} {'state KiB':>9} {'vs':>14}"),
    ]
    for r in report["results"]:
        if r.get("status") != "ok":
            lines.append(f"{r['engine']:<12} {r['threads']:>3} {r['status']}: {r.get('reason')}")
            continue
        md = r["median_ms"]
        vs = ", ".join(f"{k} {v:.2f}x" for k, v in r.get("time_ratio_vs", {}).items())
        lines.append(
            f"{r['engine']:<12} {r['threads']:>3} {md['median']:>10.2f} "
            f"{'(' + format(md['min'], '.2f') + '..' + format(md['max'], '.2f') + ')':>15} "
            f"{r['p90_ms']['median']:>8.2f} {r['fps']:>7.1f} {r['gflops']:>8.1f} "
            f"{r['floor_pct']:>6.1f}% {_mib(r['rss_increment_mib']):>8} "
            f"{r['state_bytes'] / 1024:>9.0f} {vs:>14}")
    if any(r.get("time_ratio_vs") for r in report["results"]):
        lines.append("vs = movicore time / peer time at the same threads (< 1: movicore faster)")
    if report.get("streams"):
        lines += ["", (f"{'streams':>7} {'mode':<11} {'frames/s/core':>14} {'(min..max)':>15} "
                       f"{'frames/s':>9} {'cores':>5} {'cpu ms/frame':>12}")]
        for s in report["streams"]:
            if s.get("status") != "ok":
                what = "skipped" if s.get("status") == "skipped" else "error"
                lines.append(f"{s['streams']:>7} {s['mode']:<11} {what}: {s.get('reason')}")
                continue
            f = s["fps_per_core"]
            lines.append(f"{s['streams']:>7} {s['mode']:<11} {f['median']:>14.1f} "
                         f"{'(' + format(f['min'], '.1f') + '..' + format(f['max'], '.1f') + ')':>15}"
                         f" {s['fps_total']['median']:>9.1f} {s['cores_used']:>5}"
                         f" {s.get('cpu_ms_per_frame', {}).get('median', float('nan')):>12.2f}")
    return "\n".join(lines)


def plot(report: dict[str, Any], path: str | os.PathLike[str]) -> None:
    """Bar chart of median ms/frame per engine and thread count (min..max as error bars)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = [r for r in report["results"] if r.get("status") == "ok"]
    engines = list(dict.fromkeys(r["engine"] for r in rows))
    threads = list(dict.fromkeys(r["threads"] for r in rows))
    fig, ax = plt.subplots(figsize=(1.6 + 1.4 * len(engines) * len(threads) / 2, 3.6))
    width = 0.8 / max(1, len(threads))
    for j, t in enumerate(threads):
        xs, ys, lo, hi = [], [], [], []
        for i, e in enumerate(engines):
            r = next((r for r in rows if r["engine"] == e and r["threads"] == t), None)
            if r is None:
                continue
            md = r["median_ms"]
            xs.append(i + (j - (len(threads) - 1) / 2) * width)
            ys.append(md["median"])
            lo.append(md["median"] - md["min"])
            hi.append(md["max"] - md["median"])
        ax.bar(xs, ys, width, yerr=[lo, hi], capsize=3, label=f"{t} thread(s)")
    ax.set_xticks(range(len(engines)), engines)
    ax.set_ylabel("ms / frame (median)")
    m = report["model"]
    ax.set_title(f"{m['model_id']}-stream @{m['height']}: per-frame latency")
    ax.legend()
    fig.tight_layout()
    save_figure_atomic(fig, path, dpi=120)
    plt.close(fig)
