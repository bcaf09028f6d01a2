"""Hypothesis strategies for random journey projects: a spec unlike the demo and small random data.

A drawn :class:`GeneratedProject` holds the spec as plain data and the rows of each data file;
:meth:`GeneratedProject.write` lays it out as a project folder (``journey.yml`` + ``data/``).
The spec is drawn to be valid most of the time (every cross-reference points at something the spec
or the data holds), with some shapes that are legal but awkward: personas matching nobody, funnels
nobody enters, steps that no event reaches, ids with spaces and accents, timestamps that tie.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from pathlib import Path

from hypothesis import strategies as st
from ruamel.yaml import YAML

__all__ = ["GeneratedProject", "projects"]

# letters a consultant may type in an id or a name: accents, spaces, dashes, a few scripts
_ID_ALPHABET = "abcdefghijklmnopqrstuvwxyzéèàçüßøåñ0123456789-_ "
_NAME_ALPHABET = _ID_ALPHABET + "ABCDEFGHIJKLMNOPQRSTUVWXYZÉÀ'’&/().,:;!?«»—–ÆŒπΩЖд中文日本"
_CANONICAL = ("user_id", "session_id", "ts", "event", "page", "channel", "device", "revenue")
_WORDS_EN = ["late", "delivery", "great", "price", "slow", "expensive", "helpful", "broken", "easy", "refund",
             "wait", "card", "form", "love", "never", "again", "staff", "app", "crash", "fast"]
_WORDS_FR = ["retard", "livraison", "cher", "rapide", "facile", "jamais", "carte", "formulaire", "merci",
             "service", "attente", "remboursement", "lent", "parfait", "colis"]


class GeneratedProject:
    """A generated project: the spec as plain data and each data file as a header and rows.

    Not a dataclass, so that Hypothesis prints a failing example with :meth:`__repr__`: the files.
    """

    def __init__(self, spec: dict, files: dict[str, tuple[list[str], list[list[str]]]]):
        self.spec, self.files = spec, files

    def spec_text(self) -> str:
        yaml = YAML(typ="safe", pure=True)
        yaml.default_flow_style = False
        yaml.allow_unicode = True
        yaml.width = 4096
        buf = io.StringIO()
        yaml.dump(self.spec, buf)
        return buf.getvalue()

    def write(self, directory: Path) -> Path:
        """Write ``journey.yml`` and the data files under ``directory``; return it."""
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "journey.yml").write_text(self.spec_text(), encoding="utf-8")
        for name, (header, rows) in self.files.items():
            path = directory / "data" / name
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("w", encoding="utf-8", newline="") as fh:
                writer = csv.writer(fh)
                writer.writerow(header)
                writer.writerows(rows)
        return directory

    def __repr__(self) -> str:  # what Hypothesis prints for a failing example: the files themselves
        return "GeneratedProject:\n" + self.describe()

    def describe(self) -> str:
        """The spec and the head of each file, for a failure message."""
        parts = ["--- journey.yml", self.spec_text()]
        for name, (header, rows) in self.files.items():
            buf = io.StringIO()
            csv.writer(buf).writerows([header, *rows[:12]])
            more = f"… ({len(rows)} rows in all)\n" if len(rows) > 12 else ""
            parts += [f"--- data/{name}", buf.getvalue() + more]
        return "\n".join(parts)


def _ids(min_size: int, max_size: int, *, prefix: str = ""):
    """Unique ids: random text with accents and spaces, unique once stripped and case-folded."""
    text = st.text(alphabet=_ID_ALPHABET, min_size=1, max_size=12).map(str.strip).filter(bool)
    return st.lists(text.map(lambda s: prefix + s), min_size=min_size, max_size=max_size,
                    unique_by=lambda s: s.casefold())


def _names():
    return st.text(alphabet=_NAME_ALPHABET, min_size=1, max_size=30).map(str.strip).filter(bool)


def _subset(draw, items, *, min_size=0, max_size=None):
    items = list(items)
    if not items:
        return []
    max_size = len(items) if max_size is None else min(max_size, len(items))
    min_size = min(min_size, max_size)
    return draw(st.lists(st.sampled_from(items), min_size=min_size, max_size=max_size, unique=True))


def _duration(draw) -> str:
    return draw(st.sampled_from(["30m", "2h", "1d", "7d", "2w", "45s", "3"]))


def _file_rows(draw, rnd: random.Random, most: int) -> int:
    """Rows of an optional file: 1 to ``most``, now and then none (a header only: not valid)."""
    return 0 if rnd.random() < 0.03 else draw(st.integers(1, most))


@st.composite
def projects(draw) -> GeneratedProject:
    """Draw a journey project: spec, events and optionally feedback, surveys and orders."""
    language = draw(st.sampled_from(["en", "fr"]))
    spec: dict = {"project": {"name": draw(_names()), "language": language,
                              "min_group_size": draw(st.integers(1, 10)),
                              "scoring": draw(st.sampled_from(["rice", "ice", "value_effort"])),
                              "map_type": draw(st.sampled_from(["current_state", "future_state",
                                                                "day_in_the_life", "service_blueprint"]))}}
    if draw(st.booleans()):
        spec["project"]["client"] = draw(_names())

    # --- the events' vocabulary and the file's own column names
    events = draw(_ids(1, 8))
    stages = draw(_ids(1, 6))
    tp_ids = draw(_ids(1, 12))
    optional = [c for c in ("session_id", "page", "channel", "device", "revenue") if draw(st.booleans())]
    extras = draw(st.lists(st.sampled_from(["plan", "Région", "app version", "segment", "langue", "tier"]),
                           max_size=3, unique=True))
    rename = {}
    for canon in ("user_id", "ts", "event", *optional):
        if draw(st.integers(0, 4)) == 0:
            rename[canon] = draw(st.sampled_from(["Client ID", "horodatage", "Événement", "visit", "où",
                                                  "Canal d'accès", "montant €", "appareil", "page vue"]))
    # keep the file's column names unique
    used: set[str] = set(extras)
    for canon in list(rename):
        if rename[canon] in used or rename[canon] in _CANONICAL:
            del rename[canon]
        else:
            used.add(rename[canon])
    columns = ["user_id", "ts", "event", *optional]
    values = {"channel": draw(st.lists(_names(), min_size=1, max_size=4, unique=True)),
              "device": draw(st.lists(st.sampled_from(["mobile", "desktop", "tablet", "tv", "Téléphone"]),
                                      min_size=1, max_size=3, unique=True)),
              "page": ["/", "/p/a", "/p/b", "/cart", "/ok", "/aide"]}
    for extra in extras:
        values[extra] = draw(st.lists(_names(), min_size=1, max_size=4, unique=True))

    # --- stages and touchpoints (some touchpoints match events no row has)
    spec["stages"] = []
    for sid in stages:
        stage = {"id": sid}
        if draw(st.booleans()):
            stage["name"] = draw(_names())
        spec["stages"].append(stage)
    spec["touchpoints"] = []
    for tid in tp_ids:
        tp = {"id": tid, "stage": draw(st.sampled_from(stages))}
        if draw(st.booleans()):
            tp["name"] = draw(_names())
        kind = draw(st.integers(0, 9))
        if kind < 8:
            match = {"event": _subset(draw, events, min_size=1, max_size=3)}
            if "channel" in optional and kind == 7:
                match["channel"] = _subset(draw, values["channel"], min_size=1)
            tp["match"] = match
        elif kind == 8:
            tp["match"] = {"event": draw(_ids(1, 1, prefix="never "))[0]}
        spec["touchpoints"].append(tp)

    # --- personas: rules on random columns, values seen or not
    rule_columns = [c for c in ("channel", "device", *extras) if c in values and (c in optional or c in extras)]
    persona_ids = draw(_ids(0, 3)) if rule_columns or draw(st.booleans()) else []
    spec["personas"] = []
    for pid in persona_ids:
        persona = {"id": pid, "name": draw(_names())}
        if rule_columns and draw(st.integers(0, 3)) > 0:
            column = draw(st.sampled_from(rule_columns))
            if draw(st.integers(0, 4)) == 0:
                value = draw(_names())  # sometimes a value nobody has
            else:
                value = _subset(draw, values[column], min_size=1, max_size=2)
                value = value[0] if len(value) == 1 else value
            persona["rule"] = {rename.get(column, column) if column in _CANONICAL else column: value}
        spec["personas"].append(persona)
    if not spec["personas"]:
        del spec["personas"]

    # --- codebook, pain points, lanes, opportunities, goals
    theme_ids = draw(_ids(0, 4)) if draw(st.booleans()) else []
    if theme_ids:
        themes = []
        for th in theme_ids:
            theme = {"id": th, "keywords": {"en": _subset(draw, _WORDS_EN, min_size=1, max_size=3)}}
            if draw(st.booleans()):
                theme["keywords"]["fr"] = _subset(draw, _WORDS_FR, min_size=1, max_size=3)
            if draw(st.booleans()):
                theme["stage"] = draw(st.sampled_from(stages))
            if draw(st.integers(0, 3)) == 0:
                theme["polarity"] = draw(st.sampled_from(["positive", "neutral", "negative"]))
            themes.append(theme)
        spec["codebook"] = {"themes": themes}
    if persona_ids and draw(st.booleans()):
        pairs = [(s, p) for s in stages for p in persona_ids]
        spec["lanes"] = [{"stage": s, "persona": p, "emotion": draw(st.integers(-2, 2))}
                         for s, p in _subset(draw, pairs, min_size=1, max_size=6)]
    pain_ids = draw(_ids(0, 3)) if draw(st.booleans()) else []
    if pain_ids:
        spec["pain_points"] = [{"id": pp, "name": draw(_names()), "stage": draw(st.sampled_from(stages)),
                                "touchpoints": _subset(draw, tp_ids, max_size=2),
                                "themes": _subset(draw, theme_ids, max_size=2)} for pp in pain_ids]

    funnels = []
    if draw(st.booleans()):
        for fid in draw(_ids(1, 3)):
            by = draw(st.sampled_from(["event", "touchpoint", "stage"]))
            pool = {"event": events, "touchpoint": tp_ids, "stage": stages}[by]
            funnel = {"id": fid, "by": by, "unit": draw(st.sampled_from(["session", "user"])),
                      "steps": _subset(draw, pool, min_size=1, max_size=5)}
            if draw(st.booleans()):
                funnel["steps"] = draw(st.permutations(funnel["steps"]))
            if draw(st.integers(0, 2)) == 0:
                funnel["window"] = _duration(draw)
            if draw(st.integers(0, 3)) == 0:
                funnel["order"] = draw(st.sampled_from(["ordered", "strict", "any"]))
            if draw(st.integers(0, 5)) == 0:
                funnel["emulate"] = draw(st.sampled_from(["ga4", "mixpanel", "amplitude", "posthog"]))
            if draw(st.booleans()):
                funnel["name"] = draw(_names())
            funnels.append(funnel)
        spec["funnels"] = funnels
    breakdown_pool = [c for c in ("channel", "device") if c in optional] + extras
    if breakdown_pool and draw(st.booleans()):
        spec["breakdowns"] = [rename.get(c, c) for c in _subset(draw, breakdown_pool, min_size=1)]

    opp_ids = draw(_ids(0, 3)) if draw(st.booleans()) else []
    if opp_ids:
        spec["opportunities"] = []
        for oid in opp_ids:
            opp = {"id": oid, "name": draw(_names()), "stage": draw(st.sampled_from(stages)),
                   "touchpoints": _subset(draw, tp_ids, max_size=2), "pain_points": _subset(draw, pain_ids, max_size=2),
                   "reach": draw(st.integers(0, 10000)), "impact": draw(st.sampled_from([0.25, 0.5, 1, 2, 3])),
                   "confidence": draw(st.sampled_from([0.2, 0.5, 0.8, 1.0])),
                   "effort": draw(st.sampled_from([0.5, 1, 3, 8])), "ease": draw(st.integers(1, 10))}
            usable = [f for f in funnels if len(f["steps"]) > 1]
            if usable and draw(st.booleans()):
                funnel = draw(st.sampled_from(usable))
                opp.update(funnel=funnel["id"], step=draw(st.sampled_from(funnel["steps"][1:])),
                           target_rate=draw(st.sampled_from([0.1, 0.5, 0.9, 1.0])))
            spec["opportunities"].append(opp)
    if draw(st.booleans()):
        metrics = ["session_conversion", "user_conversion", "cart_abandonment", "checkout_abandonment",
                   "bounce_rate", "repeat_purchase_rate", "nps", "csat", "average_order_value"]
        spec["goals"] = [{"id": gid, "statement": draw(_names()),
                          "kpis": [{"id": f"{gid}-{i}", "metric": m,
                                    "target": draw(st.floats(0, 1, allow_nan=False)),
                                    "direction": draw(st.sampled_from(["increase", "decrease"]))}
                                   for i, m in enumerate(_subset(draw, metrics, min_size=1, max_size=3))]}
                         for gid in draw(_ids(1, 2))]

    # --- the events: a few users, sessions and days; ties in time; rows from a seeded generator
    # the rows come from a seeded generator (Hypothesis draws the seed): fast to draw, same rows for a seed
    rnd = random.Random(draw(st.integers(0, 2**32 - 1)))
    n_rows = 0 if rnd.random() < 0.03 else draw(st.integers(1, 300))  # now and then no events at all
    n_users = draw(st.integers(1, 8))
    n_days = draw(st.integers(1, 20))
    start = dt.datetime(2025, 1, 1) + dt.timedelta(days=draw(st.integers(0, 600)))
    zoned = draw(st.booleans())
    seconds = [rnd.randrange(0, 86400) for _ in range(draw(st.integers(1, 40)))]  # a few instants: ties
    users = [f"u{i}-{rnd.choice('xyzé')}" for i in range(n_users)]
    user_values = {u: {c: rnd.choice(values[c]) for c in values} for u in users}
    event_weights = [rnd.random() + 0.05 for _ in events]
    rows, user_of_row = [], []
    cover = rnd.random() < 0.8  # most files hold every event of the vocabulary at least once
    for i in range(n_rows):
        user = rnd.choice(users)
        day = rnd.randrange(n_days)
        when = start + dt.timedelta(days=day, seconds=rnd.choice(seconds))
        row = {"user_id": user, "session_id": f"{user}-s{day}-{rnd.randrange(2)}",
               "ts": when.strftime("%Y-%m-%dT%H:%M:%S") + ("Z" if zoned else ""),
               "event": events[i] if cover and i < len(events) else rnd.choices(events, weights=event_weights)[0],
               "page": rnd.choice(values["page"]),
               "channel": user_values[user]["channel"] if rnd.random() < 0.8 else rnd.choice(values["channel"]),
               "device": user_values[user]["device"],
               "revenue": f"{rnd.uniform(1, 200):.2f}" if rnd.random() < 0.2 else ""}
        for extra in extras:
            row[extra] = user_values[user][extra] if rnd.random() < 0.9 else ""
        rows.append(row)
        user_of_row.append(user)
    header = [rename.get(c, c) for c in columns] + extras
    files = {"events.csv": (header, [[r[c] for c in columns] + [r[e] for e in extras] for r in rows])}
    source: dict = {"path": "data/events.csv"}
    if rename:
        source["columns"] = {c: n for c, n in rename.items()}
    if draw(st.booleans()):
        key = {}
        for name in ("cart", "checkout", "purchase"):
            if draw(st.booleans()):
                key[name] = _subset(draw, events, min_size=1, max_size=2)
        if key:
            source["key_events"] = key
    spec["sources"] = {"events": source}

    # --- optional feedback, surveys and orders
    def when() -> str:
        return (start + dt.timedelta(days=rnd.randrange(n_days), seconds=rnd.choice(seconds))
                ).strftime("%Y-%m-%dT%H:%M:%SZ")

    if draw(st.booleans()):
        words = _WORDS_EN + _WORDS_FR
        fb = [[f"f{i}", when(), rnd.choice(users), " ".join(rnd.choices(words, k=rnd.randrange(1, 9))),
               str(rnd.randrange(1, 6)) if rnd.random() < 0.7 else "", rnd.choice(["app", "email", "store"]),
               rnd.choice(["en", "fr", ""])] for i in range(_file_rows(draw, rnd, 40))]
        files["feedback.csv"] = (["id", "ts", "user_id", "text", "rating", "source", "language"], fb)
        spec["sources"]["feedback"] = {"path": "data/feedback.csv"}
    if draw(st.booleans()):
        kinds = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7)}
        sv = []
        for i in range(_file_rows(draw, rnd, 40)):
            kind = rnd.choice(list(kinds))
            sv.append([f"s{i}", when(), rnd.choice(users), kind, str(rnd.randint(*kinds[kind])),
                       rnd.choice(["", *_WORDS_EN]), rnd.choice(["", *stages])])
        files["surveys.csv"] = (["id", "ts", "user_id", "kind", "score", "comment", "stage"], sv)
        spec["sources"]["surveys"] = {"path": "data/surveys.csv"}
    if draw(st.booleans()):
        od = [[f"o{i}", rnd.choice(users), when(), f"{rnd.uniform(1, 300):.2f}"]
              for i in range(_file_rows(draw, rnd, 30))]
        files["orders.csv"] = (["order_id", "user_id", "ts", "revenue"], od)
        spec["sources"]["orders"] = {"path": "data/orders.csv"}
    return GeneratedProject(spec, files)
