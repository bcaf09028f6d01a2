"""Shared fixtures: paths, the shared real data, small projects built by hand, the demo project."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from helpers import SMALL_SPEC, write_csv

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
    """The generated demo project at its default size (as `make demo` makes it), shared by the tests of a
    session; do not modify it."""
    from cjmlib.demo.templates import new_project

    target = tmp_path_factory.mktemp("demo") / "shop"
    new_project(target, template="ecommerce")
    return target


@pytest.fixture
def small_project(tmp_path) -> Path:
    """Five sessions of three users, with a funnel worked out by hand in the tests."""
    (tmp_path / "journey.yml").write_text(SMALL_SPEC, encoding="utf-8")
    write_csv(tmp_path / "data" / "events.csv", "user_id,session_id,ts,event,page,channel,device,revenue", [
        "u1,s1,2026-01-05T10:00:00Z,landing_view,/,social,mobile,",
        "u1,s1,2026-01-05T10:01:00Z,product_view,/p/a,social,mobile,",
        "u1,s1,2026-01-05T10:02:00Z,add_to_cart,/cart,social,mobile,",
        "u1,s1,2026-01-05T10:03:00Z,purchase,/ok,social,mobile,40",
        "u1,s2,2026-01-05T11:00:00Z,landing_view,/,email,mobile,",
        "u1,s2,2026-01-05T11:01:00Z,add_to_cart,/cart,email,mobile,",
        "u2,s3,2026-01-05T09:00:00Z,product_view,/p/b,search,desktop,",
        "u2,s3,2026-01-05T09:05:00Z,landing_view,/,search,desktop,",
        "u2,s3,2026-01-05T09:06:00Z,add_to_cart,/cart,search,desktop,",
        "u3,s4,2026-01-05T12:00:00Z,landing_view,/,ads,desktop,",
        "u3,s4,2026-01-05T12:01:00Z,product_view,/p/c,ads,desktop,",
        "u3,s4,2026-01-05T12:02:00Z,product_view,/p/d,ads,desktop,",
        "u3,s4,2026-01-05T12:03:00Z,add_to_cart,/cart,ads,desktop,",
        "u3,s5,2026-01-05T13:00:00Z,product_view,/p/e,ads,desktop,",
    ])
    return tmp_path


@pytest.fixture(scope="session")
def published_demo(demo_project) -> Path:
    """The demo project after one full `cjm run` (the runner's real path: papermill, nbconvert, publish)."""
    from cjmlib.run.runner import run_playbook

    run_playbook(demo_project, kernel_name=KERNEL)
    return demo_project


def _kernel() -> str:
    """The kernel that runs this interpreter: `cjm` when registered in this environment (make install)."""
    from jupyter_client.kernelspec import KernelSpecManager

    specs = KernelSpecManager().find_kernel_specs()
    return "cjm" if "cjm" in specs else "python3"


KERNEL = _kernel()
