"""gunicorn's response, writing its headers in the same system call as its body, with a Date header
formatted once a second.

nginx forwards a response's headers to the client as soon as they arrive, and from then on it can
no longer retry the request on another app server. gunicorn writes headers and body with two
calls, so an app server killed between them left nginx with headers and no body, and the client
with a truncated response. In one write (all of it, for a body that fits the socket buffer) nginx
gets the whole response or nothing, and retries a GET in the second case.
"""

import email.utils
import time

from gunicorn import util
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
        super()._emit_body(data)

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


def install() -> None:
    """Make gunicorn's workers build every response with OneWriteResponse and the reused date."""
    wsgi.Response = OneWriteResponse
    util.http_date = http_date
