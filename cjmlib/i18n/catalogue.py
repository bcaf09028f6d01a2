"""The words of the deliverables in the report's language (en, fr): page titles, index labels,
chart labels, table headers, the verdicts of the exercises, and numbers as each language writes them.

The playbook glossary, the YAML keys and the code keep one English vocabulary; only what a
client, a trainer or a participant reads is translated. A missing translation falls back to English.
"""

from __future__ import annotations

from .formats import number, percent

__all__ = ["COLUMN_LABELS", "EXERCISE_TEXTS", "INDEX_LABELS", "LANGUAGES", "PLOT_LABELS", "STEP_TITLES",
           "VALUE_LABELS", "check_language", "column_label", "exercise_text", "index_labels", "number", "percent",
           "plot_label", "step_title", "value_label"]

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


def check_language(language: str) -> str:
    """Return ``language`` when the deliverables speak it; raise ValueError naming the choices otherwise."""
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}, not {language!r}; "
                         "set project.language in journey.yml")
    return language


# Chart labels: titles, axis labels, legends and bar annotations of cjmlib.plot; {name} fields are
# filled by plot_label (numbers already formatted for the language)
PLOT_LABELS = {
    "funnel_title": {"en": "Funnel", "fr": "Entonnoir"},
    "funnel_bar": {"en": "{rate}  ({units} of {denominator})", "fr": "{rate}  ({units} sur {denominator})"},
    "funnel_x": {"en": "share of {units} entering step 1 (95 % interval)",
                 "fr": "part des {units} entrées à l'étape 1 (intervalle à 95 %)"},
    "breakdown_title": {"en": "Breakdown by {by}", "fr": "Répartition par {by}"},
    "breakdown_suppressed": {"en": "suppressed (n={n})", "fr": "masqué (n={n})"},
    "breakdown_x": {"en": "rate (95 % interval); dashed: all units; * differs from the rest (Holm-adjusted p < 0.05)",
                    "fr": "taux (intervalle à 95 %) ; tirets : toutes les unités ; * diffère du reste "
                          "(p ajusté de Holm < 0,05)"},
    "weekly_title": {"en": "Abandonment per week", "fr": "Abandons par semaine"},
    "weekly_y": {"en": "abandoned ÷ sessions that started it", "fr": "abandons ÷ sessions qui l'ont commencée"},
    "weekly_x": {"en": "week (Monday)", "fr": "semaine (lundi)"},
    "nps_title": {"en": "NPS by stage", "fr": "NPS par étape"},
    "nps_y": {"en": "NPS (promoters − detractors, %)", "fr": "NPS (promoteurs − détracteurs, %)"},
    "csat_y": {"en": "mean CSAT (1–5)", "fr": "CSAT moyen (1–5)"},
    "ces_y": {"en": "mean CES (1–7)", "fr": "CES moyen (1–7)"},
    "themes_title": {"en": "Themes in the feedback", "fr": "Thèmes des retours clients"},
    "themes_all": {"en": "all mentions", "fr": "toutes les mentions"},
    "themes_negative": {"en": "with a rating of 1–2", "fr": "avec une note de 1 à 2"},
    "themes_bar": {"en": " {mentions} ({share} of {items})", "fr": " {mentions} ({share} de {items})"},
    "themes_x": {"en": "feedback items mentioning the theme", "fr": "retours qui mentionnent le thème"},
    "emotion_title": {"en": "Emotion curve", "fr": "Courbe des émotions"},
    "emotion_hypothesis": {"en": "hypothesis (workshop)", "fr": "hypothèse (atelier)"},
    "emotion_measured": {"en": "measured (surveys, ratings)", "fr": "mesurée (enquêtes, notes)"},
    "emotion_y": {"en": "emotion (−2 … +2)", "fr": "émotion (−2 … +2)"},
    "score_title": {"en": "{kind} over time ({rule})", "fr": "{kind} dans le temps ({rule})"},
    "score_rule": {"en": "groups of fewer than {k} answers are not shown (min_group_size {k})",
                   "fr": "groupes de moins de {k} réponses masqués (min_group_size {k})"},
    "period": {"en": "period", "fr": "période"},
    "triangulation_title": {"en": "Voice against behaviour per stage",
                            "fr": "Voix du client et comportement par étape"},
    "triangulation_negative": {"en": "share of negative feedback", "fr": "part des retours négatifs"},
    "triangulation_drop": {"en": "drop-off rate from the previous stage",
                           "fr": "taux de perte depuis l'étape précédente"},
    "transitions_title": {"en": "What comes next", "fr": "Ce qui vient ensuite"},
    "transitions_x": {"en": "to (next step)", "fr": "vers (étape suivante)"},
    "transitions_y": {"en": "from", "fr": "depuis"},
    "transitions_bar": {"en": "transitions ÷ transitions leaving the row's step",
                        "fr": "transitions ÷ transitions qui quittent l'étape de la ligne"},
    "sankey_title": {"en": "Flows between steps ({units})", "fr": "Flux entre étapes ({units})"},
    "sankey_step": {"en": "step {step}", "fr": "étape {step}"},
    "cohorts_title": {"en": "Retention by cohort", "fr": "Fidélisation par cohorte"},
    "cohorts_x": {"en": "periods after the cohort's start", "fr": "périodes après le début de la cohorte"},
    "cohorts_bar_on": {"en": "users active in the period ÷ cohort size",
                       "fr": "utilisateurs actifs dans la période ÷ taille de la cohorte"},
    "cohorts_bar_from": {"en": "users active in or after the period ÷ cohort size",
                         "fr": "utilisateurs actifs dans la période ou après ÷ taille de la cohorte"},
    # personas, segments, touchpoints, opportunities and experiments (steps 2, 3 and 6)
    "segments_title": {"en": "What sets each segment apart", "fr": "Ce qui distingue chaque segment"},
    "segments_bar": {"en": "segment mean − all customers' mean (standard deviations)",
                     "fr": "moyenne du segment − moyenne de tous les clients (écarts-types)"},
    "segments_col": {"en": "segment {segment}\n(n={n})", "fr": "segment {segment}\n(n={n})"},
    "mix_title": {"en": "Sessions of each persona by {by}", "fr": "Sessions de chaque persona par {by}"},
    "mix_x": {"en": "share of the persona's sessions", "fr": "part des sessions du persona"},
    "coverage_title": {"en": "Touchpoints each persona uses", "fr": "Points de contact utilisés par persona"},
    "coverage_bar": {"en": "persona's users reaching the touchpoint ÷ persona's users",
                     "fr": "utilisateurs du persona passés par le point de contact ÷ utilisateurs du persona"},
    "tp_conversion_title": {"en": "Conversion of the sessions using each touchpoint",
                            "fr": "Conversion des sessions passées par chaque point de contact"},
    "tp_conversion_x": {"en": "sessions with a purchase ÷ sessions with the touchpoint (95 % interval)",
                        "fr": "sessions avec achat ÷ sessions passées par le point de contact (intervalle à 95 %)"},
    "tp_conversion_bar": {"en": "{rate} of {n}", "fr": "{rate} sur {n}"},
    "opportunities_title": {"en": "Opportunities: score against effort", "fr": "Opportunités : score et effort"},
    "opportunities_x": {"en": "effort (as scored in journey.yml)", "fr": "effort (tel que noté dans journey.yml)"},
    "opportunities_y": {"en": "score ({scoring})", "fr": "score ({scoring})"},
    "sizing_title": {"en": "What each change is worth per month", "fr": "Ce que vaut chaque changement par mois"},
    "sizing_x": {"en": "extra conversions per month (95 % interval)",
                 "fr": "conversions supplémentaires par mois (intervalle à 95 %)"},
    "readout_title": {"en": "A/B tests: variant against control", "fr": "Tests A/B : variante contre témoin"},
    "readout_x": {"en": "variant − control conversion (95 % interval)",
                  "fr": "conversion variante − témoin (intervalle à 95 %)"},
    "readout_bar": {"en": "P(better) {prob} · p = {p}", "fr": "P(meilleure) {prob} · p = {p}"},
}

# Values and column names that appear in legends, axes and annotations (English is the value itself)
VALUE_LABELS = {
    "session": {"en": "sessions", "fr": "sessions"},
    "user": {"en": "users", "fr": "utilisateurs"},
    "device": {"fr": "appareil"},
    "channel": {"fr": "canal"},
    "stage": {"fr": "étape"},
    "touchpoint": {"fr": "point de contact"},
    "first_channel": {"en": "first channel", "fr": "premier canal"},
    "first_device": {"en": "device", "fr": "appareil"},
    "week": {"fr": "semaine"},
    "desktop": {"fr": "ordinateur"},
    "tablet": {"fr": "tablette"},
    "both": {"fr": "les deux"},
    "pain without behavioural evidence": {"fr": "douleur sans trace dans le comportement"},
    "drop-off without a voice": {"fr": "perte sans plainte"},
    "now": {"fr": "maintenant"},
    "next": {"fr": "ensuite"},
    "later": {"fr": "plus tard"},
    "variant": {"fr": "variante"},
    "exit_intent": {"en": "exit intent", "fr": "intention de sortie"},
    "cart_recovery": {"en": "cart recovery", "fr": "relance de panier"},
    "nps_banner": {"en": "NPS banner", "fr": "bandeau NPS"},
    "True": {"fr": "oui"},
    "False": {"fr": "non"},
}


def plot_label(key: str, language: str = "en", **values) -> str:
    """The chart label ``key`` in ``language``, its ``{fields}`` filled with ``values``."""
    return _pick(PLOT_LABELS, key, language).format(**values)


def value_label(value, language: str = "en") -> str:
    """A data value or column name as a reader of ``language`` expects it (itself when untranslated)."""
    entry = VALUE_LABELS.get(str(value), {})
    return entry.get(language) or entry.get("en") or str(value)


# Column headers of the tables shown by cjmlib.display.show_table, per language other than English (the
# English header is the column's own name); a name missing here is shown unchanged
COLUMN_LABELS = {"fr": {
    "labelled": "étiquetés", "neutral": "neutres", "positive": "positifs", "used": "utilisé",
    "lexicon_agrees": "lexique : accord (3 classes)", "fitted_agrees": "modèle ajusté : accord (3 classes)",
    "lexicon_negative_vs_not": "lexique : accord négatif ou non",
    "fitted_negative_vs_not": "modèle ajusté : accord négatif ou non",
    "abandoned": "abandons", "after": "après", "age": "âge", "all_events": "tous les événements", "alpha": "alpha",
    "arms": "bras", "at": "abandon à", "baseline": "référence", "before": "avant", "behaviour": "comportement",
    "behaviours": "comportements", "bottom_box": "notes basses", "by": "par", "candidate": "candidat",
    "censored": "censurés", "change": "variation", "channel": "canal", "channel_mix": "répartition par canal",
    "chosen": "retenu", "ci_high": "IC haut", "ci_low": "IC bas", "column": "colonne", "confidence": "confiance",
    "control_ci_high": "IC haut (témoin)", "control_ci_low": "IC bas (témoin)",
    "control_conversions": "conversions (témoin)", "control_rate": "taux (témoin)",
    "control_users": "utilisateurs (témoin)", "conversion": "conversion", "conversions": "conversions",
    "conversions_per_month": "conversions par mois", "converted": "convertis", "counting": "décompte",
    "customers": "clients", "daily_units": "unités par jour", "data rule": "règle de données", "days": "jours",
    "definition": "définition", "delta_high": "gain haut", "delta_low": "gain bas", "delta_per_month":
    "gain par mois", "denominator": "dénominateur", "description": "description", "detractors": "détracteurs",
    "device": "appareil", "device_mix": "répartition par appareil", "diff_ci_high": "IC haut (écart)",
    "diff_ci_low": "IC bas (écart)", "difference": "différence", "direction": "sens", "disagree": "désaccord",
    "downstream": "taux en aval", "drop_off": "pertes", "drop_off_rate": "taux de perte", "duplicates": "doublons",
    "ease": "facilité", "effect_size": "taille d'effet", "effort": "effort", "entered": "entrés",
    "entry": "entrée", "event": "événement", "events": "événements", "evidence": "preuves",
    "example_page": "page exemple", "examples": "exemples", "experiment": "expérience",
    "feedback_items": "retours au total", "file": "fichier", "first_ts": "premier horodatage", "flag": "signal",
    "frustrations": "frustrations", "gap": "écart", "geography": "géographie", "goal": "objectif",
    "goals": "objectifs", "has_data": "a des données", "hypothesis": "hypothèse", "ice": "ICE", "impact": "impact",
    "income": "revenu", "items": "retours", "k": "k", "kpis": "indicateurs", "label": "libellé",
    "language": "langue", "language_detected": "langue détectée", "last_ts": "dernier horodatage",
    "max_days": "jours (max.)", "mde": "effet minimal détectable", "mean_days": "jours (moyenne)",
    "measure": "mesure", "measured": "mesurée", "median_days": "jours (médiane)",
    "median_seconds": "secondes (médiane)", "mentions": "mentions", "metric": "métrique", "min_days": "jours (min.)",
    "motivations": "motivations", "n": "n", "n_feedback": "n retours", "n_per_arm": "n par bras",
    "n_surveys": "n enquêtes", "name": "nom", "needs": "besoins", "negative": "négatifs",
    "negative_feedback": "retours négatifs", "negative_share": "part négative", "new_entries": "nouvelles entrées",
    "next": "suivant", "now": "aujourd'hui", "nps": "NPS", "nps_responses": "réponses NPS",
    "numerator": "numérateur", "occupation": "profession", "on_track": "en bonne voie", "order": "ordre",
    "p90_seconds": "secondes (90e centile)", "p_adjusted": "p ajusté", "p_value": "p",
    "pain_point": "irritant", "pain_points": "irritants", "pairs": "paires", "path": "chemin",
    "persona": "persona", "power": "puissance", "previous": "précédente", "priority": "priorité",
    "prob_to_beat": "P(meilleure)", "promoters": "promoteurs", "questions": "questions", "quote": "verbatim",
    "quotes": "verbatims", "rank": "rang", "rate": "taux", "rate_now": "taux actuel", "rate_target": "taux cible",
    "reach": "portée", "reach_source": "source de la portée", "reason": "motif", "rejected_why": "motifs de rejet",
    "relative_change": "variation relative", "relative_lift": "hausse relative", "repeaters": "clients qui rachètent",
    "responses": "réponses", "rest_n": "n du reste", "rest_rate": "taux du reste",
    "rest_successes": "succès du reste", "revenue": "chiffre d'affaires", "revenue_high": "CA haut",
    "revenue_low": "CA bas", "revenue_per_month": "CA par mois", "rice": "RICE", "rows": "lignes",
    "rows_in_period": "lignes dans la période", "rows_kept": "lignes gardées", "rows_read": "lignes lues",
    "rows_rejected": "lignes écartées", "score": "score", "segment": "segment",
    "segment_users": "utilisateurs du segment", "sentiment_method": "méthode du sentiment", "sessions": "sessions",
    "share": "part", "share_in_test": "part en test", "share_of_negative": "part des négatifs",
    "share_revenue": "part du CA", "share_sessions": "part des sessions", "share_users": "part des utilisateurs",
    "shared_sessions": "sessions partagées", "significant": "significatif", "silhouette": "silhouette",
    "stage": "étape", "step": "n° d'étape", "step_ci_high": "IC haut (passage)", "step_ci_low": "IC bas (passage)",
    "step_rate": "taux de passage", "steps": "nombre d'étapes", "successes": "succès", "suppressed": "masqué",
    "table": "table", "target": "cible", "terms": "termes", "test": "test", "texts": "textes", "theme": "thème",
    "themes": "thèmes", "timestamp_ties": "horodatages ex æquo", "top_box": "notes hautes",
    "top_box_rate": "taux de notes hautes", "top_ci_high": "IC haut (notes hautes)",
    "top_ci_low": "IC bas (notes hautes)", "top_themes": "thèmes principaux", "touchpoint": "point de contact",
    "touchpoints": "points de contact", "uncoded": "non codés", "unit": "unité", "units": "unités",
    "unmatched_events": "événements non reconnus", "users": "utilisateurs", "value": "valeur",
    "value_effort": "valeur/effort", "value_per_conversion": "valeur par conversion", "variant": "variante",
    "voice": "voix", "week": "semaine", "what_if": "et si", "window_days": "fenêtre (jours)",
}}


def column_label(name, language: str = "en") -> str:
    """A table's column header as a reader of ``language`` expects it (the name itself when untranslated)."""
    return COLUMN_LABELS.get(language, {}).get(str(name), str(name))


# What the checks of cjmlib.exercises say; {name} fields are filled by exercise_text
EXERCISE_TEXTS = {
    "step_conversion": {"en": "Checkout step rate", "fr": "Taux de passage au paiement"},
    "mobile_checkout_week": {"en": "The week of the mobile checkout incident",
                             "fr": "La semaine de l'incident du paiement sur mobile"},
    "pain_point_from_quotes": {"en": "A pain point from the quotes", "fr": "Un irritant tiré des verbatims"},
    "right": {"en": "Right.", "fr": "Juste."},
    "wrong": {"en": "Not right yet.", "fr": "Pas encore juste."},
    "no_answer": {"en": "No answer yet.", "fr": "Pas encore de réponse."},
    "invalid": {"en": "This answer cannot be checked.", "fr": "Cette réponse ne peut pas être vérifiée."},
    "unavailable": {"en": "This exercise cannot be checked on this project's data.",
                    "fr": "Cet exercice ne peut pas être vérifié sur les données de ce projet."},
    "no_answer_hint": {"en": "Replace answer = None with your answer, then run the cells again.",
                       "fr": "Remplacez answer = None par votre réponse, puis relancez les cellules."},
    "type": {"en": "The answer must be {expected}, not {kind} ({value}).",
             "fr": "La réponse doit être {expected}, et non {kind} ({value})."},
    "sc_expects": {"en": "a number: a fraction such as 0.42, or a percentage such as 42",
                   "fr": "un nombre : une fraction comme 0,42, ou un pourcentage comme 42"},
    "sc_range": {"en": "{value} is not a rate: a step rate lies between 0 and 1 (or 0 and 100 as a percentage).",
                 "fr": "{value} n'est pas un taux : un taux de passage est compris entre 0 et 1 (ou 0 et 100 "
                       "en pourcentage)."},
    "sc_percent": {"en": "{value} is more than 1, so it was read as a percentage: {share}.",
                   "fr": "{value} dépasse 1 : la réponse a été lue comme un pourcentage, soit {share}."},
    "sc_expected": {"en": "The checkout step rate is {rate}: {converted} of the {entered} sessions that reached the "
                          "cart went on to checkout ({converted} ÷ {entered}, session funnel landing → product page "
                          "→ cart → checkout → order confirmation).",
                    "fr": "Le taux de passage au paiement est de {rate} : {converted} des {entered} sessions arrivées "
                          "au panier sont passées au paiement ({converted} ÷ {entered}, entonnoir des sessions "
                          "accueil → fiche produit → panier → paiement → confirmation)."},
    "sc_gap": {"en": "Your answer, {answer}, is {gap} points away; the tolerance is 0.5 points.",
               "fr": "Votre réponse, {answer}, s'en écarte de {gap} points ; la tolérance est de 0,5 point."},
    "sc_overall": {"en": "{answer} is the share of all sessions that reached checkout ({units} of {denominator}): "
                         "a step rate divides by the sessions at the previous step, the cart.",
                   "fr": "{answer} est la part de toutes les sessions arrivées au paiement ({units} sur "
                         "{denominator}) : un taux de passage divise par les sessions de l'étape précédente, "
                         "le panier."},
    "sc_drop": {"en": "{answer} is the drop-off ({drop} of {entered} sessions stopped at the cart): the question "
                      "asks for the share that went on.",
                "fr": "{answer} est la perte ({drop} des {entered} sessions se sont arrêtées au panier) : la "
                      "question demande la part qui a continué."},
    "sc_other_step": {"en": "{answer} is the step rate of {step} ({units} of {previous}), not of checkout.",
                      "fr": "{answer} est le taux de passage de l'étape {step} ({units} sur {previous}), et non "
                            "du paiement."},
    "sc_missing": {"en": "The exercise needs the touchpoints {missing} in journey.yml (the session funnel landing → "
                         "product-page → cart → checkout → order-confirmation).",
                   "fr": "L'exercice a besoin des points de contact {missing} dans journey.yml (l'entonnoir des "
                         "sessions landing → product-page → cart → checkout → order-confirmation)."},
    "sc_no_cart": {"en": "No session reached the cart in the session funnel, so the checkout step rate has no "
                         "denominator.",
                   "fr": "Aucune session n'est arrivée au panier dans l'entonnoir des sessions : le taux de passage "
                         "au paiement n'a pas de dénominateur."},
    "mw_expects": {"en": 'a date, e.g. "2026-10-07" or datetime.date(2026, 10, 7)',
                   "fr": 'une date, par exemple "2026-10-07" ou datetime.date(2026, 10, 7)'},
    "mw_expected": {"en": "Mobile checkout abandonment peaked in the week of Monday {week}: {abandoned} of the "
                          "{sessions} mobile sessions that began checkout ended without an order ({rate}), the "
                          "highest of {weeks} weeks (weekly_abandonment, step checkout, by device). Any day of "
                          "that week is accepted.",
                    "fr": "L'abandon du paiement sur mobile a culminé la semaine du lundi {week} : {abandoned} des "
                          "{sessions} sessions mobiles qui ont commencé le paiement se sont terminées sans commande "
                          "({rate}), le plus haut des {weeks} semaines (weekly_abandonment, étape checkout, par "
                          "appareil). Tout jour de cette semaine est accepté."},
    "mw_yours": {"en": "Your date falls in the week of Monday {week}, where mobile abandonment was {rate} "
                       "({abandoned} of {sessions}).",
                 "fr": "Votre date tombe la semaine du lundi {week}, où l'abandon sur mobile était de {rate} "
                       "({abandoned} sur {sessions})."},
    "mw_outside": {"en": "Your date, {date}, falls in no week of the data ({first} to {last}).",
                   "fr": "Votre date, {date}, ne tombe dans aucune semaine des données (du {first} au {last})."},
    "mw_no_data": {"en": "The data has no mobile session that began checkout.",
                   "fr": "Les données ne contiennent aucune session mobile ayant commencé le paiement."},
    "pp_expects": {"en": 'a dict {{"stage": ..., "theme": ..., "statement": ...}} or a pain point written as text',
                   "fr": 'un dict {{"stage": ..., "theme": ..., "statement": ...}} ou un irritant rédigé en texte'},
    "pp_no_feedback": {"en": "The project has no feedback source: the exercise reads the customers' quotes.",
                       "fr": "Le projet n'a pas de source de retours clients : l'exercice s'appuie sur leurs "
                             "verbatims."},
    "pp_missing": {"en": "The answer lacks the key(s) {keys} (expected: stage, theme, statement).",
                   "fr": "Il manque à la réponse la ou les clés {keys} (attendues : stage, theme, statement)."},
    "pp_stage_unknown": {"en": "'{stage}' is not a stage of journey.yml. Stages: {stages}.",
                         "fr": "« {stage} » n'est pas une étape de journey.yml. Étapes : {stages}."},
    "pp_theme_unknown": {"en": "'{theme}' is not a theme of the codebook. Themes: {themes}.",
                         "fr": "« {theme} » n'est pas un thème du codebook. Thèmes : {themes}."},
    "pp_no_theme_in_text": {"en": "The text names no theme of the codebook: use the customers' own words "
                                  "(e.g. {keywords}).",
                            "fr": "Le texte ne nomme aucun thème du codebook : reprenez les mots des clients "
                                  "(par exemple {keywords})."},
    "pp_read_as": {"en": "The text was read as the theme {theme} at the stage {stage}.",
                   "fr": "Le texte a été lu comme le thème {theme} à l'étape {stage}."},
    "pp_other_stage": {"en": "The theme {theme} belongs to the stage {theme_stage}, not to {stage}.",
                       "fr": "Le thème {theme} relève de l'étape {theme_stage}, et non de {stage}."},
    "pp_no_negative": {"en": "No negative feedback is coded at the stage {stage}: choose a stage where customers "
                             "complain.",
                       "fr": "Aucun retour négatif n'est codé à l'étape {stage} : choisissez une étape où les "
                             "clients se plaignent."},
    "pp_top": {"en": "At the stage {stage}, {theme} carries the most negative feedback: {negative} negative items "
                     "of its {mentions} mentions (theme_table; negative: rated 1–2, or a negative text when "
                     "unrated).",
               "fr": "À l'étape {stage}, {theme} concentre le plus de retours négatifs : {negative} retours "
                     "négatifs sur ses {mentions} mentions (theme_table ; négatif : noté 1 ou 2, ou texte négatif "
                     "sans note)."},
    "pp_not_top": {"en": "At the stage {stage}, the theme with the most negative feedback is {top}, with "
                         "{top_negative} negative items; {theme} has {negative}.",
                   "fr": "À l'étape {stage}, le thème qui concentre le plus de retours négatifs est {top}, avec "
                         "{top_negative} retours négatifs ; {theme} en a {negative}."},
    "pp_spec": {"en": "journey.yml names it as the pain point '{name}': {negative} of all {total} negative items "
                      "({share}).",
                "fr": "journey.yml le nomme comme l'irritant « {name} » : {negative} de l'ensemble des {total} retours "
                      "négatifs ({share})."},
    "pp_rule": {"en": "A pain point statement is customer-centred and specific: it mentions the customer, has at "
                      "least 8 words, and names a touchpoint of the stage or the customers' words for the theme.",
                "fr": "Un irritant est centré sur le client et précis : il mentionne le client, compte au moins "
                      "8 mots et nomme un point de contact de l'étape ou les mots des clients pour le thème."},
    "pp_no_customer": {"en": "The statement does not mention the customer (customers, I, my, or a persona's name): "
                             "it reads as the company's view.",
                       "fr": "L'énoncé ne mentionne pas le client (clients, je, mon, ou le nom d'une persona) : "
                             "il exprime le point de vue de l'entreprise."},
    "pp_short": {"en": "The statement has {n} words; write at least 8.",
                 "fr": "L'énoncé compte {n} mots ; écrivez-en au moins 8."},
    "pp_vague": {"en": "The statement names neither a touchpoint of the stage ({touchpoints}) nor the customers' "
                       "words for the theme (e.g. {keywords}).",
                 "fr": "L'énoncé ne nomme ni un point de contact de l'étape ({touchpoints}) ni les mots des "
                       "clients pour le thème (par exemple {keywords})."},
    "pp_statement_ok": {"en": "The statement mentions the customer, has {n} words and names {named}.",
                        "fr": "L'énoncé mentionne le client, compte {n} mots et nomme {named}."},
}


def exercise_text(key: str, language: str = "en", **values) -> str:
    """What an exercise check says for ``key`` in ``language``, its ``{fields}`` filled with ``values``."""
    return _pick(EXERCISE_TEXTS, key, language).format(**values)
