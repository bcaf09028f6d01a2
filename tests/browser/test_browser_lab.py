"""The live workbench: JupyterLab on a project, the editors notebook run in headless Chromium, a persona saved."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from chromium import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, requires_chromium

from cjmlib.run.lab import lab_command
from cjmlib.spec.io import load_spec

pytestmark = [pytest.mark.browser, requires_chromium, pytest.mark.timeout(150)]

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "cjm-browser-test"
NEW_NAME = "Claire, night-shift nurse"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(url: str, *, timeout_s: float, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"JupyterLab exited with code {server.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"JupyterLab did not answer {url} within {timeout_s} s")


@pytest.fixture
def lab_project(tmp_path):
    """A journey project with the workbench notebook, as ``cjm lab`` lays it out."""
    project = tmp_path / "shop"
    (project / "notebooks").mkdir(parents=True)
    shutil.copy(ROOT / "templates" / "ecommerce" / "journey.yml", project / "journey.yml")
    text = (ROOT / "templates" / "lab" / "workbench.ipynb").read_text(encoding="utf-8")
    text = text.replace('\\"../demo\\"', json.dumps(json.dumps(str(project)))[1:-1])
    (project / "notebooks" / "workbench.ipynb").write_text(text, encoding="utf-8")
    return project


@pytest.fixture
def lab(lab_project, tmp_path):
    """Start JupyterLab on 127.0.0.1 over ``lab_project``; yield its base URL; stop it and its kernels."""
    home = tmp_path / "home"
    env = {**os.environ, "HOME": str(home), "JUPYTER_CONFIG_DIR": str(home / "config"),
           "JUPYTER_DATA_DIR": str(home / "data"), "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
           "IPYTHONDIR": str(home / "ipython")}
    port = _free_port()
    cmd, url = lab_command(lab_project, ip="127.0.0.1", port=port, token=TOKEN, open_browser=False)  # as cjm lab
    assert url == f"http://127.0.0.1:{port}/lab/tree/notebooks/workbench.ipynb?token={TOKEN}"
    log = (tmp_path / "lab.log").open("wb")
    server = subprocess.Popen(cmd, cwd=lab_project, env=env, stdout=log, stderr=subprocess.STDOUT,
                              start_new_session=True)  # its own group: the kernels it starts stop with it
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(f"{base}/api/status?token={TOKEN}", timeout_s=45, server=server)
        yield base
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()
        log.close()


def _edit_persona_name(page, old_name: str) -> None:
    """Run all cells, open the Personas tab, rename the first persona and click Save."""
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
    save = page.locator("button.widget-button[title='Save']")
    save.wait_for(timeout=60_000)
    page.locator(".jp-OutputArea-output .lm-TabBar-tab", has_text="Personas").click()
    name = page.locator(".widget-text:has(label:text-is('Name')) input:visible")
    name.wait_for(timeout=10_000)
    assert name.input_value() == old_name
    name.fill(NEW_NAME)
    name.press("Tab")
    save.click()
    page.locator(".widget-html", has_text="Saved journey.yml").wait_for(timeout=20_000)
    page.locator(".jp-OutputArea-output .lm-TabBar").scroll_into_view_if_needed()


def test_a_persona_edited_in_the_workbench_is_saved(lab, lab_project):
    from playwright.sync_api import sync_playwright

    before = (lab_project / "journey.yml").read_text(encoding="utf-8")
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1300})
            page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(lab)
                       else route.abort("blockedbyclient"))  # nothing leaves the machine
            page.goto(f"{lab}/?token={TOKEN}", timeout=60_000)  # the server's front page: cjm lab opens the workbench
            page.locator(".jp-Notebook .jp-Cell").first.wait_for(timeout=60_000)
            page.get_by_text("CJM Workbench | Idle").wait_for(timeout=60_000)  # the project's kernel is up
            try:
                _edit_persona_name(page, load_spec(lab_project).personas[0].name)
            finally:
                page.screenshot(path=str(ARTIFACTS / "workbench-persona-saved.png"), full_page=True)
        finally:
            browser.close()

    after = (lab_project / "journey.yml").read_text(encoding="utf-8")
    assert load_spec(lab_project).personas[0].name == NEW_NAME
    assert after.count("\n#") == before.count("\n#") and "# Step 2" in after  # the comments are kept
    assert [b.read_text(encoding="utf-8") for b in lab_project.glob("journey.yml.*.bak")] == [before]
    assert (ARTIFACTS / "workbench-persona-saved.png").stat().st_size > 10_000
