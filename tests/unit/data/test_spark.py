"""The same analytics on Apache Spark (local mode) as on DuckDB: funnels, transitions, abandonment.

One Spark session serves the module. Where PySpark or Java is missing the Spark tests skip with
the reason, except in CI (``.ci/run`` installs Java, ``make test`` PySpark, and sets
``CJM_REQUIRE_SPARK`` so that they fail instead); the error a user gets then is tested without Spark.
"""

from __future__ import annotations

import atexit
import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

import cjmlib as cjm
from cjmlib.data import engine as engine_module
from cjmlib.data.engine import engine_issues, spark_session, to_spark
from cjmlib.spec.io import load_spec

pytestmark = pytest.mark.spark

NINETY_SECONDS = 90 / 86400  # in days


def _unavailable() -> str | None:
    spec = load_spec(Path(__file__).resolve().parents[3] / "templates" / "ecommerce" / "journey.yml")
    spark_spec = spec.model_copy(update={"project": spec.project.model_copy(update={"engine": "pyspark"})})
    issues = engine_issues(spark_spec)
    return issues[0].problem if issues else None


@pytest.fixture(scope="module")
def spark(request):
    reason = _unavailable()
    if reason and os.environ.get("CJM_REQUIRE_SPARK"):  # set by .ci/run: CI must run these tests
        pytest.fail(f"CJM_REQUIRE_SPARK is set but {reason}")
    if reason:
        pytest.skip(reason)
    session = spark_session(master="local[2]", config={"spark.sql.shuffle.partitions": "2"})
    request.addfinalizer(session.stop)
    return session


def _with_engine(project_dir: Path, engine: str = "engine: pyspark") -> Path:
    """Name an engine in the spec of conftest's small project."""
    spec = project_dir / "journey.yml"
    text = spec.read_text(encoding="utf-8")
    assert "min_group_size: 1}" in text
    spec.write_text(text.replace("min_group_size: 1}", f"min_group_size: 1, {engine}}}"), encoding="utf-8")
    return project_dir


@pytest.fixture
def small(small_project, spark):
    """conftest's small project (five sessions of three users), on DuckDB and on Spark."""
    project = cjm.load_project(small_project)
    with to_spark(project, spark=spark) as on_spark:
        yield project, on_spark
    project.con.close()


@pytest.fixture(scope="module")
def demo(tmp_path_factory, spark):
    from cjmlib.demo.templates import new_project

    project = cjm.load_project(new_project(tmp_path_factory.mktemp("demo") / "shop", users=400))
    with to_spark(project, spark=spark) as on_spark:
        yield project, on_spark
    project.con.close()


def assert_same(on_duckdb: pd.DataFrame, on_spark: pd.DataFrame) -> None:
    """Same rows, same columns, same values (integers compared whatever their width)."""
    assert len(on_duckdb) > 0
    pd.testing.assert_frame_equal(on_duckdb.reset_index(drop=True), on_spark.reset_index(drop=True),
                                  check_dtype=False, rtol=1e-9)


# --- the small project: values worked out by hand, then the same on Spark ------------------------------

FUNNELS = {  # options -> units at awareness, consideration, purchase
    # users: u1 and u3 go landing → product → cart; u2 sees a product before landing
    "user": ({"unit": "user"}, [3, 2, 2]),
    # sessions s1 and s4 go through; s2 (no product) and s3 (product first) stop at awareness
    "session": ({"unit": "session"}, [4, 2, 2]),
    # u3's event after the product is another product, not the cart: strict stops it at consideration
    "strict": ({"unit": "user", "order": "strict"}, [3, 2, 1]),
    # the carts come 120 s after the landing: out of a 90-second window
    "window": ({"unit": "user", "window_days": NINETY_SECONDS}, [3, 2, 0]),
}


@pytest.mark.parametrize("name", list(FUNNELS))
def test_small_stage_funnel_on_spark_equals_duckdb_and_hand_counts(small, name):
    project, on_spark = small
    options, expected = FUNNELS[name]
    on_duckdb = cjm.stage_funnel(project, **options)
    assert on_duckdb.units.tolist() == expected
    assert_same(on_duckdb, cjm.stage_funnel(on_spark, **options))


def test_small_transitions_on_spark_equal_duckdb_and_hand_counts(small):
    project, on_spark = small
    on_duckdb = cjm.transition_table(project, by="touchpoint", unit="session")
    # s1: landing→product→cart→order; s2: landing→cart; s3: product→landing→cart; s4: landing→product→product→cart
    counted = {(r.source, r.target): r.transitions for r in on_duckdb.itertuples()}
    assert counted == {("landing", "product"): 2, ("product", "cart"): 2, ("landing", "cart"): 2,
                       ("cart", "order"): 1, ("product", "landing"): 1, ("product", "product"): 1}
    landing = on_duckdb[on_duckdb.source == "landing"]
    assert landing.out_of_source.tolist() == [4, 4] and landing.probability.tolist() == [0.5, 0.5]
    assert_same(on_duckdb, cjm.transition_table(on_spark, by="touchpoint", unit="session"))


def test_small_abandonment_on_spark_equals_duckdb_and_hand_counts(small):
    project, on_spark = small
    on_duckdb = cjm.web_metrics(project).set_index("metric")
    # sessions with an add-to-cart: s1, s2, s3, s4; only s1 has a purchase
    assert (on_duckdb.loc["cart_abandonment", "numerator"], on_duckdb.loc["cart_abandonment", "denominator"]) == (3, 4)
    assert on_duckdb.loc["checkout_abandonment", "denominator"] == 0
    assert_same(on_duckdb.reset_index(), cjm.web_metrics(on_spark))


# --- the demo: every variant the playbook uses, on planted data ---------------------------------------

DEMO_FUNNELS = [
    {"unit": "session", "window_days": 1},
    {"unit": "user", "order": "strict", "window_days": 7},
]


@pytest.mark.parametrize("options", DEMO_FUNNELS, ids=lambda o: " ".join(f"{k}={v}" for k, v in o.items()))
def test_demo_stage_funnel_on_spark_equals_duckdb(demo, options):
    project, on_spark = demo
    on_duckdb = cjm.stage_funnel(project, **options)
    assert on_duckdb.units.iloc[0] > on_duckdb.units.iloc[1] > 0  # a real funnel, not an empty table
    assert_same(on_duckdb, cjm.stage_funnel(on_spark, **options))


@pytest.mark.parametrize("unit", ["session", "user"])
def test_demo_transitions_on_spark_equal_duckdb(demo, unit):
    project, on_spark = demo
    on_duckdb = cjm.transition_table(project, by="touchpoint", unit=unit, ends=True)
    assert len(on_duckdb) > 10
    assert_same(on_duckdb, cjm.transition_table(on_spark, by="touchpoint", unit=unit, ends=True))


def test_demo_abandonment_on_spark_equals_duckdb(demo):
    project, on_spark = demo
    on_duckdb = cjm.web_metrics(project)
    cart = on_duckdb.set_index("metric").loc["cart_abandonment"]
    assert 0 < cart.numerator < cart.denominator
    assert_same(on_duckdb, cjm.web_metrics(on_spark))
    assert_same(cjm.weekly_abandonment(project, step="cart"), cjm.weekly_abandonment(on_spark, step="cart"))


# --- the engine named in journey.yml --------------------------------------------------------------------

def test_open_project_hands_the_analytics_to_the_engine_of_the_spec(small_project, spark):
    project = cjm.open_project(_with_engine(small_project))
    atexit.unregister(project.engine.close)  # the session is the module's: it is stopped with the module
    try:
        assert project.backend.name == "pyspark"
        assert cjm.stage_funnel(project, unit="user").units.tolist() == [3, 2, 2]
        assert project.sql("SELECT count(*) AS n FROM events").n[0] == 14  # SQL stays on DuckDB
    finally:
        shutil.rmtree(project.engine.staging)


# --- without Spark: the error names journey.yml's key and the fix ---------------------------------------

def test_missing_pyspark_is_a_spec_error_naming_the_key(small_project, monkeypatch):
    real = engine_module.importlib.util.find_spec
    monkeypatch.setattr(engine_module.importlib.util, "find_spec", lambda name: None if name == "pyspark" else real(name))
    folder = _with_engine(small_project)
    with pytest.raises(cjm.SpecError) as err:
        cjm.load_project(folder)
    issue = err.value.issues[0]
    assert (issue.code, issue.file, issue.key) == ("engine_unavailable", "journey.yml", "project.engine")
    assert "PySpark is not installed" in issue.problem and "cjm-workbench[spark]" in issue.fix
    assert err.value.exit_code == 2


def test_missing_java_is_reported_by_validate_and_exits_2(small_project, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("JAVA_HOME", str(tmp_path / "no-java"))
    real = engine_module.importlib.util.find_spec
    monkeypatch.setattr(engine_module.importlib.util, "find_spec",
                        lambda name: object() if name == "pyspark" else real(name))  # PySpark present or not
    folder = _with_engine(small_project)
    issues = cjm.validate_project(folder)
    assert [(i.code, i.key) for i in issues] == [("engine_unavailable", "project.engine")]
    assert "Java" in issues[0].problem and "JAVA_HOME" in issues[0].fix
    from cjmlib.cli import main

    for command in ("validate", "run"):  # a run stops before any step, as for any invalid input
        assert main([command, str(folder)]) == 2
        out = capsys.readouterr()
        assert "project.engine" in out.out + out.err
    assert not list((folder / "reports").glob("runs/*/notebooks/*.ipynb"))


def test_an_option_spark_does_not_take_is_named(small_project):
    options = "engine: pyspark, engine_options: {master: 'local[1]', memory_limit: 8GB}"
    issues = cjm.validate_project(_with_engine(small_project, options))
    assert [(i.code, i.key) for i in issues if i.code == "engine_option"] == [
        ("engine_option", "project.engine_options.memory_limit")]


# --- a busy machine: Spark's local socket to Python taken by another process --------------------------

def _flaky(failures: int, message: str = "[CANNOT_OPEN_SOCKET] Can not open socket"):
    calls = []

    def execute(expr):
        calls.append(expr)
        if len(calls) <= failures:
            raise RuntimeError(message)
        return f"result of {expr}"
    return execute, calls


def test_a_query_is_run_again_when_sparks_socket_could_not_be_opened():
    execute, calls = _flaky(failures=2)
    assert engine_module._retrying(execute)("q") == "result of q"
    assert calls == ["q", "q", "q"]


def test_the_socket_error_is_raised_after_three_attempts_and_other_errors_at_once():
    execute, calls = _flaky(failures=3)
    with pytest.raises(RuntimeError, match="CANNOT_OPEN_SOCKET"):
        engine_module._retrying(execute)("q")
    assert len(calls) == 3
    execute, calls = _flaky(failures=1, message="AnalysisException: column x not found")
    with pytest.raises(RuntimeError, match="AnalysisException"):
        engine_module._retrying(execute)("q")
    assert len(calls) == 1
