"""Corrections for reading several tests at once: Holm by default, Benjamini–Hochberg on request, by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from helpers import write_csv

import cjmlib as cjm
from cjmlib.analytics.breakdown import breakdown_table
from cjmlib.stats import adjust_p_values


def test_holm_and_bh_by_hand():
    p = [0.01, 0.04, 0.03, math.nan]
    # Holm: sorted 0.01, 0.03, 0.04 multiplied by 3, 2, 1 and made non-decreasing: 0.03, 0.06, max(0.06, 0.04)
    holm = adjust_p_values(p)
    assert holm[:3] == pytest.approx([0.03, 0.06, 0.06]) and math.isnan(holm[3])
    # BH: p × 3 ÷ rank = 0.03, 0.045, 0.04, then the running minimum from the largest: 0.03, 0.04, 0.04
    bh = adjust_p_values(p, "bh")
    assert bh[:3] == pytest.approx([0.03, 0.04, 0.04]) and math.isnan(bh[3])
    assert math.isnan(adjust_p_values([math.nan])[0])
    with pytest.raises(ValueError, match="holm, bh"):
        adjust_p_values(p, "bonferroni")


SPEC = """\
project: {{name: Corrected, min_group_size: 1{extra}}}
stages: [{{id: browse}}, {{id: buy}}]
funnels:
  - {{id: sessions, by: event, steps: [view, purchase], unit: session}}
breakdowns: [acquisition]
sources:
  events: {{path: data/events.csv}}
"""
ROWS = ["u1,s1,2026-01-05T10:00:00Z,view,ads", "u1,s1,2026-01-05T10:05:00Z,purchase,ads",
        "u2,s2,2026-01-05T10:00:00Z,view,seo", "u3,s3,2026-01-05T11:00:00Z,view,email"]


@pytest.mark.parametrize(("extra", "expected"), [("", "holm"), (", correction: bh", "bh")])
def test_funnel_breakdown_follows_the_spec(tmp_path, extra, expected):
    (tmp_path / "journey.yml").write_text(SPEC.format(extra=extra), encoding="utf-8")
    write_csv(tmp_path / "data" / "events.csv", "user_id,session_id,ts,event,acquisition", ROWS)
    project = cjm.load_project(tmp_path)
    assert project.spec.project.correction == expected
    table = cjm.funnel_breakdown(project, "sessions", "acquisition")
    assert (table.correction == expected).all()
    forced = cjm.funnel_breakdown(project, "sessions", "acquisition", correction="holm")
    assert (forced.correction == "holm").all()


def test_breakdown_chart_names_the_correction():
    import matplotlib

    matplotlib.use("Agg")
    from cjmlib import plot

    units = pd.DataFrame({"channel": ["a"] * 40 + ["b"] * 40, "converted": [1] * 30 + [0] * 10 + [1] * 10 + [0] * 30})
    for correction, name in (("holm", "Holm"), ("bh", "Benjamini–Hochberg")):
        ax = plot.plot_breakdown(breakdown_table(units, "channel", correction=correction))
        assert f"p adjusted by {name} < 0.05" in ax.get_xlabel()
