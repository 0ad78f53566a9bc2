"""Benchmark of accord.ray (docs/performance.md, "Python and Ray").

Runs one large forecast on a local Ray cluster with 1 worker CPU and with 2
(a fresh cluster each), one engine thread per task, and a small forecast
locally and on Ray to show the overhead. Prints a Markdown table.

    python python/bench/ray_speedup.py --samples 200000 --scenario eum

The large forecast is input-only (the scenario's own model, with the
dynamics named by --dynamics; no calibrated ensemble) so that the figure is
the Monte Carlo's. Every Ray result is checked against the local one.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

import accord
import accord.ray as ar
import ray


def scenario_with(dynamics: str, samples: int) -> str:
    """The embedded baseline with another dynamics and sample count, as a file."""
    text = accord.embedded_scenarios()["baseline"]
    assert "[settings]" not in text, "the baseline now has settings: edit them instead"
    text += f'\n[settings]\ndynamics = "{dynamics}"\nsamples = {samples}\n'
    fd, path = tempfile.mkstemp(suffix=".toml")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    return path


def timed(f):
    start = time.perf_counter()
    r = f()
    return time.perf_counter() - start, r


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--samples", type=int, default=200_000)
    p.add_argument("--small", type=int, default=1_000)
    p.add_argument("--dynamics", default="eum")
    p.add_argument("--tasks", type=int, default=8)
    args = p.parse_args()
    model = accord.embedded()
    scenario = scenario_with(args.dynamics, args.samples)
    rows = []
    os.environ["RAYON_NUM_THREADS"] = "1"
    t_local, local = timed(lambda: model.forecast(scenario, samples=args.samples, seed=1, input_only=True, no_limit=True))
    rows.append(("local, 1 engine thread", args.samples, t_local))
    for cpus in (1, 2):
        ray.init(num_cpus=cpus, include_dashboard=False, log_to_driver=False)
        # Warm-up: worker processes start and import accord once.
        ar.forecast(model, scenario, samples=64, seed=1, input_only=True, tasks=cpus)
        t, r = timed(
            lambda: ar.forecast(model, scenario, samples=args.samples, seed=1, input_only=True, no_limit=True, tasks=args.tasks)
        )
        assert r.json == local.json, "the Ray forecast differs from the local one"
        rows.append((f"Ray, {cpus} worker CPU(s), {args.tasks} tasks", args.samples, t))
        if cpus == 2:
            t_small_local, small = timed(lambda: model.forecast(scenario, samples=args.small, seed=1, input_only=True))
            t_small, small_ray = timed(lambda: ar.forecast(model, scenario, samples=args.small, seed=1, input_only=True, tasks=2))
            assert small_ray.json == small.json
            rows.append(("small: local, 1 engine thread", args.small, t_small_local))
            rows.append(("small: Ray, 2 worker CPUs, 2 tasks", args.small, t_small))
        ray.shutdown()
    os.unlink(scenario)
    print(f"| run ({args.dynamics} dynamics, input uncertainty only) | samples | seconds |")
    print("|---|---:|---:|")
    for name, n, t in rows:
        print(f"| {name} | {n:,} | {t:.2f} |")
    one, two = rows[1][2], rows[2][2]
    print(f"\nspeed-up 2 workers / 1 worker: {one / two:.2f}×")


if __name__ == "__main__":
    main()
