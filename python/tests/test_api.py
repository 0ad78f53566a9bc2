"""Every API function on the embedded data: results equal the CLI's --json
for the same run (the CLI binary is run from the test), DataFrame columns and
dtypes, errors with locations, Ctrl-C and the released GIL."""

from __future__ import annotations

import _thread
import datetime
import threading
import time

import pandas as pd
import pytest

import accord


def test_forecast_equals_the_cli_and_has_typed_columns(sco, cli):
    f = sco.forecast(samples=64, seed=7)
    assert f.json == cli("forecast", "--samples", "64", "--seed", "7")
    df = f.issues
    assert list(df.columns) == [
        "id", "name", "sphere", "status_quo", "given", "samples", "failures", "mean", "std_dev",
        "std_error", "q05", "q25", "median", "q75", "q95", "threshold", "p_above", "p_above_se",
        "p_headline", "headline_q05", "headline_q95",
    ]
    assert df["id"].dtype == "string"
    assert df["given"].dtype == bool
    assert df["samples"].dtype == "int64"
    assert df["p_above"].dtype == "float64"
    assert len(df) == len(f.json["issues"]) > 0
    assert (df["samples"] + df["failures"] == 64).all()
    assert df["p_headline"].between(0, 1).all()
    models = f.models
    assert set(models["model"]) >= {"compromise"}
    assert models["p_at_or_above"].dtype == "float64"


def test_forecast_of_a_scenario_file_input_only(sco, cli, root):
    path = "data/sco/scenarios/iran-admitted.toml"
    f = sco.forecast(root / path, samples=100, seed=3, input_only=True)
    assert f.json == cli("forecast", path, "--samples", "100", "--seed", "3", "--input-only")
    assert f.issues["p_headline"].isna().all()
    # An embedded scenario by name is the same scenario.
    g = sco.forecast("iran-admitted", samples=100, seed=3, input_only=True)
    assert g.json == f.json


def test_compare_equals_the_cli(sco, cli, root):
    a, b = "data/sco/scenarios/baseline.toml", "data/sco/scenarios/iran-admitted.toml"
    c = sco.compare(root / a, root / b, samples=80, seed=5)
    assert c.json == cli("compare", a, b, "--samples", "80", "--seed", "5")
    df = c.issues
    assert df["mean_shift"].dtype == "float64" and df["id"].dtype == "string"
    assert len(df) == len(c.json["issues"])
    assert c.a.issues["samples"].max() == 80


def test_opportunities_equal_the_cli(sco, cli):
    o = sco.opportunities("CHN", max_levers=2, samples=20, seed=1)
    assert o.json == cli("opportunities", "--for", "CHN", "--max-levers", "2", "--samples", "20", "--seed", "1")
    assert list(o.singles.columns) == ["levers", "size", "delta_utility", "std_error", "low", "high"]
    assert o.singles["size"].eq(1).all()
    assert o.frame["delta_utility"].dtype == "float64"
    # The exhaustive search evaluates every combination.
    e = sco.opportunities("CHN", max_levers=2, samples=20, seed=1, exhaustive=True)
    assert e.json["method"].startswith("exhaustive")


def test_influence_equals_the_cli(sco, cli):
    i = sco.influence()
    assert i.json == cli("influence")
    df = i.frame
    assert list(df.columns) == ["sphere", "displacement", "actor", "share"]
    assert df["share"].dtype == "float64"


def test_backtest_equals_the_cli(cli):
    b = accord.backtest(samples=16, seed=None)
    assert b.json == cli("backtest", "--samples", "16")
    assert b.frame["headline"].sum() == 1
    assert b.frame["brier"].between(0, 1).all()


def test_ktab_run_equals_the_cli(cli, root):
    path = "crates/accord-engine/tests/data/ktab/inputs/dummyData_3Dim.csv"
    r = accord.ktab_run(root / path)
    expected = cli("ktab", "run", path)
    assert {k: v for k, v in r.json.items() if k != "file"} == {k: v for k, v in expected.items() if k != "file"}
    assert list(r.frame.columns)[0] == "actor"


def test_validate_deu_equals_the_cli(cli):
    v = accord.validate_deu(dynamics=False)
    assert v.json == cli("validate", "deu", "--no-dynamics")
    df = v.frame
    assert list(df.columns) == ["name", "kind", "mae", "n"]
    assert df["mae"].dtype == "float64" and len(df) > 0


def test_a_bad_deu_file_is_located(tmp_path):
    bad = tmp_path / "bad.tsv"
    bad.write_text("not\ta\tdeu\tfile\n1\t2\n", encoding="utf-8")
    with pytest.raises(accord.DataError) as e:
        accord.validate_deu(bad, dynamics=False)
    assert e.value.file == str(bad) and e.value.line is not None


def test_record_queries_equal_the_cli(sco, cli):
    assert sco.record_status("SCO", datetime.date(2009, 6, 16)).json == cli(
        "record", "status", "--org", "SCO", "--at", "2009-06-16"
    )
    assert sco.record_timeline("RUS").json == cli("record", "timeline", "RUS")
    assert sco.record_bodies(at="2010-06-01").json == cli("record", "bodies", "--at", "2010-06-01")
    assert sco.record_gap(at="2010-06-01").json == cli("record", "gap", "--at", "2010-06-01")
    assert sco.record_instruments(sphere="economy", status="stalled").json == cli(
        "record", "instruments", "--sphere", "economy", "--status", "stalled"
    )
    assert sco.record_show("rats") == cli("record", "show", "rats")
    assert sco.record_search("上海").json == cli("record", "search", "上海")
    assert isinstance(sco.record_status(at="2009-06-16").frame, pd.DataFrame)


def test_a_data_folder_loads_like_the_embedded_data(root, sco):
    m = accord.load(root / "data" / "sco")
    assert m.forecast(samples=64, seed=2, input_only=True).json == sco.forecast(samples=64, seed=2, input_only=True).json


# ------------------------------------------------------------------ errors


def test_a_bad_scenario_is_located(sco, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[scenario]\nid = "x"\ntitle = 3\n', encoding="utf-8")
    with pytest.raises(accord.DataError) as e:
        sco.forecast(bad)
    assert e.value.file == str(bad)
    assert e.value.line is not None and e.value.line >= 1
    assert e.value.column is not None and e.value.column >= 1
    assert e.value.diagnostics and e.value.diagnostics[0]["file"] == str(bad)
    assert isinstance(e.value, accord.AccordError)


def test_invalid_utf8_is_located(sco, tmp_path):
    bad = tmp_path / "latin1.toml"
    bad.write_bytes(b'[scenario]\nid = "caf\xe9"\n')
    with pytest.raises(accord.DataError) as e:
        sco.forecast(bad)
    assert (e.value.line, e.value.column) == (2, 10)


def test_a_broken_data_folder_is_located(root, tmp_path):
    import shutil

    shutil.copytree(root / "data" / "sco", tmp_path / "sco")
    actors = tmp_path / "sco" / "record" / "actors.toml"
    text = actors.read_text(encoding="utf-8")
    actors.write_text(text + "\n[[actor]]\nid = \n", encoding="utf-8")
    with pytest.raises(accord.DataError) as e:
        accord.load(tmp_path / "sco")
    line = len((text + "\n[[actor]]\nid = \n").splitlines())
    # The syntax error is located (the other files' problems follow from it).
    assert any(d["file"].endswith("actors.toml") and d["line"] == line for d in e.value.diagnostics)
    first = e.value.diagnostics[0]
    assert (e.value.file, e.value.line, e.value.column) == (first["file"], first["line"], first["column"])


@pytest.mark.parametrize(
    "call, error",
    [
        (lambda m: m.forecast(samples=-5), accord.InvalidArgument),
        (lambda m: m.forecast(samples=0), accord.InvalidArgument),
        (lambda m: m.forecast(samples="ten"), TypeError),
        (lambda m: m.forecast(samples=1.5), TypeError),
        (lambda m: m.forecast(samples=True), TypeError),
        (lambda m: m.forecast(seed=-1), accord.InvalidArgument),
        (lambda m: m.forecast(samples=2_000_000), accord.InvalidArgument),
        (lambda m: m.forecast(model="nope"), accord.InvalidArgument),
        (lambda m: m.forecast(horizon=0), accord.InvalidArgument),
        (lambda m: m.forecast(scenario=42), TypeError),
        (lambda m: m.forecast(scenario="no-such-scenario"), accord.InvalidArgument),
        (lambda m: m.opportunities("XXX"), accord.InvalidArgument),
        (lambda m: m.opportunities("RUS", loss="cubic"), accord.InvalidArgument),
        (lambda m: m.opportunities("RUS", max_levers=0), accord.InvalidArgument),
        (lambda m: m.record_timeline("RUZ"), accord.InvalidArgument),
        (lambda m: m.record_status("NATO", at="2010-01-01"), accord.InvalidArgument),
        (lambda m: m.record_status(at="2010-13-01"), accord.InvalidArgument),
        (lambda m: m.record_show("no-such-entry"), accord.InvalidArgument),
        (lambda m: m.influence(permutations=-1), accord.InvalidArgument),
        (lambda m: accord.load("/no/such/folder"), accord.InvalidArgument),
        (lambda m: accord.ktab_run(12), TypeError),
    ],
)
def test_bad_arguments_raise_clear_exceptions(sco, call, error):
    with pytest.raises(error) as e:
        call(sco)
    assert str(e.value)


def test_an_unknown_actor_names_the_valid_ones(sco):
    with pytest.raises(accord.InvalidArgument, match="actors with levers"):
        sco.opportunities("RUZ")
    with pytest.raises(ValueError):  # InvalidArgument is a ValueError too
        sco.opportunities("RUZ")


def test_a_bad_ktab_file_is_located(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("name,desc,1\nactor,a,x,1,1\n", encoding="utf-8")
    with pytest.raises(accord.DataError) as e:
        accord.ktab_run(bad)
    assert e.value.file == str(bad)
    assert e.value.line is not None


# -------------------------------------------------- GIL and Ctrl-C


def test_ctrl_c_interrupts_a_long_forecast(sco):
    timer = threading.Timer(0.5, _thread.interrupt_main)
    start = time.monotonic()
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            sco.forecast(samples=1_000_000, no_limit=True)
    finally:
        timer.cancel()
    assert time.monotonic() - start < 30


def test_the_gil_is_released_while_the_engine_runs(sco):
    ticks = 0
    done = threading.Event()

    def work():
        sco.forecast(samples=3000, seed=1, input_only=True)
        done.set()

    t = threading.Thread(target=work)
    t.start()
    while not done.is_set():
        ticks += 1
        time.sleep(0.001)
    t.join()
    assert ticks > 10
