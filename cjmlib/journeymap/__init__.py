"""The journey map: its model with provenance on every cell, its assembly, layout and renderings."""

from .blueprint import operations_table
from .maps import (
    ALL_STAGES,
    MapCell,
    MapModel,
    MapRow,
    PublishedMaps,
    build_map,
    persona_emotions,
    persona_slug,
    plot_overlay,
    render_all,
    render_html,
    render_pdf,
    render_png,
    render_svg,
)

__all__ = [
    "ALL_STAGES",
    "MapCell",
    "MapModel",
    "MapRow",
    "PublishedMaps",
    "build_map",
    "operations_table",
    "persona_emotions",
    "persona_slug",
    "plot_overlay",
    "render_all",
    "render_html",
    "render_pdf",
    "render_png",
    "render_svg",
]
