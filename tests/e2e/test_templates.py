"""Every starter template end to end: `cjm new`, `cjm validate` (exit 0), `cjm run` (exit 0), every page
published; and the stories planted in each template's data show in the published results.

One run per template (module-scoped fixture), each in the default suite; a run takes one to three minutes
on two cores. The ecommerce template is run by the default suite's `published_demo` fixture. The figures the results are checked
against are computed here, with plain pandas, from the exports `cjm new` wrote; the planted chances
come from ``demo-truth.json``, never from the tool's output.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from conftest import KERNEL

from cjmlib import cli
from cjmlib.demo.templates import new_project
from cjmlib.run.runner import run_playbook
from cjmlib.run.steps import STEPS
from cjmlib.spec.io import load_spec

TEMPLATES = ["minimal", "saas", "services"]


def _run(project: Path) -> None:
    """`cjm run`, in process; with this interpreter's kernel when the `cjm` kernel is not registered."""
    if KERNEL == "cjm":
        assert cli.main(["run", str(project), "--quiet"]) == 0
    else:
        run_playbook(project, kernel_name=KERNEL)


@pytest.fixture(scope="module", params=TEMPLATES)
def published(request, tmp_path_factory) -> Path:
    project = tmp_path_factory.mktemp("templates") / request.param
    assert cli.main(["new", str(project), "--template", request.param]) == 0
    assert cli.main(["validate", str(project)]) == 0
    _run(project)
    return project


def _result(project: Path, name: str) -> pd.DataFrame:
    return pd.read_parquet(project / "reports" / "latest" / "results" / f"{name}.parquet")


def _truth(project: Path) -> dict:
    return json.loads((project / "demo-truth.json").read_text(encoding="utf-8"))


def ordered_funnel(events: pd.DataFrame, unit: str, key: str, steps: list[str],
                   window: pd.Timedelta | None = None) -> list[int]:
    """Units reaching each step in order (each step at or after the previous one), within ``window`` of step 1."""
    first = events[events[key] == steps[0]].groupby(unit).ts.min()
    reached = [len(first)]
    previous = first.rename("t")
    for step in steps[1:]:
        rows = events[events[key] == step].join(previous, on=unit, how="inner").join(first.rename("t0"), on=unit)
        rows = rows[rows.ts >= rows.t]
        if window is not None:
            rows = rows[rows.ts - rows.t0 <= window]
        previous = rows.groupby(unit).ts.min().rename("t")
        reached.append(len(previous))
    return reached


def test_template_runs_end_to_end_and_publishes_every_page(published):
    html = published / "reports" / "latest" / "html"
    names = {p.name for p in html.glob("*.html")}
    assert {f"{s.name}.html" for s in STEPS} | {"index.html", "journey-map.html"} <= names
    for page in html.glob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "Traceback" not in text, page.name


def test_declared_funnels_equal_plain_pandas(published):
    spec = load_spec(published / "journey.yml")
    source = spec.sources.events
    raw = pd.read_csv(published / source.path, dtype=str)
    columns = {canon: source.columns.get(canon, canon) for canon in ("user_id", "session_id", "ts", "event")}
    events = pd.DataFrame({canon: raw[col] for canon, col in columns.items() if col in raw})
    events["ts"] = pd.to_datetime(events.ts, utc=True)
    stage_of = {event: tp.stage for tp in spec.touchpoints for event in tp.match.event}
    events["stage"] = events.event.map(stage_of)
    if "session_id" not in events:  # sessions after 30 minutes without activity, as the spec says
        events = events.sort_values(["user_id", "ts"], kind="stable")
        gap = events.groupby("user_id").ts.diff() > pd.Timedelta(minutes=source.session_timeout_minutes)
        events["session_id"] = events.user_id + "-" + gap.astype(int).groupby(events.user_id).cumsum().astype(str)
    assert spec.funnels
    for funnel in spec.funnels:
        window = pd.Timedelta(funnel.window.replace("d", "D")) if funnel.window else None
        expected = ordered_funnel(events, "user_id" if funnel.unit == "user" else "session_id",
                                  "event" if funnel.by == "event" else funnel.by, list(funnel.steps), window)
        table = _result(published, f"funnel-{funnel.id}")
        assert list(table.step) == list(funnel.steps)
        assert list(table.converted) == expected, funnel.id
        assert expected[-1] > 0


def _by_unit(project: Path, unit: str, column: str = "event") -> pd.DataFrame:
    events = pd.read_csv(project / "data" / "events.csv")
    return pd.crosstab(events[unit], events[column]) > 0


def _minimal_stories(published: Path) -> None:
    events = pd.read_csv(published / "data" / "events.csv")
    sessions = _by_unit(published, "session_id").join(events.groupby("session_id")[["platform",
                                                                                    "acquisition_channel"]].first())
    carts = sessions[sessions.add_to_cart]
    bought = carts.groupby("platform").purchase.mean()
    planted = _truth(published)["stories"]["app_checkout"]["planted"]
    assert planted["app"] < planted["web"]
    assert bought["app"] < bought["web"] - 0.25  # the app loses its carts (planted 20 % against 60 %)
    cart_rate = sessions[sessions.product_view].groupby("acquisition_channel").add_to_cart.mean()
    assert cart_rate["email"] > 2 * cart_rate["social"]
    funnel = _result(published, "funnel-checkout").set_index("step")
    assert funnel.loc["purchase", "converted"] == carts.purchase.sum()
    # the published breakdown of the funnel by platform: product views, and those ending in a purchase
    breakdown = _result(published, "funnel_breakdowns")
    by_platform = breakdown[(breakdown.funnel == "checkout") & (breakdown.by == "platform")].set_index("value")
    viewed = sessions[sessions.product_view]
    assert by_platform.n.to_dict() == viewed.groupby("platform").size().to_dict()
    assert by_platform.successes.to_dict() == viewed.groupby("platform").purchase.sum().to_dict()
    assert by_platform.rate["app"] < by_platform.rate["web"] / 2
    kpis = _result(published, "kpis").set_index("id")
    assert kpis.loc["conversion", "numerator"] == sessions.purchase.sum()
    assert kpis.loc["conversion", "denominator"] == len(sessions)


def _saas_stories(published: Path) -> None:
    accounts = _by_unit(published, "user_id")
    trials = accounts[accounts.signup]
    paid = trials.groupby("report_shared").subscription_started.mean()
    assert paid[True] > 5 * paid[False]  # activation makes the sale
    funnel = _result(published, "funnel-trial").set_index("step")
    assert funnel.loc["signup", "converted"] == len(trials)
    assert funnel.loc["report_shared", "converted"] == trials.report_shared.sum()
    feedback = pd.read_csv(published / "data" / "feedback.csv")
    themes = _result(published, "themes").set_index("theme")
    complaints = int((feedback.source == "support").sum())  # every surprised subscriber wrote to support
    assert complaints == _truth(published)["stories"]["first_charge_surprise"]["complaints"]
    assert themes.loc["billing_surprise", "mentions"] == complaints
    subscribers = accounts[accounts.subscription_started]
    renewal = subscribers.groupby(subscribers.index.isin(feedback.user_id[feedback.source == "support"]))
    renewed = renewal.subscription_renewed.mean()
    assert renewed[True] < renewed[False] - 0.25
    invoices = pd.read_csv(published / "data" / "invoices.csv")
    kpis = _result(published, "kpis").set_index("id")
    per_account = invoices.account_id.value_counts()
    assert kpis.loc["renewal", "numerator"] == (per_account >= 2).sum()
    assert kpis.loc["renewal", "denominator"] == len(per_account)


def _services_stories(published: Path) -> None:
    events = pd.read_csv(published / "data" / "events.csv")
    customers = _by_unit(published, "customer_id", "event_name").join(
        events.groupby("customer_id").application_channel.first())
    applied = customers[customers.application_started]
    documents = applied.groupby("application_channel").documents_submitted.mean()
    assert documents["web"] < documents["branch"] - 0.25  # documents stall online
    tickets = pd.read_csv(published / "data" / "tickets.csv")
    assert tickets.queue.value_counts().idxmax() == "documents"
    assert tickets.groupby("queue").satisfaction.mean().idxmin() == "documents"
    themes = _result(published, "themes").set_index("theme")
    assert themes.loc["document_upload", "mentions"] == (tickets.queue == "documents").sum()
    assert themes.mentions.idxmax() == "document_upload"
    funnel = _result(published, "funnel-application").set_index("step")
    assert funnel.loc["application_started", "converted"] == len(applied)


def test_planted_stories_show_in_published_results(published):
    {"minimal": _minimal_stories, "saas": _saas_stories, "services": _services_stories}[published.name](published)


@pytest.mark.parametrize("template", TEMPLATES)
def test_template_data_is_seeded_and_small(tmp_path, template):
    first, second, other = (new_project(tmp_path / name, template=template, seed=seed)
                            for name, seed in (("a", 7), ("b", 7), ("c", 8)))
    files = sorted(p.name for p in (first / "data").iterdir())
    assert files and files == sorted(p.name for p in (second / "data").iterdir())
    for name in files:
        assert (first / "data" / name).read_bytes() == (second / "data" / name).read_bytes()
        assert len((first / "data" / name).read_text(encoding="utf-8").splitlines()) < 10_000
    assert (first / "data" / "events.csv").read_bytes() != (other / "data" / "events.csv").read_bytes()
    assert json.loads((first / "demo-truth.json").read_text(encoding="utf-8"))["stories"]
