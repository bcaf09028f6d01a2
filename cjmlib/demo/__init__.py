"""The demo shop: a seeded synthetic project with planted stories, for teaching and tests."""

from .behaviour import SEGMENTS
from .shop import generate

__all__ = ["SEGMENTS", "generate"]
