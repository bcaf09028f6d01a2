"""The demo shop's customers and what they do: users, sessions, events and orders.

Every user belongs to one of the planted :data:`SEGMENTS`, which sets their device, their
channels, how often they come back and how far they go in the funnel. Sessions are drawn per
user, then each session's events as counts per event (one column per name of :data:`EVENTS`),
then the events themselves, written to ``events.csv`` block by block of users. In the story week
(:data:`STORY_WEEK`) checkout abandonment on mobile jumps (:data:`PAYMENT_INFO`, :data:`PAY`).

The website's words (landing pages, search terms, products) are read from ``corpus/shop.yml``.
Everything is drawn with numpy arrays, one row per user, session or event, never with a loop over them.
"""

from __future__ import annotations

import itertools
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
from ruamel.yaml import YAML

__all__ = [
    "CHANNELS",
    "DAY",
    "DEVICES",
    "EVENTS",
    "EVENT_INDEX",
    "LANGUAGES",
    "PAY",
    "PAYMENT_INFO",
    "PRODUCTS",
    "SEGMENTS",
    "SEGMENT_NAMES",
    "STORY_WEEK",
    "TS_FORMAT",
    "WEEK",
    "draw_orders",
    "draw_sessions",
    "draw_users",
    "format_ids",
    "pick",
    "read_corpus",
    "write_events",
]


def read_corpus(name: str) -> dict:
    """Return the words of the demo file ``corpus/<name>.yml`` (``shop``, ``feedback`` or ``surveys``).

    Parameters
    ----------
    name
        The file's name without its extension.

    Returns
    -------
    dict
        The file's content, mappings and lists in the file's order (the order is part of the seeded draw).
    """
    text = (resources.files(__package__) / "corpus" / f"{name}.yml").read_text(encoding="utf-8")
    return YAML(typ="safe", pure=True).load(text)


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
#: The position of each event in ``EVENTS``: the column of an event in the sessions' ``counts``.
EVENT_INDEX = {name: i for i, name in enumerate(EVENTS)}

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
SEGMENT_NAMES = tuple(SEGMENTS)  # segment codes index this tuple

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

_WEBSITE = read_corpus("shop")
#: The first page of a session, per channel; the pages of a search and of a product.
LANDING_PAGES = {channel: tuple(pages) for channel, pages in _WEBSITE["landing_pages"].items()}
SEARCH_TERMS = tuple(_WEBSITE["search_terms"])
PRODUCTS = tuple(_WEBSITE["products"])
#: The one page of each of these events.
FIXED_PAGES = dict(_WEBSITE["fixed_pages"])
ORDER_STATUS = (("completed", 0.90), ("returned", 0.06), ("cancelled", 0.04))
FREE_SHIPPING_FROM, SHIPPING_FEE = 79.0, 6.90


def pick(rng: np.random.Generator, probs: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Draw one category per row, row ``i`` with the probabilities ``probs[rows[i]]``.

    Parameters
    ----------
    rng
        The random generator.
    probs
        One row of category weights per kind of row (normalized here).
    rows
        The kind of each row: an index into ``probs``.

    Returns
    -------
    ndarray
        The category drawn for each row (int8).
    """
    cum = np.cumsum(np.asarray(probs, dtype=float), axis=1)
    cum /= cum[:, -1:]
    u = rng.random(len(rows))
    return (u[:, None] > cum[rows]).sum(axis=1).astype(np.int8)


def format_ids(prefix: str, numbers: np.ndarray, width: int) -> np.ndarray:
    """Format integers as identifiers such as ``U000123``.

    Parameters
    ----------
    prefix
        Put before each number (``"U"``).
    numbers
        The integers.
    width
        The least number of digits (zero-padded); wider when the largest number needs it.

    Returns
    -------
    ndarray
        The identifiers, as strings.
    """
    width = max(width, len(str(int(numbers.max()))) if len(numbers) else width)
    return np.char.add(prefix, np.char.zfill(numbers.astype(np.int64).astype(str), width))


def _param(name: str) -> np.ndarray:
    return np.array([SEGMENTS[s][name] for s in SEGMENT_NAMES], dtype=float)


def draw_users(rng: np.random.Generator, n_users: int) -> dict:
    """Draw the customers: their segment, device, id, language and buying propensity.

    Parameters
    ----------
    rng
        The random generator.
    n_users
        The number of customers.

    Returns
    -------
    dict
        One array per attribute, one row per user: ``segment`` (index into :data:`SEGMENT_NAMES`),
        ``device`` (index into :data:`DEVICES`), ``id``, ``language`` (index into :data:`LANGUAGES`)
        and ``propensity`` (gamma-distributed, mean 1).
    """
    segment = pick(rng, _param("share")[None, :], np.zeros(n_users, dtype=np.int8))
    device = pick(rng, np.array([SEGMENTS[s]["device"] for s in SEGMENT_NAMES]), segment)
    numbers = np.sort(rng.choice(max(10 ** 6, 10 * n_users) - 1, size=n_users, replace=False) + 1)
    return {"segment": segment, "device": device, "id": format_ids("U", numbers, 6),
            "language": (rng.random(n_users) < 0.4).astype(np.int8),
            "propensity": rng.gamma(PROPENSITY_SHAPE, 1 / PROPENSITY_SHAPE, n_users)}


def _schedule(rng: np.random.Generator, users: dict, period: int) -> tuple[np.ndarray, np.ndarray]:
    """Return the user index and start second of every session, sorted by user then start."""
    seg = users["segment"]
    n_sessions = 1 + np.minimum(rng.poisson(_param("extra_sessions")[seg]), 14)
    user = np.repeat(np.arange(len(seg)), n_sessions)
    hours = np.array([_HOURS[d] for d in DEVICES])
    hour = pick(rng, hours, users["device"][user]).astype(np.int64)
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
    channel = pick(rng, np.array([SEGMENTS[s]["channel"] for s in SEGMENT_NAMES]), seg)
    story = (week == story_week).astype(np.int8)
    browse = rng.random(n) < _param("browse")[seg]
    cart = browse & (rng.random(n) < np.minimum(_param("cart")[seg] * users["propensity"][user], 0.9))
    checkout = cart & (rng.random(n) < _param("checkout")[seg])
    info, purchase = _checkout_outcome(rng, checkout, week * len(DEVICES) + device, story, device)
    before = np.cumsum(purchase) - purchase
    first = np.r_[0, np.flatnonzero(np.diff(user)) + 1]
    prior = (before - np.repeat(before[first], np.diff(np.r_[first, n]))) > 0
    counts = np.zeros((n, len(EVENTS)), dtype=np.int8)
    counts[:, EVENT_INDEX["landing_view"]] = 1
    counts[:, EVENT_INDEX["email_click"]] = channel == CHANNELS.index("email")
    counts[:, EVENT_INDEX["search"]] = (rng.random(n) < _param("search")[seg]) * (1 + (rng.random(n) < 0.3))
    counts[:, EVENT_INDEX["product_view"]] = browse * (1 + np.minimum(rng.poisson(_param("views")[seg]), 11))
    counts[:, EVENT_INDEX["add_to_cart"]] = cart
    counts[:, EVENT_INDEX["view_cart"]] = cart & (rng.random(n) < 0.85)
    counts[:, EVENT_INDEX["begin_checkout"]] = checkout
    counts[:, EVENT_INDEX["add_payment_info"]] = info
    counts[:, EVENT_INDEX["purchase"]] = purchase
    for name, p in REPEAT_EVENTS.items():
        counts[:, EVENT_INDEX[name]] = prior & (rng.random(n) < p)
    return {"counts": counts, "channel": channel, "device": device, "segment": seg}


def _revenue(rng: np.random.Generator, seg: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    items = 1 + np.minimum(rng.poisson(_param("items")[seg]), 7)
    subtotal = items * np.round(rng.lognormal(np.log(34.0), 0.55, len(seg)), 0) - 0.10
    fee = np.where(subtotal < FREE_SHIPPING_FROM, SHIPPING_FEE, 0.0)
    return np.round(subtotal + fee, 2), items


def _pages(rng: np.random.Generator, slot: np.ndarray, channel: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Return a page code per event and the page vocabulary."""
    vocab = (sorted({p for v in LANDING_PAGES.values() for p in v}) + list(FIXED_PAGES.values())
             + [f"/search?q={t}" for t in SEARCH_TERMS] + [f"/product/{p}" for p in PRODUCTS])
    code = {page: i for i, page in enumerate(vocab)}
    pages = np.zeros(len(slot), dtype=np.int16)
    for event, page in FIXED_PAGES.items():
        pages[slot == EVENT_INDEX[event]] = code[page]
    landing = slot == EVENT_INDEX["landing_view"]
    for c, name in enumerate(CHANNELS):
        rows = np.flatnonzero(landing & (channel == c))
        options = np.array([code[p] for p in LANDING_PAGES[name]])
        pages[rows] = options[rng.integers(0, len(options), len(rows))]
    rows = np.flatnonzero(slot == EVENT_INDEX["search"])
    pages[rows] = code[f"/search?q={SEARCH_TERMS[0]}"] + rng.integers(0, len(SEARCH_TERMS), len(rows))
    rows = np.flatnonzero(slot == EVENT_INDEX["product_view"])
    popularity = 1.0 / np.arange(1, len(PRODUCTS) + 1) ** 0.8
    product = rng.choice(len(PRODUCTS), size=len(rows), p=popularity / popularity.sum())
    pages[rows] = code[f"/product/{PRODUCTS[0]}"] + product
    rows = np.flatnonzero(slot == EVENT_INDEX["add_to_cart"])
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
    bought = slot == EVENT_INDEX["purchase"]
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


def write_events(path: Path, sessions: dict, users: dict, origin: np.datetime64, *, seed: int) -> None:
    """Write the events block by block of users; add each session's ``end`` and ``purchase_ts``.

    Parameters
    ----------
    path
        The ``events.csv`` to write.
    sessions
        The sessions of :func:`draw_sessions`; ``end`` and ``purchase_ts`` (seconds from the start
        of the period, -1 without a purchase) are added to it.
    users
        The users of :func:`draw_users`.
    origin
        The first second of the period.
    seed
        The run's seed: block ``b`` draws with the generator seeded ``[seed, b]``.
    """
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


def draw_sessions(rng: np.random.Generator, users: dict, period: int, story_week: int) -> dict:
    """Draw every user's sessions and what happens in each.

    Parameters
    ----------
    rng
        The random generator.
    users
        The users of :func:`draw_users`.
    period
        The length of the period, in seconds.
    story_week
        The week (index from 0) of the mobile checkout incident.

    Returns
    -------
    dict
        One array per attribute, one row per session sorted by user then start: ``counts`` (one
        column per event of :data:`EVENTS`), ``channel``, ``device``, ``segment``, ``user`` (index of
        the user), ``start`` (second of the period), ``week``, ``id``, ``revenue`` and ``items`` (of
        the order the session would place).
    """
    user, start = _schedule(rng, users, period)
    sessions = _funnel(rng, users, user, start // WEEK, story_week)
    chrono = np.lexsort((user, start))
    number = np.empty(len(user), dtype=np.int64)
    number[chrono] = np.arange(1, len(user) + 1)
    revenue, items = _revenue(rng, sessions["segment"])
    sessions.update(user=user, start=start, week=start // WEEK, id=format_ids("S", number, 7),
                    revenue=revenue, items=items)
    return sessions


def draw_orders(rng: np.random.Generator, sessions: dict, users: dict, origin: np.datetime64
                ) -> tuple[pd.DataFrame, np.ndarray]:
    """Return the orders, numbered by time, and the order id of each session ("" without one).

    Parameters
    ----------
    rng
        The random generator (draws each order's status).
    sessions
        The sessions, with the ``purchase_ts`` :func:`write_events` added.
    users
        The users of :func:`draw_users`.
    origin
        The first second of the period.

    Returns
    -------
    tuple
        The orders export (``order_id``, ``user_id``, ``ts``, ``revenue``, ``items``, ``status``)
        and the order id of each session.
    """
    rows = np.flatnonzero(sessions["counts"][:, EVENT_INDEX["purchase"]])
    rows = rows[np.lexsort((sessions["user"][rows], sessions["purchase_ts"][rows]))]
    status = pick(rng, np.array([[p for _, p in ORDER_STATUS]]), np.zeros(len(rows), dtype=np.int8))
    ids = format_ids("ML-", 100_001 + np.arange(len(rows)), 6)
    order_id = np.full(len(sessions["user"]), "", dtype=ids.dtype if len(ids) else "<U1")
    order_id[rows] = ids
    return pd.DataFrame({
        "order_id": ids, "user_id": users["id"][sessions["user"][rows]],
        "ts": origin + sessions["purchase_ts"][rows].astype("timedelta64[s]"),
        "revenue": sessions["revenue"][rows], "items": sessions["items"][rows],
        "status": np.array([s for s, _ in ORDER_STATUS])[status],
    }), order_id
