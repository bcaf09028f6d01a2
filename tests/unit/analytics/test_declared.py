"""Funnels and breakdowns declared in journey.yml: 9 events, every count worked out by hand."""

from __future__ import annotations

import duckdb
import pytest
from helpers import write_csv

import cjmlib as cjm
from cjmlib.errors import SpecError
from cjmlib.spec import Funnel

SPEC = """\
project: {{name: Declared, min_group_size: 1}}
stages: [{{id: browse}}, {{id: buy}}]
touchpoints:
  - {{id: product, name: Product page, stage: browse, match: {{event: {view}}}}}
  - {{id: basket, name: Basket, stage: buy, match: {{event: {cart}}}}}
  - {{id: order, stage: buy, match: {{event: {purchase}}}}}
{funnels}
sources:
  events:
    path: data/events.csv
    columns: {{device: platform}}
"""
FUNNELS = """\
funnels:
  - {{id: sessions, name: Sessions, by: event, steps: [{view}, {cart}, {purchase}], unit: session}}
  - {{id: users, by: event, steps: [{view}, {cart}, {purchase}]}}
  - {{id: users-1d, by: event, steps: [{view}, {cart}, {purchase}], window: 1d}}
  - {{id: by-touchpoint, by: touchpoint, steps: [product, basket], unit: session}}
breakdowns: [platform, acquisition]
"""
# u1 views and carts at the same instant (a tie), buys 5 min later, views again in s2; u2 views on day 0
# and carts and buys two days later in another session; u3 carts one minute BEFORE viewing
ROWS = [
    "u1,s1,2026-01-05T10:00:00Z,{view},mobile,ads",
    "u1,s1,2026-01-05T10:00:00Z,{cart},mobile,ads",
    "u1,s1,2026-01-05T10:05:00Z,{purchase},mobile,ads",
    "u1,s2,2026-01-05T12:00:00Z,{view},mobile,email",
    "u2,s3,2026-01-05T10:00:00Z,{view},desktop,seo",
    "u2,s4,2026-01-07T10:00:00Z,{cart},desktop,seo",
    "u2,s4,2026-01-07T10:10:00Z,{purchase},desktop,seo",
    "u3,s5,2026-01-05T11:00:00Z,{cart},mobile,ads",
    "u3,s5,2026-01-05T11:01:00Z,{view},mobile,ads",
]
NAMES = {"view": "view", "cart": "cart", "purchase": "purchase"}
# the same events renamed so that their alphabetical order is the funnel's (it is not for the names above:
# cart < purchase < view), which would change the tie of u1's view and cart if ties were ordered by name
RENAMED = {"view": "a_seen", "cart": "b_basket", "purchase": "c_paid"}


def make(path, names=NAMES, funnels=FUNNELS):
    path.mkdir(parents=True, exist_ok=True)
    (path / "journey.yml").write_text(SPEC.format(funnels=funnels.format(**names), **names), encoding="utf-8")
    write_csv(path / "data" / "events.csv", "user_id,session_id,ts,event,platform,acquisition",
              [r.format(**names) for r in ROWS])
    return cjm.load_project(path)


@pytest.fixture
def project(tmp_path):
    return make(tmp_path)


def test_session_funnel_counts_by_hand(project):
    table = cjm.declared_funnel_table(project, "sessions")
    # sessions with a view: s1, s2, s3, s5; s1's cart is at the view's instant (counts: "at or after");
    # s5's cart came before its view; s3's cart is in another session
    assert table.step.tolist() == ["view", "cart", "purchase"]
    assert table.label.tolist() == ["Product page", "Basket", "Order"]
    assert table.converted.tolist() == [4, 1, 1]
    assert table.entered.tolist() == [4, 4, 1]
    assert table.rate.tolist() == pytest.approx([1, 0.25, 0.25])
    assert table.step_rate.tolist() == pytest.approx([1, 0.25, 1])
    assert table.numerator.tolist() == [4, 1, 1] and table.denominator.tolist() == [4, 4, 4]
    assert table.ci_low.iloc[1] < 0.25 < table.ci_high.iloc[1]
    assert table.median_seconds.tolist()[1:] == [0, 300]  # the tie takes no time; the purchase 5 minutes
    assert table.censored.tolist() == [0, 0, 0]
    assert (table.funnel == "sessions").all() and not table.is_default.any()
    assert list(table.columns[:15]) == ["step", "label", "entered", "converted", "rate", "step_rate", "ci_low",
                                        "ci_high", "step_ci_low", "step_ci_high", "censored", "median_seconds",
                                        "p90_seconds", "numerator", "denominator"]


def test_user_funnel_and_its_window(project):
    users = cjm.declared_funnel_table(project, "users")
    # u1 (tie) and u2 (two days later) cart after their first view; u3's cart came before its view
    assert users.converted.tolist() == [3, 2, 2]
    windowed = cjm.declared_funnel_table(project, "users-1d")
    # within a day of the first view: u1 only; nobody is censored (every window closed before the data ends)
    assert windowed.converted.tolist() == [3, 1, 1] and windowed.censored.tolist() == [0, 0, 0]
    assert windowed.window_days.iloc[0] == 1


def test_touchpoint_funnel(project):
    table = cjm.declared_funnel_table(project, "by-touchpoint")
    assert table.step.tolist() == ["product", "basket"] and table.converted.tolist() == [4, 1]


def test_renaming_the_steps_never_changes_a_count(tmp_path):
    first = make(tmp_path / "a")
    renamed = make(tmp_path / "b", names=RENAMED)
    for funnel in ("sessions", "users", "users-1d"):
        a = cjm.declared_funnel_table(first, funnel).drop(columns=["step", "key"])
        b = cjm.declared_funnel_table(renamed, funnel).drop(columns=["step", "key"])
        assert a.equals(b), funnel
    # every ordering and every vendor preset, straight on funnel_table
    for options in [cjm.FunnelOptions(order="strict"), cjm.FunnelOptions(order="any"),
                    cjm.FunnelOptions(reentry="best"), cjm.FunnelOptions(entry="open"),
                    cjm.FunnelOptions(counting="totals"), *cjm.analytics.vendors.PRESETS.values()]:
        for unit in ("session", "user"):
            a = cjm.funnel_table(first, list(NAMES.values()), by="event", unit=unit, options=options)
            b = cjm.funnel_table(renamed, list(RENAMED.values()), by="event", unit=unit, options=options)
            assert a.units.tolist() == b.units.tolist(), (options, unit)


def test_an_unknown_step_is_an_error_naming_the_funnel_and_the_step(project):
    with pytest.raises(SpecError) as err:
        cjm.declared_funnel_table(project, Funnel(id="typo", by="event", steps=("view", "carts")))
    assert err.value.codes == ["unknown_step"]
    assert "'typo'" in str(err.value) and "'carts'" in str(err.value) and "Did you mean 'cart'" in str(err.value)
    with pytest.raises(SpecError, match="'nope' is not a funnel"):
        cjm.declared_funnel_table(project, "nope")


def test_default_funnel_is_the_stages_by_user(tmp_path):
    project = make(tmp_path, funnels="")
    (funnel,) = cjm.journey_funnels(project.spec)
    assert funnel.is_default and funnel.id == "journey" and funnel.name == "Journey funnel"
    assert funnel.by == "stage" and funnel.unit == "user" and funnel.steps == ("browse", "buy")
    table = cjm.declared_funnel_table(project, funnel)
    # browse: u1, u2, u3; buy at or after the first browse: u1 (same instant), u2; u3 bought nothing after
    assert table.converted.tolist() == [3, 2] and table.is_default.all()
    assert table.label.tolist() == ["Browse", "Buy"]


def test_declared_funnels_keep_their_order(project):
    assert [f.id for f in cjm.journey_funnels(project.spec)] == ["sessions", "users", "users-1d", "by-touchpoint"]
    assert not any(f.is_default for f in cjm.journey_funnels(project.spec))


def test_breakdown_by_a_mapped_and_an_unmapped_column(project):
    # sessions entering at a view, by the platform of that view: mobile s1 (converts), s2, s5; desktop s3
    by_platform = cjm.funnel_breakdown(project, "sessions", "platform").set_index("value")
    assert by_platform.n.to_dict() == {"mobile": 3, "desktop": 1}
    assert by_platform.successes.to_dict() == {"mobile": 1, "desktop": 0}
    assert by_platform.rate["mobile"] == pytest.approx(1 / 3)
    assert by_platform.numerator["mobile"] == 1 and by_platform.denominator["mobile"] == 3
    assert by_platform.rest_n["mobile"] == 1 and by_platform.column.iloc[0] == "device"
    assert (by_platform.by == "platform").all()
    same = cjm.funnel_breakdown(project, "sessions", "device")  # the canonical name reads the same column
    assert same.n.tolist() == by_platform.n.tolist()
    # an unmapped column of the file: s1 ads (converts), s5 ads, s2 email, s3 seo
    by_acq = cjm.funnel_breakdown(project, "sessions", "acquisition").set_index("value")
    assert by_acq.n.to_dict() == {"ads": 2, "email": 1, "seo": 1}
    assert by_acq.successes["ads"] == 1 and by_acq.rate["ads"] == 0.5
    for column in ("ci_low", "ci_high", "p_value", "p_adjusted", "significant", "suppressed"):
        assert column in by_acq.columns


def test_breakdown_suppresses_small_groups(project):
    table = cjm.funnel_breakdown(project, "users", "acquisition", min_group_size=2).set_index("value")
    # users by the acquisition of their first view: u1 ads, u2 seo, u3 ads → ads 2 users (u1 converts)
    assert table.n.to_dict() == {"ads": 2, "seo": 1}
    assert table.suppressed.to_dict() == {"ads": False, "seo": True}
    assert table.rate.isna()["seo"] and table.successes["ads"] == 1


def test_unknown_breakdown_column_is_an_error(project):
    with pytest.raises(SpecError, match="no column 'acquisiton'.*Did you mean 'acquisition'"):
        cjm.funnel_breakdown(project, "sessions", "acquisiton")


def test_funnel_options_of_a_declared_funnel():
    f = Funnel(id="f", steps=("a", "b"), window="2h", emulate="posthog", order="strict",
               step_windows=[None, "30m"], exclude="x")
    options = cjm.funnel_options(f)
    assert options.window_days == pytest.approx(2 / 24) and options.order == "strict"
    assert options.reentry == "best"  # from the preset
    assert options.step_window_days == (None, pytest.approx(30 / 1440)) and options.exclude == ("x",)
    assert cjm.funnel_options(Funnel(id="g", steps=("a",))) == cjm.FunnelOptions()



def test_a_declared_exclusion_between_two_steps_becomes_an_option():
    from cjmlib.analytics.options import Exclusion

    f = Funnel(id="f", steps=("a", "b", "c"), exclude=["x", {"event": "y", "between": [2, 3]}])
    options = cjm.funnel_options(f)
    assert options.exclude == ("x", Exclusion("y", (2, 3)))
    assert options.as_dict()["exclude"] == ["x", {"event": "y", "between": [2, 3]}]
    assert cjm.funnel_options(Funnel(id="g", steps=("a", "b"), emulate="posthog")).exclusion_scope == "window"


def test_rees46_declared_funnels_equal_plain_sql(shared_data, tmp_path):
    path = shared_data / "rees46-oct2019-head" / "events.csv"
    (tmp_path / "journey.yml").write_text(f"""\
project: {{name: REES46}}
funnels:
  - {{id: sessions, by: event, steps: [view, cart, purchase], unit: session}}
  - {{id: users, by: event, steps: [view, cart, purchase], unit: user}}
breakdowns: [brand]
sources:
  events:
    path: {path}
    allow_outside: true
    columns: {{ts: event_time, event: event_type, session_id: user_session}}
""", encoding="utf-8")
    project = cjm.load_project(tmp_path)
    sessions = cjm.declared_funnel_table(project, "sessions")
    users = cjm.declared_funnel_table(project, "users")

    def plain(unit: str) -> tuple[int, int, int]:
        # the first view; the first cart at or after it; the first purchase at or after that cart
        return duckdb.connect().execute(f"""
            WITH e AS (SELECT {unit} u, event_type ev, CAST(replace(event_time, ' UTC', '') AS TIMESTAMP) ts
                       FROM read_csv('{path}', all_varchar=true) WHERE {unit} IS NOT NULL),
                 v AS (SELECT u, min(ts) t1 FROM e WHERE ev = 'view' GROUP BY u),
                 c AS (SELECT v.u, min(e.ts) t2 FROM v JOIN e ON e.u = v.u AND e.ev = 'cart' AND e.ts >= v.t1
                       GROUP BY v.u),
                 p AS (SELECT c.u FROM c JOIN e ON e.u = c.u AND e.ev = 'purchase' AND e.ts >= c.t2 GROUP BY c.u)
            SELECT (SELECT count(*) FROM v), (SELECT count(*) FROM c), (SELECT count(*) FROM p)""").fetchone()

    assert tuple(sessions.converted) == plain("user_session") == (3188, 69, 31)
    assert tuple(users.converted) == plain("user_id") == (2867, 67, 30)
    brands = cjm.funnel_breakdown(project, "sessions", "brand")
    assert brands.n.sum() == 3188 and brands.total_n.iloc[0] == 3188
    assert brands.overall_rate.iloc[0] * 3188 == pytest.approx(31)  # suppressed cells still count in the total
