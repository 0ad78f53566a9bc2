"""accord.ray on a local Ray cluster started by the test: forecast, compare
and the exhaustive search split into 1, 2 (and 3) tasks give exactly the local
results (the same dicts, number for number)."""

from __future__ import annotations

import pytest

import accord

ray = pytest.importorskip("ray", reason="accord.ray needs Ray: pip install './python[ray]'")
import accord.ray as ar  # noqa: E402


@pytest.fixture(scope="module", autouse=True)
def cluster():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


@pytest.mark.parametrize("tasks", [1, 2])
def test_forecast_on_ray_equals_the_local_forecast(sco, tasks):
    local = sco.forecast(samples=130, seed=4)
    assert ar.forecast(sco, samples=130, seed=4, tasks=tasks).json == local.json


def test_input_only_forecast_of_a_scenario_on_ray(sco):
    local = sco.forecast("iran-admitted", samples=200, seed=9, input_only=True)
    for tasks in (3,):
        assert ar.forecast(sco, "iran-admitted", samples=200, seed=9, input_only=True, tasks=tasks).json == local.json


@pytest.mark.parametrize("tasks", [1, 2])
def test_compare_on_ray_equals_the_local_comparison(sco, tasks):
    local = sco.compare(None, "india-pakistan-admitted", samples=130, seed=2)
    assert ar.compare(sco, None, "india-pakistan-admitted", samples=130, seed=2, tasks=tasks).json == local.json


@pytest.mark.parametrize("tasks", [1, 2])
def test_exhaustive_search_on_ray_equals_the_local_search(sco, tasks):
    local = sco.opportunities("RUS", max_levers=2, samples=16, seed=3, exhaustive=True)
    on_ray = ar.opportunities(sco, "RUS", max_levers=2, samples=16, seed=3, tasks=tasks)
    assert on_ray.json == local.json
