"""The bad-input cases: a small valid project, and one way to break (or bend) it per case.

Each :class:`Case` changes one thing of :func:`build_base` (the spec text, one data file, the
``--as-of`` day) and says what must come out: ``error`` cases must give one clear error with the
listed reason codes (nothing is run or published); ``warning`` cases are corrections the loader
makes and reports with the listed codes; ``ok`` cases load with no issue at all. ``check`` looks
at the loaded project to prove the correction is right.
"""

from __future__ import annotations

import gzip
import hashlib
import hmac
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

__all__ = ["BASE_SPEC", "CASES", "SECRET", "Case", "build_base", "build_case", "expected_pseudonym"]

SECRET = "5f" * 32  # the cases' .cjm-secret (64 hex characters)

BASE_SPEC = """\
project: {name: Bad input shop, min_group_size: 1}
goals:
  - id: sell
    statement: Sell more.
    kpis: [{id: conversion, metric: session_conversion, target: 0.1}]
stages: [{id: awareness}, {id: consideration}, {id: purchase}]
touchpoints:
  - {id: landing, stage: awareness, match: {event: landing_view}}
  - {id: product, stage: consideration, match: {event: product_view}}
  - {id: cart, stage: purchase, match: {event: add_to_cart}}
  - {id: order, stage: purchase, match: {event: purchase}}
lanes:
  - {stage: purchase, persona: parent, emotion: -1}
personas:
  - {id: parent, name: Parent, rule: {device: mobile}}
pain_points:
  - {id: slow-delivery, name: Slow delivery, stage: purchase, touchpoints: [order], themes: [delay]}
opportunities:
  - {id: faster, name: Faster delivery, stage: purchase, pain_points: [slow-delivery], reach: 100, impact: 1,
     confidence: 0.5, effort: 2}
codebook:
  themes:
    - {id: delay, stage: purchase, keywords: {en: [late]}}
sources:
  events: {path: data/events.csv}
  feedback: {path: data/feedback.csv}
  surveys: {path: data/surveys.csv}
  orders: {path: data/orders.csv}
"""

EVENTS_HEADER = "user_id,session_id,ts,event,page,channel,device,revenue"
_FUNNEL = ("landing_view", "product_view", "add_to_cart", "purchase")


def _events_rows() -> list[str]:
    rows = []
    for u in range(10):  # 10 users, 4 events each: 40 rows
        for k, event in enumerate(_FUNNEL):
            revenue = "25.5" if event == "purchase" else ""
            rows.append(f"u{u:02d},s{u:02d},2026-01-05T1{u % 10}:0{k}:00Z,{event},/{event},search,"
                        f"{'mobile' if u % 2 else 'desktop'},{revenue}")
    return rows


def _csv(header: str, rows: list[str], *, newline: str = "\n") -> bytes:
    return (newline.join([header, *rows]) + newline).encode("utf-8")


def _feedback_rows() -> list[str]:
    return [f"f{i:02d},2026-01-06T09:{i:02d}:00Z,u{i % 10:02d},Parcel arrived late {i},{1 + i % 5},app,en"
            for i in range(25)]


def _survey_rows() -> list[str]:
    return [f"q{i:02d},2026-01-06T10:{i:02d}:00Z,u{i % 10:02d},nps,{i % 11},,purchase" for i in range(25)]


def _order_rows() -> list[str]:
    return [f"o{i:02d},u{i % 10:02d},2026-01-05T12:{i:02d}:00Z,{10 + i}.5,1,paid" for i in range(25)]


FEEDBACK_HEADER = "id,ts,user_id,text,rating,source,language"
SURVEYS_HEADER = "id,ts,user_id,kind,score,comment,stage"
ORDERS_HEADER = "order_id,user_id,ts,revenue,items,status"


def base_files() -> dict[str, bytes]:
    """The files of the valid base project (path relative to the project -> bytes)."""
    return {
        "journey.yml": BASE_SPEC.encode("utf-8"),
        ".cjm-secret": (SECRET + "\n").encode(),
        "data/events.csv": _csv(EVENTS_HEADER, _events_rows()),
        "data/feedback.csv": _csv(FEEDBACK_HEADER, _feedback_rows()),
        "data/surveys.csv": _csv(SURVEYS_HEADER, _survey_rows()),
        "data/orders.csv": _csv(ORDERS_HEADER, _order_rows()),
    }


def expected_pseudonym(customer_id: str) -> str:
    """The pseudonym the cases' secret must give ``customer_id`` (Python's own HMAC)."""
    return "c_" + hmac.new(bytes.fromhex(SECRET), customer_id.encode(), hashlib.sha256).hexdigest()[:12]


@dataclass(frozen=True)
class Case:
    """One bad input: what it changes and what must come out."""

    name: str
    what: str
    expect: str  # "error", "warning" or "ok"
    codes: tuple[str, ...] = ()
    files: dict[str, bytes | None] = field(default_factory=dict)  # None deletes the file
    spec: Callable[[str], str] | None = None
    as_of: str | None = None
    row: int | None = None  # the row (spreadsheet numbering) the first issue must name
    column: str | None = None  # the column the first issue must name
    check: Callable | None = None  # check(project) on the loaded project
    runs: bool = False  # degenerate data: `cjm run` must publish too ("valid" means "runs")

    def __str__(self) -> str:
        return self.name


def build_base(target: Path) -> Path:
    for rel, data in base_files().items():
        path = target / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return target


def build_case(case: Case, target: Path) -> Path:
    """Write the base project with ``case`` applied into ``target``."""
    build_base(target)
    if case.spec is not None:
        spec = case.spec(BASE_SPEC)
        (target / "journey.yml").write_bytes(spec.encode("utf-8") if isinstance(spec, str) else spec)
    for rel, data in case.files.items():
        path = target / rel
        if data is None:
            path.unlink()
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
    return target


# ------------------------------------------------------------------ helpers for the cases

def _replace(old: str, new: str) -> Callable[[str], str]:
    def edit(text: str) -> str:
        assert old in text, old
        return text.replace(old, new, 1)
    return edit


def _events_with(index: int, row: str) -> bytes:
    rows = _events_rows()
    rows[index] = row
    return _csv(EVENTS_HEADER, rows)


def _surveys_with(index: int, score: str) -> bytes:
    rows = _survey_rows()
    fields = rows[index].split(",")
    fields[4] = score
    rows[index] = ",".join(fields)
    return _csv(SURVEYS_HEADER, rows)


def _zip(name: str, data: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr(name, data)
    return buf.getvalue()


def _parquet(frame: pd.DataFrame) -> bytes:
    buf = io.BytesIO()
    frame.to_parquet(buf, index=False)
    return buf.getvalue()


_LONG_IDS = ["1234567890123456789", "1234567890123456788", "9223372036854775807", "9999999999999999999"]


def _long_id_events() -> list[str]:
    return [f"{_LONG_IDS[u % 4]},s{u:02d},2026-01-05T10:0{k}:00Z,{e},/,search,mobile,"
            for u in range(8) for k, e in enumerate(_FUNNEL)]


def _check_long_ids(project, ids: list[str] = _LONG_IDS) -> None:
    users = set(project.sql("SELECT DISTINCT user_id FROM events").user_id)
    assert users == {expected_pseudonym(i) for i in ids}


def _check_users(n: int) -> Callable:
    def check(project) -> None:
        assert project.sql("SELECT count(DISTINCT user_id) n FROM events").n[0] == n
    return check


def _check_text(fragment: str) -> Callable:
    def check(project) -> None:
        texts = project.sql("SELECT text FROM feedback").text
        assert texts.str.contains(fragment, regex=False).any()
    return check


def _check_sql(query: str, expected) -> Callable:
    def check(project) -> None:
        assert project.sql(query).iloc[0, 0] == expected, query
    return check


_SPEC_CASES = [
    Case("yaml_unclosed_bracket", "invalid YAML: an unclosed flow mapping", "error", ("invalid_yaml",),
         spec=_replace("project: {name: Bad input shop, min_group_size: 1}", "project: {name: Bad input shop")),
    Case("yaml_tab_indent", "invalid YAML: a tab for indentation", "error", ("invalid_yaml",),
         spec=_replace("  - id: sell\n", "\t- id: sell\n")),
    Case("yaml_duplicate_key", "the same key twice in a mapping", "error", ("duplicate_key",),
         spec=_replace("stages:", "project: {name: Again}\nstages:")),
    Case("yaml_alias_bomb", "aliases of aliases that would expand to 9^9 values", "error", ("too_large",),
         spec=lambda t: t + "x0: &x0 [a, a, a, a, a, a, a, a, a]\n" + "".join(
             f"x{k}: &x{k} [{', '.join([f'*x{k - 1}'] * 9)}]\n" for k in range(1, 9))),
    Case("yaml_deep_nesting", "20,000 nested brackets", "error", ("too_deep",),
         spec=lambda t: t + "deep: " + "[" * 20_000 + "]" * 20_000 + "\n"),
    Case("yaml_nul_byte", "a NUL byte in journey.yml", "error", ("nul_byte",),
         spec=_replace("Bad input shop", "Bad input\x00shop")),
    Case("spec_is_a_folder", "journey.yml is a folder", "error", ("not_a_file",),
         files={"journey.yml": None, "journey.yml/notes.txt": b"a folder, not a spec"}),
    Case("spec_empty", "an empty journey.yml", "error", ("empty_spec",), spec=lambda _t: ""),
    Case("spec_not_mapping", "a list instead of sections", "error", ("not_a_mapping",), spec=lambda _t: "- a\n- b\n"),
    Case("spec_unknown_key", "a misspelt section", "error", ("unknown_key",), spec=_replace("stages:", "stagess:")),
    Case("spec_missing_name", "the project has no name", "error", ("missing_key",),
         spec=_replace("{name: Bad input shop, min_group_size: 1}", "{min_group_size: 1}")),
    Case("spec_dangling_pain_point", "an opportunity names a pain point that does not exist", "error",
         ("unknown_reference",), spec=_replace("pain_points: [slow-delivery]", "pain_points: [slow-delivry]")),
    Case("spec_unknown_stage", "a touchpoint in an unknown stage", "error", ("unknown_reference",),
         spec=_replace("{id: landing, stage: awareness", "{id: landing, stage: awarness")),
    Case("spec_duplicate_id", "two stages with the same id", "error", ("duplicate_id",),
         spec=_replace("{id: purchase}]", "{id: purchase}, {id: purchase}]")),
    Case("spec_latin1", "journey.yml saved as Latin-1", "error", ("bad_encoding",),
         spec=lambda t: t.replace("Bad input shop", "Boutique déco").encode("latin-1")),
    Case("spec_bom", "journey.yml with a UTF-8 byte order mark", "ok",
         spec=lambda t: ("\ufeff" + t).encode("utf-8")),
    Case("spec_nan_impact", "an opportunity's impact is .nan", "error", ("not_finite",),
         spec=_replace("impact: 1,", "impact: .nan,")),
    Case("spec_inf_reach", "an opportunity's reach is .inf", "error", ("not_finite",),
         spec=_replace("reach: 100,", "reach: .inf,")),
    Case("spec_nan_target", "a KPI target is .nan", "error", ("not_finite",), spec=_replace("target: 0.1", "target: .nan")),
    Case("spec_tiny_effort", "an opportunity's effort of 1e-320 (its score would be infinite)", "error",
         ("bad_value",), spec=_replace("effort: 2", "effort: 1e-320")),
    Case("spec_huge_reach", "an opportunity's reach of 1e300", "error", ("bad_value",),
         spec=_replace("reach: 100,", "reach: 1e300,")),
    Case("spec_min_group_zero", "min_group_size 0", "error", ("bad_value",),
         spec=_replace("min_group_size: 1", "min_group_size: 0")),
    Case("spec_min_group_text", "min_group_size written in words", "error", ("bad_value",),
         spec=_replace("min_group_size: 1", "min_group_size: five")),
    Case("spec_emotion_out_of_scale", "a lane emotion of 5 on the -2..+2 scale", "error", ("bad_value",),
         spec=_replace("emotion: -1", "emotion: 5")),
    Case("spec_unknown_format", "a source format that is not supported", "error", ("not_allowed",),
         spec=_replace("orders: {path: data/orders.csv}", "orders: {path: data/orders.csv, format: xlsx}")),
    Case("spec_unknown_timezone", "a time zone that does not exist", "error", ("unknown_timezone",),
         spec=_replace("events: {path: data/events.csv}", "events: {path: data/events.csv, timezone: Mars/Olympus}")),
    Case("spec_negative_timeout", "a negative session timeout", "error", ("bad_value",),
         spec=_replace("events: {path: data/events.csv}",
                       "events: {path: data/events.csv, session_timeout_minutes: -5}")),
    Case("spec_unknown_encoding", "an encoding name that does not exist", "error", ("unknown_encoding",),
         spec=_replace("feedback: {path: data/feedback.csv}", "feedback: {path: data/feedback.csv, encoding: klingon}")),
    Case("codebook_regex_unclosed", "a codebook pattern that does not compile", "error", ("bad_pattern",),
         spec=_replace("keywords: {en: [late]}", "keywords: {en: [late, '/(unclosed/']}")),
    Case("codebook_regex_lookahead", "a codebook pattern with nested quantifiers in a look-ahead", "error",
         ("bad_pattern",), spec=_replace("keywords: {en: [late]}", "keywords: {en: [late, '/(?=(a+)+b)/']}")),
    Case("spec_missing", "the project has no journey.yml", "error", ("missing_file",), files={"journey.yml": None}),
]

_DATA_ERRORS = [
    Case("events_empty_file", "events.csv has 0 bytes", "error", ("empty_file",), files={"data/events.csv": b""}),
    Case("events_header_only", "events.csv has a header and no rows", "error", ("no_rows",),
         files={"data/events.csv": (EVENTS_HEADER + "\n").encode()}),
    Case("events_missing_column", "events.csv has no ts column", "error", ("missing_column",), row=1, column="ts",
         files={"data/events.csv": _csv("user_id,session_id,time,event,page,channel,device,revenue", _events_rows())}),
    Case("events_mapped_column_missing", "the mapping names a column the file lacks", "error", ("missing_column",),
         row=1, column="event_time",
         spec=_replace("events: {path: data/events.csv}", "events: {path: data/events.csv, columns: {ts: event_time}}")),
    Case("events_file_missing", "events.csv does not exist", "error", ("missing_file",), files={"data/events.csv": None}),
    Case("events_wrong_separator", "a ';' file declared with separator ','", "error", ("wrong_separator",), row=1,
         spec=_replace("events: {path: data/events.csv}", "events: {path: data/events.csv, separator: ','}"),
         files={"data/events.csv": _csv(EVENTS_HEADER.replace(",", ";"), [r.replace(",", ";") for r in _events_rows()])}),
    Case("feedback_latin1_undeclared", "feedback.csv in Latin-1, read as UTF-8", "error", ("bad_encoding",), row=3,
         files={"data/feedback.csv": (FEEDBACK_HEADER + "\n" + "\n".join(
             r.replace("Parcel", "Colis très") if i == 1 else r for i, r in enumerate(_feedback_rows())) + "\n"
         ).encode("latin-1")}),
    Case("events_bad_timestamps", "most timestamps are not dates", "error", ("too_many_bad_rows", "bad_value"),
         files={"data/events.csv": _csv(EVENTS_HEADER, [r.replace("2026-01-05T", "yesterday ") for r in _events_rows()])}),
    Case("orders_text_revenue", "revenue written as text in most orders", "error", ("too_many_bad_rows",),
         files={"data/orders.csv": _csv(ORDERS_HEADER, [r.replace(".5,1,", " euros,1,") for r in _order_rows()])}),
    Case("events_gzip", "events.csv is gzip-compressed", "error", ("unreadable_file",),
         files={"data/events.csv": gzip.compress(_csv(EVENTS_HEADER, _events_rows()), mtime=0)}),
    Case("orders_xlsx", "orders.csv is an Excel workbook (a ZIP archive)", "error", ("unreadable_file",),
         files={"data/orders.csv": _zip("xl/workbook.xml", b"<workbook/>")}),
    Case("events_outside_project", "the events path leads out of the project folder", "error", ("outside_project",),
         spec=_replace("events: {path: data/events.csv}", "events: {path: ../elsewhere/events.csv}"),
         files={"../elsewhere/events.csv": _csv(EVENTS_HEADER, _events_rows())}),
    Case("events_binary", "events.csv is binary garbage", "error", ("bad_encoding",),
         files={"data/events.csv": bytes(range(256)) * 8}),
    Case("events_bad_parquet", "a .parquet file that is not Parquet", "error", ("unreadable_file",),
         spec=_replace("events: {path: data/events.csv}", "events: {path: data/events.parquet}"),
         files={"data/events.parquet": b"PAR1 this is not parquet"}),
    Case("events_bad_json", "a .json file that is not JSON", "error", ("unreadable_file",),
         spec=_replace("events: {path: data/events.csv}", "events: {path: data/events.json}"),
         files={"data/events.json": b'[{"user_id": "u1", "ts": '}),
    Case("events_path_is_folder", "the events path is a folder", "error", ("not_a_file",),
         spec=_replace("events: {path: data/events.csv}", "events: {path: data}")),
    Case("as_of_not_a_day", "--as-of 2026-13-45", "error", ("bad_as_of",), as_of="2026-13-45"),
    Case("as_of_before_data", "--as-of before the first event", "error", ("no_rows_in_period",), as_of="2020-01-01"),
    Case("events_no_user_ids", "every user_id is empty", "error", ("too_many_bad_rows",),
         files={"data/events.csv": _csv(EVENTS_HEADER, ["," + r.split(",", 1)[1] for r in _events_rows()])}),
    Case("experiments_bad_count", "an A/B results file with 'many' as a count", "error", ("bad_count",), row=3,
         column="conversions", files={"experiments/results.csv": b"experiment,variant,users,conversions\n"
                                      b"banner,control,100,10\nbanner,variant,100,many\n"}),
    Case("experiments_garbage", "an A/B results file that is binary garbage", "error", ("unreadable_file",),
         files={"experiments/results.csv": bytes(range(256)) * 8}),
    Case("surveys_nps_off_scale", "most NPS answers are 11 to 20", "error", ("too_many_bad_rows",),
         files={"data/surveys.csv": _csv(SURVEYS_HEADER, [r.replace(",nps,", ",nps,1") for r in _survey_rows()])}),
]

def _events_where(keep: Callable[[list[str]], bool] = lambda f: True,
                  edit: Callable[[list[str]], list[str]] = lambda f: f) -> bytes:
    rows = [edit(r.split(",")) for r in _events_rows() if keep(r.split(","))]
    return _csv(EVENTS_HEADER, [",".join(f) for f in rows])


def _blank(index: int) -> Callable[[list[str]], list[str]]:
    return lambda f: [v if i != index else "" for i, v in enumerate(f)]


_DEGENERATE = [  # valid data a run must go through: each section shows what it can, or says why it cannot
    Case("events_equal_timestamps", "every event at the same second", "ok", runs=True,
         files={"data/events.csv": _events_where(edit=lambda f: [*f[:2], "2026-01-05T10:00:00Z", *f[3:]])}),
    Case("events_empty_device", "the device column is empty", "warning", ("empty_column",), column="device", runs=True,
         files={"data/events.csv": _events_where(edit=_blank(6))}),
    Case("events_one_kind", "events of one kind only (landings)", "ok", runs=True,
         files={"data/events.csv": _events_where(keep=lambda f: f[3] == "landing_view", edit=_blank(7))}),
    Case("events_one_customer", "one customer only", "warning", ("unknown_value",), runs=True,
         files={"data/events.csv": _events_where(keep=lambda f: f[0] == "u00")}),
    Case("as_of_first_day", "--as-of the first day of the data", "warning", ("no_rows_in_period",), runs=True,
         as_of="2026-01-05"),
    Case("spec_mathtext_names", "names with $…$ and backslashes, drawn as text", "ok", runs=True,
         spec=_replace("name: Parent", "name: 'Parent $x^2$ \\frac{a}{b}'")),
]

_CORRECTIONS = [
    Case("events_extra_columns", "events.csv has columns the spec does not use", "warning", ("unused_columns",), row=1,
         files={"data/events.csv": _csv(EVENTS_HEADER + ",browser,ab_test", [r + ",firefox,B" for r in _events_rows()])}),
    Case("events_one_bad_timestamp", "one timestamp is 'not a date'", "warning", ("bad_value",), row=7, column="ts",
         files={"data/events.csv": _events_with(5, "u01,s01,not a date,add_to_cart,/,search,mobile,")},
         check=_check_sql("SELECT count(*) FROM events", 39)),
    Case("events_mixed_zones", "timestamps with Z, +02:00 and none", "warning", ("mixed_time_zones",), column="ts",
         files={"data/events.csv": _events_with(0, "u00,s00,2026-01-05T12:00:00+02:00,landing_view,/,search,desktop,")
                .replace(b"u01,s01,2026-01-05T11:00:00Z", b"u01,s01,2026-01-05 11:00:00")},
         check=_check_sql("SELECT CAST(min(ts) AS VARCHAR) FROM events WHERE event = 'landing_view'",
                          "2026-01-05 10:00:00")),
    Case("orders_one_text_revenue", "one order's revenue is 'twelve'", "warning", ("bad_value",), row=4,
         column="revenue", files={"data/orders.csv": _csv(ORDERS_HEADER, [
             r.replace("12.5", "twelve") if i == 2 else r for i, r in enumerate(_order_rows())])}),
    Case("orders_duplicate_ids", "an order id used twice", "warning", ("duplicate_id",), row=27, column="order_id",
         files={"data/orders.csv": _csv(ORDERS_HEADER, [*_order_rows(), "o03,u05,2026-01-07T12:00:00Z,99,1,paid"])},
         check=_check_sql("SELECT sum(revenue) FROM orders", sum(10 + i + 0.5 for i in range(25)))),
    Case("feedback_duplicate_ids", "a feedback id used twice", "warning", ("duplicate_id",), row=27, column="id",
         files={"data/feedback.csv": _csv(FEEDBACK_HEADER, [*_feedback_rows(), "f00,2026-01-07,u01,again,5,app,en"])},
         check=_check_sql("SELECT count(*) FROM feedback", 25)),
    Case("events_duplicate_rows", "an event repeated exactly", "warning", ("duplicate_rows",),
         files={"data/events.csv": _csv(EVENTS_HEADER, [*_events_rows(), _events_rows()[0]])}),
    Case("surveys_unknown_stage", "a survey answer names the stage 'checkout'", "warning", ("unknown_stage",), row=2,
         column="stage", files={"data/surveys.csv": _csv(SURVEYS_HEADER, [
             r.replace(",purchase", ",checkout") if i == 0 else r for i, r in enumerate(_survey_rows())])}),
    Case("surveys_unknown_touchpoint", "a survey answer names an unknown touchpoint", "warning",
         ("unknown_touchpoint",), row=3, column="touchpoint",
         files={"data/surveys.csv": _csv(SURVEYS_HEADER + ",touchpoint", [
             r + (",basket" if i == 1 else ",cart") for i, r in enumerate(_survey_rows())])}),
    Case("events_unknown_event", "events that match no touchpoint", "warning", ("unmatched_events",), column="event",
         files={"data/events.csv": _csv(EVENTS_HEADER, [*_events_rows(), "u01,s01,2026-01-05T11:09:00Z,wishlist,/,search,mobile,"])}),
    Case("events_bom", "events.csv starts with a UTF-8 byte order mark", "ok",
         files={"data/events.csv": b"\xef\xbb\xbf" + _csv(EVENTS_HEADER, _events_rows())}, check=_check_users(10)),
    Case("feedback_latin1_declared", "feedback.csv in Latin-1 with encoding: latin-1", "ok",
         spec=_replace("feedback: {path: data/feedback.csv}", "feedback: {path: data/feedback.csv, encoding: latin-1}"),
         files={"data/feedback.csv": (FEEDBACK_HEADER + "\n" + "\n".join(
             r.replace("Parcel", "Colis très") for r in _feedback_rows()) + "\n").encode("latin-1")},
         check=_check_text("Colis très")),
    Case("orders_semicolon_decimal_comma", "a ';' file with decimal commas, separator declared", "ok",
         spec=_replace("orders: {path: data/orders.csv}", "orders: {path: data/orders.csv, separator: ';'}"),
         files={"data/orders.csv": _csv(ORDERS_HEADER.replace(",", ";"),
                                        [r.replace(",", ";").replace(".5;", ",5;") for r in _order_rows()])},
         check=_check_sql("SELECT revenue FROM orders WHERE order_id = 'o02'", 12.5)),
    Case("events_semicolon_undeclared", "a ';' file without a separator in the spec (detected)", "ok",
         files={"data/events.csv": _csv(EVENTS_HEADER.replace(",", ";"), [r.replace(",", ";") for r in _events_rows()])},
         check=_check_users(10)),
    Case("events_19_digit_ids_csv", "19-digit customer ids in a CSV", "ok",
         files={"data/events.csv": _csv(EVENTS_HEADER, _long_id_events())}, check=_check_long_ids),
    # the JSON rows carry no device: the persona whose rule reads it is reported as matching nobody
    Case("events_19_digit_ids_json", "19-digit customer ids as JSON numbers", "warning", ("empty_column",),
         column="device",
         spec=_replace("events: {path: data/events.csv}", "events: {path: data/events.json}"),
         files={"data/events.json": ("[" + ",".join(
             f'{{"user_id": {_LONG_IDS[u % 4]}, "session_id": "s{u}", "ts": "2026-01-05T10:0{k}:00Z", "event": "{e}"}}'
             for u in range(8) for k, e in enumerate(_FUNNEL)) + "]").encode()}, check=_check_long_ids),
    Case("events_19_digit_ids_parquet", "19-digit customer ids as Parquet int64", "warning", ("empty_column",),
         column="device",
         spec=_replace("events: {path: data/events.csv}", "events: {path: data/events.parquet}"),
         files={"data/events.parquet": _parquet(pd.DataFrame({
             "user_id": pd.array([int(_LONG_IDS[u % 3]) for u in range(8) for _ in _FUNNEL], dtype="int64"),
             "session_id": [f"s{u}" for u in range(8) for _ in _FUNNEL],
             "ts": [f"2026-01-05T10:0{k}:00Z" for _ in range(8) for k in range(4)],
             "event": [e for _ in range(8) for e in _FUNNEL]}))},
         check=lambda project: _check_long_ids(project, _LONG_IDS[:3])),
    Case("feedback_huge_text", "one feedback text of 3 million characters", "ok",
         files={"data/feedback.csv": _csv(FEEDBACK_HEADER, [*_feedback_rows()[:-1],
                                                            "f99,2026-01-06,u01,\"" + "late " * 600_000 + "end\",1,app,en"])},
         check=_check_sql("SELECT max(length(text)) FROM feedback", 3_000_003)),
    Case("surveys_nan_score", "one survey score is NaN", "warning", ("bad_value",), row=4, column="score",
         files={"data/surveys.csv": _surveys_with(2, "NaN")}),
    Case("orders_infinite_revenue", "one order's revenue is inf", "warning", ("bad_value",), row=2, column="revenue",
         files={"data/orders.csv": _csv(ORDERS_HEADER, [
             r.replace("10.5", "inf") for r in _order_rows()])}, check=_check_sql("SELECT count(*) FROM orders", 24)),
    Case("surveys_nps_11", "one NPS answer is 11", "warning", ("bad_value",), row=2, column="score",
         files={"data/surveys.csv": _surveys_with(0, "11")}),
    Case("surveys_nps_negative", "one NPS answer is -1", "warning", ("bad_value",), row=2, column="score",
         files={"data/surveys.csv": _surveys_with(0, "-1")}),
    Case("feedback_rating_off_scale", "one feedback rating is 9 stars", "warning", ("bad_value",), row=2,
         column="rating", files={"data/feedback.csv": _csv(FEEDBACK_HEADER, [
             r.replace("late 0,1,", "late 0,9,") for r in _feedback_rows()])}),
    Case("events_no_session_ids", "no session ids: sessions built by inactivity", "warning", ("empty_column",),
         column="device",
         files={"data/events.csv": _csv("user_id,ts,event", [
             ",".join(r.split(",")[i] for i in (0, 2, 3)) for r in _events_rows()])},
         check=_check_sql("SELECT count(DISTINCT session_id) FROM events", 10)),
    Case("events_one_empty_user", "one event has no user_id", "warning", ("bad_value",), row=2, column="user_id",
         files={"data/events.csv": _events_with(0, ",s00,2026-01-05T10:00:00Z,landing_view,/,search,desktop,")}),
    Case("events_ragged_row", "one row has a field more than the header", "warning",
         ("irregular_rows",), row=5,
         files={"data/events.csv": _events_with(3, "u00,s00,2026-01-05T10:03:00Z,purchase,/,search,desktop,25.5,x")},
         check=_check_sql("SELECT count(*) FROM events", 39)),
    Case("feedback_unquoted_comma_last", "the last feedback text holds a comma without quotes", "warning",
         ("irregular_rows",), row=27,
         files={"data/feedback.csv": _csv(FEEDBACK_HEADER, [*_feedback_rows(), "f99,2026-01-06,u01,Late, again,1,app,en"])},
         check=_check_sql("SELECT count(*) FROM feedback", 25)),
    Case("feedback_unquoted_comma_first", "the first feedback text holds a comma without quotes", "warning",
         ("irregular_rows",), row=2,
         files={"data/feedback.csv": _csv(FEEDBACK_HEADER, ["f99,2026-01-06,u01,Late, again,1,app,en",
                                                            *_feedback_rows()])},
         check=_check_sql("SELECT count(*) FROM feedback WHERE text LIKE 'Parcel arrived late %'", 25)),
    Case("events_personal_data_in_values", "an e-mail in a channel (a UTM tag), a phone in a page", "ok",
         files={"data/events.csv": _events_with(0, "u00,s00,2026-01-05T10:00:00Z,landing_view,/call-06 12 34 56 78,"
                                                   "newsletter-jane.roe@client-mail.test,desktop,")},
         check=_check_sql("SELECT page || ' ' || channel FROM events WHERE channel <> 'search'", "/call-[phone] [email]")),
    Case("feedback_utf16", "feedback.csv in UTF-16 with its byte order mark, no encoding declared", "ok",
         files={"data/feedback.csv": (FEEDBACK_HEADER + "\n" + "\n".join(
             r.replace("Parcel", "Colis très") for r in _feedback_rows()) + "\n").encode("utf-16")},
         check=_check_text("Colis très")),
    Case("events_outside_allowed", "events outside the project folder, allowed in the spec", "ok",
         spec=_replace("events: {path: data/events.csv}", "events: {path: ../elsewhere/events.csv, allow_outside: true}"),
         files={"../elsewhere/events.csv": _csv(EVENTS_HEADER, _events_rows())}, check=_check_users(10)),
    Case("events_far_dates", "one event dated 1900, one dated 9999", "warning", ("bad_value",), row=2, column="ts",
         files={"data/events.csv": _events_with(0, "u00,s00,1900-01-01T10:00:00Z,landing_view,/,search,desktop,")
                .replace(b"u09,s09,2026-01-05T19:03:00Z", b"u09,s09,9999-12-31T19:03:00Z")},
         check=_check_sql("SELECT count(*) || ' ' || CAST(max(ts) AS VARCHAR) FROM events", "38 2026-01-05 19:02:00")),
    Case("events_old_dates_confirmed", "events dated 1900, the source's dates allowing them", "ok",
         spec=_replace("events: {path: data/events.csv}", "events: {path: data/events.csv, dates: [1900-01-01, 2026-12-31]}"),
         files={"data/events.csv": _events_with(0, "u00,s00,1900-01-01T10:00:00Z,landing_view,/,search,desktop,")},
         check=_check_sql("SELECT CAST(min(ts) AS VARCHAR) FROM events", "1900-01-01 10:00:00")),
    Case("events_crlf", "Windows line endings", "ok",
         files={"data/events.csv": _csv(EVENTS_HEADER, _events_rows(), newline="\r\n")}, check=_check_users(10)),
    Case("feedback_quoted_newlines", "texts with commas, quotes and line breaks", "ok",
         files={"data/feedback.csv": _csv(FEEDBACK_HEADER, [
             *_feedback_rows()[:-1], 'f99,2026-01-06,u01,"Late, again.\nSaid ""soon"".",1,app,en'])},
         check=_check_text('Said "soon".')),
]

CASES: list[Case] = _SPEC_CASES + _DATA_ERRORS + _CORRECTIONS + _DEGENERATE
