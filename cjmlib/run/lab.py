"""The notebooks of ``cjm lab``: the workbench and the step notebooks, pointed at one project.

They are copied into ``<project>/notebooks/`` with their ``project_dir`` parameter set the way
papermill sets parameters (:func:`papermill.parameterize.parameterize_notebook`): a cell tagged
``injected-parameters`` right after the ``parameters`` cell. Opened in JupyterLab, a notebook
then works on the project as it is; a copy already there (the consultant's own) is never overwritten.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import nbformat
from ipykernel.kernelspec import install as install_kernel
from jupyter_client.kernelspec import KernelSpecManager
from papermill.iorw import load_notebook_node
from papermill.parameterize import parameterize_notebook

from ..files import write_atomically
from .steps import NOTEBOOKS_DIR

__all__ = ["KERNEL_NAME", "WORKBENCH_NOTEBOOK", "ensure_kernel", "lab_command", "lab_notebooks"]

#: The notebook of the spec editors (:class:`cjmlib.view.widgets.SpecEditor`).
WORKBENCH_NOTEBOOK = Path(__file__).resolve().parents[2] / "templates" / "lab" / "workbench.ipynb"
#: The Jupyter kernel the notebooks name in their metadata (``make install`` registers it).
KERNEL_NAME = "cjm"


def lab_notebooks(project_dir: str | os.PathLike) -> list[Path]:
    """Copy the workbench and the step notebooks into ``project_dir/notebooks/``, parameterized for it.

    Parameters
    ----------
    project_dir
        The journey project; its absolute path becomes each notebook's ``project_dir``.

    Returns
    -------
    list of Path
        The notebooks written; those already in the folder are left as they are and not listed.
    """
    directory = Path(project_dir).resolve()
    folder = directory / "notebooks"
    folder.mkdir(exist_ok=True)
    written = []
    for source in [WORKBENCH_NOTEBOOK, *sorted(NOTEBOOKS_DIR.glob("*.ipynb"))]:
        target = folder / source.name
        if target.exists():  # never overwrite the consultant's own copy
            continue
        nb = parameterize_notebook(load_notebook_node(str(source)), {"project_dir": str(directory)})
        written.append(write_atomically(target, nbformat.writes(nb)))
    return written


def ensure_kernel() -> str | None:
    """Register the ``cjm`` kernel for this Python when Jupyter does not know it yet.

    The notebooks name it in their metadata; without it JupyterLab asks for a kernel on first open.

    Returns
    -------
    str or None
        None when the kernel is there (or was registered now); otherwise what went wrong, for a warning.
    """
    if KERNEL_NAME in KernelSpecManager().find_kernel_specs():
        return None
    try:
        install_kernel(kernel_name=KERNEL_NAME, display_name="CJM Workbench", prefix=sys.prefix)  # as make install
    except OSError as exc:  # a read-only environment
        return str(exc)
    return None


def lab_command(directory: str | os.PathLike, *, ip: str, port: int, token: str,
                open_browser: bool = True) -> tuple[list[str], str]:
    """Return the JupyterLab command for ``cjm lab`` and the URL that opens the workbench.

    JupyterLab opens on the workbench notebook with the ``cjm`` kernel, without news, update or
    extension-manager prompts.

    Parameters
    ----------
    directory
        The journey project (JupyterLab's root folder).
    ip, port
        Where JupyterLab listens.
    token
        The access token (printed in the URL).
    open_browser
        False on a remote machine: nothing is opened, the URL is printed.

    Returns
    -------
    (list of str, str)
        The command, and the workbench's URL with its token.
    """
    page = "/lab/tree/notebooks/" + WORKBENCH_NOTEBOOK.name
    cmd = [sys.executable, "-m", "jupyter", "lab", f"--ServerApp.root_dir={Path(directory)}", f"--ip={ip}",
           f"--port={port}", f"--ServerApp.open_browser={open_browser}", f"--LabApp.default_url={page}",
           f"--IdentityProvider.token={token}", f"--MappingKernelManager.default_kernel_name={KERNEL_NAME}",
           "--LabApp.extension_manager=readonly", "--LabApp.news_url=None",
           "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")  # JupyterLab refuses to start as root without it
    host = "127.0.0.1" if ip in ("0.0.0.0", "") else ip
    return cmd, f"http://{host}:{port}{page}?token={token}"
