"""The journey map's model: what every renderer draws, and the context its lanes are assembled in.

A :class:`MapModel` has the stages (columns), the lanes (rows of :class:`MapCell`), the emotion curve,
and for some map types the persona overlay and the persona's day. Cells backed by data carry their
provenance; :class:`MapContext` makes it (n, period, source, hash, definition) and hides figures
resting on fewer units than the project's ``min_group_size``. :mod:`cjmlib.mapbuild` fills the model.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..spec.model import Journey, Persona

__all__ = ["ALL_STAGES", "MapCell", "MapContext", "MapModel", "MapRow", "persona_slug"]

ALL_STAGES = "*"
"""Key of :attr:`MapRow.cells` for cells spanning every stage (the persona and day lanes)."""


@dataclass(frozen=True)
class MapCell:
    """One item of a map cell: its text, the number it shows and where that number comes from.

    ``provenance`` (data-backed cells only) holds ``n``, ``period``, ``source`` (the input's
    name), ``sha256`` (first 12 characters of the input's hash) and ``definition``.
    """

    text: str
    value: float | None = None
    provenance: dict | None = None


@dataclass(frozen=True)
class MapRow:
    """One row of the map: ``cells`` maps a stage id (or :data:`ALL_STAGES`) to its cells.

    ``line`` names the line drawn above the lane on a service blueprint (``line_of_interaction``,
    ``line_of_visibility``, ``line_of_internal_interaction``); empty elsewhere.
    """

    id: str
    label: str
    cells: dict[str, list[MapCell]]
    line: str = ""


@dataclass(frozen=True)
class MapModel:
    """Everything a renderer draws: the stages (columns), the lanes (rows) and the emotion curve.

    ``emotion`` holds one dict per stage: stage, hypothesis, measured, ci_low, ci_high, n and
    target (the to-be emotion of the lanes, ``None`` when not written). ``persona_name`` is the
    mapped persona's name (empty when every persona is mapped together).
    ``overlay`` holds one dict per persona of the spec when it has several: persona (id), name and
    points (one emotion dict per stage, as in ``emotion``).
    ``day`` (day-in-the-life map) holds the persona's moments by time: time, minutes (since
    midnight), activity, persona (short name when several are mapped), touchpoint (id or None),
    touchpoint_label, channel and stage.
    """

    title: str
    project: str
    client: str
    map_type: str
    language: str
    persona: str | None
    persona_name: str
    stages: list[dict]
    lanes: list[MapRow]
    emotion: list[dict]
    period: str
    overlay: list[dict] = field(default_factory=list)
    day: list[dict] = field(default_factory=list)

    def lane(self, lane_id: str) -> MapRow:
        """Return the lane ``lane_id``; KeyError names the lanes of this map when it has none."""
        found = next((lane for lane in self.lanes if lane.id == lane_id), None)
        if found is None:
            raise KeyError(f"this {self.map_type} map has no lane {lane_id!r}; lanes: "
                           + ", ".join(lane.id for lane in self.lanes))
        return found


def missing(x) -> bool:
    """Return whether ``x`` is None or a missing scalar (NaN, NA)."""
    return x is None or (pd.api.types.is_scalar(x) and bool(pd.isna(x)))


def optional(x) -> float | None:
    """Return ``x`` as a float, or None when missing."""
    return None if missing(x) else float(x)


def as_list(x) -> list[str]:
    """Return a list of texts from a missing value, one text or an array of texts."""
    if missing(x):
        return []
    return [x] if isinstance(x, str) else [str(v) for v in x]


def short_name(persona: Persona) -> str:
    """Return the persona's name before its first comma (``Claire`` of ``Claire, the busy parent``)."""
    return persona.name.split(",")[0].strip()


def persona_slug(persona: Persona) -> str:
    """Return a file-name-safe slug of the persona's id (``busy-parent``; accents dropped)."""
    plain = unicodedata.normalize("NFKD", persona.id).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-") or "persona"


def period_of(meta) -> str:
    """Return the run's period (``2026-01-01 – 2026-03-31``) from its ``meta`` result; empty if unknown."""
    if not isinstance(meta, dict) or not meta.get("period_start"):
        return ""
    return f"{str(meta['period_start'])[:10]} – {str(meta.get('period_end', ''))[:10]}"


@dataclass(frozen=True)
class MapContext:
    """What the lanes are assembled from: the spec, its labels, the run's results and the personas mapped."""

    spec: Journey
    text: dict
    results: dict
    personas: tuple[Persona, ...]
    persona: str | None
    period: str

    @property
    def language(self) -> str:
        """The map's language: the spec's ``project.language`` (``en`` or ``fr``)."""
        return self.spec.project.language

    def per_stage(self) -> dict[str, list[MapCell]]:
        """Return an empty cell list per stage, in the spec's order."""
        return {s.id: [] for s in self.spec.stages}

    def frame(self, name: str) -> pd.DataFrame | None:
        """Return the result ``name`` when it is a non-empty table, else None."""
        value = self.results.get(name)
        return value if isinstance(value, pd.DataFrame) and not value.empty else None

    def provenance(self, *, n, source: str, definition: str) -> dict:
        """Return the provenance of a data-backed cell.

        Parameters
        ----------
        n
            The count the cell's figure rests on (its denominator); None or NaN when it has none.
        source
            The source the figure comes from (``events``, ``feedback``, ``surveys``, ``orders``); its
            sha256, when the run recorded one, is added (12 hex digits).
        definition
            What the figure is, in the map's language.
        """
        hashes = (self.results.get("meta") or {}).get("sources") or {}
        digest = next((str(v) for k, v in hashes.items() if k == source or Path(str(k)).stem == source), None)
        return {"n": None if missing(n) else int(n), "period": self.period, "source": source,
                "sha256": digest[:12] if digest else None, "definition": definition}

    def stat(self, text: str, value: float, provenance: dict, *, what: str) -> MapCell:
        """Return a rate or score cell, hidden when its n is below the project's minimum group size.

        Parameters
        ----------
        text
            The cell's text, the figure already formatted.
        value
            The figure itself (a rate, a score).
        provenance
            The cell's provenance (:meth:`provenance`); its ``n`` decides whether the cell is hidden.
        what
            What the figure is, to name in the hidden cell: ``rate``, ``drop_off``, ``nps`` or ``emotion``.
        """
        k = self.spec.project.min_group_size
        if provenance["n"] is not None and provenance["n"] < k:
            return MapCell(self.text["hidden"].format(what=self.text["what"][what], k=k), None, provenance)
        return MapCell(text, value, provenance)
