"""The words of the deliverables in the report's language (en, fr): page titles and index labels.

The playbook glossary, the YAML keys and the code keep one English vocabulary; only what a
client reads is translated.
"""

from __future__ import annotations

__all__ = ["INDEX_LABELS", "LANGUAGES", "STEP_TITLES", "index_labels", "step_title"]

LANGUAGES = ("en", "fr")

STEP_TITLES = {
    "01-goals": {"en": "Goals and KPIs", "fr": "Objectifs et indicateurs"},
    "02-personas": {"en": "Personas", "fr": "Personas"},
    "03-touchpoints": {"en": "Stages and touchpoints", "fr": "Étapes et points de contact"},
    "04-behaviour": {"en": "Behaviour: funnels and abandonment", "fr": "Comportement : entonnoirs et abandons"},
    "05-voice-of-customer": {"en": "Voice of the customer", "fr": "Voix du client"},
    "06-improvements": {"en": "Improvements and priorities", "fr": "Améliorations et priorités"},
    "07-journey-map": {"en": "The journey map", "fr": "La carte du parcours"},
}

INDEX_LABELS = {
    "data": {"en": "Data", "fr": "Données"},
    "run_of": {"en": "Run of", "fr": "Exécution du"},
    "journey_map": {"en": "Journey map", "fr": "Carte du parcours"},
    "journey_map_blurb": {"en": "The whole journey on one page: stages, touchpoints, emotions, pain points and "
                                "opportunities.",
                          "fr": "Tout le parcours sur une page : étapes, points de contact, émotions, irritants et "
                                "opportunités."},
    "steps": {"en": "Steps", "fr": "Étapes"},
    "kpis": {"en": "Headline KPIs", "fr": "Indicateurs clés"},
    "changes": {"en": "What changed since the last run", "fr": "Ce qui a changé depuis la dernière exécution"},
    "kpi": {"en": "KPI", "fr": "Indicateur"},
    "before": {"en": "Before", "fr": "Avant"},
    "now": {"en": "Now", "fr": "Maintenant"},
    "change": {"en": "Change", "fr": "Écart"},
    "interval": {"en": "95 % interval of the change", "fr": "Intervalle à 95 % de l'écart"},
    "significance": {"en": "Significance", "fr": "Significativité"},
    "notes": {"en": "Notes", "fr": "Remarques"},
    "run": {"en": "run", "fr": "exécution"},
    "of": {"en": "of", "fr": "sur"},
}


def _pick(table: dict, key: str, language: str) -> str:
    entry = table[key]
    return entry.get(language) or entry["en"]


def step_title(step: str, language: str = "en") -> str:
    """The title of a step's page in ``language`` (English when the language has none)."""
    return _pick(STEP_TITLES, step, language)


def index_labels(language: str = "en") -> dict[str, str]:
    """Every label of the index page in ``language``."""
    return {key: _pick(INDEX_LABELS, key, language) for key in INDEX_LABELS}
