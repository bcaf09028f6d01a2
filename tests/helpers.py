"""Small builders shared by the tests."""

from __future__ import annotations

from pathlib import Path

SMALL_SPEC = """\
project: {name: Small shop, min_group_size: 1}
personas:
  - {id: mobile-user, name: Mobile user, rule: {device: mobile}}
stages:
  - {id: awareness}
  - {id: consideration}
  - {id: purchase}
touchpoints:
  - {id: landing, stage: awareness, match: {event: landing_view}}
  - {id: product, stage: consideration, match: {event: product_view}}
  - {id: cart, stage: purchase, match: {event: add_to_cart}}
  - {id: checkout, stage: purchase, match: {event: begin_checkout}}
  - {id: order, stage: purchase, match: {event: purchase}}
lanes:
  - {stage: purchase, persona: mobile-user, emotion: -1}
codebook:
  themes:
    - id: shipping_cost
      stage: purchase
      keywords: {en: [shipping cost, delivery fee], fr: [frais de port, livraison chère], pt: [frete caro]}
    - id: delay
      stage: purchase
      keywords: {en: [late], fr: [retard]}
sources:
  events: {path: data/events.csv}
"""


def write_csv(path: Path, header: str, rows: list[str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


# the REES46 head (../shared/data/rees46-oct2019-head): views, carts and purchases of an online shop
REES_SPEC = """\
project: {{name: REES46 head}}
stages: [{{id: consideration}}, {{id: purchase}}]
touchpoints:
  - {{id: product, stage: consideration, match: {{event: view}}}}
  - {{id: cart, stage: purchase, match: {{event: cart}}}}
  - {{id: order, stage: purchase, match: {{event: purchase}}}}
sources:
  events:
    path: {path}
    allow_outside: true
    columns: {{ts: event_time, event: event_type, user_id: user_id, session_id: user_session, revenue: price}}
    key_events: {{cart: cart, purchase: purchase}}
"""
