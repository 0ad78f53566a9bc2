"""Accord from Python.

Load the embedded SCO data (:func:`embedded`) or a data folder
(:func:`load`), then ask the :class:`Model` for forecasts, comparisons, the
lever search, influence and the record's queries. Every result keeps the
exact JSON of the ``accord`` CLI's ``--json`` as a plain dict (``.json``)
and offers its tables as pandas DataFrames (``.frame`` and named tables).

Scenarios are given as a path to a scenario file, as the name of an embedded
scenario (``"iran-admitted"``), or ``None`` for the embedded baseline.

Long calls release the GIL and stop on Ctrl-C (``KeyboardInterrupt``). Errors
are :class:`AccordError` subclasses carrying ``file``, ``line`` and
``column``. ``accord.ray`` runs forecasts, comparisons and the exhaustive
search on a Ray cluster (``pip install ./python[ray]``).
"""

from __future__ import annotations

import datetime as _dt
import json as _json
import os
from pathlib import Path
from typing import Any, Optional, Union

import pandas as pd

from . import _native
from ._errors import AccordError, DataError, EngineError, InvalidArgument

__all__ = [
    "AccordError",
    "DataError",
    "EngineError",
    "InvalidArgument",
    "Model",
    "Result",
    "Forecast",
    "Comparison",
    "Opportunities",
    "Influence",
    "Backtest",
    "embedded",
    "load",
    "backtest",
    "ktab_run",
    "validate_deu",
    "embedded_scenarios",
]

__version__ = "0.1.0"

PathLike = Union[str, "os.PathLike[str]"]


# ---------------------------------------------------------------- arguments


def _int(name: str, value: Any, minimum: int, optional: bool = True) -> Optional[int]:
    """A whole number of at least ``minimum`` (``None`` allowed when optional)."""
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be a whole number (int), not {type(value).__name__}")
    if value < minimum:
        raise InvalidArgument(f"{name} is {value}: give a whole number of at least {minimum}")
    return value


def _str(name: str, value: Any, optional: bool = False) -> Optional[str]:
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string, not {type(value).__name__}")
    return value


def _bool(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False, not {type(value).__name__}")
    return value


def _day(name: str, value: Any) -> Optional[str]:
    """A date as YYYY-MM-DD (a ``datetime.date`` or a string)."""
    if value is None:
        return None
    if isinstance(value, _dt.date):
        return value.isoformat()[:10]
    if isinstance(value, str):
        return value
    raise TypeError(f"{name} must be a date or a YYYY-MM-DD string, not {type(value).__name__}")


def embedded_scenarios() -> dict[str, str]:
    """The embedded SCO scenarios: short name (file stem) → scenario text."""
    return {Path(name).stem: text for name, text in _native.embedded_scenarios()}


def _scenario(value: Any) -> tuple[Optional[str], Optional[str]]:
    """(name, text) of a scenario argument; (None, None) is the embedded baseline."""
    if value is None:
        return None, None
    if not isinstance(value, (str, os.PathLike)):
        raise TypeError(f"a scenario is a path or the name of an embedded scenario, not {type(value).__name__}")
    path = Path(value)
    if path.is_file():
        return str(value), _native.read_text(str(path))
    known = {Path(name).stem: (name, text) for name, text in _native.embedded_scenarios()}
    key = path.stem if path.suffix == ".toml" else str(value)
    if key in known and (str(value) == key or str(value).endswith(known[key][0]) or not path.parent.name):
        return known[key]
    raise InvalidArgument(
        f"scenario {str(value)!r}: no such file, and not an embedded scenario; embedded: {', '.join(sorted(known))}"
    )


# ------------------------------------------------------------------ results


class Result:
    """A result: ``json`` is exactly the CLI's ``--json`` (a dict or a list);
    ``frame`` its main table as a pandas DataFrame."""

    def __init__(self, text: str) -> None:
        self.json: Any = _json.loads(text)

    def __getitem__(self, key: Any) -> Any:
        return self.json[key]

    @property
    def frame(self) -> pd.DataFrame:
        """The main table."""
        return pd.DataFrame(self.json)

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: {len(self.frame)} rows>"


_QUANTILE_NAMES = ["q05", "q25", "median", "q75", "q95"]


def _frame(rows: list[dict], columns: dict[str, str]) -> pd.DataFrame:
    """A DataFrame of ``rows`` with ``columns`` (name → dtype), in that order."""
    df = pd.DataFrame(rows, columns=list(columns))
    return df.astype(columns)


class Forecast(Result):
    """A forecast (``accord forecast --json``).

    ``issues``/``frame``: one row per issue — the Monte Carlo summary of the
    scenario's own model (input uncertainty) and, when the calibrated
    ensemble ran, its headline probability and 90 % interval. ``models``:
    every validated model's probability per issue. ``implementation``: P(decided
    / carried out by year) per issue and year.
    """

    @property
    def issues(self) -> pd.DataFrame:
        """One row per issue."""
        rows = []
        for i in self.json["issues"]:
            s = i["summary"]
            row = {
                "id": i["id"],
                "name": i["name"],
                "sphere": i["sphere"],
                "status_quo": i["status_quo"],
                "given": i["given"],
                "samples": s["samples"],
                "failures": s["failures"],
                "mean": s["mean"],
                "std_dev": s["std_dev"],
                "std_error": s["std_error"],
                **dict(zip(_QUANTILE_NAMES, s["quantiles"])),
                "threshold": s["threshold"],
                "p_above": s["p_above"],
                "p_above_se": s["p_above_se"],
            }
            h = (i.get("predictive") or {}).get("headline") or {}
            row["p_headline"] = h.get("p_at_or_above")
            q = h.get("quantiles") or [None] * 5
            row["headline_q05"], row["headline_q95"] = q[0], q[4]
            rows.append(row)
        return _frame(rows, _FORECAST_COLUMNS)

    @property
    def frame(self) -> pd.DataFrame:
        return self.issues

    @property
    def models(self) -> pd.DataFrame:
        """Every validated model's calibrated forecast, one row per (issue, model)."""
        rows = []
        for i in self.json["issues"]:
            p = i.get("predictive")
            if not p:
                continue
            for m in p["models"]:
                q = m.get("quantiles") or [None] * 5
                rows.append(
                    {
                        "issue": i["id"],
                        "model": m["model"],
                        "ran": m["ran"],
                        "weight": m["weight"],
                        "p_at_or_above": m["p_at_or_above"],
                        "q05": q[0],
                        "median": q[2],
                        "q95": q[4],
                    }
                )
        return _frame(
            rows,
            {
                "issue": "string",
                "model": "string",
                "ran": "bool",
                "weight": "float64",
                "p_at_or_above": "float64",
                "q05": "float64",
                "median": "float64",
                "q95": "float64",
            },
        )

    @property
    def implementation(self) -> pd.DataFrame:
        """P(decided by year) and P(carried out by year), one row per (issue, year)."""
        rows = [
            {"issue": i["id"], "year": y["year"], "decided": y["decided"], "carried_out": y["carried_out"]}
            for i in self.json["issues"]
            for y in (i.get("implementation") or {}).get("years", [])
        ]
        return _frame(rows, {"issue": "string", "year": "int64", "decided": "float64", "carried_out": "float64"})


_FORECAST_COLUMNS = {
    "id": "string",
    "name": "string",
    "sphere": "string",
    "status_quo": "float64",
    "given": "bool",
    "samples": "int64",
    "failures": "int64",
    "mean": "float64",
    "std_dev": "float64",
    "std_error": "float64",
    "q05": "float64",
    "q25": "float64",
    "median": "float64",
    "q75": "float64",
    "q95": "float64",
    "threshold": "float64",
    "p_above": "float64",
    "p_above_se": "float64",
    "p_headline": "float64",
    "headline_q05": "float64",
    "headline_q95": "float64",
}


class Comparison(Result):
    """Scenario B against scenario A (``accord compare --json``); ``a`` and
    ``b`` are their forecasts; ``issues``/``frame`` the paired shifts."""

    @property
    def a(self) -> Forecast:
        return _forecast_of(self.json["a"])

    @property
    def b(self) -> Forecast:
        return _forecast_of(self.json["b"])

    @property
    def issues(self) -> pd.DataFrame:
        rows = [
            {
                "id": s["id"],
                "given": s["given"],
                "median_a": s["median"][0],
                "median_b": s["median"][1],
                "mean_shift": s["mean_shift"],
                "mean_shift_se": s["mean_shift_se"],
                "shift_q05": s["shift_90"][0],
                "shift_q95": s["shift_90"][1],
                "p_above_a": s["p_above"][0],
                "p_above_b": s["p_above"][1],
                "p_shift": s["p_shift"],
                "p_shift_se": s["p_shift_se"],
            }
            for s in self.json["issues"]
        ]
        return _frame(
            rows,
            {
                "id": "string",
                "given": "bool",
                "median_a": "float64",
                "median_b": "float64",
                "mean_shift": "float64",
                "mean_shift_se": "float64",
                "shift_q05": "float64",
                "shift_q95": "float64",
                "p_above_a": "float64",
                "p_above_b": "float64",
                "p_shift": "float64",
                "p_shift_se": "float64",
            },
        )

    @property
    def frame(self) -> pd.DataFrame:
        return self.issues


def _forecast_of(d: dict) -> Forecast:
    f = Forecast.__new__(Forecast)
    f.json = d
    return f


_CANDIDATE_COLUMNS = {
    "levers": "string",
    "size": "int64",
    "delta_utility": "float64",
    "std_error": "float64",
    "low": "float64",
    "high": "float64",
}


def _candidates(items: list[dict]) -> pd.DataFrame:
    rows = [
        {
            "levers": " + ".join(c["levers"]),
            "size": len(c["levers"]),
            "delta_utility": c["delta_utility"],
            "std_error": c["std_error"],
            "low": c["interval"][0],
            "high": c["interval"][1],
        }
        for c in items
    ]
    return _frame(rows, _CANDIDATE_COLUMNS)


class Opportunities(Result):
    """The lever search (``accord opportunities --json``): ``singles`` and
    ``combinations`` ranked by the focal actor's ΔU; ``frame`` both."""

    @property
    def singles(self) -> pd.DataFrame:
        return _candidates(self.json["singles"])

    @property
    def combinations(self) -> pd.DataFrame:
        return _candidates(self.json["combinations"])

    @property
    def frame(self) -> pd.DataFrame:
        return pd.concat([self.singles, self.combinations], ignore_index=True)


class Influence(Result):
    """Shapley shares and voting power (``accord influence --json``);
    ``frame``: one row per (sphere, actor) share."""

    @property
    def frame(self) -> pd.DataFrame:
        rows = [
            {"sphere": s["sphere"], "displacement": s["displacement"], "actor": a, "share": v}
            for s in self.json["spheres"]
            for a, v in s["shares"]
        ]
        return _frame(rows, {"sphere": "string", "displacement": "float64", "actor": "string", "share": "float64"})


class Backtest(Result):
    """The 2010 forecasts scored against 2025 (``accord backtest --json``);
    ``frame``: one row per probability set (model or headline)."""

    @property
    def frame(self) -> pd.DataFrame:
        rows = [
            {
                "name": m["name"],
                "headline": m["headline"],
                "brier": m["brier"],
                "log_score": m["log_score"],
            }
            for m in self.json["models"]
        ]
        return _frame(rows, {"name": "string", "headline": "bool", "brier": "float64", "log_score": "float64"})


# -------------------------------------------------------------------- model


class Model:
    """Record and model of an organization: the embedded SCO data
    (:meth:`embedded`) or a data folder holding ``record/`` and ``model/``
    (:meth:`load`). Cheap to copy and to pickle (it holds the folder's path),
    so it can be sent to Ray workers; a data folder must then be readable at
    the same path on every worker."""

    def __init__(self, data: Optional[PathLike] = None) -> None:
        if data is not None and not isinstance(data, (str, os.PathLike)):
            raise TypeError(f"data must be a path to a data folder, not {type(data).__name__}")
        self.data: Optional[str] = None if data is None else os.fspath(Path(data).resolve())

    @classmethod
    def embedded(cls) -> "Model":
        """The SCO data compiled into the package."""
        return cls(None)

    @classmethod
    def load(cls, path: PathLike) -> "Model":
        """A data folder (e.g. ``data/sco``), checked now: raises
        :class:`DataError` with file, line and column on any problem."""
        m = cls(path)
        assert m.data is not None
        _native.check_data(m.data)
        return m

    def __repr__(self) -> str:
        return f"Model({'embedded SCO data' if self.data is None else self.data!r})"

    # The keyword arguments naming a scenario, for the native calls.
    @staticmethod
    def _scenario_args(scenario: Any) -> dict:
        name, text = _scenario(scenario)
        return {"scenario_name": name, "scenario_text": text}

    def forecast(
        self,
        scenario: Any = None,
        samples: Optional[int] = None,
        seed: Optional[int] = None,
        *,
        model: Optional[str] = None,
        input_only: bool = False,
        horizon: int = 15,
        sensitivity: bool = False,
        no_limit: bool = False,
    ) -> Forecast:
        """``accord forecast``: the Monte Carlo forecast of a scenario with the
        calibrated ensemble as headline (``model``: one validated model
        instead; ``input_only``: skip the calibrated forecasts), P(decided /
        carried out by year) over ``horizon`` years, and with ``sensitivity``
        the inputs that decide each issue. ``samples``/``seed`` default to
        the scenario's."""
        return Forecast(
            _native.forecast(
                data=self.data,
                samples=_int("samples", samples, 1),
                seed=_int("seed", seed, 0),
                model=_str("model", model, optional=True),
                input_only=_bool("input_only", input_only),
                horizon=_int("horizon", horizon, 1, optional=False),
                sensitivity=_bool("sensitivity", sensitivity),
                no_limit=_bool("no_limit", no_limit),
                **self._scenario_args(scenario),
            )
        )

    def compare(
        self,
        a: Any,
        b: Any,
        samples: Optional[int] = None,
        seed: Optional[int] = None,
        *,
        no_limit: bool = False,
        input_only: bool = False,
    ) -> Comparison:
        """``accord compare A B``: B against A on common random numbers (B runs
        with A's seed and sample count), with the calibrated headline of every
        issue on both sides as the CLI reports it; ``input_only=True`` skips
        the calibrated models (``accord compare --input-only``)."""
        an, at = _scenario(a) if a is not None else _baseline()
        bn, bt = _scenario(b) if b is not None else _baseline()
        return Comparison(
            _native.compare(
                an,
                at,
                bn,
                bt,
                data=self.data,
                samples=_int("samples", samples, 1),
                seed=_int("seed", seed, 0),
                no_limit=_bool("no_limit", no_limit),
                input_only=_bool("input_only", input_only),
            )
        )

    def opportunities(
        self,
        focal: str = "RUS",
        scenario: Any = None,
        *,
        max_levers: int = 3,
        beam_width: int = 10,
        samples: Optional[int] = None,
        seed: Optional[int] = None,
        loss: str = "linear",
        exhaustive: bool = False,
        no_limit: bool = False,
    ) -> Opportunities:
        """``accord opportunities --for FOCAL``: the focal actor's levers and
        their combinations ranked by its change in expected utility;
        ``exhaustive`` evaluates every combination of up to ``max_levers``
        instead of the beam search."""
        return Opportunities(
            _native.opportunities(
                focal=_str("focal", focal),
                data=self.data,
                max_levers=_int("max_levers", max_levers, 1, optional=False),
                beam_width=_int("beam_width", beam_width, 1, optional=False),
                samples=_int("samples", samples, 1),
                seed=_int("seed", seed, 0),
                loss=_str("loss", loss),
                exhaustive=_bool("exhaustive", exhaustive),
                no_limit=_bool("no_limit", no_limit),
                **self._scenario_args(scenario),
            )
        )

    def influence(
        self, scenario: Any = None, *, permutations: Optional[int] = None, no_limit: bool = False
    ) -> Influence:
        """``accord influence``: each actor's Shapley share of the outcomes'
        displacement, by sphere and issue, and voting power."""
        return Influence(
            _native.influence(
                data=self.data,
                permutations=_int("permutations", permutations, 1),
                no_limit=_bool("no_limit", no_limit),
                **self._scenario_args(scenario),
            )
        )

    # Record queries ---------------------------------------------------------

    def _record(self, query: str, **kw: Any) -> Result:
        return Result(_native.record(query, data=self.data, **kw))

    def record_status(self, org: str = "SCO", at: Any = None) -> Result:
        """``accord record status``: who held which status in ``org`` on ``at`` (default today)."""
        return self._record("status", org=_str("org", org), at=_day("at", at) or _today())

    def record_timeline(self, actor: str) -> Result:
        """``accord record timeline``: an actor's memberships over time."""
        return self._record("timeline", actor=_str("actor", actor))

    def record_bodies(self, org: str = "SCO", at: Any = None) -> Result:
        """``accord record bodies``: the organization's bodies on a day (default today)."""
        return self._record("bodies", org=_str("org", org), at=_day("at", at) or _today())

    def record_instruments(
        self,
        status: Optional[str] = None,
        sphere: Optional[str] = None,
        start: Any = None,
        end: Any = None,
        at: Any = None,
    ) -> Result:
        """``accord record instruments``: instruments by status (on ``at``),
        sphere and first date (from ``start`` to ``end``)."""
        return self._record(
            "instruments",
            status=_str("status", status, optional=True),
            sphere=_str("sphere", sphere, optional=True),
            start=_day("start", start),
            end=_day("end", end),
            at=_day("at", at),
        )

    def record_gap(self, org: str = "SCO", at: Any = None) -> Result:
        """``accord record gap``: what was declared and not carried out, on a day (default today)."""
        return self._record("gap", org=_str("org", org), at=_day("at", at) or _today())

    def record_show(self, id: str) -> dict:
        """``accord record show``: one entry with its citations, as a dict."""
        return self._record("show", id=_str("id", id)).json

    def record_search(self, text: str) -> Result:
        """``accord record search``: entries whose names or text contain ``text``."""
        return self._record("search", text=_str("text", text))


def _today() -> str:
    return _dt.date.today().isoformat()


def _baseline() -> tuple[str, str]:
    name, text = _native.embedded_scenarios()[0]
    return name, text


def embedded() -> Model:
    """The embedded SCO data (same as :meth:`Model.embedded`)."""
    return Model.embedded()


def load(path: PathLike) -> Model:
    """A data folder, checked (same as :meth:`Model.load`)."""
    return Model.load(path)


def backtest(samples: int = 1000, seed: Optional[int] = None, *, no_limit: bool = False) -> Backtest:
    """``accord backtest``: the 2010 SCO forecasts (every model and the
    calibrated headline) scored against what happened by 2025."""
    return Backtest(
        _native.backtest(
            samples=_int("samples", samples, 1, optional=False),
            seed=_int("seed", seed, 0),
            no_limit=_bool("no_limit", no_limit),
        )
    )


def validate_deu(
    path: Optional[PathLike] = None,
    *,
    weights: Optional[PathLike] = None,
    seed: Optional[int] = None,
    resamples: Optional[int] = None,
    folds: Optional[int] = None,
    repeats: Optional[int] = None,
    dynamics: bool = True,
) -> Result:
    """``accord validate deu [FILE]``: every model scored on DEU III issues
    (default: the development part shipped with Accord), with bootstrap
    intervals, cross-validation and the calibration of the headline;
    ``dynamics=False`` skips the dynamics (``--no-dynamics``, fast).
    ``frame``: one row per combination (model) with its mean absolute error."""
    for name, p in (("path", path), ("weights", weights)):
        if p is not None and not isinstance(p, (str, os.PathLike)):
            raise TypeError(f"{name} must be a path, not {type(p).__name__}")
    r = _native.validate_deu(
        None if path is None else os.fspath(path),
        weights=None if weights is None else os.fspath(weights),
        seed=_int("seed", seed, 0),
        resamples=_int("resamples", resamples, 1),
        folds=_int("folds", folds, 2),
        repeats=_int("repeats", repeats, 1),
        dynamics=_bool("dynamics", dynamics),
    )
    return _Validation(r)


class _Validation(Result):
    @property
    def frame(self) -> pd.DataFrame:
        rows = [
            {"name": name, "kind": kind, "mae": c.get("mae"), "n": c.get("n")}
            for kind in ("combinations", "baselines")
            for name, c in self.json.get(kind, {}).items()
        ]
        return _frame(rows, {"name": "string", "kind": "string", "mae": "float64", "n": "Int64"})


def ktab_run(path: PathLike, seed: Optional[int] = None, *, max_iterations: Optional[int] = None) -> Result:
    """``accord ktab run FILE``: KTAB's Spatial Model of Politics on a KTAB CSV
    or XML scenario; ``frame``: the final positions."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a path, not {type(path).__name__}")
    r = Result(
        _native.ktab_run(
            os.fspath(path), seed=_int("seed", seed, 0), max_iterations=_int("max_iterations", max_iterations, 1)
        )
    )
    return _KtabResult(r.json)


class _KtabResult(Result):
    def __init__(self, data: dict) -> None:
        self.json = data

    @property
    def frame(self) -> pd.DataFrame:
        dims = self.json["dimensions"]
        rows = [{"actor": f["actor"], **dict(zip(dims, f["position"]))} for f in self.json["final_positions"]]
        return pd.DataFrame(rows)
