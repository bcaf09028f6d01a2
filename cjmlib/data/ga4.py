"""Read a Google Analytics 4 BigQuery export into the canonical events columns.

GA4 writes one row per event into the daily BigQuery tables ``events_YYYYMMDD``, with the
event's details nested in ``event_params``: a list of ``{key, value: {string_value, int_value,
float_value, double_value}}``. This reader takes that layout from a newline-delimited JSON or a
Parquet file and flattens it in the engine (DuckDB SQL): nothing is read row by row in Python.

Getting the file out of BigQuery (the export's own tools, nothing downloaded at run time)::

    bq extract --destination_format NEWLINE_DELIMITED_JSON \\
        'my-project:analytics_123456.events_*' gs://my-bucket/ga4/events-*.json
    # or, in the BigQuery console: EXPORT DATA OPTIONS (uri = 'gs://.../*.parquet',
    #   format = 'PARQUET') AS SELECT * FROM `my-project.analytics_123456.events_*`
    #   WHERE _TABLE_SUFFIX BETWEEN '20261001' AND '20261031'

then concatenate the JSON shards into one file (``cat events-*.json > data/ga4.json``) or export
one Parquet file, and declare it in ``journey.yml``::

    sources:
      events: {path: data/ga4.json, format: ga4}

How the fields become canonical columns:

================  ==========================================================================
``user_id``       ``user_pseudo_id`` (the browser's pseudonymous id; pseudonymized again with
                  the project's secret like every customer id)
``session_id``    ``ga-`` + a number given to each (``user_pseudo_id``, ``ga_session_id``
                  parameter) pair, as GA4 session ids are unique per user only (the number keeps
                  the raw id out of the session id); empty when the event has no ``ga_session_id``
``ts``            ``event_timestamp`` (microseconds since 1970-01-01, UTC)
``event``         ``event_name``
``page``          the path of the ``page_location`` parameter: scheme, host, query string and
                  fragment are dropped (query strings carry campaign tags and, at times,
                  personal data)
``channel``       ``traffic_source.medium`` (the medium that first brought the user)
``device``        ``device.category`` (mobile, desktop, tablet…)
``revenue``       on ``purchase`` events: ``ecommerce.purchase_revenue``, else the ``value``
                  parameter; empty on other events
================  ==========================================================================

Integers may be written as JSON numbers or as strings (BigQuery writes INT64 as strings); both
are read. A parameter's value is the first of ``string_value``, ``int_value``, ``double_value``,
``float_value`` that is set.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from .sql import quote_literal

__all__ = ["GA4_COLUMNS", "GA4_REQUIRED", "ga4_param_sql", "read_ga4"]

GA4_COLUMNS = ("user_id", "session_id", "ts", "event", "page", "channel", "device", "revenue")
"""The canonical events columns the reader writes (all as text, typed by the loader's checks)."""

GA4_REQUIRED = ("event_timestamp", "event_name", "user_pseudo_id")
"""Top-level fields without which a file is not a GA4 export."""

# the part of a row the reader uses, typed; absent fields read as NULL, other fields are not read
_LAYOUT = {"event_timestamp": "VARCHAR", "event_name": "VARCHAR", "user_pseudo_id": "VARCHAR",
           "event_params": "STRUCT(key VARCHAR, value STRUCT(string_value VARCHAR, int_value VARCHAR, "
                           "float_value DOUBLE, double_value DOUBLE))[]",
           "device": "STRUCT(category VARCHAR)", "traffic_source": "STRUCT(medium VARCHAR)",
           "ecommerce": "STRUCT(purchase_revenue DOUBLE)"}
_JSON_LAYOUT = ('{"event_timestamp": "VARCHAR", "event_name": "VARCHAR", "user_pseudo_id": "VARCHAR", '
                '"event_params": [{"key": "VARCHAR", "value": {"string_value": "VARCHAR", "int_value": "VARCHAR", '
                '"float_value": "DOUBLE", "double_value": "DOUBLE"}}], "device": {"category": "VARCHAR"}, '
                '"traffic_source": {"medium": "VARCHAR"}, "ecommerce": {"purchase_revenue": "DOUBLE"}}')
_JSON_SUFFIXES = (".json", ".jsonl", ".ndjson")


def ga4_param_sql(params: str, key: str) -> str:
    """Return SQL giving the text value of the event parameter ``key`` from the list ``params``.

    The first of ``string_value``, ``int_value``, ``double_value`` and ``float_value`` that is set,
    as text; NULL when the event has no such parameter.
    """
    value = f"list_filter({params}, lambda p: p.key = {quote_literal(key)})[1].value"
    return (f"coalesce({value}.string_value, CAST({value}.int_value AS VARCHAR), "
            f"CAST({value}.double_value AS VARCHAR), "
            f"CAST({value}.float_value AS VARCHAR))")


def _flatten_sql(relation: str) -> str:
    """The SELECT turning GA4 rows (the export's top-level columns and ``__row``) into the canonical text columns."""
    micros = "try_cast(trim(CAST(event_timestamp AS VARCHAR)) AS BIGINT)"
    path = "regexp_extract(location, '^(?:[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*)?([^?#]*)', 1)"
    return f"""SELECT __row, user_id,
        CASE WHEN ga_session IS NOT NULL THEN 'ga-' || dense_rank() OVER (ORDER BY user_id, ga_session) END
            AS session_id,
        ts, event,
        CASE WHEN location IS NOT NULL THEN coalesce(nullif({path}, ''), '/') END AS page,
        channel, device, revenue
        FROM (SELECT __row, CAST(user_pseudo_id AS VARCHAR) AS user_id,
                     {ga4_param_sql("event_params", "ga_session_id")} AS ga_session,
                     CASE WHEN {micros} IS NULL THEN CAST(event_timestamp AS VARCHAR)
                          ELSE strftime(make_timestamp({micros}), '%Y-%m-%dT%H:%M:%S.%fZ') END AS ts,
                     event_name AS event,
                     {ga4_param_sql("event_params", "page_location")} AS location,
                     traffic_source.medium AS channel,
                     device.category AS device,
                     CASE WHEN event_name = 'purchase' THEN coalesce(CAST(ecommerce.purchase_revenue AS VARCHAR),
                          {ga4_param_sql("event_params", "value")}) END AS revenue
              FROM {relation})"""


def read_ga4(con: duckdb.DuckDBPyConnection, table: str, path: str | os.PathLike) -> int:
    """Read a GA4 BigQuery export file into the temporary table ``table`` with the canonical columns.

    Parameters
    ----------
    con
        The engine connection.
    table
        The name of the table to create: ``__row`` (the line of a JSON file, the row of a Parquet
        file, from 1) and :data:`GA4_COLUMNS`, all as text.
    path
        A newline-delimited JSON file (``.json``, ``.jsonl``, ``.ndjson``) or a Parquet file.

    Returns
    -------
    int
        The number of events read.

    Raises
    ------
    ValueError
        The file is not in the GA4 export layout (the message names the missing fields).
    duckdb.Error
        The file cannot be read as JSON or Parquet.
    """
    path = Path(path)
    file = quote_literal(str(path))
    if path.suffix.lower() in _JSON_SUFFIXES:
        seen = {k for (k,) in con.execute(f"SELECT DISTINCT unnest(json_keys(json)) FROM (SELECT json FROM "
                                          f"read_json_objects({file}, format='newline_delimited') LIMIT 1000)"
                                          ).fetchall()}
        columns = "{" + ", ".join(f"{quote_literal(k)}: {quote_literal(v)}" for k, v in _LAYOUT.items()) + "}"
        rows_sql = [f"SELECT * FROM read_json({file}, format='newline_delimited', columns={columns})"]
    else:  # the export's own types; a file lacking a nested field is read through JSON, with NULL for it
        seen = {d[0] for d in con.execute(f"SELECT * FROM read_parquet({file}) LIMIT 0").description}
        present = [c for c in _LAYOUT if c in seen]
        typed = ", ".join(c if c in seen else f"CAST(NULL AS {t}) AS {c}" for c, t in _LAYOUT.items())
        rows_sql = [f"SELECT {typed} FROM read_parquet({file})",
                    (f"SELECT unnest(json_transform(to_json(struct_pack({', '.join(present) or 'NULL AS none'})), "
                     f"{quote_literal(_JSON_LAYOUT)})) FROM read_parquet({file})")]
    missing = [f for f in GA4_REQUIRED if f not in seen]
    if seen and missing:
        raise ValueError(f"the file is not a GA4 BigQuery export: no field {', '.join(missing)} "
                         f"(fields found: {', '.join(sorted(seen)[:12])}).")
    for i, sql in enumerate(rows_sql):
        try:
            con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS "
                        + _flatten_sql(f"(SELECT row_number() OVER () AS __row, * FROM ({sql}))") + " ORDER BY __row")
            break
        except duckdb.BinderException:
            if i == len(rows_sql) - 1:
                raise
    rows = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    return rows
