"""New journey projects from the shipped templates, with the template's synthetic data.

A project made here is ready for ``cjm validate`` and ``cjm run``: ``journey.yml`` from the
template, ``data/`` (filled with the demo shop's exports for the ecommerce template),
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
from .shop import generate

__all__ = ["PROJECT_TEMPLATES", "TEMPLATES_DIR", "new_project"]

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "templates"
PROJECT_TEMPLATES = ("ecommerce",)


def new_project(directory: str | os.PathLike, *, template: str = "ecommerce", with_data: bool = True,
                users: int | None = None, seed: int = 7) -> Path:
    """Create a journey project from a template; the ecommerce template comes with its demo data.

    Parameters
    ----------
    directory
        The project folder to create; it may exist if it is empty.
    template
        One of :data:`PROJECT_TEMPLATES`.
    with_data
        Generate the template's synthetic data into ``data/`` (the demo shop for ``ecommerce``).
    users
        The number of customers of the generated data (default: the generator's).
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
    if with_data and template == "ecommerce":
        kwargs = {"seed": seed}
        if users:
            kwargs["n_users"] = users
        generate(target, **kwargs)
    return target
