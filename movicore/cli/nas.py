"""``movicore nas``: latency table, architecture search and compound scaling (docs/nas.md)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from movicore.cli._options import add_threads
from movicore.extras import require
from movicore.fileio import write_json_atomic

COMMAND = "nas"
HELP = "search the MoViNet space for the most accurate network within a latency budget"
DESCRIPTION = """\
profile  measure this CPU's per-layer engine latency over random points of the search space
         and write the latency table (JSON) that predicts any architecture's ms per frame.
search   evolutionary search under a latency budget (ms per input frame), accuracy by short
         training on the train split (synthetic motion set or a video folder); trials run in
         worker processes or as Ray tasks (--ray ADDRESS); resumable (same --out). Writes
         OUT/trials.jsonl, OUT/pareto.json, OUT/pareto.png, OUT/best.safetensors and
         OUT/result.json.
scale    compound-scale a searched model file into a family for several budgets.
sample   print a random point of the search space.

Example (budget = T0-stream at 64x64, 1 thread, on this machine):
  movicore nas profile -o runs/nas/latency.json --threads 1 --size 64
  movicore nas search --synthetic --budget-model t0 --budget-size 64 --trials 40 \\
      --table runs/nas/latency.json --out runs/nas/search --baseline t0
"""


def _floats(text: str) -> list[float]:
    try:
        return [float(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated numbers, got {text!r}"
                                         ) from None


def _ints(text: str) -> list[int]:
    try:
        return [int(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated ints, got {text!r}"
                                         ) from None


def _space_args(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("search space (default: the paper's)")
    g.add_argument("--width-mult", type=float, default=1.0,
                   help="scale every width of the space (small budgets: e.g. 0.5)")
    g.add_argument("--max-depth", type=int, default=None, help="cap layers per block")
    g.add_argument("--sizes", type=_ints, default=None, help="input sizes, e.g. 32,48,64")
    g.add_argument("--frame-strides", type=_ints, default=None, help="e.g. 1,2")


def add_arguments(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="nas_command", metavar="SUBCOMMAND", required=True)

    pr = sub.add_parser("profile", help="measure the latency table of this CPU")
    pr.add_argument("-o", "--output", required=True, metavar="TABLE.json")
    add_threads(pr, help="engine threads the latency table is measured with (default {default})")
    pr.add_argument("--size", type=int, default=None,
                    help="input size of every profiled model (default: the space's sizes)")
    pr.add_argument("--models", type=int, default=24, help="random architectures to profile")
    pr.add_argument("--seed", type=int, default=0)
    _space_args(pr)

    se = sub.add_parser("search", help="evolutionary search under a latency budget")
    src = se.add_mutually_exclusive_group(required=True)
    src.add_argument("--synthetic", action="store_true", help="built-in synthetic motion set")
    src.add_argument("--data", metavar="DIR", help="video folder (ROOT/<class>/*.mp4)")
    b = se.add_mutually_exclusive_group(required=True)
    b.add_argument("--budget-ms", type=float, help="ms per input frame")
    b.add_argument("--budget-model", metavar="ID",
                   help="budget = measured latency of this model's stream variant (e.g. t0)")
    se.add_argument("--budget-size", type=int, default=64, help="input size for --budget-model")
    se.add_argument("--trials", type=int, required=True)
    add_threads(se, help="engine threads of the target device (default {default})")
    se.add_argument("--workers", type=int, default=2, help="parallel trials (local processes)")
    se.add_argument("--ray", metavar="ADDRESS", help="run trials as Ray tasks on this cluster")
    se.add_argument("--table", metavar="TABLE.json",
                    help="latency table (default OUT/latency.json, profiled if missing)")
    se.add_argument("--out", default="runs/nas", help="output folder (resumable)")
    se.add_argument("--seed", type=int, default=0)
    se.add_argument("--population", type=int, default=16)
    se.add_argument("--sample", type=int, default=4, help="tournament size")
    se.add_argument("--initial", type=int, default=8, help="random trials before evolution")
    t = se.add_argument_group("trial training (short, on the train split)")
    t.add_argument("--steps", type=int, default=200)
    t.add_argument("--batch-size", type=int, default=16)
    t.add_argument("--lr", type=float, default=3e-3)
    t.add_argument("--frames", type=int, default=8, help="frames the network sees per clip")
    t.add_argument("--clutter", type=float, default=1.0, help="synthetic clutter (0..1)")
    t.add_argument("--search-clips", type=int, default=200, help="clips scoring each trial")
    t.add_argument("--test-clips", type=int, default=500, help="held-out clips (final)")
    f = se.add_argument_group("final training")
    f.add_argument("--final-steps", type=int, default=None,
                   help="train the best architecture this long (default 5x --steps)")
    f.add_argument("--final-epochs", type=int, default=4)
    f.add_argument("--curriculum", type=int, default=0,
                   help="final training: epochs of synthetic clutter ramp (0..--clutter)")
    f.add_argument("--baseline", metavar="ID",
                   help="also train this named model (stream) the same way and compare")
    _space_args(se)

    sc = sub.add_parser("scale", help="compound-scale a model file into a family")
    sc.add_argument("model", metavar="MODEL_FILE")
    sc.add_argument("--table", required=True, metavar="TABLE.json")
    sc.add_argument("--budgets", type=_floats, required=True, help="ms per frame, e.g. 1,2,4")
    sc.add_argument("--frame-stride", type=int, default=1)
    sc.add_argument("-o", "--output", required=True, metavar="FAMILY.json")

    sa = sub.add_parser("sample", help="print a random point of the space")
    sa.add_argument("--seed", type=int, default=0)
    _space_args(sa)


def _space(args: argparse.Namespace) -> Any:
    from movicore.nas.space import PAPER

    if args.width_mult <= 0:
        raise ValueError(f"--width-mult must be > 0, got {args.width_mult}")
    if args.max_depth is not None and args.max_depth < 1:
        raise ValueError(f"--max-depth must be >= 1, got {args.max_depth}")
    for name in ("sizes", "frame_strides"):
        v = getattr(args, name)
        if v is not None and (not v or min(v) < (16 if name == "sizes" else 1)):
            raise ValueError(f"--{name.replace('_', '-')}: need values >= "
                             f"{16 if name == 'sizes' else 1}, got {v}")
    return PAPER.scaled(args.width_mult, args.max_depth, args.sizes, args.frame_strides)


def _log(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _profile_configs(space: Any, n: int, seed: int, size: int | None) -> list[Any]:
    from movicore.nas import space as S

    configs = []
    for i in range(n):
        c = S.sample(seed + i, space, num_classes=(10, 600)[i % 2])
        configs.append(c.replace(input_size=size) if size else c)
    return configs


def run_profile(args: argparse.Namespace) -> int:
    from movicore.nas.latency import profile

    space = _space(args)
    if args.threads < 1 or args.models < 2:
        raise ValueError("--threads must be >= 1 and --models >= 2")
    if args.size is not None and args.size < 16:
        raise ValueError(f"--size must be >= 16, got {args.size}")
    out = Path(args.output)
    if not out.parent.is_dir():
        raise ValueError(f"no such folder: {out.parent}")
    table = profile(_profile_configs(space, args.models, args.seed, args.size),
                    threads=args.threads, log=_log)
    table["space"] = space.to_json()
    write_json_atomic(out, table)
    print(f"wrote {out}: {len(table['rows'])} op timings from {len(table['models'])} models")
    return 0


def _budget(args: argparse.Namespace) -> tuple[float, str]:
    from movicore import arch
    from movicore.nas.latency import measure

    if args.budget_ms is not None:
        return args.budget_ms, f"{args.budget_ms:.4g} ms/frame (given)"
    c = arch.default_config(args.budget_model, "stream", 10, input_size=args.budget_size)
    ms = measure(c, threads=args.threads, frames=60)["ms"]
    return ms, (f"{args.budget_model}-stream at {args.budget_size}x{args.budget_size}, "
                f"{args.threads} thread(s): {ms:.3f} ms/frame (measured)")


def run_search(args: argparse.Namespace) -> int:
    from movicore import arch
    from movicore.nas import report, search
    from movicore.nas.latency import LatencyModel, profile
    from movicore.nas.trial import DataSpec, TrainSpec

    # every trial trains a network and the run ends with pareto.png: refuse before profiling
    require("torch", "nas", "nas search (it trains every trial)", "PyTorch")
    require("matplotlib", "nas", "nas search (pareto.png)")
    if args.ray:
        require("ray", "nas", "--ray", "Ray")
    space = _space(args)
    if args.steps < 1 or args.batch_size < 1 or args.frames < 3:
        raise ValueError("--steps and --batch-size must be >= 1, --frames >= 3")
    if args.budget_model is not None and args.budget_model not in arch.MODEL_IDS:
        raise ValueError(f"--budget-model must be one of {arch.MODEL_IDS}, got "
                         f"{args.budget_model!r}")
    if args.baseline is not None and args.baseline not in arch.MODEL_IDS:
        raise ValueError(f"--baseline must be one of {arch.MODEL_IDS}, got {args.baseline!r}")
    if args.data is not None and not Path(args.data).is_dir():
        raise ValueError(f"--data: no such folder: {args.data}")
    if args.data is not None:  # unreadable videos: said (and a class without any refused) now
        from movicore.data.folder import VideoFolder, describe_skipped

        skipped = VideoFolder.split(args.data)[0].skipped
        if skipped:
            _log(describe_skipped(skipped))
    settings = search.Settings(budget_ms=1.0, trials=args.trials, workers=args.workers,
                               threads=args.threads, population=args.population,
                               sample=args.sample, initial=args.initial, seed=args.seed)
    settings.check()
    if args.table is not None and not Path(args.table).is_file():
        raise ValueError(f"--table: no such file: {args.table}")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    table_path = Path(args.table) if args.table else out / "latency.json"
    if not table_path.exists():
        _log(f"no latency table: profiling this CPU into {table_path}")
        sizes = sorted(set(space.input_sizes))
        configs = [c for i, s in enumerate(sizes)
                   for c in _profile_configs(space, max(2, 24 // len(sizes)), 1000 * i, s)]
        write_json_atomic(table_path, profile(configs, threads=args.threads, log=_log))
    latency = LatencyModel.load(table_path)

    state = out / "budget.json"  # the budget is measured once: a resumed search keeps it
    if state.exists():
        b = json.loads(state.read_text(encoding="utf-8"))
        budget, how = b["budget_ms"], b["how"]
    else:
        budget, how = _budget(args)
        write_json_atomic(state, {"budget_ms": budget, "how": how})
    settings.budget_ms = budget
    _log(f"budget: {how}")
    data = DataSpec(synthetic=args.synthetic, root=args.data, frames=args.frames,
                    train_seed=args.seed, search_seed=-1000 - args.seed,
                    test_seed=-2000 - args.seed, search_clips=args.search_clips,
                    test_clips=args.test_clips, clutter=args.clutter)
    train = TrainSpec(steps=args.steps, batch_size=args.batch_size, lr=args.lr, epochs=1,
                      threads=1)
    rows = search.run_search(out, space, settings, latency, data, train,
                             ray_address=args.ray, log=_log)
    report.write_front(out / "pareto.json", rows, budget, {"budget": how})
    best = search.best_within(rows, budget)
    if best is None:
        raise ValueError(f"no trial met the budget of {budget:.3f} ms (measured); see "
                         f"{out / 'trials.jsonl'}")
    result = _final(args, out, best, data, budget, how)
    marks = {"best (search split)": (best["latency_ms"], best["top1"])}
    if args.baseline:  # the named model trained like a trial: where it sits among them
        r = final_run(out / f"trial_{args.baseline}.json", f"{args.baseline} (trial budget)",
                      _baseline(args), out / f"trial_{args.baseline}.safetensors", data, train,
                      args.seed, args.threads)
        result[f"{args.baseline}_trial"] = r
        marks[f"{args.baseline.upper()} (trial budget)"] = (r["latency_ms"], r["search_top1"])
    report.plot_front(out / "pareto.png", rows, budget,
                      f"{len(rows)} trials, budget {budget:.4g} ms/frame", marks)
    write_json_atomic(out / "result.json", result)
    print(json.dumps({k: v for k, v in result.items() if k != "best_config"}, indent=1))
    return 0


def _final(args: argparse.Namespace, out: Path, best: dict[str, Any], data: Any,
           budget: float, how: str) -> dict[str, Any]:
    """Train the best architecture (and the baseline) with the same step budget; report
    held-out top-1 and measured latency."""
    import dataclasses

    from movicore import arch
    from movicore.nas import space as S
    from movicore.nas.trial import TrainSpec

    steps = args.final_steps or 5 * args.steps
    final_train = TrainSpec(steps=steps, batch_size=args.batch_size, lr=args.lr,
                            epochs=args.final_epochs, threads=1)
    final_data = dataclasses.replace(data, curriculum=args.curriculum)
    result: dict[str, Any] = {"budget_ms": budget, "budget": how, "final_steps": steps,
                              "best_trial": best["index"], "best_search_top1": best["top1"]}
    runs = [("best", S.Candidate(arch.Config.from_dict(best["config"]), best["frame_stride"]),
             out / "best.safetensors")]
    if args.baseline:
        runs.append((args.baseline, _baseline(args), out / f"{args.baseline}.safetensors"))
    for name, cand, path in runs:
        result[name] = final_run(out / f"final_{name}.json", name, cand, path, final_data,
                                 final_train, args.seed, args.threads)
    result["best_config"] = best["config"]
    return result


def _baseline(args: argparse.Namespace) -> Any:
    from movicore import arch
    from movicore.nas.space import Candidate
    from movicore.nas.trial import DataSpec

    classes = DataSpec(synthetic=args.synthetic, root=args.data).num_classes()
    return Candidate(arch.default_config(args.baseline, "stream", classes,
                                         input_size=args.budget_size), 1)


def final_run(record: Path, name: str, cand: Any, path: Path, data: Any, train: Any,
              seed: int, threads: int) -> dict[str, Any]:
    """Train ``cand`` to ``path`` and time it; the result is kept in ``record`` so that a
    resumed search (or a run started beside the search) does not train it again."""
    from movicore import arch
    from movicore.nas.latency import measure
    from movicore.nas.trial import train_candidate

    key = {"config": cand.config.to_dict(), "frame_stride": cand.frame_stride,
           "data": data.to_json(), "train": train.to_json(), "seed": seed, "threads": threads}
    key = json.loads(json.dumps(key))
    if record.exists() and path.exists():
        old = json.loads(record.read_text(encoding="utf-8"))
        if old.get("key") == key:
            _log(f"final training of {name}: done before ({record})")
            return old["result"]
    _log(f"final training of {name}: {train.steps} steps")
    r = train_candidate(cand, data, train, seed, export=str(path), log=_log)
    c = r["config"]
    ms = measure(c, threads=threads, frames=60)["ms"] / cand.frame_stride
    res = {"test_top1": r["test_top1"], "search_top1": r["search_top1"], "latency_ms": ms,
           "frame_stride": cand.frame_stride, "input_size": c.input_size,
           "parameters": arch.parameter_count(c),
           "macs_per_frame": arch.count_macs(c, 1, c.input_size, c.input_size),
           "train_seconds": r["train_seconds"], "model_file": str(path)}
    write_json_atomic(record, {"key": key, "result": res})
    return res


def run_scale(args: argparse.Namespace) -> int:
    from movicore import modelfile
    from movicore.nas.latency import LatencyModel
    from movicore.nas.scaling import family
    from movicore.nas.space import Candidate

    if args.frame_stride < 1 or not args.budgets or min(args.budgets) <= 0:
        raise ValueError("--frame-stride must be >= 1 and every budget > 0")
    latency = LatencyModel.load(args.table)
    mf = modelfile.read_any_file(args.model)
    if isinstance(mf, modelfile.EnsembleFile):
        raise ValueError(f"{args.model} is an ensemble; scale one model")  # noqa: TRY004
    members = family(Candidate(mf.config, args.frame_stride), args.budgets, latency)
    write_json_atomic(Path(args.output), {"base": mf.config.to_dict(), "members": members})
    for m in members:
        if m["phi"] is None:
            print(f"budget {m['budget_ms']:g} ms: no member fits")
        else:
            c = m["config"]
            depth = sum(len(b["expand"]) for b in c["blocks"]["blocks"])
            print(f"budget {m['budget_ms']:g} ms: phi {m['phi']:+.2f}, {c['input_size']}px, "
                  f"{depth} layers, frame stride {m['frame_stride']}, "
                  f"{m['predicted_ms']:.3f} ms predicted")
    return 0


def run_sample(args: argparse.Namespace) -> int:
    from movicore.nas import space as S

    print(json.dumps(S.sample(args.seed, _space(args)).to_dict(), indent=1))
    return 0


def run(args: argparse.Namespace) -> int:
    return {"profile": run_profile, "search": run_search, "scale": run_scale,
            "sample": run_sample}[args.nas_command](args)
