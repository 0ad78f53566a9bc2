"""Type stubs of the accord package (see accord/__init__.py for the docs)."""

import datetime
import os
from typing import Any, Optional, Union

import pandas as pd

from ._errors import AccordError as AccordError
from ._errors import DataError as DataError
from ._errors import EngineError as EngineError
from ._errors import InvalidArgument as InvalidArgument

__version__: str

PathLike = Union[str, os.PathLike[str]]
Scenario = Union[None, str, os.PathLike[str]]
Day = Union[None, str, datetime.date]

class Result:
    json: Any
    def __init__(self, text: str) -> None: ...
    def __getitem__(self, key: Any) -> Any: ...
    @property
    def frame(self) -> pd.DataFrame: ...

class Forecast(Result):
    @property
    def issues(self) -> pd.DataFrame: ...
    @property
    def models(self) -> pd.DataFrame: ...
    @property
    def implementation(self) -> pd.DataFrame: ...

class Comparison(Result):
    @property
    def a(self) -> Forecast: ...
    @property
    def b(self) -> Forecast: ...
    @property
    def issues(self) -> pd.DataFrame: ...

class Opportunities(Result):
    @property
    def singles(self) -> pd.DataFrame: ...
    @property
    def combinations(self) -> pd.DataFrame: ...

class Influence(Result): ...
class Backtest(Result): ...

class Model:
    data: Optional[str]
    def __init__(self, data: Optional[PathLike] = None) -> None: ...
    @classmethod
    def embedded(cls) -> Model: ...
    @classmethod
    def load(cls, path: PathLike) -> Model: ...
    def forecast(
        self,
        scenario: Scenario = None,
        samples: Optional[int] = None,
        seed: Optional[int] = None,
        *,
        model: Optional[str] = None,
        input_only: bool = False,
        horizon: int = 15,
        sensitivity: bool = False,
        no_limit: bool = False,
    ) -> Forecast: ...
    def compare(
        self,
        a: Scenario,
        b: Scenario,
        samples: Optional[int] = None,
        seed: Optional[int] = None,
        *,
        no_limit: bool = False,
        input_only: bool = False,
    ) -> Comparison: ...
    def opportunities(
        self,
        focal: str = "RUS",
        scenario: Scenario = None,
        *,
        max_levers: int = 3,
        beam_width: int = 10,
        samples: Optional[int] = None,
        seed: Optional[int] = None,
        loss: str = "linear",
        exhaustive: bool = False,
        no_limit: bool = False,
    ) -> Opportunities: ...
    def influence(
        self, scenario: Scenario = None, *, permutations: Optional[int] = None, no_limit: bool = False
    ) -> Influence: ...
    def record_status(self, org: str = "SCO", at: Day = None) -> Result: ...
    def record_timeline(self, actor: str) -> Result: ...
    def record_bodies(self, org: str = "SCO", at: Day = None) -> Result: ...
    def record_instruments(
        self,
        status: Optional[str] = None,
        sphere: Optional[str] = None,
        start: Day = None,
        end: Day = None,
        at: Day = None,
    ) -> Result: ...
    def record_gap(self, org: str = "SCO", at: Day = None) -> Result: ...
    def record_show(self, id: str) -> dict: ...
    def record_search(self, text: str) -> Result: ...

def embedded_scenarios() -> dict[str, str]: ...
def embedded() -> Model: ...
def load(path: PathLike) -> Model: ...
def backtest(samples: int = 1000, seed: Optional[int] = None, *, no_limit: bool = False) -> Backtest: ...
def ktab_run(path: PathLike, seed: Optional[int] = None, *, max_iterations: Optional[int] = None) -> Result: ...
def validate_deu(
    path: Optional[PathLike] = None,
    *,
    weights: Optional[PathLike] = None,
    seed: Optional[int] = None,
    resamples: Optional[int] = None,
    folds: Optional[int] = None,
    repeats: Optional[int] = None,
    dynamics: bool = True,
) -> Result: ...
