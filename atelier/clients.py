"""Who a request comes from: its client's address, as the proxies in front of the app saw it."""

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest


@lru_cache(maxsize=1)
def _trusted_networks(proxies: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(proxy, strict=False) for proxy in proxies)


def _trusted(address: str) -> bool:
    """A proxy of ours: one in ``TRUSTED_PROXIES``, or the Unix socket nginx reaches us by."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address == "" or address.startswith("/")  # a Unix socket peer
    return any(ip in network for network in _trusted_networks(tuple(settings.TRUSTED_PROXIES)))


def client_address(request: HttpRequest) -> str:
    """The peer's address, unless the peer is a trusted proxy: then the right-most address of
    ``X-Forwarded-For`` that is not itself one (what a client writes there itself is further left,
    so it cannot pass for another client)."""
    peer = request.META.get("REMOTE_ADDR", "")
    if not _trusted(peer):
        return peer
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    hops = [hop for hop in hops if hop]
    for hop in reversed(hops):
        if not _trusted(hop):
            return hop
    return hops[0] if hops else peer or "127.0.0.1"  # a local request through the socket
