"""Type stubs of accord._native, the Rust bindings. Every function returning
``str`` returns the JSON text of the matching ``accord`` CLI command's
``--json``; ``*_part`` return parts as JSON bytes for ``*_reduce``."""

from os import PathLike
from typing import Optional

def embedded_scenarios() -> list[tuple[str, str]]: ...
def check_data(data: str) -> None: ...
def read_text(path: str | PathLike[str]) -> str: ...
def run_settings(
    data: Optional[str] = None,
    scenario_name: Optional[str] = None,
    scenario_text: Optional[str] = None,
    samples: Optional[int] = None,
    seed: Optional[int] = None,
) -> tuple[int, int]: ...
def chunk_count(samples: int) -> int: ...
def chunk_size() -> int: ...
def forecast(
    data: Optional[str] = None,
    scenario_name: Optional[str] = None,
    scenario_text: Optional[str] = None,
    samples: Optional[int] = None,
    seed: Optional[int] = None,
    model: Optional[str] = None,
    input_only: bool = False,
    horizon: int = 15,
    sensitivity: bool = False,
    no_limit: bool = False,
) -> str: ...
def forecast_part(
    first: int,
    end: int,
    data: Optional[str] = None,
    scenario_name: Optional[str] = None,
    scenario_text: Optional[str] = None,
    samples: Optional[int] = None,
    seed: Optional[int] = None,
    model: Optional[str] = None,
    input_only: bool = False,
    no_limit: bool = False,
) -> bytes: ...
def forecast_reduce(
    parts: list[bytes],
    data: Optional[str] = None,
    scenario_name: Optional[str] = None,
    scenario_text: Optional[str] = None,
    samples: Optional[int] = None,
    seed: Optional[int] = None,
    model: Optional[str] = None,
    input_only: bool = False,
    horizon: int = 15,
    no_limit: bool = False,
) -> str: ...
def compare(
    a_name: str,
    a_text: str,
    b_name: str,
    b_text: str,
    data: Optional[str] = None,
    samples: Optional[int] = None,
    seed: Optional[int] = None,
    no_limit: bool = False,
    input_only: bool = False,
) -> str: ...
def compare_part(
    first: int,
    end: int,
    a_name: str,
    a_text: str,
    b_name: str,
    b_text: str,
    data: Optional[str] = None,
    samples: Optional[int] = None,
    seed: Optional[int] = None,
    no_limit: bool = False,
) -> bytes: ...
def compare_reduce(
    parts: list[bytes],
    a_name: str,
    a_text: str,
    b_name: str,
    b_text: str,
    data: Optional[str] = None,
    samples: Optional[int] = None,
    seed: Optional[int] = None,
    no_limit: bool = False,
    input_only: bool = False,
) -> str: ...
def opportunities(
    focal: str = "RUS",
    data: Optional[str] = None,
    scenario_name: Optional[str] = None,
    scenario_text: Optional[str] = None,
    max_levers: int = 3,
    beam_width: int = 10,
    samples: Optional[int] = None,
    seed: Optional[int] = None,
    loss: str = "linear",
    exhaustive: bool = False,
    no_limit: bool = False,
) -> str: ...
def search_candidates(
    focal: str = "RUS",
    data: Optional[str] = None,
    scenario_name: Optional[str] = None,
    scenario_text: Optional[str] = None,
    max_levers: int = 3,
    samples: Optional[int] = None,
    seed: Optional[int] = None,
    loss: str = "linear",
    no_limit: bool = False,
) -> int: ...
def search_part(
    start: int,
    end: int,
    focal: str = "RUS",
    data: Optional[str] = None,
    scenario_name: Optional[str] = None,
    scenario_text: Optional[str] = None,
    max_levers: int = 3,
    samples: Optional[int] = None,
    seed: Optional[int] = None,
    loss: str = "linear",
    no_limit: bool = False,
) -> bytes: ...
def search_reduce(
    parts: list[bytes],
    focal: str = "RUS",
    data: Optional[str] = None,
    scenario_name: Optional[str] = None,
    scenario_text: Optional[str] = None,
    max_levers: int = 3,
    samples: Optional[int] = None,
    seed: Optional[int] = None,
    loss: str = "linear",
    no_limit: bool = False,
) -> str: ...
def influence(
    data: Optional[str] = None,
    scenario_name: Optional[str] = None,
    scenario_text: Optional[str] = None,
    permutations: Optional[int] = None,
    no_limit: bool = False,
) -> str: ...
def backtest(samples: int = 1000, seed: Optional[int] = None, no_limit: bool = False) -> str: ...
def ktab_run(path: str | PathLike[str], seed: Optional[int] = None, max_iterations: Optional[int] = None) -> str: ...
def record(
    query: str,
    data: Optional[str] = None,
    org: Optional[str] = None,
    at: Optional[str] = None,
    actor: Optional[str] = None,
    id: Optional[str] = None,
    text: Optional[str] = None,
    status: Optional[str] = None,
    sphere: Optional[str] = None,
    start: Optional[str] = None,
    end: Optional[str] = None,
) -> str: ...
def validate_deu(
    path: Optional[str] = None,
    weights: Optional[str] = None,
    seed: Optional[int] = None,
    resamples: Optional[int] = None,
    folds: Optional[int] = None,
    repeats: Optional[int] = None,
    dynamics: bool = True,
) -> str: ...
