"""The words of the journey map in the project's language (en, fr), read from the catalogue's ``map`` section.

``LABELS[language]`` holds every label a map shows (titles, lanes, legends, cell texts and the
definitions written into provenance), as written in ``cjmlib/i18n/<language>/map.yml``; numbers are
formatted by :mod:`cjmlib.i18n.formats`.

Examples
--------
>>> from cjmlib.journeymap.words import LABELS
>>> LABELS["fr"]["lanes"]["pain_points"]
'Points de friction'
"""

from __future__ import annotations

from ..i18n.catalogue import LANGUAGES, words

__all__ = ["LABELS"]

LABELS = {language: words("map", language) for language in LANGUAGES}
