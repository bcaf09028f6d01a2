"""The operations the ecommerce and services templates generate tell their planted stories, and the measures
recover them (the truth's counts are those the generator drew)."""

from __future__ import annotations

import json

import pytest

import cjmlib as cjm
from cjmlib.demo.templates import new_project


def _measures(tmp_path, template):
    folder = new_project(tmp_path / template, template=template, users=1500 if template == "ecommerce" else 800)
    assert [i for i in cjm.validate_project(folder) if i.severity == "error"] == []
    truth = json.loads((folder / "demo-truth.json").read_text(encoding="utf-8"))["operations"]
    return cjm.load_project(folder), truth


def _at(table, touchpoint):
    rows = table[table.touchpoint.isna()] if touchpoint is None else table[table.touchpoint == touchpoint]
    return rows.iloc[0]


def test_the_shop_backlog_loops_in_returns_and_churn_after_a_ticket(tmp_path):
    project, truth = _measures(tmp_path, "ecommerce")
    waits = cjm.operation_waits(project)
    placed = _at(waits, "order-confirmation")  # placed -> shipped: a quarter held 5 to 9 days
    assert placed.median_days < 1.6 and placed.p90_days > 5
    loops = _at(cjm.rework_loops(project), "order-tracking")
    assert loops.looped == truth["return_loop"]["looped"] > 0
    planted = truth["churn_after_ticket"]
    churn = _at(cjm.churn_contacts(project), None)
    assert (churn.churned, churn.contacted) == (planted["churned"], planted["churned_with_ticket"])
    assert (churn.retained, churn.retained_contacted) == (planted["retained"], planted["retained_with_ticket"])
    assert churn.ci_low > 0.15 and churn.share > 2 * churn.retained_share
    rate = _at(cjm.contact_rate(project), None)
    assert rate.cases == pytest.approx(rate.rate * rate.orders) and 0 < rate.rate < 0.5


def test_the_bank_reviews_online_applications_slowly_and_asks_for_documents_again(tmp_path):
    project, truth = _measures(tmp_path, "services")
    waits = cjm.operation_waits(project)
    review, documents = _at(waits, "credit-decision"), _at(waits, "documents")
    assert review.median_days > 1.5 and review.p90_days > 5 and review.median_days > 10 * documents.median_days
    loops = cjm.rework_loops(project)
    assert _at(loops, "documents").looped == truth["documents_again"]["looped"] > 0
    assert _at(loops, "credit-decision").looped == 0
    assert cjm.contact_rate(project).empty  # the bank's journey has no orders
