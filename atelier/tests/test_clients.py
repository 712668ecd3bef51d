"""The client's address behind the proxies: believed from X-Forwarded-For only through ours."""

import pytest
from django.test import RequestFactory

from atelier.clients import client_address


@pytest.mark.parametrize(
    ("peer", "forwarded", "expected"),
    [
        ("203.0.113.9", "", "203.0.113.9"),  # no proxy
        ("203.0.113.9", "198.51.100.1", "203.0.113.9"),  # a client cannot claim another address
        ("", "198.51.100.1", "198.51.100.1"),  # nginx on the Unix socket
        ("127.0.0.1", "198.51.100.1", "198.51.100.1"),  # nginx on loopback
        ("", "6.6.6.6, 198.51.100.1", "198.51.100.1"),  # what the client wrote stays left
        ("", "198.51.100.1, 127.0.0.1", "198.51.100.1"),  # through two proxies of ours
        ("", "", "127.0.0.1"),
    ],
)
def test_client_address_believes_only_trusted_proxies(peer, forwarded, expected):
    request = RequestFactory().get("/", REMOTE_ADDR=peer, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == expected
