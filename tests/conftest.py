"""Shared fixtures: paths, the shared real data, small projects built by hand, the demo project."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "templates" / "ecommerce" / "journey.yml"
SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.exists():
        pytest.skip(f"the shared real data is not present at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture
def spec_text() -> str:
    return TEMPLATE.read_text(encoding="utf-8")


@pytest.fixture
def template_project(tmp_path) -> Path:
    """A project folder holding the demo spec and no data."""
    (tmp_path / "data").mkdir()
    shutil.copy2(TEMPLATE, tmp_path / "journey.yml")
    return tmp_path


@pytest.fixture(scope="session")
def demo_project(tmp_path_factory) -> Path:
    """A small generated demo project (spec + data), shared by the tests of a session; do not modify it."""
    from cjmlib.cli import new_project

    target = tmp_path_factory.mktemp("demo") / "shop"
    new_project(target, template="ecommerce", users=1200)
    return target
