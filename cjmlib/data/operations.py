"""Check what the ``operations`` table holds once its rows are typed: touchpoints the spec does not have.

The operations source (tickets, order status changes, call-centre logs) is read, typed and checked
like every other source (:mod:`cjmlib.data.sources`): a missing column, a date that does not parse or
an empty case id, customer or status is reported by file, row and column. This module adds the check
only the operations need: a ``touchpoint`` value that is no touchpoint of journey.yml (its rows count
in the overall figures, for no touchpoint), and the note that a file without a ``touchpoint`` column
gives overall figures only.
"""

from __future__ import annotations

from ..errors import Issue
from ..spec.issues import did_you_mean
from ..spec.model import Journey, Source
from .read import MAX_EXAMPLES

__all__ = ["operations_issues"]


def operations_issues(con, spec: Journey, source: Source) -> list[Issue]:
    """Warn about operations rows naming a touchpoint the spec does not have, or a file without touchpoints.

    Parameters
    ----------
    con
        The engine connection (DuckDB), holding ``kept_operations`` (the rows the checks kept).
    spec
        The spec, for its touchpoint ids.
    source
        The spec's entry for the operations file, named by the warnings.

    Returns
    -------
    list of Issue
        Warnings (code ``unknown_touchpoint``, one per value, at most five; or ``no_touchpoints``).
    """
    known = [t.id for t in spec.touchpoints]
    column = source.columns.get("touchpoint", "touchpoint")
    if not con.execute("SELECT count(touchpoint) FROM kept_operations").fetchone()[0]:
        return [Issue(code="no_touchpoints", file=source.path, column=column, severity="warning",
                      problem="the operations file gives no touchpoint: waits, loops and contacts are measured "
                              "overall only, not per touchpoint of the blueprint.",
                      fix="Add a column naming the touchpoint of each record (an id of journey.yml's "
                          "touchpoints) and map it under sources.operations.columns (touchpoint: <column>).")]
    unknown = con.execute("SELECT touchpoint, min(__row), count(*) FROM kept_operations WHERE touchpoint IS NOT NULL "
                          "AND touchpoint NOT IN (SELECT unnest(?::VARCHAR[])) GROUP BY 1 ORDER BY 2",
                          [known]).fetchall()
    return [Issue(code="unknown_touchpoint", file=source.path, row=int(row), column=column, value=value[:80],
                  severity="warning",
                  problem=f"'{value[:60]}' is not a touchpoint of journey.yml; these {count} records count in the "
                          "overall figures only.",
                  fix=did_you_mean(value, known) + f"Touchpoints: {', '.join(known) or 'none declared'}.")
            for value, row, count in unknown[:MAX_EXAMPLES]]
