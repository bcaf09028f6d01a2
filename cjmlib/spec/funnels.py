"""The funnels a journey declares, and the events columns its names stand for (no data needed).

- :func:`journey_funnels`: the spec's funnels, or one default (the stages, by user) when it declares none;
- :func:`funnel_labels`: each step's label (the touchpoint's or stage's name, else the event's);
- :func:`events_column`, :func:`file_column`: a column of the events file and of the events table, both ways.

Counting them is :mod:`cjmlib.analytics.declared`; checking them against the data, :mod:`cjmlib.data.crossref`.
"""

from __future__ import annotations

from .model import Funnel, Journey

__all__ = ["CANONICAL_EVENT_COLUMNS", "DEFAULT_FUNNEL_ID", "events_column", "file_column", "funnel_labels",
           "journey_funnels"]

DEFAULT_FUNNEL_ID = "journey"
#: The columns of the canonical events table (the loader adds the file's other columns under their names).
CANONICAL_EVENT_COLUMNS = ("user_id", "session_id", "ts", "event", "page", "channel", "device", "revenue",
                           "touchpoint", "stage", "stage_order")


def journey_funnels(spec: Journey) -> list[Funnel]:
    """The funnels of the spec; without a ``funnels:`` section, one default funnel.

    Parameters
    ----------
    spec
        The journey spec.

    Returns
    -------
    list of Funnel
        The declared funnels in their order, or the default: id ``journey``, "Journey funnel", the
        stages by user, with ``is_default`` true (a page says the funnel is a default).
    """
    if spec.funnels:
        return list(spec.funnels)
    return [Funnel(id=DEFAULT_FUNNEL_ID, name="Journey funnel", by="stage", steps=tuple(spec.stage_ids), unit="user",
                   is_default=True)]


def funnel_labels(spec: Journey, funnel: Funnel) -> dict[str, str]:
    """Step id -> label: the touchpoint's or stage's name; for an event, the name of the touchpoint matching
    that event alone (else the event's name).

    Parameters
    ----------
    spec
        The journey spec.
    funnel
        A funnel of the spec.
    """
    if funnel.by == "touchpoint":
        names = {t.id: t.label for t in spec.touchpoints}
    elif funnel.by == "stage":
        names = {s.id: s.label for s in spec.stages}
    else:
        names = {}
        for t in spec.touchpoints:
            if t.match is not None and len(t.match.event) == 1 and not t.match.page and not t.match.channel:
                names.setdefault(t.match.event[0], t.label)
    return {s: names.get(s, s) for s in funnel.steps}


def file_column(spec: Journey, column: str) -> str:
    """The name the events file gives a canonical column (the mapping of ``sources.events.columns``).

    Parameters
    ----------
    spec
        The journey spec.
    column
        A canonical column (``device``…) or any other name (returned as it is).
    """
    source = spec.sources.events
    return source.columns.get(column, column) if source is not None else column


def events_column(spec: Journey, name: str) -> str:
    """The column of the events table holding the events file's column ``name`` (mapped or not).

    A canonical name stays itself; a file column mapped onto a canonical field gives that field
    (``platform`` mapped as ``device`` gives ``device``); any other column keeps its own name.

    Parameters
    ----------
    spec
        The journey spec.
    name
        A column of the events file, or a canonical column.
    """
    if name in CANONICAL_EVENT_COLUMNS:
        return name
    source = spec.sources.events
    for canon, col in (source.columns.items() if source is not None else ()):
        if col == name:
            return canon
    return name
