"""Process and socket helpers of the local cluster: HTTP over an app server's Unix socket, whether
a pid is still the program we started, its children, free ports on loopback and where varnishd
is installed.
"""

from __future__ import annotations

import http.client
import shutil
import socket
from pathlib import Path


class UnixHTTPConnection(http.client.HTTPConnection):
    """HTTP over an app server's Unix socket, to ask it directly whether it is healthy."""

    def __init__(self, path: Path, timeout: float):
        super().__init__("localhost", timeout=timeout)
        self.socket_path = str(path)

    def connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        sock.connect(self.socket_path)
        self.sock = sock


def http_status(conn: http.client.HTTPConnection, path: str = "/health") -> int | None:
    """The status of GET ``path``, or None when nothing answers."""
    try:
        conn.request("GET", path)
        return conn.getresponse().status
    except OSError:
        return None
    finally:
        conn.close()


def pid_alive(pid: int, name: str) -> bool:
    """True when ``pid`` runs and is the program ``name`` (a recycled pid is not ours)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    state = stat.rsplit(")", 1)[1].split()[0]
    return state not in ("Z", "X") and name.encode() in cmdline


def child_pids(pid: int) -> set[int]:
    """The live processes whose parent is ``pid`` (an app server's workers)."""
    children = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] not in ("Z", "X"):
                children.add(int(entry.name))
    return children


def port_free(port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def varnishd() -> Path | None:
    found = shutil.which("varnishd") or "/usr/sbin/varnishd"
    return Path(found) if Path(found).exists() else None
