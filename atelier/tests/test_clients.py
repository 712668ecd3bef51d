"""The client's address behind the proxies: believed from X-Forwarded-For only through ours."""

import pytest
from django.test import RequestFactory, override_settings

from atelier.clients import client_address


@pytest.mark.parametrize(
    ("peer", "forwarded", "expected"),
    [
        ("203.0.113.9", "", "203.0.113.9"),  # no proxy
        ("203.0.113.9", "198.51.100.1", "203.0.113.9"),  # a client cannot claim another address
        ("", "198.51.100.1", "198.51.100.1"),  # nginx on the Unix socket
        ("127.0.0.1", "198.51.100.1", "127.0.0.1"),  # loopback is not a proxy unless listed
        ("10.0.0.2", "198.51.100.1", "198.51.100.1"),  # a listed proxy network
        ("", "6.6.6.6, 198.51.100.1", "198.51.100.1"),  # what the client wrote stays left
        ("", "198.51.100.1, 10.0.0.3", "198.51.100.1"),  # through two proxies of ours
        ("", "", "127.0.0.1"),
        ("", "2001:DB8:0:0::1", "2001:db8::1"),  # one spelling of an address
        ("", "::ffff:198.51.100.1", "198.51.100.1"),
        ("::ffff:203.0.113.9", "", "203.0.113.9"),
        ("", "not-an-ip", "127.0.0.1"),  # not an address: the proxy's that passed it on
        ("10.0.0.2", "/var/run/x", "10.0.0.2"),
        ("10.0.0.2", "6.6.6.6, not-an-ip, 10.0.0.3", "10.0.0.3"),
    ],
)
@override_settings(TRUSTED_PROXIES=["10.0.0.0/24"])
def test_client_address_believes_only_trusted_proxies(peer, forwarded, expected):
    request = RequestFactory().get("/", REMOTE_ADDR=peer, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == expected


def test_by_default_no_network_is_trusted():
    request = RequestFactory().get("/", REMOTE_ADDR="::1", HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert client_address(request) == "::1"
