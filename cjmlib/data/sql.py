"""SQL text the engine is sent: quoted names and values, and the fragments several modules write.

Every name or value that comes from a spec or a file reaches SQL through these helpers, never
pasted as it is: a quote inside it is doubled, so it cannot end the string or the name early.

Examples
--------
>>> from cjmlib.data.sql import quote_ident, quote_literal, literal_list
>>> quote_ident("order id")
'"order id"'
>>> quote_literal("l'avis")
"'l''avis'"
>>> literal_list(["cart", "purchase"])
"'cart', 'purchase'"
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["as_of_condition", "literal_list", "quote_ident", "quote_literal"]


def quote_ident(name: str) -> str:
    """Return ``name`` as a quoted SQL identifier (a column or table name), its double quotes doubled."""
    return '"' + name.replace('"', '""') + '"'


def quote_literal(value: str) -> str:
    """Return ``value`` (as text) as a quoted SQL string literal, its single quotes doubled."""
    return "'" + str(value).replace("'", "''") + "'"


def literal_list(values: Iterable[str]) -> str:
    """Return ``values`` as comma-separated string literals, for ``column IN (...)``."""
    return ", ".join(quote_literal(v) for v in values)


def as_of_condition(as_of: str) -> str:
    """Return the SQL condition keeping rows whose ``ts`` falls on or before the day ``as_of`` (``YYYY-MM-DD``)."""
    return f"ts < CAST({quote_literal(as_of)} AS DATE) + INTERVAL 1 DAY"
