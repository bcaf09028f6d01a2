"""The spec's names in another report language: journey.yml's ``translations:`` section."""

from __future__ import annotations

import pytest

from cjmlib.errors import SpecError
from cjmlib.i18n.labels import in_language
from cjmlib.spec.io import parse_spec

SPEC = """
project: {name: Shop, language: fr}
goals:
  - id: sell
    statement: Sell more
    kpis: [{id: conv, metric: session_conversion, name: Conversion, target: 0.03}]
personas: [{id: parent, name: Busy parent}, {id: planner, name: Deal planner}]
stages: [{id: visit, name: Visit}, {id: buy}]
touchpoints: [{id: cart, stage: buy, name: Cart, match: {event: add_to_cart}}]
codebook: {themes: [{id: price, label: Price, keywords: {en: [price]}}]}
translations:
  fr:
    personas: {parent: Parent pressé}
    stages: {visit: Visite, buy: Achat}
    touchpoints: {cart: Panier}
    goals: {sell: Vendre davantage}
    kpis: {conv: Conversion des sessions}
    themes: {price: Prix}
"""


def test_in_language_puts_the_translated_names_in_place():
    journey, _ = parse_spec(SPEC)
    fr = in_language(journey, "fr")
    assert [p.name for p in fr.personas] == ["Parent pressé", "Deal planner"]  # no translation: kept
    assert [s.label for s in fr.stages] == ["Visite", "Achat"]
    assert fr.touchpoints[0].name == "Panier" and fr.touchpoints[0].stage == "buy"
    assert fr.goals[0].statement == "Vendre davantage" and fr.goals[0].kpis[0].name == "Conversion des sessions"
    assert fr.codebook.themes[0].label == "Prix" and fr.codebook.themes[0].keywords == {"en": ("price",)}
    assert journey.personas[0].name == "Busy parent"  # the spec itself is unchanged (frozen)


def test_in_language_without_translations_is_the_spec_itself():
    journey, _ = parse_spec(SPEC)
    assert in_language(journey, "en") is journey


def test_a_translation_of_an_unknown_id_is_refused_with_the_known_ones():
    with pytest.raises(SpecError, match=r"translations.fr.stages: 'buyy' not among the stages of the spec "
                                        r"\(visit, buy\)"):
        parse_spec(SPEC.replace("stages: {visit: Visite, buy: Achat}", "stages: {visit: Visite, buyy: Achat}"))


def test_a_translation_of_an_unknown_section_is_refused():
    with pytest.raises(SpecError, match="translations"):
        parse_spec(SPEC.replace("themes: {price: Prix}", "lanes: {x: y}"))


def test_an_id_may_map_to_several_of_its_texts():
    spec = SPEC.replace("personas: {parent: Parent pressé}",
                        "personas: {parent: {name: Parent pressé, needs: [Gagner du temps], quote: Vite !}}")
    fr = in_language(parse_spec(spec)[0], "fr")
    assert (fr.personas[0].name, fr.personas[0].needs, fr.personas[0].quote) == \
        ("Parent pressé", ("Gagner du temps",), "Vite !")


def test_a_translated_field_must_be_a_text_of_the_item():
    spec = SPEC.replace("personas: {parent: Parent pressé}", "personas: {parent: {nme: Parent pressé}}")
    with pytest.raises(SpecError, match=r"translations.fr.personas.parent: nme is not a text of the personas"):
        parse_spec(spec)
