"""The key findings at the top of every step page: sentences in the report's language, with n and interval.

The figures are chosen by :func:`cjmlib.plan.findings.key_findings` from the results the step saved; this
module writes them (words from ``tables.yml``, section ``findings``; numbers through the presentation
layer) and shows them as a short list under the page's title. The exporter moves the cell tagged
``findings`` to the top of the page.
"""

from __future__ import annotations

import html
import os

from ..i18n import catalogue as i18n
from ..plan.findings import Finding, key_findings
from .present import auto_digits as _auto_digits
from .present import cell_text, table_word, value_text

__all__ = ["FindingsBlock", "finding_text", "findings_sentences", "show_findings"]


def finding_text(finding: Finding, language: str = "en") -> str:
    """Return the sentence of ``finding`` in ``language``: figures written as the language writes them.

    Parameters
    ----------
    finding
        A finding of :func:`cjmlib.plan.findings.key_findings`.
    language
        ``en`` or ``fr``.
    """
    values = {}
    for name, (value, kind) in finding.values.items():
        if kind == "word":
            values[name] = table_word(f"findings.{value}", language)
        elif kind == "unit":
            values[name] = i18n.value_label(value, language)
        elif kind == "value":
            values[name] = value_text(value, language)
            values[name] = values[name].lower() if name == "by" else values[name]
        else:
            values[name] = cell_text(value, kind, language)
    if "low" in finding.values:
        kind = finding.values["low"][1]
        raw = [finding.values[k][0] for k in ("value", "low", "high")]
        digits = _auto_digits(float(raw[0])) if kind == "number" else None
        low, high = (cell_text(v, kind, language, bare=True, digits=digits) for v in raw[1:])
        span = table_word("range_signed" if min(raw[1:]) < 0 else "range", language, low=low, high=high)
        values["interval"] = table_word("findings.interval", language, range=span)
    return table_word(f"findings.{finding.key}", language, **values)


def findings_sentences(run_dir: str | os.PathLike, step: str, language: str = "en", *, limit: int = 5) -> list[str]:
    """Return the key findings of ``step`` as sentences in ``language`` (none when its results are absent).

    Parameters
    ----------
    run_dir
        The run folder whose ``results/`` the steps saved.
    step
        The step's id, e.g. ``04-behaviour``.
    language
        ``en`` or ``fr``.
    limit
        Sentences at most.
    """
    return [finding_text(f, language) for f in key_findings(run_dir, step, limit=limit)]


class FindingsBlock:
    """The key findings of a page as a titled list; shows nothing when there is none."""

    def __init__(self, sentences: list[str], language: str = "en"):
        self.sentences = list(sentences)
        self.language = language

    def to_html(self) -> str:
        """Return the block as escaped HTML (an empty string when there is no finding)."""
        if not self.sentences:
            return ""
        items = "".join(f"<li>{html.escape(s)}</li>" for s in self.sentences)
        title = html.escape(table_word("findings.title", self.language))
        return f'<section class="cjm-findings"><h2>{title}</h2><ul>{items}</ul></section>'

    def _repr_html_(self) -> str | None:
        return self.to_html() or None

    def __repr__(self) -> str:
        return "\n".join(f"- {s}" for s in self.sentences)


def show_findings(project, step: str, language: str | None = None) -> FindingsBlock | None:
    """Show the 3–5 key findings of ``step`` from the results the project's steps saved.

    Parameters
    ----------
    project
        The open project (:func:`cjmlib.open_project`); its work folder holds the results.
    step
        The step's id, e.g. ``04-behaviour``.
    language
        ``en`` or ``fr``; by default the project's language.

    Returns
    -------
    FindingsBlock or None
        None when the step's results allow no finding (nothing is shown).

    Examples
    --------
    >>> cjm.show_findings(project, "04-behaviour", "en")  # doctest: +SKIP
    """
    language = i18n.check_language(language or project.spec.project.language)
    sentences = findings_sentences(project.workdir, step, language)
    return FindingsBlock(sentences, language) if sentences else None
