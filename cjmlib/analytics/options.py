"""How a funnel counts, in one frozen object: :class:`FunnelOptions`.

Every counting option of :func:`cjmlib.funnel_table` is a field; a vendor's documented counting is
one value of it (:data:`cjmlib.analytics.vendors.PRESETS`), and a funnel declared in ``journey.yml``
becomes one too (:func:`cjmlib.analytics.declared.funnel_options`). Options are compared, printed
and cached as values; an edit returns a new object (:meth:`FunnelOptions.replace`).

Examples
--------
>>> FunnelOptions(window_days=7).replace(order="strict").order
'strict'
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

__all__ = ["COUNTINGS", "ENTRIES", "ORDERS", "REENTRIES", "FunnelOptions"]

ORDERS = ("ordered", "strict", "any")
ENTRIES = ("closed", "open")
COUNTINGS = ("uniques", "totals")
REENTRIES = ("first", "best")


def _check(name: str, value, allowed) -> None:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, allowed))}, not {value!r}")


@dataclass(frozen=True)
class FunnelOptions:
    """The counting options of a funnel (docs/adr/0001-how-a-funnel-counts.md gives their meaning).

    Attributes
    ----------
    order
        ``"ordered"`` (the default), ``"strict"`` or ``"any"``.
    entry
        ``"closed"`` (the default) or ``"open"``.
    counting
        ``"uniques"`` (the default) or ``"totals"``.
    reentry
        ``"first"`` (the default) or ``"best"``.
    window_days
        The conversion window from the funnel's entry, in days; None for none.
    step_window_days
        One value per step (the first ignored): the time allowed from the previous step, in days; None for none.
    exclude
        Step values (events, touchpoints or stages) removing an attempt from the whole funnel.
    tie_seconds
        Events this close count in either order (0: events at one instant count as in the funnel's order).
    """

    order: str = "ordered"
    entry: str = "closed"
    counting: str = "uniques"
    reentry: str = "first"
    window_days: float | None = None
    step_window_days: tuple[float | None, ...] | None = None
    exclude: tuple[str, ...] = ()
    tie_seconds: float = 0.0

    def __post_init__(self):
        _check("order", self.order, ORDERS)
        _check("entry", self.entry, ENTRIES)
        _check("counting", self.counting, COUNTINGS)
        _check("reentry", self.reentry, REENTRIES)
        if self.window_days is not None and not self.window_days > 0:
            raise ValueError(f"window_days must be positive, not {self.window_days!r}")
        if self.step_window_days is not None:
            object.__setattr__(self, "step_window_days", tuple(self.step_window_days))
        object.__setattr__(self, "exclude", tuple(self.exclude))
        object.__setattr__(self, "tie_seconds", float(self.tie_seconds))

    def replace(self, **changes) -> FunnelOptions:
        """Return a copy with ``changes`` (field -> value) applied; values of None are left out."""
        return dataclasses.replace(self, **{k: v for k, v in changes.items() if v is not None})

    def as_dict(self) -> dict:
        """Every option by name (``step_window_days`` as a list, ``exclude`` as a list)."""
        out = dataclasses.asdict(self)
        out["step_window_days"] = None if self.step_window_days is None else list(self.step_window_days)
        out["exclude"] = list(self.exclude)
        return out
