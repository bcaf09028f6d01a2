"""No network at run time: the demo runs with every non-loopback connection blocked.

What is blocked (tests/bad_inputs/offline/sitecustomize.py, loaded through PYTHONPATH by the
`cjm run` process and by every kernel it starts): in Python, ``socket.socket.connect``,
``connect_ex``, ``sendto``, ``sendmsg`` to any address other than loopback (127.0.0.0/8, ::1,
localhost) or a Unix socket, and the name look-ups ``socket.getaddrinfo`` / ``gethostbyname`` of
any other host. Loopback stays open: the kernels talk to papermill over local ZMQ sockets. Native
code is not covered by this guard; the engine (DuckDB) is told never to download an extension
(``cjmlib.data.project.ENGINE_CONFIG``).
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from bad_inputs.payloads import OFFLINE, payload_run


def _offline_python(code: str, log) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(OFFLINE), "CJM_NET_LOG": str(log)}
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60, check=False)


def test_the_guard_blocks_the_network_and_keeps_loopback(tmp_path):
    log = tmp_path / "net.log"
    proc = _offline_python("""
import socket
server = socket.socket(); server.bind(("127.0.0.1", 0)); server.listen(1)
socket.create_connection(server.getsockname(), timeout=5).close()
print("loopback ok")
for target in (("192.0.2.1", 80), ("2001:db8::1", 443)):
    family = socket.AF_INET6 if ":" in target[0] else socket.AF_INET
    try:
        socket.socket(family).connect(target)
    except ConnectionRefusedError as exc:
        print("refused", exc)
try:
    socket.getaddrinfo("pypi.org", 443)
except socket.gaierror:
    print("lookup refused")
""", log)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count("refused") == 3 and "loopback ok" in proc.stdout
    blocked = [line for line in log.read_text().splitlines() if "\tblocked\t" in line]
    assert len(blocked) == 3 and "pypi.org" in blocked[-1]


@pytest.fixture(scope="module")
def offline_run():
    return payload_run()


def test_the_demo_runs_offline(offline_run):
    assert offline_run.returncode == 0, offline_run.stdout + offline_run.stderr
    assert (offline_run.project / "reports" / "latest" / "html" / "index.html").exists()


def test_the_runner_and_every_kernel_were_guarded(offline_run):
    loaded = [what for _, kind, what in offline_run.net_log if kind == "loaded"]
    kernels = [w for w in loaded if " -f " in f" {w} "]  # ipykernel_launcher -f <connection file>
    assert any("run" in w for w in loaded)
    assert len(kernels) >= 7  # one kernel per step notebook


def test_no_connection_was_attempted(offline_run):
    assert [line for line in offline_run.net_log if line[1] == "blocked"] == []
