"""The words of the journey map in the project's language (en, fr).

``LABELS[language]`` holds every label a map shows (titles, lanes, legends, cell texts and the
definitions written into provenance); numbers are formatted by :mod:`cjmlib.i18n.formats`.

Examples
--------
>>> from cjmlib.journeymap.words import LABELS
>>> LABELS["fr"]["lanes"]["pain_points"]
'Points de friction'
"""

from __future__ import annotations

__all__ = ["LABELS"]

LABELS = {
    "en": {
        "map_type": {"current_state": "Current-state journey map", "future_state": "Future-state journey map",
                     "day_in_the_life": "Day-in-the-life map", "service_blueprint": "Service blueprint"},
        "lanes": {"persona": "Persona & goals", "day": "A day in the life", "actions": "Actions",
                  "customer_actions": "Customer actions", "touchpoints": "Touchpoints",
                  "frontstage": "Frontstage", "backstage": "Backstage", "support": "Support processes",
                  "thoughts": "Thoughts", "emotion": "Emotion", "pain_points": "Pain points",
                  "opportunities": "Opportunities", "kpis": "KPIs"},
        "lines": {"line_of_interaction": "line of interaction", "line_of_visibility": "line of visibility",
                  "line_of_internal_interaction": "line of internal interaction"},
        "units": {"session": "sessions", "user": "users"},
        "what": {"rate": "rate", "drop_off": "drop-off", "nps": "NPS", "emotion": "measured emotion"},
        "client": "Client", "persona": "Persona", "all_personas": "all personas", "period": "Period",
        "colon": ": ", "goals": "Goals: {}", "quote": "“{}”",
        "no_data": "no data", "hidden": "{what} hidden (n < {k})",
        "notes": "Sources and definitions",
        "hypothesis": "hypothesis", "measured": "measured", "interval": "95% interval", "target": "to-be",
        "emotion_scale": "emotion −2 … +2",
        "overlay": "Emotion by persona", "overlay_note": "solid: measured, dashed: hypothesis",
        "persona_maps": "Map of each persona", "main_map": "Journey map", "formats": "SVG · PNG · PDF",
        "day_axis": "time of day", "brand": "brand touchpoint",
        "reached": "{units} {units_label}", "rate": "{value} of entries",
        "drop_off": "drop-off {count} ({value})",
        "nps": "NPS {value} (n = {n})", "mentions": "{n} mentions", "sessions": "{n} sessions",
        "priority": "priority {priority} · {method} {score}",
        "priorities": {"now": "now", "next": "next", "later": "later"},
        "scoring": {"rice": "RICE", "ice": "ICE", "value_effort": "value/effort"},
        "emotion_cell": "hypothesis {hypothesis} · measured {measured} [{low}, {high}] (n = {n})",
        "emotion_hypothesis": "hypothesis {hypothesis}",
        "emotion_target": "to-be {target}",
        "kpi_target": "Target {name}: {target} (baseline {baseline})",
        "what_if": "To-be {name}: {to_be} (as-is {as_is})",
        "what_if_names": {"rate": "step rate to {step}", "end_conversion": "conversion to {step}",
                          "conversions_per_month": "conversions per month",
                          "revenue_per_month": "revenue per month"},
        "def_units": "{units} reaching the stage",
        "def_rate": "{units} reaching the stage ÷ {entry}",
        "entry_events": "{units} with a{n} {events}",
        "entry_stage": "{units} reaching {stage}",
        "def_drop_off": "share of the {units} reaching the previous stage that do not reach this one",
        "def_nps": "% promoters (9–10) − % detractors (0–6) among survey responses at the stage",
        "def_sessions": "sessions with at least one event of the touchpoint",
        "def_mentions": "feedback items coded with the theme(s) {themes}",
        "def_quote": "verbatim of a feedback item coded with the theme {theme}",
        "def_emotion": "mean measured emotion on −2 … +2 with its 95% interval",
        "def_emotion_all": "mean measured emotion on −2 … +2 with its 95% interval, all personas",
        "def_score": {"rice": "RICE = reach × impact × confidence ÷ effort; priority ranks the opportunities by RICE",
                      "ice": "ICE = impact × confidence × ease; priority ranks the opportunities by ICE",
                      "value_effort": "value ÷ effort (value from journey.yml, else the sized revenue per "
                                      "month); priority ranks the opportunities by value ÷ effort"},
        "def_what_if": "what-if of step 6: the funnel's step rates set to the opportunities' target rates "
                       "(journey.yml), the other steps as measured; as-is: measured over the period",
        "def_target": "target set by the team; baseline measured over the period",
    },
    "fr": {
        "map_type": {"current_state": "Carte du parcours client — état actuel",
                     "future_state": "Carte du parcours client — état cible",
                     "day_in_the_life": "Carte « une journée dans la vie »",
                     "service_blueprint": "Plan de service"},
        "lanes": {"persona": "Persona et objectifs", "day": "Une journée dans la vie", "actions": "Actions",
                  "customer_actions": "Actions du client", "touchpoints": "Points de contact",
                  "frontstage": "Front-office", "backstage": "Back-office", "support": "Processus de support",
                  "thoughts": "Pensées", "emotion": "Émotion", "pain_points": "Points de friction",
                  "opportunities": "Opportunités", "kpis": "Indicateurs"},
        "lines": {"line_of_interaction": "ligne d'interaction", "line_of_visibility": "ligne de visibilité",
                  "line_of_internal_interaction": "ligne d'interaction interne"},
        "units": {"session": "sessions", "user": "utilisateurs"},
        "what": {"rate": "taux", "drop_off": "abandon", "nps": "NPS", "emotion": "émotion mesurée"},
        "client": "Client", "persona": "Persona", "all_personas": "tous les personas", "period": "Période",
        "colon": " : ", "goals": "Objectifs : {}", "quote": "« {} »",
        "no_data": "pas de données", "hidden": "{what} masqué (n < {k})",
        "notes": "Sources et définitions",
        "hypothesis": "hypothèse", "measured": "mesurée", "interval": "intervalle à 95 %", "target": "cible",
        "emotion_scale": "émotion −2 … +2",
        "overlay": "Émotion par persona", "overlay_note": "trait plein : mesurée, tirets : hypothèse",
        "persona_maps": "La carte de chaque persona", "main_map": "Carte du parcours",
        "formats": "SVG · PNG · PDF",
        "day_axis": "heure de la journée", "brand": "point de contact de la marque",
        "reached": "{units} {units_label}", "rate": "{value} des entrées",
        "drop_off": "abandon {count} ({value})",
        "nps": "NPS {value} (n = {n})", "mentions": "{n} mentions", "sessions": "{n} sessions",
        "priority": "priorité {priority} · {method} {score}",
        "priorities": {"now": "maintenant", "next": "ensuite", "later": "plus tard"},
        "scoring": {"rice": "RICE", "ice": "ICE", "value_effort": "valeur/effort"},
        "emotion_cell": "hypothèse {hypothesis} · mesurée {measured} [{low} ; {high}] (n = {n})",
        "emotion_hypothesis": "hypothèse {hypothesis}",
        "emotion_target": "cible {target}",
        "kpi_target": "Cible {name} : {target} (référence {baseline})",
        "what_if": "Cible {name} : {to_be} (actuel {as_is})",
        "what_if_names": {"rate": "taux de passage vers {step}", "end_conversion": "conversion jusqu'à {step}",
                          "conversions_per_month": "conversions par mois",
                          "revenue_per_month": "chiffre d'affaires par mois"},
        "def_units": "{units} atteignant l'étape",
        "def_rate": "{units} atteignant l'étape ÷ {entry}",
        "entry_events": "{units} avec un événement {events}",
        "entry_stage": "{units} atteignant {stage}",
        "def_drop_off": "part des {units} de l'étape précédente qui n'atteignent pas celle-ci",
        "def_nps": "% promoteurs (9–10) − % détracteurs (0–6) parmi les réponses d'enquête à l'étape",
        "def_sessions": "sessions avec au moins un événement du point de contact",
        "def_mentions": "retours codés avec le(s) thème(s) {themes}",
        "def_quote": "verbatim d'un retour codé avec le thème {theme}",
        "def_emotion": "émotion mesurée moyenne sur −2 … +2 et son intervalle à 95 %",
        "def_emotion_all": "émotion mesurée moyenne sur −2 … +2 et son intervalle à 95 %, tous les personas",
        "def_score": {"rice": "RICE = portée × impact × confiance ÷ effort ; la priorité classe les "
                              "opportunités par RICE",
                      "ice": "ICE = impact × confiance × facilité ; la priorité classe les opportunités par ICE",
                      "value_effort": "valeur ÷ effort (valeur de journey.yml, sinon le chiffre d'affaires "
                                      "mensuel chiffré) ; la priorité classe les opportunités par valeur ÷ "
                                      "effort"},
        "def_what_if": "simulation de l'étape 6 : les taux de passage de l'entonnoir portés aux taux cibles "
                       "des opportunités (journey.yml), les autres étapes telles que mesurées ; actuel : "
                       "mesuré sur la période",
        "def_target": "cible fixée par l'équipe ; référence mesurée sur la période",
    },
}
