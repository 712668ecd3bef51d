"""Who a request comes from: its client's address, as the proxies in front of the app saw it.

``X-Forwarded-For`` is believed only from our own proxies: nginx on a Unix socket (the local
cluster), and the networks ``TRUSTED_PROXIES`` lists (a container network, a load balancer's
subnet). Loopback is not one of them unless listed: any program on the machine could otherwise
forward its own claims. Addresses are counted in one spelling (``2001:db8::1`` whatever way it was
written, ``::ffff:192.0.2.1`` as ``192.0.2.1``), and a hop that is not an address names no client:
the request counts as the proxy's that received it.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@lru_cache(maxsize=1)
def _trusted_networks(proxies: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(proxy, strict=False) for proxy in proxies)


def address_parse(text: str) -> Address | None:
    """``text`` as an IP address, IPv4-mapped IPv6 as its IPv4; None when it is not one."""
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _trusted(address: Address) -> bool:
    return any(address in network for network in _trusted_networks(tuple(settings.TRUSTED_PROXIES)))


def client_address(request: HttpRequest) -> str:
    """The peer's address, unless the peer is a proxy of ours: then the right-most address of
    ``X-Forwarded-For`` that is not itself one (what a client writes there itself is further left,
    so it cannot pass for another client)."""
    peer = request.META.get("REMOTE_ADDR", "")
    if peer and not peer.startswith("/"):  # not a Unix socket: nginx's, always ours
        address = address_parse(peer)
        if address is None:
            return peer
        if not _trusted(address):
            return str(address)
        nearest = str(address)
    else:
        nearest = "127.0.0.1"  # a local request through the socket, with no forwarded address
    for hop in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        if not hop.strip():
            continue
        address = address_parse(hop)
        if address is None:
            return nearest  # not an address: counted as the proxy's that passed it on
        if not _trusted(address):
            return str(address)
        nearest = str(address)
    return nearest
