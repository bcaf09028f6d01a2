"""The GA4 BigQuery export reader: nested event_params flattened into the canonical events columns."""

from __future__ import annotations

import json

import duckdb
import pandas as pd
import pytest

import cjmlib as cjm
from cjmlib.data.ga4 import GA4_COLUMNS, ga4_param_sql, read_ga4

SPEC = """\
project: {name: GA4 shop, min_group_size: 1}
stages:
  - {id: consideration}
  - {id: purchase}
touchpoints:
  - {id: product, stage: consideration, match: {page: ["/p/*"]}}
  - {id: order, stage: purchase, match: {event: purchase}}
sources:
  events: {path: data/ga4.FMT, format: ga4}
"""


def _param(key, **value):
    return {"key": key, "value": {"string_value": None, "int_value": None, "float_value": None,
                                  "double_value": None, **value}}


# four events as BigQuery writes them (INT64 as strings in JSON), written by hand
EVENTS = [
    {"event_date": "20261005", "event_timestamp": "1791189302123456", "event_name": "page_view",
     "user_pseudo_id": "111.222",
     "event_params": [_param("page_location", string_value="https://shop.example/p/lamp?utm_source=x#top"),
                      _param("ga_session_id", int_value="1791189300"), _param("engagement_time_msec", int_value="5")],
     "device": {"category": "mobile"}, "traffic_source": {"medium": "cpc", "source": "google"}},
    {"event_date": "20261005", "event_timestamp": "1791189402000000", "event_name": "purchase",
     "user_pseudo_id": "111.222",
     "event_params": [_param("ga_session_id", int_value="1791189300"), _param("value", double_value=99.0)],
     "device": {"category": "mobile"}, "traffic_source": {"medium": "cpc", "source": "google"},
     "ecommerce": {"purchase_revenue": 42.5}},
    {"event_date": "20261006", "event_timestamp": "1791280800000000", "event_name": "purchase",
     "user_pseudo_id": "333.444",
     "event_params": [_param("ga_session_id", int_value="1791280000"), _param("value", float_value=12.25),
                      _param("page_location", string_value="https://shop.example/")],
     "device": {"category": "desktop"}, "traffic_source": {"medium": "email", "source": "newsletter"}},
    {"event_date": "20261006", "event_timestamp": "1791280900000000", "event_name": "add_to_cart",
     "user_pseudo_id": "333.444",
     "event_params": [_param("value", double_value=30.0), _param("page_location", string_value="/p/chair")],
     "device": {"category": "desktop"}, "traffic_source": {"medium": "email", "source": "newsletter"}},
]

# worked out by hand: 1791189302123456 µs = 2026-10-05 08:35:02.123456 UTC (1791158400 s is 2026-10-05 00:00 UTC)
EXPECTED = pd.DataFrame({
    "__row": [1, 2, 3, 4],
    "user_id": ["111.222", "111.222", "333.444", "333.444"],
    "session_id": ["ga-1", "ga-1", "ga-2", None],  # numbered by (user, ga_session_id); the 4th has none
    "ts": ["2026-10-05T08:35:02.123456Z", "2026-10-05T08:36:42.000000Z", "2026-10-06T10:00:00.000000Z",
           "2026-10-06T10:01:40.000000Z"],
    "event": ["page_view", "purchase", "purchase", "add_to_cart"],
    "page": ["/p/lamp", None, "/", "/p/chair"],  # path only: query string and fragment dropped
    "channel": ["cpc", "cpc", "email", "email"],
    "device": ["mobile", "mobile", "desktop", "desktop"],
    # purchase_revenue first, else the value parameter; no revenue on other events
    "revenue": [None, "42.5", "12.25", None],
})


def _write_json(path, events):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(e) + "\n" for e in events), encoding="utf-8")
    return path


def _write_parquet(path, events):
    """Write the events with the export's typed nested columns (event_timestamp and int_value as INT64)."""
    source = _write_json(path.with_suffix(".source.jsonl"), events)
    value = "STRUCT(string_value VARCHAR, int_value BIGINT, float_value DOUBLE, double_value DOUBLE)"
    columns = {"event_date": "VARCHAR", "event_timestamp": "BIGINT", "event_name": "VARCHAR",
               "user_pseudo_id": "VARCHAR", "event_params": f"STRUCT(key VARCHAR, value {value})[]",
               "device": "STRUCT(category VARCHAR)", "traffic_source": "STRUCT(medium VARCHAR, source VARCHAR)",
               "ecommerce": "STRUCT(purchase_revenue DOUBLE)"}
    duckdb.execute(f"COPY (SELECT * FROM read_json('{source}', columns={columns})) TO '{path}' (FORMAT parquet)")
    source.unlink()
    return path


def _read(path) -> pd.DataFrame:
    con = duckdb.connect()
    assert read_ga4(con, "raw", path) == 4
    table = con.execute("SELECT * FROM raw ORDER BY __row").fetchdf()
    con.close()
    return table.astype(object).where(table.notna(), None)


@pytest.mark.parametrize("fmt", ["json", "parquet"])
def test_every_flattened_value(tmp_path, fmt):
    path = tmp_path / f"ga4.{fmt}"
    (_write_json if fmt == "json" else _write_parquet)(path, EVENTS)
    table = _read(path)
    assert list(table.columns) == ["__row", *GA4_COLUMNS]
    assert table.to_dict("records") == EXPECTED.astype(object).where(EXPECTED.notna(), None).to_dict("records")


def test_parquet_holds_typed_integers(tmp_path):
    """The Parquet file of the test really has INT64 parameters, as BigQuery writes them."""
    path = _write_parquet(tmp_path / "ga4.parquet", EVENTS)
    types = dict(duckdb.sql(f"SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM '{path}')").fetchall())
    assert types["event_timestamp"] == "BIGINT"
    assert "int_value BIGINT" in types["event_params"]


def test_integers_as_json_numbers_and_missing_blocks(tmp_path):
    """int_value as a JSON number; no device, traffic_source or ecommerce at all."""
    event = {"event_timestamp": 1791158400000000, "event_name": "purchase", "user_pseudo_id": "9.9",
             "event_params": [{"key": "ga_session_id", "value": {"int_value": 17}},
                              {"key": "value", "value": {"int_value": 7}}]}
    con = duckdb.connect()
    read_ga4(con, "raw", _write_json(tmp_path / "one.jsonl", [event]))
    assert con.execute("SELECT user_id, session_id, ts, event, page, channel, device, revenue FROM raw").fetchone() \
        == ("9.9", "ga-1", "2026-10-05T00:00:00.000000Z", "purchase", None, None, None, "7")


def test_parquet_lacking_nested_fields(tmp_path):
    """A Parquet file whose device has no category and with no ecommerce column: those read as empty."""
    path = tmp_path / "lean.parquet"
    duckdb.execute(f"""COPY (SELECT 1791158400000000 AS event_timestamp, 'purchase' AS event_name,
        '5.5' AS user_pseudo_id, {{'operating_system': 'iOS'}} AS device,
        [{{'key': 'ga_session_id', 'value': {{'int_value': 3}}}}, {{'key': 'value', 'value': {{'int_value': 8}}}}]
        AS event_params) TO '{path}' (FORMAT parquet)""")
    con = duckdb.connect()
    assert read_ga4(con, "raw", path) == 1
    assert con.execute("SELECT user_id, session_id, ts, event, page, channel, device, revenue FROM raw").fetchone() \
        == ("5.5", "ga-1", "2026-10-05T00:00:00.000000Z", "purchase", None, None, None, "8")


def test_param_precedence():
    """string_value, then int_value, then double_value, then float_value; None without the key."""
    con = duckdb.connect()
    params = ("[{'key': 'a', 'value': {'string_value': NULL, 'int_value': '5', 'float_value': 1.5, "
              "'double_value': 2.5}}, {'key': 'b', 'value': {'string_value': NULL, 'int_value': NULL, "
              "'float_value': 1.5, 'double_value': NULL}}]")
    got = con.execute(f"SELECT {ga4_param_sql(params, 'a')}, {ga4_param_sql(params, 'b')}, "
                      f"{ga4_param_sql(params, 'c')}").fetchone()
    assert got == ("5", "1.5", None)


@pytest.mark.parametrize("fmt", ["json", "parquet"])
def test_loaded_as_a_project(tmp_path, fmt):
    """Through journey.yml: UTC timestamps, revenue as numbers, touchpoints matched on the page path."""
    (tmp_path / "journey.yml").write_text(SPEC.replace("FMT", fmt), encoding="utf-8")
    (_write_json if fmt == "json" else _write_parquet)(tmp_path / "data" / f"ga4.{fmt}", EVENTS)
    project = cjm.load_project(tmp_path)
    events = project.sql("SELECT user_id, session_id, ts, event, page, revenue, touchpoint FROM events "
                         "ORDER BY ts")
    assert [t.isoformat() for t in events.ts] == ["2026-10-05T08:35:02.123456", "2026-10-05T08:36:42",
                                                  "2026-10-06T10:00:00", "2026-10-06T10:01:40"]
    assert events.touchpoint.tolist() == ["product", "order", "order", "product"]
    assert events.revenue.tolist()[1:3] == [42.5, 12.25]
    assert events.session_id.tolist()[:3] == ["ga-1", "ga-1", "ga-2"]
    quality = cjm.data_quality_table(project).iloc[0]
    assert (quality.rows_read, quality.rows_rejected, quality.unmatched_events) == (4, 0, 0)


def test_user_ids_are_pseudonymized(tmp_path, monkeypatch):
    monkeypatch.setenv("CJM_SECRET", "ab" * 32)
    (tmp_path / "journey.yml").write_text(SPEC.replace("FMT", "json"), encoding="utf-8")
    _write_json(tmp_path / "data" / "ga4.json", EVENTS)
    users = cjm.load_project(tmp_path).sql("SELECT DISTINCT user_id FROM events").user_id
    assert len(users) == 2 and not {"111.222", "333.444"} & set(users)
    assert all(u.startswith("c_") for u in users)


def test_bad_timestamp_names_row_and_value(tmp_path):
    """A timestamp that is not a number of microseconds: that row is set aside, with its line and value."""
    bad = {**EVENTS[0], "event_timestamp": "yesterday"}
    (tmp_path / "journey.yml").write_text(SPEC.replace("FMT", "json"), encoding="utf-8")
    _write_json(tmp_path / "data" / "ga4.json", [bad] + EVENTS * 6)  # 1 bad of 25 (4 %)
    project = cjm.load_project(tmp_path)
    issue = next(i for i in project.issues if i.code == "bad_value")
    assert (issue.row, issue.column, issue.value) == (1, "ts", "yesterday")
    assert project.quality[0]["rows_rejected"] == 1


def test_not_a_ga4_file(tmp_path):
    (tmp_path / "journey.yml").write_text(SPEC.replace("FMT", "json"), encoding="utf-8")
    _write_json(tmp_path / "data" / "ga4.json", [{"user": "u1", "time": "2026-10-05", "what": "view"}])
    issues = cjm.validate_project(tmp_path)
    errors = [i for i in issues if i.severity == "error"]
    assert len(errors) == 1 and errors[0].file == "data/ga4.json"
    assert "not a GA4 BigQuery export" in errors[0].problem
    assert "event_timestamp, event_name, user_pseudo_id" in errors[0].problem


def test_ga4_only_for_events(tmp_path):
    spec = SPEC.replace("FMT", "json") + "  feedback: {path: data/ga4.json, format: ga4}\n"
    (tmp_path / "journey.yml").write_text(spec, encoding="utf-8")
    _write_json(tmp_path / "data" / "ga4.json", EVENTS)
    codes = [i.code for i in cjm.validate_project(tmp_path) if i.severity == "error"]
    assert codes == ["ga4_not_events"]
