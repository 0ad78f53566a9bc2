"""Type stubs of accord.ray (see accord/ray.py for the docs)."""

from typing import Optional

from . import Comparison, Forecast, Model, Opportunities, Scenario

def forecast(
    model: Model,
    scenario: Scenario = None,
    samples: Optional[int] = None,
    seed: Optional[int] = None,
    *,
    model_name: Optional[str] = None,
    input_only: bool = False,
    horizon: int = 15,
    no_limit: bool = False,
    tasks: Optional[int] = None,
    threads_per_task: Optional[int] = None,
) -> Forecast: ...
def compare(
    model: Model,
    a: Scenario,
    b: Scenario,
    samples: Optional[int] = None,
    seed: Optional[int] = None,
    *,
    no_limit: bool = False,
    input_only: bool = False,
    tasks: Optional[int] = None,
    threads_per_task: Optional[int] = None,
) -> Comparison: ...
def opportunities(
    model: Model,
    focal: str = "RUS",
    scenario: Scenario = None,
    *,
    max_levers: int = 3,
    samples: Optional[int] = None,
    seed: Optional[int] = None,
    loss: str = "linear",
    no_limit: bool = False,
    tasks: Optional[int] = None,
    threads_per_task: Optional[int] = None,
) -> Opportunities: ...
