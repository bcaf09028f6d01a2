"""The demo shop: a seeded synthetic project with planted stories, for teaching and tests."""

from .shop import SEGMENTS, generate

__all__ = ["SEGMENTS", "generate"]
