"""Cut every Python process that imports it off the network, except loopback, and log what it tried.

Put this folder first on ``PYTHONPATH`` and set ``CJM_NET_LOG`` to a file: the runner's process
and every kernel it starts (they inherit the environment) import this module at start-up. Each
process writes one ``loaded`` line; each blocked attempt writes a ``blocked`` line (pid, call,
destination) and raises ``ConnectionRefusedError`` (``socket.gaierror`` for name look-ups).

Blocked, for destinations other than loopback (127.0.0.0/8, ::1, localhost) and Unix sockets:
``socket.socket.connect``, ``connect_ex``, ``sendto``, ``sendmsg`` and ``socket.getaddrinfo``,
``socket.gethostbyname``, ``socket.create_connection`` (through ``connect``). Sockets opened by
native libraries (libzmq for the kernels' local channels, DuckDB) are not seen here.
"""

import ipaddress
import os
import socket
import sys

_LOG = os.environ.get("CJM_NET_LOG")


def _note(kind, what):
    if _LOG:
        with open(_LOG, "a", encoding="utf-8") as fh:
            fh.write(f"{os.getpid()}\t{kind}\t{what}\n")


def _local_host(host):
    if host in ("", "localhost", "localhost.localdomain", None):
        return True
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return False


def _local(address):
    if isinstance(address, (str, bytes)):  # AF_UNIX path
        return True
    return _local_host(address[0]) if isinstance(address, tuple) and address else False


def _guard(name, original, position):
    def guarded(self, *args):
        address = args[position] if len(args) > position else None
        if self.family != getattr(socket, "AF_UNIX", None) and address is not None and not _local(address):
            _note("blocked", f"{name} {address!r}")
            raise ConnectionRefusedError(f"network blocked by the test: {name} {address!r}")
        return original(self, *args)
    return guarded


def _guard_lookup(name, original):
    def guarded(host, *args, **kwargs):
        if not _local_host(host.decode() if isinstance(host, bytes) else host):
            _note("blocked", f"{name} {host!r}")
            raise socket.gaierror(f"name look-up blocked by the test: {host!r}")
        return original(host, *args, **kwargs)
    return guarded


socket.socket.connect = _guard("connect", socket.socket.connect, 0)
socket.socket.connect_ex = _guard("connect_ex", socket.socket.connect_ex, 0)
socket.socket.sendto = _guard("sendto", socket.socket.sendto, -1)
socket.socket.sendmsg = _guard("sendmsg", socket.socket.sendmsg, 3)
socket.getaddrinfo = _guard_lookup("getaddrinfo", socket.getaddrinfo)
socket.gethostbyname = _guard_lookup("gethostbyname", socket.gethostbyname)
_note("loaded", " ".join(sys.argv[:4]))
