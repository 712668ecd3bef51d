"""Process and socket helpers of the local cluster: the processes it started (each in its own
process group, with a pid file and a log), HTTP over an app server's Unix socket, whether a pid is
still the program we started, its children, free ports on loopback and where varnishd is
installed.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path


class Supervisor:
    """The processes of one run folder, by name: ``<name>.pid`` and ``logs/<name>.log`` in it.
    ``program_of(name)`` is what the process's command line must hold for its pid to be ours."""

    def __init__(self, run_dir: Path, program_of: Callable[[str], str], cwd: Path):
        self.run_dir = run_dir
        self.program_of = program_of
        self.cwd = cwd
        self.children: dict[str, subprocess.Popen] = {}

    def pid(self, name: str) -> int | None:
        try:
            return int((self.run_dir / f"{name}.pid").read_text())
        except (OSError, ValueError):
            return None

    def alive(self, name: str) -> bool:
        pid = self.pid(name)
        return pid is not None and pid_alive(pid, self.program_of(name))

    def spawn(
        self, name: str, argv: list[str], env: dict[str, str] | None = None, user: str | None = None
    ) -> None:
        """Start ``argv`` in a process group of its own (stop and kill reach all of it), as
        ``user`` when given (and we are root), its output appended to its log."""
        log = open(self.run_dir / "logs" / f"{name}.log", "ab")  # noqa: SIM115 (child owns it)
        with log:
            child = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                cwd=self.cwd,
                start_new_session=True,
                user=user,
                group=user,
                extra_groups=[] if user else None,
            )
        self.children[name] = child
        (self.run_dir / f"{name}.pid").write_text(str(child.pid))

    def exited(self, name: str) -> bool:
        """Whether ``name`` has exited: asked of its process handle when this object started it,
        else of its pid file and /proc (a process another command started)."""
        child = self.children.get(name)
        if child is not None and child.pid == self.pid(name):
            return child.poll() is not None
        return not self.alive(name)

    def signal_group(self, name: str, sig: int) -> None:
        pid = self.pid(name)
        if pid is None or not self.alive(name):
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, sig)  # started with start_new_session: its pgid is its pid

    def reap(self, name: str, timeout: float) -> bool:
        """Wait until ``name`` has exited; True when it did within ``timeout``."""
        deadline = time.monotonic() + timeout
        child = self.children.get(name)
        while self.alive(name):
            if child is not None:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    child.wait(timeout=0.1)
            else:
                time.sleep(0.1)
            if time.monotonic() > deadline:
                return False
        if child is not None:
            child.wait()
        return True

    def stop(self, names: list[str], grace: float) -> None:
        """SIGTERM each, then SIGKILL what is left after ``grace`` seconds; pid files removed."""
        for name in names:
            self.signal_group(name, signal.SIGTERM)
        for name in names:
            if not self.reap(name, timeout=grace):
                self.signal_group(name, signal.SIGKILL)
                self.reap(name, timeout=5)
            (self.run_dir / f"{name}.pid").unlink(missing_ok=True)


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
