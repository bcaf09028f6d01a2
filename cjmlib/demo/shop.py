"""Seeded synthetic data for the demo shop, Maison Lumière, with known stories planted in it.

:func:`generate` writes the four exports a client would hand over (``events.csv``,
``orders.csv``, ``feedback.csv``, ``surveys.csv``) into ``<project>/data/`` and returns the
*truth*: the stories the data was built to tell, with the exact numbers used. The truth is
also saved as ``<project>/demo-truth.json``, outside ``data/``, so an analysis never reads it.

The stories:

- ``mobile_checkout_week``: in one week, checkout abandonment on mobile jumps while desktop
  and tablet stay flat (a broken address form on phones).
- ``shipping_cost_at_checkout``: shipping-cost complaints are the most frequent negative
  theme, written by customers who left a cart; surveys asked after the purchase stage score
  lower than those asked after retention or advocacy.
- ``segments``: three behavioural segments with distinct devices, channels, visit counts and
  purchase behaviour; the truth maps every user to its segment.

Everything is drawn with numpy arrays, one row per user, session or event, never with a loop
over them; the same seed gives byte-identical files.

Examples
--------
>>> from cjmlib.demo import generate
>>> truth = generate("maison-lumiere", n_users=3000)          # doctest: +SKIP
>>> truth["mobile_checkout_week"]["week_start"]                # doctest: +SKIP
'2026-10-05'
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["EVENTS", "SEGMENTS", "generate"]

DAY = 86_400
WEEK = 7 * DAY
SESSION_SPACING = 4 * 3600          # minimum time between two session starts of a user
MAX_GAP = 400                       # seconds between two events of a session (so < 3 h per session)
USERS_PER_BLOCK = 25_000            # events are built and written per block of users (bounded memory)
PROPENSITY_SHAPE = 0.6              # gamma shape of the users' buying propensity (mean 1)
STORY_WEEK = 4                      # week index of the mobile checkout incident
TS_FORMAT = "%Y-%m-%dT%H:%M:%SZ"

DEVICES = ("mobile", "desktop", "tablet")
CHANNELS = ("social", "search", "email", "direct", "ads")
LANGUAGES = ("en", "fr")
EVENTS = ("landing_view", "email_click", "order_tracking", "search", "product_view", "add_to_cart",
          "view_cart", "begin_checkout", "add_payment_info", "purchase", "write_review", "share_referral")
_E = {name: i for i, name in enumerate(EVENTS)}

#: The planted behavioural segments: share of users, device and channel mix, extra visits
#: (Poisson mean on top of the first), and the per-session funnel probabilities. Each has a signature
#: a segmentation should find: impulse buyers come back often, on their phone, from social media;
#: planners visit most, on a computer, from search and email, and search and compare; one-time
#: browsers come once, from an ad or a search, on any device, and look at a page or two.
SEGMENTS = {
    "mobile_social_impulse": {
        "share": 0.45, "device": (0.92, 0.05, 0.03), "channel": (0.65, 0.05, 0.05, 0.10, 0.15),
        "extra_sessions": 2.5, "search": 0.15, "browse": 0.78, "views": 2.5, "cart": 0.17, "checkout": 0.58,
        "items": 0.4},
    "desktop_planner": {
        "share": 0.30, "device": (0.08, 0.78, 0.14), "channel": (0.05, 0.40, 0.30, 0.20, 0.05),
        "extra_sessions": 4.3, "search": 0.55, "browse": 0.85, "views": 4.0, "cart": 0.10, "checkout": 0.62,
        "items": 1.2},
    "one_time_browser": {
        "share": 0.25, "device": (0.45, 0.40, 0.15), "channel": (0.10, 0.35, 0.0, 0.05, 0.50),
        "extra_sessions": 0.05, "search": 0.20, "browse": 0.45, "views": 1.0, "cart": 0.07, "checkout": 0.40,
        "items": 0.2},
}
_SEG = tuple(SEGMENTS)

# Probability of adding payment info after starting checkout, then of paying, by device
# (mobile, desktop, tablet); the story week replaces the mobile values.
PAYMENT_INFO = {"usual": (0.76, 0.78, 0.77), "story_week": (0.30, 0.78, 0.77)}
PAY = {"usual": (0.72, 0.77, 0.75), "story_week": (0.60, 0.77, 0.75)}
REPEAT_EVENTS = {"order_tracking": 0.45, "write_review": 0.12, "share_referral": 0.05}

_HOURS = {  # relative traffic per hour of day
    "mobile": (1, .5, .3, .2, .2, .3, .8, 1.5, 2, 2, 2, 2.5, 3.5, 3, 2.5, 2.5, 3, 3.5, 4, 5, 6, 6, 4.5, 2.5),
    "desktop": (.2, .1, .1, .1, .1, .2, .5, 1.5, 3.5, 5, 5, 5, 6, 6, 5, 5, 4.5, 4, 3, 2.5, 2.5, 2, 1, .5),
    "tablet": (.5, .2, .1, .1, .1, .2, .6, 1.5, 2, 2.5, 2.5, 2.5, 3, 3, 2.5, 2.5, 3, 3.5, 4.5, 5.5, 6, 5, 3,
               1.5),
}
_LANDING = {"social": ("/landing/cosy-autumn", "/landing/living-room-ideas"),
            "search": ("/", "/", "/landing/lighting"), "email": ("/landing/weekly-inspiration",),
            "direct": ("/",), "ads": ("/landing/autumn-sale", "/landing/free-returns", "/")}
_SEARCH_TERMS = ("lamp", "linen+cushion", "rug", "vase", "candle", "curtains", "coussin", "lampe", "plaid",
                 "miroir")
PRODUCTS = ("linen-cushion-sand", "rattan-pendant-lamp", "ceramic-vase-terracotta", "wool-throw-ochre",
            "oak-side-table", "scented-candle-fig", "stoneware-mug-set", "jute-rug-large",
            "round-brass-mirror",
            "velvet-armchair-sage", "linen-curtains-white", "cotton-bath-towels", "glass-carafe-set",
            "bamboo-storage-baskets", "table-lamp-opal", "wall-shelf-walnut")
_FIXED_PAGES = {"view_cart": "/cart", "begin_checkout": "/checkout", "add_payment_info": "/checkout/payment",
                "purchase": "/order-confirmation", "order_tracking": "/account/orders",
                "email_click": "/newsletter/weekly-inspiration", "write_review": "/account/reviews",
                "share_referral": "/account/referral"}
ORDER_STATUS = (("completed", 0.90), ("returned", 0.06), ("cancelled", 0.04))
FREE_SHIPPING_FROM, SHIPPING_FEE = 79.0, 6.90


def _pick(rng: np.random.Generator, probs: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Draw one category per row, row ``i`` with the probabilities ``probs[rows[i]]``."""
    cum = np.cumsum(np.asarray(probs, dtype=float), axis=1)
    cum /= cum[:, -1:]
    u = rng.random(len(rows))
    return (u[:, None] > cum[rows]).sum(axis=1).astype(np.int8)


def _ids(prefix: str, numbers: np.ndarray, width: int) -> np.ndarray:
    """Format integers as identifiers such as ``U000123``."""
    width = max(width, len(str(int(numbers.max()))) if len(numbers) else width)
    return np.char.add(prefix, np.char.zfill(numbers.astype(np.int64).astype(str), width))


def _param(name: str) -> np.ndarray:
    return np.array([SEGMENTS[s][name] for s in _SEG], dtype=float)


def _users(rng: np.random.Generator, n_users: int) -> dict:
    segment = _pick(rng, _param("share")[None, :], np.zeros(n_users, dtype=np.int8))
    device = _pick(rng, np.array([SEGMENTS[s]["device"] for s in _SEG]), segment)
    numbers = np.sort(rng.choice(max(10 ** 6, 10 * n_users) - 1, size=n_users, replace=False) + 1)
    return {"segment": segment, "device": device, "id": _ids("U", numbers, 6),
            "language": (rng.random(n_users) < 0.4).astype(np.int8),
            "propensity": rng.gamma(PROPENSITY_SHAPE, 1 / PROPENSITY_SHAPE, n_users)}


def _schedule(rng: np.random.Generator, users: dict, period: int) -> tuple[np.ndarray, np.ndarray]:
    """Return the user index and start second of every session, sorted by user then start."""
    seg = users["segment"]
    n_sessions = 1 + np.minimum(rng.poisson(_param("extra_sessions")[seg]), 14)
    user = np.repeat(np.arange(len(seg)), n_sessions)
    hours = np.array([_HOURS[d] for d in DEVICES])
    hour = _pick(rng, hours, users["device"][user]).astype(np.int64)
    start = rng.integers(0, period // DAY, len(user)) * DAY + hour * 3600 + rng.integers(0, 3600, len(user))
    start = np.where(start > period - 4 * 3600, start - DAY, start)
    order = np.lexsort((start, user))
    user, start = user[order], start[order]
    first = np.r_[0, np.flatnonzero(np.diff(user)) + 1]
    rank = np.arange(len(user)) - np.repeat(first, np.diff(np.r_[first, len(user)]))
    # Push sessions apart: t'_i = i*spacing + cummax_j<=i (t_j - j*spacing), per user.
    shift = user.astype(np.int64) * (4 * period)
    start = np.maximum.accumulate(start - rank * SESSION_SPACING + shift) - shift + rank * SESSION_SPACING
    keep = start <= period - 4 * 3600
    return user[keep], start[keep]


def _checkout_outcome(rng: np.random.Generator, checkout: np.ndarray, cell: np.ndarray, story: np.ndarray,
                      device: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Decide which started checkouts add payment info and which pay.

    Within each week × device cell exactly ``rint(checkouts × planned abandonment)`` checkouts
    are abandoned (a quota, not a coin toss), so the weekly rates follow the plan closely even
    on a few dozen checkouts; which sessions are abandoned is random.
    """
    info_p = np.array([PAYMENT_INFO["usual"], PAYMENT_INFO["story_week"]])[story, device]
    bought_p = info_p * np.array([PAY["usual"], PAY["story_week"]])[story, device]
    rows = np.flatnonzero(checkout)
    key = cell[rows]
    order = np.lexsort((rng.random(len(rows)), key))
    size = np.bincount(key, minlength=cell.max() + 1)
    quota = np.rint(size * np.bincount(key, weights=1 - bought_p[rows], minlength=len(size))
                    / np.maximum(size, 1))
    rank = np.empty(len(rows), dtype=np.int64)
    rank[order] = np.arange(len(rows)) - np.repeat(np.cumsum(size) - size, size)
    purchase = np.zeros(len(checkout), dtype=bool)
    purchase[rows] = rank >= quota[key]
    info_if_left = (info_p - bought_p) / (1 - bought_p)
    info = purchase | (checkout & (rng.random(len(checkout)) < info_if_left))
    return info, purchase


def _funnel(rng: np.random.Generator, users: dict, user: np.ndarray, week: np.ndarray, story_week: int
            ) -> dict:
    """Draw the per-session event counts (one column per event, in ``EVENTS`` order)."""
    n = len(user)
    seg, device = users["segment"][user], users["device"][user]
    channel = _pick(rng, np.array([SEGMENTS[s]["channel"] for s in _SEG]), seg)
    story = (week == story_week).astype(np.int8)
    browse = rng.random(n) < _param("browse")[seg]
    cart = browse & (rng.random(n) < np.minimum(_param("cart")[seg] * users["propensity"][user], 0.9))
    checkout = cart & (rng.random(n) < _param("checkout")[seg])
    info, purchase = _checkout_outcome(rng, checkout, week * len(DEVICES) + device, story, device)
    before = np.cumsum(purchase) - purchase
    first = np.r_[0, np.flatnonzero(np.diff(user)) + 1]
    prior = (before - np.repeat(before[first], np.diff(np.r_[first, n]))) > 0
    counts = np.zeros((n, len(EVENTS)), dtype=np.int8)
    counts[:, _E["landing_view"]] = 1
    counts[:, _E["email_click"]] = channel == CHANNELS.index("email")
    counts[:, _E["search"]] = (rng.random(n) < _param("search")[seg]) * (1 + (rng.random(n) < 0.3))
    counts[:, _E["product_view"]] = browse * (1 + np.minimum(rng.poisson(_param("views")[seg]), 11))
    counts[:, _E["add_to_cart"]] = cart
    counts[:, _E["view_cart"]] = cart & (rng.random(n) < 0.85)
    counts[:, _E["begin_checkout"]] = checkout
    counts[:, _E["add_payment_info"]] = info
    counts[:, _E["purchase"]] = purchase
    for name, p in REPEAT_EVENTS.items():
        counts[:, _E[name]] = prior & (rng.random(n) < p)
    return {"counts": counts, "channel": channel, "device": device, "segment": seg}


def _revenue(rng: np.random.Generator, seg: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    items = 1 + np.minimum(rng.poisson(_param("items")[seg]), 7)
    subtotal = items * np.round(rng.lognormal(np.log(34.0), 0.55, len(seg)), 0) - 0.10
    fee = np.where(subtotal < FREE_SHIPPING_FROM, SHIPPING_FEE, 0.0)
    return np.round(subtotal + fee, 2), items


def _pages(rng: np.random.Generator, slot: np.ndarray, channel: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Return a page code per event and the page vocabulary."""
    vocab = (sorted({p for v in _LANDING.values() for p in v}) + list(_FIXED_PAGES.values())
             + [f"/search?q={t}" for t in _SEARCH_TERMS] + [f"/product/{p}" for p in PRODUCTS])
    code = {page: i for i, page in enumerate(vocab)}
    pages = np.zeros(len(slot), dtype=np.int16)
    for event, page in _FIXED_PAGES.items():
        pages[slot == _E[event]] = code[page]
    landing = slot == _E["landing_view"]
    for c, name in enumerate(CHANNELS):
        rows = np.flatnonzero(landing & (channel == c))
        options = np.array([code[p] for p in _LANDING[name]])
        pages[rows] = options[rng.integers(0, len(options), len(rows))]
    rows = np.flatnonzero(slot == _E["search"])
    pages[rows] = code[f"/search?q={_SEARCH_TERMS[0]}"] + rng.integers(0, len(_SEARCH_TERMS), len(rows))
    rows = np.flatnonzero(slot == _E["product_view"])
    popularity = 1.0 / np.arange(1, len(PRODUCTS) + 1) ** 0.8
    product = rng.choice(len(PRODUCTS), size=len(rows), p=popularity / popularity.sum())
    pages[rows] = code[f"/product/{PRODUCTS[0]}"] + product
    rows = np.flatnonzero(slot == _E["add_to_cart"])
    pages[rows] = pages[rows - 1]   # the product viewed just before
    return pages, vocab


def _events_block(rng: np.random.Generator, sessions: dict, users: dict, origin: np.datetime64, lo: int, hi: int
                  ) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Expand the sessions ``lo:hi`` into events.

    Returns the events, then each session's end and purchase time (-1 without a purchase), in
    seconds from the start of the period.
    """
    counts = sessions["counts"][lo:hi]
    per_slot = counts.ravel().astype(np.int64)
    slot = np.repeat(np.tile(np.arange(len(EVENTS), dtype=np.int8), hi - lo), per_slot)
    local = np.repeat(np.repeat(np.arange(hi - lo), len(EVENTS)), per_slot)
    size = counts.sum(axis=1, dtype=np.int64)
    first = np.r_[0, np.cumsum(size)[:-1]]
    gap = np.clip(np.rint(rng.lognormal(np.log(35.0), 0.8, len(slot))), 2, MAX_GAP).astype(np.int64)
    gap[first] = 0
    elapsed = np.cumsum(gap)
    offset = sessions["start"][lo:hi][local] + elapsed - elapsed[first][local]
    bought = slot == _E["purchase"]
    purchase_ts = np.full(hi - lo, -1, dtype=np.int64)
    purchase_ts[local[bought]] = offset[bought]
    s = lo + local
    pages, vocab = _pages(rng, slot, sessions["channel"][s])
    u = sessions["user"][s]
    u0 = u.min() if len(u) else 0
    revenue = np.full(len(slot), np.nan)
    revenue[bought] = sessions["revenue"][s[bought]]
    frame = pd.DataFrame({
        "user_id": pd.Categorical.from_codes(u - u0, users["id"][u0:u.max() + 1 if len(u) else 0]),
        "session_id": pd.Categorical.from_codes(local, sessions["id"][lo:hi]),
        "ts": origin + offset.astype("timedelta64[s]"),
        "event": pd.Categorical.from_codes(slot, EVENTS),
        "page": pd.Categorical.from_codes(pages, vocab),
        "channel": pd.Categorical.from_codes(sessions["channel"][s], CHANNELS),
        "device": pd.Categorical.from_codes(sessions["device"][s], DEVICES),
        "revenue": revenue,
    })
    return frame, offset[first + size - 1], purchase_ts


def _write_events(path: Path, sessions: dict, users: dict, origin: np.datetime64, *, seed: int) -> None:
    """Write the events block by block of users; add each session's ``end`` and ``purchase_ts``."""
    n_users = len(users["id"])
    bounds = np.searchsorted(sessions["user"], np.arange(0, n_users + USERS_PER_BLOCK, USERS_PER_BLOCK))
    bounds = np.unique(np.minimum(bounds, len(sessions["user"])))
    sessions["end"] = np.zeros(len(sessions["user"]), dtype=np.int64)
    sessions["purchase_ts"] = np.full(len(sessions["user"]), -1, dtype=np.int64)
    for block, (lo, hi) in enumerate(itertools.pairwise(bounds)):
        frame, end, purchase_ts = _events_block(np.random.default_rng([seed, block]), sessions, users, origin,
                                                int(lo), int(hi))
        frame.to_csv(path, mode="w" if block == 0 else "a", header=block == 0, index=False, encoding="utf-8",
                     date_format=TS_FORMAT, float_format="%.2f", lineterminator="\n")
        sessions["end"][lo:hi], sessions["purchase_ts"][lo:hi] = end, purchase_ts


def _sessions(rng: np.random.Generator, users: dict, period: int, story_week: int) -> dict:
    user, start = _schedule(rng, users, period)
    sessions = _funnel(rng, users, user, start // WEEK, story_week)
    chrono = np.lexsort((user, start))
    number = np.empty(len(user), dtype=np.int64)
    number[chrono] = np.arange(1, len(user) + 1)
    revenue, items = _revenue(rng, sessions["segment"])
    sessions.update(user=user, start=start, week=start // WEEK, id=_ids("S", number, 7),
                    revenue=revenue, items=items)
    return sessions


def _orders(rng: np.random.Generator, sessions: dict, users: dict, origin: np.datetime64
            ) -> tuple[pd.DataFrame, np.ndarray]:
    """Return the orders, numbered by time, and the order id of each session ("" without one)."""
    rows = np.flatnonzero(sessions["counts"][:, _E["purchase"]])
    rows = rows[np.lexsort((sessions["user"][rows], sessions["purchase_ts"][rows]))]
    status = _pick(rng, np.array([[p for _, p in ORDER_STATUS]]), np.zeros(len(rows), dtype=np.int8))
    ids = _ids("ML-", 100_001 + np.arange(len(rows)), 6)
    order_id = np.full(len(sessions["user"]), "", dtype=ids.dtype if len(ids) else "<U1")
    order_id[rows] = ids
    return pd.DataFrame({
        "order_id": ids, "user_id": users["id"][sessions["user"][rows]],
        "ts": origin + sessions["purchase_ts"][rows].astype("timedelta64[s]"),
        "revenue": sessions["revenue"][rows], "items": sessions["items"][rows],
        "status": np.array([s for s, _ in ORDER_STATUS])[status],
    }), order_id


# Feedback texts: several templates per theme and language; ``{product}``, ``{days}`` and
# ``{amount}`` are filled per item. Templates of a theme use the codebook's keywords, some in an
# inflected or paraphrased form a plain keyword match misses; the other themes avoid them.
FEEDBACK_TEMPLATES = {
    "shipping_cost": {
        "en": ("The shipping costs are far too high for a {product}.",
               "A {amount} shipping fee on a small order? No thanks.",
               "I gave up when I saw the delivery fee at the very last step.",
               "Postage costs more than the {product} itself.",
               "Why is the delivery charge only shown at the end?",
               "Expensive shipping, so I left my cart.",
               "Shipping is way too expensive for what I wanted to buy."),
        "fr": ("Les frais de port sont beaucoup trop élevés.",
               "Frais de livraison exorbitants pour {product}.",
               "J'ai abandonné mon panier à cause des frais de port.",
               "Livraison chère : {amount} pour une simple commande.",
               "Le coût de livraison n'apparaît qu'à la fin, c'est décevant.",
               "Les coûts de livraison sont trop élevés pour {product}.",
               "{amount} d'envoi pour {product}, non merci."),
    },
    "checkout_usability": {
        "en": ("The checkout kept asking for my details again on my phone.",
               "Payment failed three times, I gave up.",
               "The address form is a nightmare on mobile.",
               "Card declined at the end although it works everywhere else.",
               "The payment form was wiped when I switched apps."),
        "fr": ("Le formulaire d'adresse est pénible sur téléphone.",
               "Impossible de valider le paiement, j'ai abandonné.",
               "Carte refusée alors qu'elle fonctionne partout ailleurs.",
               "J'ai dû saisir mon adresse deux fois sur mon téléphone.",
               "Ma carte a été refusée au moment de payer."),
    },
    "delivery_delay": {
        "en": ("Ordered {days} days ago and still waiting for my parcel.",
               "My parcel is {days} days late, no update at all.",
               "The {product} never arrived.",
               "Another delay on my order, second time now.",
               "The delivery date moved twice, very frustrating."),
        "fr": ("Commande passée il y a {days} jours, toujours pas reçu mon colis.",
               "Livraison en retard de {days} jours, aucune nouvelle.",
               "Mon colis n'est jamais arrivé.",
               "Encore retardée, ma commande ! C'est la deuxième fois.",
               "Colis toujours pas livré après {days} jours."),
    },
    "product_quality": {
        "en": ("Beautiful {product}, even nicer than in the photos.",
               "Really well made and sturdy, worth the price.",
               "Great quality for the price, the {product} looks lovely.",
               "The {product} is gorgeous in our living room."),
        "fr": ("{product_cap} est magnifique, encore mieux qu'en photo.",
               "Très bonne qualité, je recommande.",
               "Solide et bien fini, rien à redire.",
               "Superbe qualite pour le prix.",
               "Magnifiques finitions, les coussins sont bien finis."),
    },
    "service_tone": {
        "en": ("The person on the chat was quite rude with me.",
               "Customer service answered in a very dismissive tone.",
               "Nobody at customer service seemed to care about my problem."),
        "fr": ("Le service client a été désagréable au téléphone.",
               "Réponse sèche et impolie du service client.",
               "On m'a répondu de façon très condescendante."),
    },
    "product_choice": {
        "en": ("I wish the {product} came in more colours.",
               "Not enough choice in large rugs.",
               "Please add more sizes for the curtains."),
        "fr": ("Dommage qu'il n'y ait pas plus de couleurs pour {product}.",
               "Pas assez de choix dans les grands tapis.",
               "J'aimerais plus de tailles pour les rideaux."),
    },
    "website_speed": {
        "en": ("The site is really slow on my phone.",
               "Pages take forever to load.",
               "The product photos load so slowly, it is annoying."),
        "fr": ("Le site est très lent sur mobile.",
               "Les pages mettent une éternité à charger.",
               "Les photos s'affichent lentement, c'est agaçant."),
    },
    "general": {
        "en": ("Lovely shop, I will order again.",
               "Do you ship to Belgium?",
               "Is the {product} still in stock?",
               "Thanks for the quick answer."),
        "fr": ("Très jolie boutique, je commanderai encore.",
               "Livrez-vous en Belgique ?",
               "Avez-vous encore {product} en stock ?",
               "Merci pour la réponse rapide."),
    },
}
_PRODUCT_NAMES = {
    "en": ("linen cushion", "rattan pendant lamp", "terracotta vase", "wool throw", "oak side table",
           "fig candle", "mug set", "jute rug"),
    "fr": ("le coussin en lin", "la suspension en rotin", "le vase en terre cuite", "le plaid en laine",
           "la table d'appoint en chêne", "la bougie à la figue", "le lot de mugs", "le tapis en jute"),
}


def _capitalized(language: str) -> tuple[str, ...]:
    return tuple(name[:1].upper() + name[1:] for name in _PRODUCT_NAMES[language])


_AMOUNTS = {"en": ("€4.90", "€6.90", "€9.90", "€12.90"), "fr": ("4,90 €", "6,90 €", "9,90 €", "12,90 €")}
_OPENERS = {"en": ("", "", "", "Hello. ", "Hi! "), "fr": ("", "", "", "Bonjour. ", "Bonsoir ! ")}
_CLOSERS = {"en": ("", "", "", " Regards.", " Best, a customer."),
            "fr": ("", "", "", " Cordialement.", " Bonne journée.")}
_FIRST = ("claire", "marc", "julie", "thomas", "sophie", "nicolas", "emma", "lucas")
_LAST = ("martin", "bernard", "dubois", "durand", "leroy", "moreau", "smith", "taylor")
_CONTACT = {"email": {"en": " You can reach me at {x}.", "fr": " Mon e-mail : {x}."},
            "phone": {"en": " Call me back on {x}.", "fr": " Vous pouvez me rappeler au {x}."},
            "order": {"en": " Order {x}.", "fr": " Commande {x}."}}
#: Share of feedback items that carry an e-mail, a phone number, an order number (buyers only).
CONTACT_SHARE = {"email": 0.07, "phone": 0.05, "order": 0.25}


def _choose(rng: np.random.Generator, options: tuple[str, ...], n: int) -> np.ndarray:
    return np.array(options, dtype=object)[rng.integers(0, len(options), n)]


def _fill(template: np.ndarray, name: str, value: np.ndarray) -> np.ndarray:
    """Replace ``{name}`` by ``value`` row by row (templates hold each name at most once)."""
    if len(template) == 0:
        return template
    parts = pd.Series(template, dtype=object).str.partition("{" + name + "}")
    found = (parts[1] != "").to_numpy()
    return np.where(found, (parts[0] + pd.Series(value, dtype=object) + parts[2]).to_numpy(), template)


def _feedback_texts(rng: np.random.Generator, theme: np.ndarray, language: np.ndarray, *,
                   order_ids: np.ndarray) -> np.ndarray:
    """Compose one feedback text per item from its theme's templates, in its language.

    Parameters
    ----------
    rng
        The random generator.
    theme, language
        One value per item: a key of ``FEEDBACK_TEMPLATES`` and ``"en"`` or ``"fr"``.
    order_ids
        The order behind each item, ``""`` when none; quoted in some texts.

    Returns
    -------
    ndarray
        The texts, some with an e-mail address, a phone number or an order number in them.
    """
    n = len(theme)
    text = np.empty(n, dtype=object)
    product = rng.integers(0, len(_PRODUCT_NAMES["en"]), n)
    amount = rng.integers(0, len(_AMOUNTS["en"]), n)
    days = rng.integers(6, 22, n).astype(str)
    email = np.char.add(np.char.add(np.char.add(np.array(_FIRST)[rng.integers(0, 8, n)], "."),
                                    np.array(_LAST)[rng.integers(0, 8, n)]), "@example.com")
    digits = rng.integers(0, 100, (n, 4))
    for lang in LANGUAGES:
        for name, templates in FEEDBACK_TEMPLATES.items():
            rows = np.flatnonzero((theme == name) & (language == lang))
            text[rows] = _choose(rng, templates[lang], len(rows))
        rows = np.flatnonzero(language == lang)
        names = np.array(_PRODUCT_NAMES[lang], dtype=object)[product[rows]]
        text[rows] = _fill(text[rows], "product", names)
        capitalized = np.array(_capitalized(lang), dtype=object)[product[rows]]
        text[rows] = _fill(text[rows], "product_cap", capitalized)
        text[rows] = _fill(text[rows], "amount", np.array(_AMOUNTS[lang], dtype=object)[amount[rows]])
        text[rows] = _fill(text[rows], "days", days[rows].astype(object))
        text[rows] = (_choose(rng, _OPENERS[lang], len(rows)) + text[rows]
                      + _choose(rng, _CLOSERS[lang], len(rows)))
        phone = (np.char.add("06 ", np.char.zfill(digits[rows, 0].astype(str), 2)) if lang == "fr"
                 else np.char.add("+44 7700 900", np.char.zfill(digits[rows, 0].astype(str), 3)))
        if lang == "fr":
            for k in range(1, 4):
                phone = np.char.add(np.char.add(phone, " "), np.char.zfill(digits[rows, k].astype(str), 2))
        draw = rng.random((len(rows), 3))
        values = {"email": email[rows], "phone": phone, "order": order_ids[rows]}
        for k, (kind, share) in enumerate(CONTACT_SHARE.items()):
            add = (draw[:, k] < share) & (values[kind] != "")
            suffix = _fill(np.full(add.sum(), _CONTACT[kind][lang], dtype=object), "x",
                           values[kind][add].astype(object))
            text[rows[add]] = text[rows[add]] + suffix
    return text.astype(str)


SURVEY_COMMENTS = {  # stage -> (low, mid, high) score -> language -> comments
    "purchase": (
        {"en": ("Shipping fee too high.", "Delivery fee only shown at the end.",
                "Checkout too long on my phone."),
         "fr": ("Frais de port trop élevés.", "Frais de livraison affichés à la fin.",
                "Paiement compliqué sur mobile.")},
        {"en": ("Fine, but postage is pricey.", "OK overall."),
         "fr": ("Correct, mais les frais de port piquent.", "Correct dans l'ensemble.")},
        {"en": ("Quick and easy order.", "Smooth, thank you."),
         "fr": ("Commande simple et rapide.", "Parfait, merci.")},
    ),
    "retention": (
        {"en": ("Still waiting for my parcel.", "No news about my order."),
         "fr": ("Toujours pas reçu mon colis.", "Aucune nouvelle de ma commande.")},
        {"en": ("Tracking could be clearer.",), "fr": ("Le suivi pourrait être plus clair.",)},
        {"en": ("Arrived on time, thanks.", "Well packed and on time."),
         "fr": ("Arrivé à l'heure, merci.", "Bien emballé, dans les temps.")},
    ),
    "advocacy": (
        {"en": ("Not convinced by the product.",), "fr": ("Pas convaincu par le produit.",)},
        {"en": ("Nice but pricey.",), "fr": ("Joli mais cher.",)},
        {"en": ("Beautiful quality, I recommend.", "Love my new cushions!"),
         "fr": ("Très belle qualité, je recommande.", "J'adore mes nouveaux coussins !")},
    ),
}


def _survey_comments(rng: np.random.Generator, stage: np.ndarray, bucket: np.ndarray, language: np.ndarray
                    ) -> np.ndarray:
    """Draw a short survey comment per answer from its stage, score bucket (0 low, 1 mid, 2 high)
    and language."""
    comment = np.full(len(stage), "", dtype=object)
    for name, buckets in SURVEY_COMMENTS.items():
        for b, by_language in enumerate(buckets):
            for lang, options in by_language.items():
                rows = np.flatnonzero((stage == name) & (bucket == b) & (language == lang))
                comment[rows] = _choose(rng, options, len(rows))
    return comment.astype(str)


# Feedback contexts: which sessions may leave feedback, with what probability, what themes,
# which sources and how long after the session (seconds).
FEEDBACK_CONTEXTS = {
    "abandoned_cart": {"p": 0.27, "stage": "purchase", "delay": (60, 2 * DAY),
                           "themes": {"shipping_cost": 0.56, "checkout_usability": 0.20, "service_tone": 0.06,
                                   "website_speed": 0.07, "product_choice": 0.05, "general": 0.06},
                           "sources": {"chat": 0.5, "support": 0.5, "review": 0.0}},
    "purchase": {"p": 0.40, "stage": None, "delay": (2 * DAY, 18 * DAY),
                     "themes": {"delivery_delay": 0.27, "product_quality": 0.33, "shipping_cost": 0.08,
                             "service_tone": 0.08, "product_choice": 0.07, "general": 0.17},
                     "sources": {"chat": 0.10, "support": 0.25, "review": 0.65}},
    "browse": {"p": 0.012, "stage": "consideration", "delay": (30, 3600),
                   "themes": {"product_choice": 0.35, "website_speed": 0.35, "general": 0.30},
                   "sources": {"chat": 0.8, "support": 0.2, "review": 0.0}},
}
THEME_STAGE = {"shipping_cost": "purchase", "checkout_usability": "purchase", "delivery_delay": "retention",
               "product_quality": "advocacy", "service_tone": "retention", "product_choice": "consideration",
               "website_speed": "consideration", "general": "advocacy"}
THEME_VALENCE = {"product_quality": "positive", "general": "neutral"}   # others are negative
_RATINGS = {"negative": (0.45, 0.33, 0.15, 0.05, 0.02), "neutral": (0.04, 0.08, 0.30, 0.38, 0.20),
            "positive": (0.0, 0.02, 0.06, 0.32, 0.60)}
_SOURCES = ("chat", "support", "review")
_THEMES = tuple(THEME_STAGE)


def _context_rows(sessions: dict) -> dict[str, np.ndarray]:
    c = sessions["counts"]
    purchase, cart = c[:, _E["purchase"]] > 0, c[:, _E["add_to_cart"]] > 0
    return {"abandoned_cart": cart & ~purchase, "purchase": purchase,
            "browse": ~cart & (c[:, _E["product_view"]] > 0)}


def _feedback(rng: np.random.Generator, sessions: dict, users: dict, origin: np.datetime64, period: int
              ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the feedback export and, per item, its planted context, theme and stage."""
    parts, eligible = [], _context_rows(sessions)
    for context, spec in FEEDBACK_CONTEXTS.items():
        chosen = rng.random(len(sessions["user"])) < spec["p"]
        rows = np.flatnonzero(eligible[context] & chosen)
        mix = np.array([[spec["themes"].get(t, 0.0) for t in _THEMES]])
        theme = _pick(rng, mix, np.zeros(len(rows), np.int8))
        source = _pick(rng, np.array([[spec["sources"][s] for s in _SOURCES]]), np.zeros(len(rows), np.int8))
        stage = np.array([spec["stage"] or THEME_STAGE[t] for t in _THEMES])[theme]
        ts = sessions["end"][rows] + rng.integers(*spec["delay"], len(rows))
        parts.append(pd.DataFrame({"session": rows, "theme": np.array(_THEMES)[theme], "stage": stage,
                                   "source": np.array(_SOURCES)[source], "ts": ts, "context": context}))
    items = pd.concat(parts, ignore_index=True)
    items = items[items["ts"] < period].sort_values(["ts", "session"], kind="stable").reset_index(drop=True)
    n = len(items)
    user = sessions["user"][items["session"].to_numpy()]
    language = users["language"][user]
    valence = items["theme"].map(THEME_VALENCE).fillna("negative").to_numpy()
    rating = np.zeros(n, dtype=np.int8)
    for name, probs in _RATINGS.items():
        rows = np.flatnonzero(valence == name)
        rating[rows] = 1 + _pick(rng, np.array([probs]), np.zeros(len(rows), np.int8))
    chat = (items["source"] == "chat").to_numpy()
    anonymous = chat & (rng.random(n) < 0.15)
    order = sessions["order_id"][items["session"].to_numpy()]
    text = _feedback_texts(rng, items["theme"].to_numpy(), np.array(LANGUAGES)[language], order_ids=order)
    frame = pd.DataFrame({
        "id": _ids("FB", np.arange(1, n + 1), 6),
        "ts": origin + items["ts"].to_numpy().astype("timedelta64[s]"),
        "user_id": np.where(anonymous, "", users["id"][user]), "text": text,
        "rating": pd.Series(rating, dtype="Int64").mask(chat),
        "source": items["source"].to_numpy(), "language": np.array(LANGUAGES)[language],
    })
    items = items.assign(id=frame["id"], language=frame["language"])
    return frame, items


# Survey contexts: kind probabilities (nps, csat), response probability and delay after the session.
SURVEY_CONTEXTS = {
    "purchase": {"p": 0.45, "stage": "purchase", "kinds": (0.5, 0.5), "delay": (3600, 3 * DAY)},
    "abandoned_checkout": {"p": 0.20, "stage": "purchase", "kinds": (0.5, 0.5), "delay": (60, 600)},
    "order_tracking": {"p": 0.45, "stage": "retention", "kinds": (0.5, 0.5), "delay": (2 * 3600, 4 * DAY)},
    "advocacy": {"p": 0.50, "stage": "advocacy", "kinds": (1.0, 0.0), "delay": (600, 2 * DAY)},
}
_NPS_SHAPE = {"detractor": (0.04, 0.04, 0.06, 0.10, 0.16, 0.26, 0.34), "passive": (0.45, 0.55),
              "promoter": (0.55, 0.45)}
#: Share of detractors, passives and promoters per survey context (NPS = promoters - detractors).
NPS_MIX = {"purchase": (0.42, 0.32, 0.26), "abandoned_checkout": (0.66, 0.24, 0.10),
           "order_tracking": (0.16, 0.34, 0.50), "advocacy": (0.08, 0.27, 0.65)}
#: Probabilities of CSAT 1..5 per survey context.
CSAT_MIX = {"purchase": (0.12, 0.16, 0.25, 0.30, 0.17), "abandoned_checkout": (0.35, 0.30, 0.20, 0.10, 0.05),
            "order_tracking": (0.05, 0.07, 0.15, 0.38, 0.35), "advocacy": (0.02, 0.03, 0.10, 0.35, 0.50)}


def _nps_probs(mix: tuple[float, float, float]) -> np.ndarray:
    shape = [np.array(_NPS_SHAPE[k]) * share for k, share in zip(_NPS_SHAPE, mix)]
    return np.concatenate(shape)


def _surveys(rng: np.random.Generator, sessions: dict, users: dict, origin: np.datetime64, period: int
             ) -> pd.DataFrame:
    """Return the survey export: NPS and CSAT answers asked after a purchase, a tracking visit or a review."""
    c = sessions["counts"]
    eligible = {"purchase": c[:, _E["purchase"]] > 0,
                "abandoned_checkout": (c[:, _E["begin_checkout"]] > 0) & (c[:, _E["purchase"]] == 0),
                "order_tracking": c[:, _E["order_tracking"]] > 0,
                "advocacy": (c[:, _E["write_review"]] + c[:, _E["share_referral"]]) > 0}
    parts = []
    for context, spec in SURVEY_CONTEXTS.items():
        rows = np.flatnonzero(eligible[context] & (rng.random(len(c)) < spec["p"]))
        nps = rng.random(len(rows)) < spec["kinds"][0]
        zero = np.zeros(len(rows), np.int8)
        score = np.where(nps, _pick(rng, _nps_probs(NPS_MIX[context])[None, :], zero),
                         1 + _pick(rng, np.array([CSAT_MIX[context]]), zero))
        ts = sessions["end"][rows] + rng.integers(*spec["delay"], len(rows))
        parts.append(pd.DataFrame({"session": rows, "nps": nps, "score": score, "ts": ts,
                                   "stage": spec["stage"]}))
    items = pd.concat(parts, ignore_index=True)
    items = items[items["ts"] < period].sort_values(["ts", "session"], kind="stable").reset_index(drop=True)
    nps, score = items["nps"].to_numpy(), items["score"].to_numpy()
    user = sessions["user"][items["session"].to_numpy()]
    bucket = np.where(nps, np.digitize(score, [7, 9]), np.digitize(score, [3, 5]))   # 0 low, 1 mid, 2 high
    with_comment = rng.random(len(items)) < 0.4
    language = np.array(LANGUAGES)[users["language"][user]]
    comment = _survey_comments(rng, items["stage"].to_numpy(), bucket, language)
    return pd.DataFrame({
        "id": _ids("SV", np.arange(1, len(items) + 1), 6),
        "ts": origin + items["ts"].to_numpy().astype("timedelta64[s]"),
        "user_id": users["id"][user], "kind": np.where(nps, "nps", "csat"), "score": score,
        "comment": np.where(with_comment, comment, ""), "stage": items["stage"].to_numpy(),
    })


def _rate(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def _weekly_checkout(sessions: dict, origin: dt.date, weeks: int) -> list[dict]:
    """Return checkouts, abandoned checkouts and their rate per week and device."""
    c = sessions["counts"]
    checkout, purchase = c[:, _E["begin_checkout"]] > 0, c[:, _E["purchase"]] > 0
    key = sessions["week"] * len(DEVICES) + sessions["device"]
    started = np.bincount(key[checkout], minlength=weeks * len(DEVICES))
    left = np.bincount(key[checkout & ~purchase], minlength=weeks * len(DEVICES))
    return [{"week": w, "week_start": (origin + dt.timedelta(weeks=w)).isoformat(), "device": d,
             "checkouts": int(started[w * 3 + i]), "abandoned": int(left[w * 3 + i]),
             "rate": _rate(int(left[w * 3 + i]), int(started[w * 3 + i]))}
            for w in range(weeks) for i, d in enumerate(DEVICES)]


def _segment_truth(sessions: dict, users: dict) -> dict:
    """Return the segments' definitions, their observed figures and the user -> segment map."""
    seg = users["segment"]
    n_seg = len(_SEG)
    n_users = np.bincount(seg, minlength=n_seg)
    s_seg = sessions["segment"]
    n_sess = np.bincount(s_seg, minlength=n_seg)
    bought = np.bincount(s_seg, weights=sessions["counts"][:, _E["purchase"]], minlength=n_seg)
    mobile = np.bincount(seg, weights=users["device"] == 0, minlength=n_seg)
    buyer = np.bincount(sessions["user"], weights=sessions["counts"][:, _E["purchase"]], minlength=len(seg)) > 0
    buyers = np.bincount(seg, weights=buyer, minlength=n_seg)
    observed = {name: {"users": int(n_users[i]), "sessions_per_user": _rate(int(n_sess[i]), int(n_users[i])),
                       "session_conversion": _rate(int(bought[i]), int(n_sess[i])),
                       "buyer_share": _rate(int(buyers[i]), int(n_users[i])),
                       "orders_per_buyer": _rate(int(bought[i]), int(buyers[i])),
                       "mobile_share": _rate(int(mobile[i]), int(n_users[i]))} for i, name in enumerate(_SEG)}
    return {"definitions": SEGMENTS, "observed": observed,
            "users": dict(zip(users["id"].tolist(), np.array(_SEG)[seg].tolist()))}


def _truth(sessions: dict, users: dict, feedback: pd.DataFrame, surveys: pd.DataFrame, n_events: int,
           *, origin: dt.date, weeks: int, seed: int, story_week: int) -> dict:
    c = sessions["counts"]
    cart, purchase = c[:, _E["add_to_cart"]] > 0, c[:, _E["purchase"]] > 0
    themes = feedback.groupby(["context", "theme", "stage", "language"]).size().rename("items").reset_index()
    scores = surveys.groupby(["kind", "stage"])["score"].agg(["size", "mean"]).reset_index()
    nps = surveys[surveys["kind"] == "nps"].groupby("stage")["score"].apply(
        lambda s: round(100 * ((s >= 9).mean() - (s <= 6).mean()), 1))
    story_start = origin + dt.timedelta(weeks=story_week)
    return {
        "seed": seed, "start": origin.isoformat(), "weeks": weeks,
        "n_users": len(users["id"]), "n_sessions": len(c), "n_events": n_events,
        "n_orders": int(purchase.sum()), "n_feedback": len(feedback), "n_surveys": len(surveys),
        "session_conversion": _rate(int(purchase.sum()), len(c)),
        "cart_abandonment": _rate(int((cart & ~purchase).sum()), int(cart.sum())),
        "mobile_checkout_week": {
            "week_index": story_week, "week_start": story_start.isoformat(),
            "iso_week": "{}-W{:02d}".format(*story_start.isocalendar()[:2]), "device": "mobile",
            "payment_info_probability": PAYMENT_INFO, "pay_probability": PAY,
            "checkout_abandonment_probability": {
                k: {d: round(1 - PAYMENT_INFO[k][i] * PAY[k][i], 4) for i, d in enumerate(DEVICES)}
                for k in PAY},
            "observed": _weekly_checkout(sessions, origin, weeks),
        },
        "shipping_cost_at_checkout": {
            "theme": "shipping_cost", "stage": "purchase", "feedback_contexts": FEEDBACK_CONTEXTS,
            "nps_mix": NPS_MIX, "csat_mix": CSAT_MIX,
            "feedback_by_theme": themes.to_dict("records"),
            "survey_scores": scores.round(3).to_dict("records"), "nps_by_stage": nps.to_dict(),
            "feedback_themes": dict(zip(feedback["id"], feedback["theme"])),
        },
        "segments": _segment_truth(sessions, users),
    }


#: A/B tests of on-site messages run after the period (results in experiments/results.csv): the true
#: conversion of control and variant, and each arm's size as a share of the demo's users.
EXPERIMENTS = {"exit_intent": (0.54, 0.60, 0.5), "cart_recovery": (0.32, 0.35, 0.5), "nps_banner": (0.42, 0.48, 0.2)}


def _experiments(rng: np.random.Generator, folder: Path, n_users: int) -> dict:
    """Write results.csv into ``folder``: one row per experiment and arm (users, conversions drawn
    binomially); return the true rates."""
    rows = [{"experiment": name, "variant": arm, "users": max(50, round(share * n_users))}
            for name, (_, _, share) in EXPERIMENTS.items() for arm in ("control", "variant")]
    rates = np.array([EXPERIMENTS[r["experiment"]][r["variant"] == "variant"] for r in rows])
    table = pd.DataFrame(rows).assign(conversions=rng.binomial([r["users"] for r in rows], rates))
    folder.mkdir(exist_ok=True)
    table.to_csv(folder / "results.csv", index=False, lineterminator="\n")
    return {name: {"control": c, "variant": v} for name, (c, v, _) in EXPERIMENTS.items()}


def generate(project_dir: str | os.PathLike, *, n_users: int = 3000, weeks: int = 8,
             start: str = "2026-09-07", seed: int = 7) -> dict:
    """Write the demo shop's exports into ``project_dir/data/`` and return the planted truth.

    Parameters
    ----------
    project_dir
        The journey project folder; ``data/`` is created inside it when missing.
    n_users
        Number of customers; the events grow linearly with it (about 18 events per user).
    weeks
        Length of the period, in weeks.
    start
        First day of the period, an ISO date that falls on a Monday (so weeks are ISO weeks).
    seed
        Seed of the random generator: the same seed gives identical files.

    Returns
    -------
    dict
        The truth, also written to ``project_dir/demo-truth.json``: ``seed``, ``start``, ``weeks``,
        ``n_users``, ``n_sessions``, ``n_events``, ``n_orders``, ``n_feedback``, ``n_surveys``,
        ``session_conversion`` (sessions with a purchase ÷ sessions), ``cart_abandonment``
        (sessions with add_to_cart and no purchase ÷ sessions with add_to_cart), and one entry per
        story: ``mobile_checkout_week`` (week, probabilities used, observed weekly checkout
        abandonment per device), ``shipping_cost_at_checkout`` (theme mix per feedback context,
        survey score mixes, observed counts, the planted theme of every feedback item) and
        ``segments`` (definitions, observed figures, ``users``: user_id → segment) and ``experiments``
        (the true rates of each arm of the A/B tests written to ``experiments/results.csv``).

    Examples
    --------
    >>> truth = generate("maison-lumiere", n_users=1500, seed=7)     # doctest: +SKIP
    >>> sorted(truth["segments"]["observed"])                          # doctest: +SKIP
    ['desktop_planner', 'mobile_social_impulse', 'one_time_browser']
    """
    origin = dt.date.fromisoformat(start)
    if origin.isoweekday() != 1:
        raise ValueError(f"start must be a Monday so that weeks are ISO weeks; {start} is a "
                         f"{origin.strftime('%A')} (the Monday before is "
                         f"{origin - dt.timedelta(origin.weekday())})")
    if n_users < 1 or weeks < 1:
        raise ValueError(f"n_users and weeks must be at least 1, not n_users={n_users}, weeks={weeks}")
    rng = np.random.default_rng(seed)
    period, story_week = weeks * WEEK, min(STORY_WEEK, weeks - 1)
    origin64 = np.datetime64(origin.isoformat(), "s")
    data = Path(project_dir) / "data"
    data.mkdir(parents=True, exist_ok=True)
    users = _users(rng, n_users)
    sessions = _sessions(rng, users, period, story_week)
    _write_events(data / "events.csv", sessions, users, origin64, seed=seed)
    orders, sessions["order_id"] = _orders(rng, sessions, users, origin64)
    orders.to_csv(data / "orders.csv", index=False, date_format=TS_FORMAT, float_format="%.2f",
                  lineterminator="\n")
    feedback, feedback_items = _feedback(rng, sessions, users, origin64, period)
    feedback.to_csv(data / "feedback.csv", index=False, date_format=TS_FORMAT, lineterminator="\n")
    surveys = _surveys(rng, sessions, users, origin64, period)
    surveys.to_csv(data / "surveys.csv", index=False, date_format=TS_FORMAT, lineterminator="\n")
    truth = _truth(sessions, users, feedback_items, surveys, int(sessions["counts"].sum()),
                   origin=origin, weeks=weeks, seed=seed, story_week=story_week)
    truth["experiments"] = _experiments(np.random.default_rng([seed, 1]), Path(project_dir) / "experiments", n_users)
    (Path(project_dir) / "demo-truth.json").write_text(json.dumps(truth, indent=1, ensure_ascii=False),
                                                       encoding="utf-8")
    return truth
