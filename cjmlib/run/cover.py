"""The run's index as an executive cover: KPI cards, the map's thumbnail, top findings and opportunities.

Everything here is read from the run's results and written as the report's language writes it; the
index template (``templates/report/run-index.html.j2``) only lays it out.
"""

from __future__ import annotations

import base64
import io
import math
import os
from pathlib import Path

import pandas as pd
from PIL import Image

from ..data.results import load_result
from ..view.findings import findings_sentences
from ..view.present import auto_digits, cell_text, table_word

__all__ = ["downloads", "kpi_cards", "map_thumbnail", "top_findings", "top_opportunities"]

KINDS = {"share": "share", "count": "count", "currency": "number", "days": "days", "score": "number"}


def _missing(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def kpi_cards(kpis: pd.DataFrame | None, changes: list[dict], language: str = "en") -> list[dict]:
    """Return one card per KPI: name, value, interval, target, status and change since the last run (texts).

    Parameters
    ----------
    kpis
        The ``kpis`` result (None: no card).
    changes
        :func:`cjmlib.run.publish.what_changed` of this run against the last one.
    language
        ``en`` or ``fr``.
    """
    if kpis is None:
        return []
    by_id = {c["id"]: c for c in changes}
    cards = []
    for row in kpis.to_dict("records"):
        kind = KINDS.get(row.get("unit"), "number")
        say = {"value": cell_text(row.get("baseline"), kind, language)}
        low, high = row.get("ci_low"), row.get("ci_high")
        digits = auto_digits(float(row["baseline"])) if kind == "number" and not _missing(row.get("baseline")) else None
        interval = "" if _missing(low) or _missing(high) else table_word(
            "cover.interval", language, low=cell_text(low, kind, language, bare=True, digits=digits),
            high=cell_text(high, kind, language, bare=True, digits=digits))
        n, k = row.get("denominator"), row.get("numerator")
        detail = "" if _missing(n) else table_word("cover.n", language, n=cell_text(n, "count", language)) \
            if _missing(k) else table_word("cover.n_of", language, numerator=cell_text(k, "count", language),
                                           n=cell_text(n, "count", language))
        target = "" if _missing(row.get("target")) else table_word(
            "cover.target", language, target=cell_text(row["target"], kind, language))
        on_track = row.get("on_track")
        status = "" if _missing(on_track) else ("on" if bool(on_track) else "off")
        change = ""
        if row.get("id") in by_id:
            c = by_id[row["id"]]
            delta = cell_text(c["delta"] * (100 if kind == "share" else 1), "number", language,
                              digits=1)
            delta = ("+" + delta) if c["delta"] > 0 else delta
            key = "cover.change_share" if kind == "share" else "cover.change"
            verdict = "cover.not_tested" if not c.get("tested", True) else \
                "cover.significant" if c.get("significant") else "cover.not_significant"
            change = f"{table_word(key, language, delta=delta)} ({table_word(verdict, language)})"
        cards.append({"name": str(row.get("name", row.get("id", ""))), "value": say["value"], "interval": interval,
                      "detail": detail, "target": target, "status": status,
                      "status_text": table_word(f"cover.status_{status}", language) if status else "",
                      "change": change})
    return cards


def top_findings(run_dir: str | os.PathLike, language: str = "en", *, limit: int = 3) -> list[str]:
    """Return the first key finding of the behaviour, voice and improvement steps (then others), ``limit`` at most.

    Parameters
    ----------
    run_dir
        The run folder.
    language
        ``en`` or ``fr``.
    limit
        Findings at most.
    """
    out: list[str] = []
    for step in ("04-behaviour", "05-voice-of-customer", "06-improvements", "01-goals", "07-journey-map"):
        sentences = findings_sentences(run_dir, step, language, limit=1)
        out.extend(sentences)
        if len(out) >= limit:
            break
    return out[:limit]


def top_opportunities(run_dir: str | os.PathLike, language: str = "en", *, limit: int = 3) -> list[dict]:
    """Return the best-ranked opportunities: ``name``, ``priority`` and ``score`` as texts.

    Parameters
    ----------
    run_dir
        The run folder.
    language
        ``en`` or ``fr``.
    limit
        Opportunities at most.
    """
    table = load_result(run_dir, "opportunities", default=None)
    if not isinstance(table, pd.DataFrame) or table.empty or "name" not in table:
        return []
    table = table.sort_values("rank", kind="stable") if "rank" in table else table
    return [{"name": str(row["name"]), "priority": cell_text(str(row.get("priority", "")), "text", language),
             "score": cell_text(row.get("score"), "number", language)} for row in table.head(limit).to_dict("records")]


def map_thumbnail(png: str | os.PathLike, *, width: int = 1100) -> str:
    """Return the map's PNG scaled down to ``width`` pixels as a ``data:`` URI ("" when there is no PNG).

    Parameters
    ----------
    png
        The map's PNG.
    width
        The thumbnail's width in pixels.
    """
    path = Path(png)
    if not path.exists():
        return ""
    with Image.open(path) as image:
        image = image.convert("RGB")
        if image.width > width:
            image = image.resize((width, round(image.height * width / image.width)), Image.Resampling.LANCZOS)
        buffer = io.BytesIO()
        image.save(buffer, format="JPEG", quality=85, optimize=True)
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def downloads(html_dir: str | os.PathLike, language: str = "en") -> list[dict]:
    """Return the links to the files of the run a client downloads: the map's PDF and PNG, report.pdf, deck.pptx.

    Parameters
    ----------
    html_dir
        The run's ``html/`` folder; only the files present are listed.
    language
        ``en`` or ``fr``.
    """
    files = (("journey-map.pdf", "map_pdf"), ("journey-map.png", "map_png"), ("report.pdf", "report_pdf"),
             ("deck.pptx", "deck"))
    return [{"href": name, "title": table_word(f"cover.{key}", language)}
            for name, key in files if (Path(html_dir) / name).exists()]
