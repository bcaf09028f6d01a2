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

__all__ = ["ANY_ORDERS", "COUNTINGS", "ENTRIES", "EXCLUSION_SCOPES", "ORDERS", "REENTRIES", "Exclusion",
           "FunnelOptions", "exclusion_names"]

ORDERS = ("ordered", "strict", "any")
ENTRIES = ("closed", "open")
COUNTINGS = ("uniques", "totals")
REENTRIES = ("first", "best")
EXCLUSION_SCOPES = ("reached", "window", "stop")
ANY_ORDERS = ("first_k", "any_k")


def _check(name: str, value, allowed) -> None:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, allowed))}, not {value!r}")


@dataclass(frozen=True)
class Exclusion:
    """An excluded value (event, touchpoint or stage) and the steps it is excluded between.

    Attributes
    ----------
    event
        The excluded value, of the same kind as the funnel's steps.
    between
        ``(i, j)``: the 1-based steps it is excluded between (``1 <= i < j <= number of steps``);
        None for the whole funnel (what a plain name means).
    """

    event: str
    between: tuple[int, int] | None = None

    def __post_init__(self):
        object.__setattr__(self, "event", str(self.event))
        if self.between is not None:
            between = tuple(self.between)
            if len(between) != 2 or not all(isinstance(b, int) and not isinstance(b, bool) for b in between):
                raise ValueError(f"between must be two step numbers [i, j], not {self.between!r}")
            if not 1 <= between[0] < between[1]:
                raise ValueError(f"between must be two step numbers with 1 <= i < j, not {list(between)}")
            object.__setattr__(self, "between", between)

    def as_value(self) -> str | dict:
        """The plain name when it covers the whole funnel, else ``{"event": …, "between": [i, j]}``."""
        return self.event if self.between is None else {"event": self.event, "between": list(self.between)}


def _exclusion(item) -> str | Exclusion:
    """A plain name stays a name; a mapping or an object with ``event`` (and ``between``) becomes an Exclusion."""
    if isinstance(item, str):
        return item
    if isinstance(item, dict):
        unknown = set(item) - {"event", "between"}
        if unknown or "event" not in item:
            raise ValueError(f"an exclusion is a name or {{event: …, between: [i, j]}}, not {item!r}")
        event, between = item["event"], item.get("between")
    elif hasattr(item, "event"):
        event, between = item.event, getattr(item, "between", None)
    else:
        raise ValueError(f"an exclusion is a name or {{event: …, between: [i, j]}}, not {item!r}")
    return str(event) if between is None else Exclusion(str(event), tuple(between))


def exclusion_names(exclude) -> list[str]:
    """The excluded values of ``exclude`` (names and :class:`Exclusion`), each once, in order.

    Parameters
    ----------
    exclude
        Plain names and :class:`Exclusion` objects.
    """
    return list(dict.fromkeys(x if isinstance(x, str) else x.event for x in exclude))


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
        Step values (events, touchpoints or stages) removing an attempt: a plain name over the whole
        funnel; an :class:`Exclusion` (or ``{"event": …, "between": [i, j]}``) between steps i and j.
    tie_seconds
        Events this close count in either order (0: events at one instant count as in the funnel's order).
    exclusion_scope
        ``"reached"`` (the default): an excluded event counts from the range's first step to its last step,
        or to the last step the attempt reached, and removes the attempt; ``"window"``: up to the range's last
        step, or, when the attempt never reaches it, to the end of its conversion window, and removes the
        attempt; ``"stop"``: as ``"window"``, but the attempt stops at the excluded event and keeps the steps
        it reached before it (a totals attempt ends there and the unit may re-enter).
    any_order
        What step k means in an ``order="any"`` funnel: ``"first_k"`` (the default) steps 1…k all done, in
        any order; ``"any_k"``: any k of the steps done, within the window from the first of them (every
        step event may start an attempt; the furthest attempt counts).
    """

    order: str = "ordered"
    entry: str = "closed"
    counting: str = "uniques"
    reentry: str = "first"
    window_days: float | None = None
    step_window_days: tuple[float | None, ...] | None = None
    exclude: tuple[str | Exclusion, ...] = ()
    tie_seconds: float = 0.0
    exclusion_scope: str = "reached"
    any_order: str = "first_k"

    def __post_init__(self):
        _check("order", self.order, ORDERS)
        _check("entry", self.entry, ENTRIES)
        _check("counting", self.counting, COUNTINGS)
        _check("reentry", self.reentry, REENTRIES)
        _check("exclusion_scope", self.exclusion_scope, EXCLUSION_SCOPES)
        _check("any_order", self.any_order, ANY_ORDERS)
        if self.window_days is not None and not self.window_days > 0:
            raise ValueError(f"window_days must be positive, not {self.window_days!r}")
        if self.step_window_days is not None:
            object.__setattr__(self, "step_window_days", tuple(self.step_window_days))
        exclude = (self.exclude,) if isinstance(self.exclude, (str, dict)) else self.exclude
        object.__setattr__(self, "exclude", tuple(_exclusion(x) for x in exclude))
        object.__setattr__(self, "tie_seconds", float(self.tie_seconds))

    def replace(self, **changes) -> FunnelOptions:
        """Return a copy with ``changes`` (field -> value) applied; values of None are left out."""
        return dataclasses.replace(self, **{k: v for k, v in changes.items() if v is not None})

    def as_dict(self) -> dict:
        """Every option by name (``step_window_days`` as a list, ``exclude`` as a list of names and
        ``{"event": …, "between": [i, j]}``)."""
        out = dataclasses.asdict(self)
        out["step_window_days"] = None if self.step_window_days is None else list(self.step_window_days)
        out["exclude"] = [x if isinstance(x, str) else x.as_value() for x in self.exclude]
        return out
