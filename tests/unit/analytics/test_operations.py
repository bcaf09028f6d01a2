"""Measures of the operations source (waits, rework loops, contacts per order, contacts before churn) on a
handful of records whose figures are worked out by hand in the comments."""

from __future__ import annotations

import json

import pytest
from helpers import SMALL_SPEC, write_csv

import cjmlib as cjm
from cjmlib import cli

EVENTS = [f"u{i},s{i},2026-01-02T10:00:00Z,landing_view,/,social,mobile," for i in range(3)]
# case A (customer c1): new -> returned -> inspected -> returned (a loop, at `order`) -> closed
# case B (c2): new -> closed, half a day; case C (c3): new, new again at once (no loop), closed 6 days later;
# case D (c1): one record at the cart, on 20 February
OPERATIONS = ["A,c1,2026-01-01 00:00,new,order", "A,c1,2026-01-03 00:00,returned,order",
              "A,c1,2026-01-04 00:00,inspected,checkout", "A,c1,2026-01-08 00:00,returned,order",
              "A,c1,2026-01-09 00:00,closed,order",
              "B,c2,2026-01-02 00:00,new,order", "B,c2,2026-01-02 12:00,closed,order",
              "C,c3,2026-01-05 00:00,new,checkout", "C,c3,2026-01-05 00:00,new,checkout",
              "C,c3,2026-01-11 00:00,closed,checkout",
              "D,c1,2026-02-20 00:00,open,cart"]
# orders: the last day is 10 March; c2's order of 1 March is cancelled (it does not count)
ORDERS = ["o1,c1,2026-01-01,10", "o2,c2,2026-01-02,10", "o3,c3,2026-01-03,10", "o4,c4,2026-01-10,10",
          "o5,c1,2026-03-05,10", "o6,c2,2026-03-01,10,cancelled", "o7,c5,2026-03-10,10"]
COLUMNS = "{case_id: ticket, user_id: customer, ts: changed_at, status: queue, touchpoint: tp}"


def _project(tmp_path, *, min_group_size: int = 1, operations=OPERATIONS, header="ticket,customer,changed_at,queue,tp",
             columns=COLUMNS):
    tmp_path.mkdir(parents=True, exist_ok=True)
    spec = SMALL_SPEC.replace("min_group_size: 1", f"min_group_size: {min_group_size}")
    spec += ("  orders: {path: data/orders.csv}\n"
             f"  operations: {{path: data/operations.csv, columns: {columns}}}\n")
    (tmp_path / "journey.yml").write_text(spec, encoding="utf-8")
    write_csv(tmp_path / "data" / "events.csv", "user_id,session_id,ts,event,page,channel,device,revenue", EVENTS)
    write_csv(tmp_path / "data" / "orders.csv", "order_id,user_id,ts,revenue,status",
              [r if r.count(",") == 4 else r + "," for r in ORDERS])
    write_csv(tmp_path / "data" / "operations.csv", header, operations)
    (tmp_path / ".cjm-secret").write_text("ab" * 32 + "\n", encoding="utf-8")
    return tmp_path


def _row(table, touchpoint):
    rows = table[table.touchpoint.isna()] if touchpoint is None else table[table.touchpoint == touchpoint]
    assert len(rows) == 1, table
    return rows.iloc[0]


@pytest.fixture(autouse=True)
def _secret_from_the_file(monkeypatch):
    monkeypatch.delenv("CJM_SECRET", raising=False)


@pytest.fixture
def project(tmp_path):
    folder = _project(tmp_path)
    assert [i for i in cjm.validate_project(folder) if i.severity == "error"] == []
    return cjm.load_project(folder)


def test_the_operations_are_loaded_with_pseudonymized_customers(project):
    ops = project.sql("SELECT * FROM operations")
    assert list(ops.columns) == ["case_id", "user_id", "ts", "status", "touchpoint", "order_id", "contact"]
    assert len(ops) == 11 and not ops.user_id.isin(["c1", "c2", "c3"]).any()
    # the same customer gets the same pseudonym in the orders and the operations
    orders = project.sql("SELECT user_id FROM orders WHERE order_id = 'o1'")
    assert set(ops[ops.case_id == "A"].user_id) == set(orders.user_id)


def test_waits_from_each_record_to_the_next(project):
    waits = cjm.operation_waits(project)
    # all cases first, then the spec's order; the cart has no wait
    assert waits.touchpoint.isna().tolist() == [True, False, False] and waits.touchpoint.tolist()[1:] == ["checkout", "order"]
    # order: A waits 2, 1 and 1 days, B half a day: [0.5, 1, 1, 2]; median 1; p90 at 0.9 × 3 = 2.7 -> 1 + 0.7 × 1
    order = _row(waits, "order")
    assert (order.cases, order.waits, order.median_days) == (2, 4, 1.0)
    assert order.p90_days == pytest.approx(1.7)
    # checkout: A 4 days, C 0 then 6 days: [0, 4, 6]; median 4; p90 at 1.8 -> 4 + 0.8 × 2 = 5.6
    checkout = _row(waits, "checkout")
    assert (checkout.cases, checkout.waits, checkout.median_days) == (2, 3, 4.0)
    assert checkout.p90_days == pytest.approx(5.6)
    # all: [0, 0.5, 1, 1, 2, 4, 6]; median 1; p90 at 5.4 -> 4 + 0.4 × 2 = 4.8; D has no wait
    overall = _row(waits, None)
    assert (overall.cases, overall.waits, overall.median_days) == (3, 7, 1.0)
    assert overall.p90_days == pytest.approx(4.8)
    assert (overall.first_day, overall.last_day) == ("2026-01-01", "2026-02-20")


def test_a_case_coming_back_to_a_status_loops(project):
    loops = cjm.rework_loops(project)
    assert (_row(loops, "order").cases, _row(loops, "order").looped, _row(loops, "order").share) == (2, 1, 0.5)
    assert (_row(loops, "checkout").looped, _row(loops, "cart").cases) == (0, 1)  # C's "new, new" is no loop
    overall = _row(loops, None)
    assert (overall.cases, overall.looped, overall.share) == (4, 1, 0.25)
    # Wilson 95 % of 1/4: centre (0.25 + 1.96²/8) / (1 + 1.96²/4) = 0.3725, half-width 0.3269
    assert (overall.ci_low, overall.ci_high) == pytest.approx((0.0456, 0.6994), abs=1e-4)


def test_contacts_per_order_over_the_days_both_sources_cover(project):
    rate = cjm.contact_rate(project)
    overall = _row(rate, None)
    # 1 Jan – 20 Feb: cases A, B, C, D; orders o1–o4 (o5–o7 are later)
    assert (overall.cases, overall.orders, overall.rate) == (4, 4, 1.0)
    assert (overall.first_day, overall.last_day) == ("2026-01-01", "2026-02-20")
    # exact Poisson 95 % for 4 events: 1.0899 to 10.2416, per 4 orders
    assert (overall.ci_low, overall.ci_high) == pytest.approx((0.2725, 2.5604), abs=1e-4)
    assert (_row(rate, "order").cases, _row(rate, "order").rate, _row(rate, "cart").rate) == (2, 0.5, 0.25)


def test_share_of_churned_customers_who_had_a_case(project):
    churn = cjm.churn_contacts(project, churn_days=30)
    overall = _row(churn, None)
    # the last 30 days: 9 Feb – 10 Mar. Ordered before: c1, c2, c3, c4; c1 ordered again (retained), c2's
    # order of 1 March is cancelled: c2, c3, c4 churned. Cases opened before 9 Feb: A (c1), B (c2), C (c3)
    assert (overall.churned, overall.contacted, overall.share) == (3, 2, pytest.approx(2 / 3))
    assert (overall.retained, overall.retained_contacted, overall.retained_share) == (1, 1, 1.0)
    assert (_row(churn, "order").contacted, _row(churn, "checkout").contacted) == (1, 1)  # c2; c3
    assert "cart" not in churn.touchpoint.tolist()  # D was opened in the last 30 days
    # with 60 days (10 Jan – 10 Mar): c1, c2 and c3 ordered before (c4 on 10 Jan, inside); c1 stayed,
    # c2 and c3 churned, both with a case
    wide = _row(cjm.churn_contacts(project, churn_days=60), None)
    assert (wide.churned, wide.contacted, wide.retained) == (2, 2, 1)


def test_small_groups_are_blanked(tmp_path):
    project = cjm.load_project(_project(tmp_path, min_group_size=3))
    waits = cjm.operation_waits(project)
    assert _row(waits, "order").suppressed and _row(waits, "order").median_days != _row(waits, "order").median_days
    assert not _row(waits, None).suppressed and _row(waits, None).median_days == 1.0
    churn = _row(cjm.churn_contacts(project, churn_days=30), None)
    assert not churn.suppressed and churn.retained_share != churn.retained_share  # 1 retained < 3


def test_service_measures_stack_the_four(project):
    table = cjm.service_measures(project, churn_days=30)
    assert set(table.measure) == {"wait", "rework", "contact_rate", "churn_contact"}
    assert len(table[table.measure == "wait"]) == 3


def test_without_operations_every_measure_is_empty(tmp_path):
    folder = _project(tmp_path)
    spec = (folder / "journey.yml").read_text(encoding="utf-8")
    (folder / "journey.yml").write_text(spec.split("  operations:")[0], encoding="utf-8")
    project = cjm.load_project(folder)
    assert cjm.service_measures(project).empty and cjm.operation_waits(project).empty


def test_validate_names_the_file_row_and_column_of_bad_operations(tmp_path, capsys):
    # a missing column stops the run
    _project(tmp_path / "missing", header="ticket,customer,changed_at,state,tp")
    assert cli.main(["validate", str(tmp_path / "missing"), "--json"]) == 2
    issues = json.loads(capsys.readouterr().out)
    (error,) = [i for i in issues if i["severity"] == "error"]
    assert (error["code"], error["file"], error["column"]) == ("missing_column", "data/operations.csv", "queue")
    # a date that is not one, on row 3 of 11 (more than 5 %): named, and an error
    bad = [*OPERATIONS]
    bad[1] = "A,c1,someday,returned,order"
    _project(tmp_path / "dates", operations=bad)
    assert cli.main(["validate", str(tmp_path / "dates"), "--json"]) == 2
    issues = json.loads(capsys.readouterr().out)
    found = {(i["code"], i.get("row"), i.get("column")) for i in issues if i["file"] == "data/operations.csv"}
    assert ("bad_value", 3, "changed_at") in found and ("too_many_bad_rows", None, None) in found
    # a touchpoint the spec does not have is a warning naming its first row
    odd = [*OPERATIONS]
    odd[4] = "A,c1,2026-01-09 00:00,closed,ordr"
    _project(tmp_path / "touchpoint", operations=odd)
    assert cli.main(["validate", str(tmp_path / "touchpoint"), "--json"]) == 0
    issues = json.loads(capsys.readouterr().out)
    (warning,) = [i for i in issues if i["code"] == "unknown_touchpoint"]
    assert (warning["row"], warning["value"]) == (6, "ordr") and "order" in warning["fix"]


def test_operations_without_touchpoints_are_valid_with_a_warning_and_measured_overall(tmp_path, capsys):
    rows = [r.rsplit(",", 1)[0] for r in OPERATIONS]
    folder = _project(tmp_path, operations=rows, header="ticket,customer,changed_at,queue",
                      columns="{case_id: ticket, user_id: customer, ts: changed_at, status: queue}")
    assert cli.main(["validate", str(folder), "--json"]) == 0
    issues = json.loads(capsys.readouterr().out)
    (warning,) = [i for i in issues if i["code"] == "no_touchpoints"]
    assert warning["file"] == "data/operations.csv" and "touchpoint" in warning["fix"]
    waits = cjm.operation_waits(cjm.load_project(folder))
    assert list(waits.touchpoint.isna()) == [True] and waits.waits.iloc[0] == 7  # A 4, B 1, C 2: overall only


def test_cases_marked_as_no_contact_count_in_waits_not_in_contacts(tmp_path):
    # case A is an order's own status trail (contact: no); the others are contacts (empty: a contact)
    marked = [r + (",no" if r.startswith("A,") else ",") for r in OPERATIONS]
    project = cjm.load_project(_project(tmp_path, operations=marked, header="ticket,customer,changed_at,queue,tp,kind",
                                        columns=COLUMNS[:-1] + ", contact: kind}"))
    assert _row(cjm.operation_waits(project), None).waits == 7  # A's four waits still count
    rate = _row(cjm.contact_rate(project), None)
    assert (rate.cases, rate.orders) == (3, 4)  # B, C, D of 4 orders
    churn = _row(cjm.churn_contacts(project, churn_days=30), None)
    # churned c2 (B), c3 (C), c4: 2 of 3 contacted; retained c1 had only A (no contact) before 9 Feb
    assert (churn.contacted, churn.churned, churn.retained_contacted) == (2, 3, 0)


def test_the_data_quality_table_counts_the_operations(project):
    quality = cjm.data_quality_table(project).set_index("table")
    row = quality.loc["operations"]
    # 11 rows kept; C's two records of 5 Jan share customer, time, case and status: one key, so no tie
    assert (row.rows_read, row.rows_kept, row.timestamp_ties) == (11, 11, 0)
