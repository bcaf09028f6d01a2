"""New journey projects from the shipped templates, with the template's synthetic data.

A project made here is ready for ``cjm validate`` and ``cjm run``: ``journey.yml`` from the
template, ``data/`` (filled with the template's generated exports: the demo shop for ``ecommerce``,
a small shop's clickstream for ``minimal``, a free trial for ``saas``, a bank's loan journey across
channels for ``services``),
``reports/``, a ``.gitignore`` and the project's pseudonymization secret (``.cjm-secret``).

Examples
--------
>>> from cjmlib.demo.templates import new_project
>>> new_project("acme-shop", template="ecommerce", users=1500)   # doctest: +SKIP
PosixPath('acme-shop')
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from ..errors import CjmError
from .minimal import generate_minimal
from .saas import generate_saas
from .services import generate_services
from .shop import generate

__all__ = ["GENERATORS", "PROJECT_TEMPLATES", "TEMPLATES_DIR", "new_project"]

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "templates"
#: Template name -> (the generator of its data, the name of the generator's size argument).
GENERATORS = {"minimal": (generate_minimal, "n_users"), "ecommerce": (generate, "n_users"),
              "saas": (generate_saas, "n_accounts"), "services": (generate_services, "n_customers")}
PROJECT_TEMPLATES = tuple(GENERATORS)


def new_project(directory: str | os.PathLike, *, template: str = "ecommerce", with_data: bool = True,
                users: int | None = None, seed: int = 7) -> Path:
    """Create a journey project from a template, with the template's generated data.

    Parameters
    ----------
    directory
        The project folder to create; it may exist if it is empty.
    template
        One of :data:`PROJECT_TEMPLATES`.
    with_data
        Generate the template's synthetic data into ``data/`` (and its planted stories into
        ``demo-truth.json``, beside ``data/``).
    users
        The number of customers (visitors, accounts) of the generated data (default: the generator's).
    seed
        The seed of the generated data.

    Returns
    -------
    Path
        ``directory``.

    Raises
    ------
    CjmError
        The folder exists and is not empty, or the template is unknown.
    """
    target = Path(directory)
    if template not in PROJECT_TEMPLATES:
        raise CjmError(f"unknown template '{template}'. Templates: {', '.join(PROJECT_TEMPLATES)}")
    if target.exists() and any(target.iterdir()):
        raise CjmError(f"{target} exists and is not empty; choose a new folder")
    source = TEMPLATES_DIR / template
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source / "journey.yml", target / "journey.yml")
    (target / "data").mkdir(exist_ok=True)
    (target / "reports").mkdir(exist_ok=True)
    (target / ".gitignore").write_text("reports/\n.cjm-secret\nwork/\n", encoding="utf-8")
    secret = target / ".cjm-secret"
    secret.write_text(os.urandom(32).hex() + "\n", encoding="utf-8")
    secret.chmod(0o600)
    if with_data:
        make, size = GENERATORS[template]
        make(target, seed=seed, **({size: users} if users else {}))
    return target
