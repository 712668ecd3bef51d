"""gunicorn, adjusted for serving behind nginx: each response written in one system call with a Date
header formatted once a second, and a reload that keeps the old workers until the new ones are
ready.

nginx forwards a response's headers to the client as soon as they arrive, and from then on it can
no longer retry the request on another app server. gunicorn writes headers and body with two
calls, so an app server killed between them left nginx with headers and no body, and the client
with a truncated response. In one write (all of it, for a body that fits the socket buffer) nginx
gets the whole response or nothing, and retries a GET in the second case.
"""

import email.utils
import os
import time
from pathlib import Path

from gunicorn import arbiter, util
from gunicorn.http import wsgi


class OneWriteResponse(wsgi.Response):
    pending = b""  # the headers, until the body (or the end of the response) goes out with them

    def send_headers(self) -> None:
        if self.headers_sent:
            return
        lines = self.default_headers()
        lines.extend(f"{name}: {value}\r\n" for name, value in self.headers)
        self.pending = util.to_bytestring("{}\r\n".format("".join(lines)), "latin-1")
        self.headers_sent = True

    def _emit_body(self, data: bytes) -> None:
        if self.pending and not self.chunked:
            data, self.pending = self.pending + data, b""
            self.sock.sendall(data)
            return
        self.flush_headers()
        super()._emit_body(data)  # type: ignore[misc]  # gunicorn 27's; its stubs follow 26.2

    def flush_headers(self) -> None:
        if self.pending:
            self.sock.sendall(self.pending)
            self.pending = b""

    def close(self) -> None:
        self.send_headers()
        self.flush_headers()  # a response without a body (204, HEAD) is its headers alone
        super().close()

    def can_sendfile(self) -> bool:
        return False  # sendfile would put the body on the wire before the buffered headers


_formatted_second: tuple[int, str] = (0, "")


def http_date(timestamp: float | None = None) -> str:
    """gunicorn's ``util.http_date``, the current second's text reused: formatting a date was
    about 2% of a cache miss's Python time."""
    global _formatted_second
    if timestamp is not None:
        return email.utils.formatdate(timestamp, localtime=False, usegmt=True)
    second, text = _formatted_second
    now = int(time.time())
    if now != second:
        text = email.utils.formatdate(now, localtime=False, usegmt=True)
        _formatted_second = (now, text)
    return text


# On SIGHUP gunicorn starts new workers and stops the old ones at once; each new one then spends
# about a second loading Django before it accepts, and requests wait. Here the old workers stop
# only once every new one has loaded the app (its post_worker_init marker exists).
READY_DIR = Path(os.environ.get("GUNICORN_WORKER_TMP_DIR", "/dev/shm"))
_manage_workers = arbiter.Arbiter.manage_workers


def ready_marker(pid: int) -> Path:
    return READY_DIR / f"atelier-worker-ready-{pid}"


def worker_ready(worker) -> None:
    """gunicorn's post_worker_init hook, in the worker: the app is loaded."""
    ready_marker(worker.pid).touch()


def worker_gone(server, worker) -> None:
    """gunicorn's child_exit hook, in the master: its readiness marker and its live gauges go."""
    ready_marker(worker.pid).unlink(missing_ok=True)
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


def manage_workers_ready_first(self) -> None:
    """``Arbiter.manage_workers``, which stops the workers beyond the count (the old ones, after
    a reload) only once the newest have loaded the app, or after the worker timeout."""
    if len(self.WORKERS) > self.num_workers:
        deadline = time.monotonic() + self.cfg.timeout
        while time.monotonic() < deadline:
            by_age = sorted(self.WORKERS, key=lambda pid: self.WORKERS[pid].age)
            if all(ready_marker(pid).exists() for pid in by_age[-self.num_workers :]):
                break
            self.reap_workers()  # a new worker that failed to boot leaves the list
            time.sleep(0.05)
    _manage_workers(self)


def install() -> None:
    """Make gunicorn's workers build every response with OneWriteResponse and the reused date,
    and its reloads keep the old workers until the new ones are ready."""
    # Patched on purpose, which type checkers refuse for a class and a method.
    wsgi.Response = OneWriteResponse  # type: ignore[misc]
    util.http_date = http_date
    arbiter.Arbiter.manage_workers = manage_workers_ready_first  # type: ignore[method-assign]
