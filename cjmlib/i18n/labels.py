"""The spec's own names in the report's language: journey.yml's ``translations:`` section.

A consultant writes the names of personas, stages, touchpoints, goals, KPIs, pain points, opportunities,
funnels and themes once, in the spec's language, and gives them in another report language beside it::

    translations:
      fr:
        personas: {busy-parent: Parent pressé}
        stages: {purchase: Achat}
        touchpoints: {checkout: Paiement}
        goals: {grow-conversion: Convertir davantage de visites en commandes}

:func:`in_language` returns the spec with those names in place (``name``; ``statement`` for goals,
``label`` for themes); an id without a translation keeps its name. The project applies it when it is
loaded, so every page, table, chart and map of a French report reads the French names. An id may also
map to some of its texts (``busy-parent: {name: …, needs: […], quote: …}``; a goal's ``questions``).

Examples
--------
>>> from cjmlib.spec.io import load_spec
>>> journey = load_spec("templates/ecommerce/journey.yml")          # doctest: +SKIP
>>> in_language(journey, "fr").stage("purchase").label                # doctest: +SKIP
'Achat'
"""

from __future__ import annotations

from ..spec.model import Journey

__all__ = ["in_language"]

_FIELD = {"goals": "statement", "themes": "label"}


def _renamed(items, names: dict, field: str) -> tuple:
    """The items with their translated texts: a text replaces ``field``, a mapping the fields it names."""
    def update(item) -> dict:
        given = names[item.id]
        if isinstance(given, str):
            return {field: given}
        return {k: tuple(v) if isinstance(getattr(item, k), tuple) and not isinstance(v, str) else v
                for k, v in given.items()}

    return tuple(i.model_copy(update=update(i)) if i.id in names else i for i in items)


def in_language(spec: Journey, language: str) -> Journey:
    """Return ``journey`` with the names its ``translations`` give in ``language`` (itself when none).

    Parameters
    ----------
    spec
        The spec.
    language
        The report language (``en`` or ``fr``).
    """
    by_section = spec.translations.get(language) or {}
    if not by_section:
        return spec
    kpis = by_section.get("kpis", {})
    goals = tuple(g.model_copy(update={"kpis": _renamed(g.kpis, kpis, "name")}) for g in spec.goals)
    update = {"goals": _renamed(goals, by_section.get("goals", {}), "statement")}
    for section in ("personas", "stages", "touchpoints", "pain_points", "opportunities", "funnels"):
        update[section] = _renamed(getattr(spec, section), by_section.get(section, {}), "name")
    themes = _renamed(spec.codebook.themes, by_section.get("themes", {}), "label")
    update["codebook"] = spec.codebook.model_copy(update={"themes": themes})
    return spec.model_copy(update=update)
