"""Accord on a Ray cluster: forecasts, comparisons and the exhaustive lever
search as Ray tasks over chunks of samples or candidates, reduced in the same
fixed order as a local run — so the result is **identical** to the local one
for the same seed and samples, whatever the number of workers or tasks.

Ray is imported only when a function here is called (``pip install
./python[ray]``). The functions use whatever cluster ``ray.init()``
connected to; when Ray is not initialised they call ``ray.init()`` (a local
cluster). To use a real cluster, call ``ray.init(address="ray://HOST:10001")``
(or ``address="auto"`` on a cluster node) first; a :class:`accord.Model`
loaded from a data folder then needs that folder at the same path on every
node (the embedded data need nothing).

How the work is split: a forecast or comparison of ``N`` samples has
``ceil(N / 64)`` Monte Carlo chunks (``accord._native.chunk_size()``); each
task computes the unreduced summaries (and, for a calibrated forecast, every
validated model's draws) of a consecutive range of chunks and returns them
as JSON bytes; the driver reduces them in chunk order with the same
arithmetic as the local run. The exhaustive search numbers its candidate
combinations; each task evaluates a range and keeps its best, and the driver
merges the ranges in order.
"""

from __future__ import annotations

from typing import Any, Optional

from . import (
    Comparison,
    Forecast,
    Model,
    Opportunities,
    _baseline,
    _bool,
    _int,
    _native,
    _scenario,
    _str,
)

__all__ = ["forecast", "compare", "opportunities"]

_REMOTES: dict[str, Any] = {}


def _ray():
    try:
        import ray
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError("accord.ray needs Ray: pip install './python[ray]'") from e
    if not ray.is_initialized():
        ray.init()
    return ray


def _remote(name: str):
    """The Ray remote function `name` (a native `*_part` function)."""
    ray = _ray()
    if name not in _REMOTES:
        fn = getattr(_native, name)

        def task(args: tuple, kwargs: dict) -> bytes:
            return fn(*args, **kwargs)

        task.__name__ = f"accord_{name}"
        _REMOTES[name] = ray.remote(task)
    return _REMOTES[name]


def _ranges(total: int, tasks: int) -> list[tuple[int, int]]:
    """`total` units split into at most `tasks` consecutive, near-equal ranges."""
    tasks = max(1, min(tasks, total))
    bounds = [total * k // tasks for k in range(tasks + 1)]
    return [(a, b) for a, b in zip(bounds, bounds[1:]) if b > a]


def _tasks(tasks: Optional[int]) -> int:
    """Tasks to split into: given, or twice the cluster's CPUs."""
    if tasks is not None:
        return _int("tasks", tasks, 1, optional=False)
    cpus = int(_ray().cluster_resources().get("CPU", 1))
    return max(1, 2 * cpus)


def _options(threads_per_task: Optional[int]) -> dict:
    """Ray options: one CPU per task; the engine's threads per task through
    RAYON_NUM_THREADS (default 1, so that tasks do not compete for cores)."""
    threads = _int("threads_per_task", threads_per_task, 1) or 1
    return {"num_cpus": 1, "runtime_env": {"env_vars": {"RAYON_NUM_THREADS": str(threads)}}}


def _run(name: str, ranges: list[tuple[int, int]], args: tuple, kwargs: dict, threads: Optional[int]) -> list[bytes]:
    ray = _ray()
    remote = _remote(name).options(**_options(threads))
    refs = [remote.remote((a, b) + args, kwargs) for a, b in ranges]
    # ray.get keeps the order of `refs`: the parts come back in range order.
    return ray.get(refs)


def forecast(
    model: Model,
    scenario: Any = None,
    samples: Optional[int] = None,
    seed: Optional[int] = None,
    *,
    model_name: Optional[str] = None,
    input_only: bool = False,
    horizon: int = 15,
    no_limit: bool = False,
    tasks: Optional[int] = None,
    threads_per_task: Optional[int] = None,
) -> Forecast:
    """:meth:`accord.Model.forecast` on the Ray cluster, split into ``tasks``
    tasks over chunks of samples (default: twice the cluster's CPUs).
    ``model_name`` is ``Model.forecast``'s ``model``. Identical to the local
    forecast."""
    name, text = _scenario(scenario)
    kw = dict(
        data=model.data,
        scenario_name=name,
        scenario_text=text,
        samples=_int("samples", samples, 1),
        seed=_int("seed", seed, 0),
        model=_str("model_name", model_name, optional=True),
        input_only=_bool("input_only", input_only),
        no_limit=_bool("no_limit", no_limit),
    )
    n, _ = _native.run_settings(model.data, name, text, kw["samples"], kw["seed"])
    ranges = _ranges(_native.chunk_count(n), _tasks(tasks))
    parts = _run("forecast_part", ranges, (), kw, threads_per_task)
    return Forecast(_native.forecast_reduce(parts, horizon=_int("horizon", horizon, 1, optional=False), **kw))


def compare(
    model: Model,
    a: Any,
    b: Any,
    samples: Optional[int] = None,
    seed: Optional[int] = None,
    *,
    no_limit: bool = False,
    input_only: bool = False,
    tasks: Optional[int] = None,
    threads_per_task: Optional[int] = None,
) -> Comparison:
    """:meth:`accord.Model.compare` on the Ray cluster, split over chunks of
    samples. Identical to the local comparison. The input-uncertainty pass
    runs on the cluster; the calibrated headline (skipped with
    ``input_only=True``) runs on the driver, as the local comparison
    computes it."""
    an, at = _scenario(a) if a is not None else _baseline()
    bn, bt = _scenario(b) if b is not None else _baseline()
    kw = dict(
        data=model.data,
        samples=_int("samples", samples, 1),
        seed=_int("seed", seed, 0),
        no_limit=_bool("no_limit", no_limit),
    )
    n, _ = _native.run_settings(model.data, an, at, kw["samples"], kw["seed"])
    ranges = _ranges(_native.chunk_count(n), _tasks(tasks))
    parts = _run("compare_part", ranges, (an, at, bn, bt), kw, threads_per_task)
    return Comparison(
        _native.compare_reduce(parts, an, at, bn, bt, input_only=_bool("input_only", input_only), **kw)
    )


def opportunities(
    model: Model,
    focal: str = "RUS",
    scenario: Any = None,
    *,
    max_levers: int = 3,
    samples: Optional[int] = None,
    seed: Optional[int] = None,
    loss: str = "linear",
    no_limit: bool = False,
    tasks: Optional[int] = None,
    threads_per_task: Optional[int] = None,
) -> Opportunities:
    """The exhaustive lever search (``Model.opportunities(exhaustive=True)``)
    on the Ray cluster, split over ranges of candidate combinations.
    Identical to the local exhaustive search."""
    name, text = _scenario(scenario)
    kw = dict(
        focal=_str("focal", focal),
        data=model.data,
        scenario_name=name,
        scenario_text=text,
        max_levers=_int("max_levers", max_levers, 1, optional=False),
        samples=_int("samples", samples, 1),
        seed=_int("seed", seed, 0),
        loss=_str("loss", loss),
        no_limit=_bool("no_limit", no_limit),
    )
    total = _native.search_candidates(**kw)
    ranges = _ranges(total, _tasks(tasks))
    parts = _run("search_part", ranges, (), kw, threads_per_task)
    return Opportunities(_native.search_reduce(parts, **kw))
