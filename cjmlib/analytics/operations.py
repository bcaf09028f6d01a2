"""What the operations behind the journey measure: waits, rework loops, contacts per order, contacts before churn.

The ``operations`` table (tickets, order status changes, call-centre logs: one row per record of a
*case*: ``case_id, user_id, ts, status, touchpoint, order_id, contact``) is read by the engine; each function
returns a small table with one row for all cases (``touchpoint`` empty) and one per touchpoint of the
spec that has records, in the spec's order. How each figure counts:

- **wait**: the time a case spends in a status, from one of its records to its next record (the last
  record of a case has none), in days; it belongs to the touchpoint of the record it starts from.
  Median and 90th percentile are interpolated between the two nearest waits (as ``numpy.quantile``).
- **rework loop**: a case *loops* when it comes back to a status it had left (e.g. ``returned →
  inspected → returned``); the loop belongs to the touchpoint of the record that comes back. The share
  is looped cases ÷ cases with a record at the touchpoint, with a Wilson 95 % interval.
- **contacts** are the cases not marked ``contact`` no, false or 0 (an order's own status trail is
  marked so: it counts in waits and loops only); without a ``contact`` column every case is one.
- **contact rate**: contacts ÷ orders over the days both sources cover (a case is dated by its first
  record; cancelled orders are left out), with an exact Poisson 95 % interval on the cases.
- **contact before churn**: among the customers with an order before the last ``churn_days`` days of
  the orders (a third of the orders' days unless given), the *churned* have none in those days; the share is churned customers with a contact opened
  before those days ÷ churned customers (Wilson 95 %), beside the same share among those who stayed.

Records of one case with the same time keep the file's order. Figures resting on fewer cases (or
churned customers) than the project's ``min_group_size`` are blanked and marked ``suppressed``.

Examples
--------
>>> import cjmlib as cjm
>>> project = cjm.open_project("demo")                     # doctest: +SKIP
>>> cjm.operation_waits(project)[["touchpoint", "median_days", "p90_days", "cases"]]  # doctest: +SKIP
"""

from __future__ import annotations

import pandas as pd

from ..stats import poisson_rate_interval, suppress_small, wilson_interval

__all__ = ["churn_contacts", "contact_rate", "operation_waits", "rework_loops", "service_measures"]

_PERIOD = ["first_day", "last_day", "suppressed"]
_COLUMNS = {
    "wait": ["touchpoint", "cases", "waits", "median_days", "p90_days", *_PERIOD],
    "rework": ["touchpoint", "cases", "looped", "share", "ci_low", "ci_high", *_PERIOD],
    "contact_rate": ["touchpoint", "cases", "orders", "rate", "ci_low", "ci_high", *_PERIOD],
    "churn_contact": ["touchpoint", "churned", "contacted", "share", "ci_low", "ci_high", "retained",
                      "retained_contacted", "retained_share", "churn_days", *_PERIOD],
}
# the cases that are customer contacts (see the module's docstring)
_CONTACTS = """SELECT case_id FROM operations GROUP BY 1
               HAVING bool_or(coalesce(lower(contact) NOT IN ('no', 'false', '0', 'n', 'non'), true))"""
# the records in case order, the file's order breaking ties; NULL touchpoints stay (they count overall)
_RECORDS = """SELECT case_id, user_id, ts, status, touchpoint,
                     row_number() OVER (PARTITION BY case_id ORDER BY ts, rowid) AS k FROM operations"""


def _empty(measure: str) -> pd.DataFrame:
    return pd.DataFrame(columns=_COLUMNS[measure])


def _has_operations(project) -> bool:
    return project.has("operations") and project.con.execute("SELECT count(*) FROM operations").fetchone()[0] > 0


def _by_touchpoint(project, query: str, params=None) -> pd.DataFrame:
    """Run ``query`` (grouped by ``GROUPING SETS ((), (touchpoint))``); keep the overall row (touchpoint
    missing) first, then the spec's touchpoints in the spec's order."""
    frame = project.con.execute(query, params or []).fetchdf()
    order = {t.id: i for i, t in enumerate(project.spec.touchpoints)}
    overall = frame["overall"].astype(bool)
    frame["touchpoint"] = [None if o else t for o, t in zip(overall, frame["touchpoint"], strict=True)]
    # records without a touchpoint count overall only, never as a touchpoint's row
    frame = frame[overall | frame["touchpoint"].isin(list(order))].drop(columns="overall")
    rank = frame["touchpoint"].map(lambda t: order.get(t, -1))
    return frame.assign(_rank=rank).sort_values("_rank", kind="stable").drop(columns="_rank").reset_index(drop=True)


def _period(project, table: str) -> tuple[str, str]:
    first, last = project.con.execute(f"SELECT min(ts)::DATE, max(ts)::DATE FROM {table}").fetchone()
    return str(first), str(last)


def operation_waits(project) -> pd.DataFrame:
    """Return how long cases wait in each status: median and 90th percentile, overall and per touchpoint.

    Parameters
    ----------
    project
        An open project (:func:`cjmlib.open_project`); without an ``operations`` table the result is empty.

    Returns
    -------
    DataFrame
        ``touchpoint`` (missing for all cases), ``cases`` (cases with a wait there: the n), ``waits`` (the waits
        measured), ``median_days``, ``p90_days`` (from a record to the case's next record), ``first_day``,
        ``last_day`` (the operations' period), ``suppressed`` (fewer cases than ``min_group_size``).
    """
    if not _has_operations(project):
        return _empty("wait")
    frame = _by_touchpoint(project, f"""
        SELECT grouping(touchpoint) = 1 AS overall, touchpoint, count(DISTINCT case_id) AS cases, count(*) AS waits,
               quantile_cont(days, 0.5) AS median_days, quantile_cont(days, 0.9) AS p90_days
        FROM (SELECT *, epoch(lead(ts) OVER (PARTITION BY case_id ORDER BY k) - ts) / 86400.0 AS days
              FROM ({_RECORDS}))
        WHERE days IS NOT NULL GROUP BY GROUPING SETS ((), (touchpoint))""")
    first, last = _period(project, "operations")
    frame = frame.assign(first_day=first, last_day=last)
    out = suppress_small(frame, n_column="cases", min_n=project.spec.project.min_group_size,
                         columns=["median_days", "p90_days"])
    return out[_COLUMNS["wait"]]


def rework_loops(project) -> pd.DataFrame:
    """Return the share of cases that come back to a status they had left, overall and per touchpoint.

    Parameters
    ----------
    project
        The project whose ``operations`` table holds the cases' statuses (none: an empty table).

    Returns
    -------
    DataFrame
        ``touchpoint`` (missing for all cases), ``cases`` (cases with a record there: the denominator),
        ``looped`` (those of them coming back to a status there: the numerator), ``share`` (= looped ÷
        cases), ``ci_low``, ``ci_high`` (Wilson 95 %), ``first_day``, ``last_day``, ``suppressed``.
    """
    if not _has_operations(project):
        return _empty("rework")
    frame = _by_touchpoint(project, f"""
        SELECT grouping(touchpoint) = 1 AS overall, touchpoint, count(DISTINCT case_id) AS cases,
               count(DISTINCT case_id) FILTER (WHERE back) AS looped
        FROM (SELECT *, coalesce(lag(status) OVER (PARTITION BY case_id ORDER BY k) <> status
                                 AND count(*) OVER (PARTITION BY case_id, status ORDER BY k
                                                    ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) > 0,
                                 false) AS back
              FROM ({_RECORDS}))
        GROUP BY GROUPING SETS ((), (touchpoint))""")
    low, high = wilson_interval(frame["looped"], frame["cases"])
    first, last = _period(project, "operations")
    frame = frame.assign(share=frame["looped"] / frame["cases"], ci_low=low, ci_high=high,
                         first_day=first, last_day=last)
    out = suppress_small(frame, n_column="cases", min_n=project.spec.project.min_group_size,
                         columns=["share", "ci_low", "ci_high"])
    return out[_COLUMNS["rework"]]


def contact_rate(project) -> pd.DataFrame:
    """Return the cases per order, overall and per touchpoint, over the days both sources cover.

    Parameters
    ----------
    project
        An open project (:func:`cjmlib.open_project`); without ``operations`` or ``orders`` the result is empty.

    Returns
    -------
    DataFrame
        ``touchpoint`` (missing for all cases), ``cases`` (contacts opened in the period with a record there: the
        numerator), ``orders`` (orders of the period, cancelled ones left out: the denominator), ``rate``
        (= cases ÷ orders), ``ci_low``, ``ci_high`` (exact Poisson 95 % on the cases), ``first_day``,
        ``last_day`` (the days both sources cover), ``suppressed`` (fewer cases than ``min_group_size``).
    """
    if not (_has_operations(project) and project.has("orders")):
        return _empty("contact_rate")
    (first, last), (o_first, o_last) = _period(project, "operations"), _period(project, "orders")
    first, last = max(first, o_first), min(last, o_last)
    orders = project.con.execute(
        "SELECT count(*) FROM orders WHERE ts::DATE BETWEEN ?::DATE AND ?::DATE "
        "AND (status IS NULL OR lower(status) <> 'cancelled')", [first, last]).fetchone()[0]
    frame = _by_touchpoint(project, f"""
        SELECT grouping(touchpoint) = 1 AS overall, touchpoint, count(DISTINCT case_id) AS cases
        FROM operations WHERE case_id IN (SELECT case_id FROM operations GROUP BY 1
                                          HAVING min(ts)::DATE BETWEEN ?::DATE AND ?::DATE)
                          AND case_id IN ({_CONTACTS})
        GROUP BY GROUPING SETS ((), (touchpoint))""", [first, last])
    frame["orders"] = orders
    low, high = poisson_rate_interval(frame["cases"], frame["orders"])
    frame = frame.assign(rate=frame["cases"] / orders if orders else float("nan"), ci_low=low, ci_high=high,
                         first_day=first, last_day=last)
    out = suppress_small(frame, n_column="cases", min_n=project.spec.project.min_group_size,
                         columns=["rate", "ci_low", "ci_high"])
    return out[_COLUMNS["contact_rate"]]


def churn_contacts(project, *, churn_days: int | None = None) -> pd.DataFrame:
    """Return the share of churned customers who had a case before churning, overall and per touchpoint.

    Parameters
    ----------
    project
        An open project (:func:`cjmlib.open_project`); without ``operations`` or ``orders`` the result is empty.
    churn_days
        The last days of the orders in which a customer who ordered before must order again not to count as
        churned; None: a third of the days the orders cover (rounded), e.g. 19 of 8 weeks, 122 of a year.

    Returns
    -------
    DataFrame
        ``touchpoint`` (missing for a case anywhere), ``churned`` (customers with an order before the last
        ``churn_days`` days and none in them: the denominator), ``contacted`` (those with a contact opened
        before those days, with a record at the touchpoint: the numerator), ``share`` (= contacted ÷
        churned), ``ci_low``, ``ci_high`` (Wilson 95 %), ``retained`` (customers who ordered before and in
        those days), ``retained_contacted``, ``retained_share`` (= retained_contacted ÷ retained),
        ``churn_days``, ``first_day``, ``last_day`` (the orders' period), ``suppressed`` (fewer churned
        customers than ``min_group_size``).
    """
    if churn_days is not None and churn_days < 1:
        raise ValueError(f"churn_days must be at least 1, not {churn_days}")
    if not (_has_operations(project) and project.has("orders")):
        return _empty("churn_contact")
    first, last = _period(project, "orders")
    if churn_days is None:
        churn_days = max(1, round(((pd.Timestamp(last) - pd.Timestamp(first)).days + 1) / 3))
    start = str(pd.Timestamp(last) - pd.Timedelta(days=churn_days - 1))[:10]  # first of the last churn_days days
    customers = f"""(SELECT user_id, count(*) FILTER (WHERE ts::DATE >= DATE '{start}') = 0 AS churned
                     FROM orders WHERE status IS NULL OR lower(status) <> 'cancelled'
                     GROUP BY 1 HAVING min(ts)::DATE < DATE '{start}')"""
    churned, retained = project.con.execute(f"SELECT count(*) FILTER (WHERE churned), "
                                            f"count(*) FILTER (WHERE NOT churned) FROM {customers}").fetchone()
    frame = _by_touchpoint(project, f"""
        SELECT grouping(t.touchpoint) = 1 AS overall, t.touchpoint,
               count(DISTINCT c.user_id) FILTER (WHERE c.churned) AS contacted,
               count(DISTINCT c.user_id) FILTER (WHERE NOT c.churned) AS retained_contacted
        FROM (SELECT DISTINCT user_id, touchpoint FROM operations WHERE case_id IN ({_CONTACTS})
              AND case_id IN (SELECT case_id FROM operations GROUP BY 1 HAVING min(ts)::DATE < DATE '{start}')) t
        JOIN {customers} c USING (user_id)
        GROUP BY GROUPING SETS ((), (t.touchpoint))""")
    if not frame["touchpoint"].isna().any():  # nobody who ordered before had a case
        frame = pd.concat([pd.DataFrame({"touchpoint": [None], "contacted": [0], "retained_contacted": [0]}),
                           frame], ignore_index=True)
    low, high = wilson_interval(frame["contacted"], churned)
    frame = frame.assign(churned=churned, share=frame["contacted"] / churned if churned else float("nan"),
                         ci_low=low, ci_high=high, retained=retained,
                         retained_share=frame["retained_contacted"] / retained if retained else float("nan"),
                         churn_days=churn_days, first_day=first, last_day=last)
    k = project.spec.project.min_group_size
    if retained < k:
        frame["retained_share"] = float("nan")
    out = suppress_small(frame, n_column="churned", min_n=k, columns=["share", "ci_low", "ci_high"])
    return out[_COLUMNS["churn_contact"]]


def service_measures(project, *, churn_days: int | None = None) -> pd.DataFrame:
    """Return every measure of the operations in one table, for the service blueprint's lanes.

    Parameters
    ----------
    project
        An open project (:func:`cjmlib.open_project`); without an ``operations`` table the result is empty.
    churn_days
        See :func:`churn_contacts`.

    Returns
    -------
    DataFrame
        The rows of :func:`operation_waits` (``measure`` = ``wait``), :func:`rework_loops` (``rework``),
        :func:`contact_rate` (``contact_rate``) and :func:`churn_contacts` (``churn_contact``) stacked, each
        with its own columns (empty in the other measures' rows).
    """
    parts = [operation_waits(project).assign(measure="wait"), rework_loops(project).assign(measure="rework"),
             contact_rate(project).assign(measure="contact_rate"),
             churn_contacts(project, churn_days=churn_days).assign(measure="churn_contact")]
    parts = [p for p in parts if not p.empty]
    if not parts:
        return pd.DataFrame(columns=["measure", "touchpoint", "suppressed"])
    out = pd.concat(parts, ignore_index=True)
    return out[["measure", *[c for c in out.columns if c != "measure"]]]
