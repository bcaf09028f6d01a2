"""Orders exported one row per purchase, without an order id (CDNOW's shape): each row is one order,
numbered by its row in the file; dates written as eight digits are read as YYYYMMDD; "did you mean"
never proposes a column whose values repeat for a missing id."""

from __future__ import annotations

from helpers import SMALL_SPEC, write_csv

import cjmlib as cjm

HEADER = "user_id,session_id,ts,event,page,channel,device,revenue"
EVENTS = [f"u{i},s{i},2026-01-02T10:00:00Z,landing_view,/,social,mobile," for i in range(3)]
# three customers: c1 buys three times (twice on the same day, same amount), c2 twice, c3 once
PURCHASES = ["c1,19970101,1,11.77", "c1,19970101,1,11.77", "c1,19970315,2,20.00",
             "c2,19970102,1,5.00", "c2,19980630,3,30.50", "c3,19970330,1,9.99"]


def _project(tmp_path, columns: str):
    spec = SMALL_SPEC + f"  orders: {{path: data/orders.csv, columns: {columns}}}\n"
    (tmp_path / "journey.yml").write_text(spec, encoding="utf-8")
    write_csv(tmp_path / "data" / "events.csv", HEADER, EVENTS)
    write_csv(tmp_path / "data" / "orders.csv", "customer_id,date,number_of_cds,dollar_value", PURCHASES)
    return tmp_path


def test_each_row_is_one_order_numbered_by_its_row(tmp_path):
    folder = _project(tmp_path, "{user_id: customer_id, ts: date, revenue: dollar_value, items: number_of_cds}")
    assert [i for i in cjm.validate_project(folder) if i.severity == "error"] == []
    project = cjm.load_project(folder)
    orders = project.sql("SELECT order_id, ts, revenue FROM orders ORDER BY CAST(order_id AS INTEGER)")
    assert orders.order_id.tolist() == ["2", "3", "4", "5", "6", "7"]  # the header is row 1
    assert str(orders.ts.iloc[2])[:10] == "1997-03-15" and str(orders.ts.iloc[4])[:10] == "1998-06-30"
    assert orders.revenue.sum() == sum(float(r.split(",")[3]) for r in PURCHASES)
    repeat = cjm.repeat_purchase(project)
    assert (repeat["numerator"], repeat["denominator"]) == (2, 3)  # c1 and c2 of three customers


def test_a_mapped_order_id_missing_is_an_error_without_a_repeating_suggestion(tmp_path):
    folder = _project(tmp_path, "{order_id: customer, user_id: customer_id, ts: date, revenue: dollar_value}")
    errors = [i for i in cjm.validate_project(folder) if i.severity == "error"]
    assert [i.code for i in errors] == ["missing_column"]
    assert "'customer'" in errors[0].problem and "Did you mean" not in errors[0].fix  # customer_id repeats
    # the same mapping on a file whose customer ids never repeat: the column is proposed
    write_csv(folder / "data" / "orders.csv", "customer_id,date,number_of_cds,dollar_value",
              [f"c{i},19970101,1,10" for i in range(6)])
    errors = [i for i in cjm.validate_project(folder) if i.severity == "error"]
    assert "Did you mean 'customer_id'?" in errors[0].fix
