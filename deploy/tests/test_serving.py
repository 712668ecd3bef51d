"""gunicorn's responses leave in one write: headers together with the body."""

from types import SimpleNamespace

from gunicorn.config import Config

from deploy.serving import OneWriteResponse


class RecordingSocket:
    """Keeps each sendall() call apart, as the peer would see separate writes."""

    def __init__(self):
        self.writes: list[bytes] = []

    def sendall(self, data: bytes) -> None:
        self.writes.append(bytes(data))


def response(method: str = "GET", version=(1, 1)) -> tuple[OneWriteResponse, RecordingSocket]:
    request = SimpleNamespace(
        method=method, version=version, headers=[], should_close=lambda: False
    )
    sock = RecordingSocket()
    # Stand-ins with the few attributes a response uses of gunicorn's request and a socket.
    return OneWriteResponse(request, sock, Config()), sock  # type: ignore[arg-type]


def test_headers_and_body_leave_in_one_write():
    resp, sock = response()
    resp.start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", "2")])
    resp.write(b"{}")
    resp.close()
    assert len(sock.writes) == 1
    head, body = sock.writes[0].split(b"\r\n\r\n", 1)
    assert head.startswith(b"HTTP/1.1 200 OK") and b"Content-Length: 2" in head
    assert body == b"{}"


def test_a_response_without_a_body_still_sends_its_headers():
    resp, sock = response()
    resp.start_response("204 No Content", [])
    resp.close()
    assert len(sock.writes) == 1 and sock.writes[0].startswith(b"HTTP/1.1 204 No Content")


def test_later_body_chunks_follow_in_their_own_writes():
    resp, sock = response()
    resp.start_response("200 OK", [("Content-Length", "6")])
    for chunk in (b"ab", b"cd", b"ef"):
        resp.write(chunk)
    resp.close()
    assert len(sock.writes) == 3
    assert sock.writes[0].endswith(b"\r\n\r\nab") and sock.writes[1:] == [b"cd", b"ef"]
