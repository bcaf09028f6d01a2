"""Checks of journey.yml's ``translations:`` section: the names of the spec in another report language.

``translations: {fr: {stages: {purchase: Achat}, personas: {busy-parent: {name: …, needs: […]}}}}`` gives,
per language and section, an id's name (a text) or some of its texts (field -> text or list of texts).
:func:`cjmlib.i18n.labels.in_language` puts them in place.
"""

from __future__ import annotations

__all__ = ["TRANSLATED", "translation_problems"]

# the sections whose texts ``translations:`` may give in another language
TRANSLATED = ("personas", "stages", "touchpoints", "goals", "kpis", "pain_points", "opportunities", "funnels",
              "themes")


def translation_problems(spec) -> list[str]:
    """Return what is wrong in ``journey.translations``: ids the spec lacks, fields that are not texts.

    Parameters
    ----------
    spec
        The spec (:class:`cjmlib.spec.model.Journey`), checked as it is built.
    """
    problems = []
    for language, by_section in spec.translations.items():
        for section, names in by_section.items():
            items = [k for g in spec.goals for k in g.kpis] if section == "kpis" else (
                spec.codebook.themes if section == "themes" else getattr(spec, section))
            known = [i.id for i in items]
            unknown = sorted(set(names) - set(known))
            if unknown:
                problems.append(f"translations.{language}.{section}: {', '.join(map(repr, unknown))} not among "
                                f"the {section} of the spec ({', '.join(known) or 'none'})")
            fields = {f for i in items[:1] for f, v in i if isinstance(v, str | tuple) and f != "id"}
            for item_id, value in names.items():
                if isinstance(value, dict) and set(value) - fields:
                    problems.append(f"translations.{language}.{section}.{item_id}: "
                                    f"{', '.join(sorted(set(value) - fields))} is not a text of the {section} "
                                    f"({', '.join(sorted(fields))})")
    return problems
