"""Which URLs may be requested: http(s) only, and hosts on public addresses only.

Every hop is checked (the first URL and each redirect target). The host is resolved here and each of
its addresses must be global; an IPv6 transition form (IPv4-mapped, 6to4, Teredo, NAT64,
IPv4-compatible) must also carry a global IPv4 address, so `http://[2002:7f00:1::]/` (6to4 of
127.0.0.1) is refused like 127.0.0.1. The HTTP library then resolves again, so a DNS answer that
changes in between (rebinding) is not caught: run the fetcher where private services need no
network trust."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

import httpx

from fetch.errors import RefusedURL, UnresolvedHost


def check_url(url: str, allow_private: bool) -> None:
    """Raise RefusedURL unless `url` may be fetched; a host that does not resolve raises httpx.ConnectError
    (transient: DNS hiccups are retried like connection errors)."""
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        raise RefusedURL(f"refused {url[:200]!r}: {exc}") from exc
    if parts.scheme not in ("http", "https"):
        raise RefusedURL(f"refused {url[:200]!r}: only http and https URLs are fetched, not {parts.scheme or 'none'!r}")
    try:
        host, port = parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:  # a port out of range, a malformed IPv6 literal
        raise RefusedURL(f"refused {url[:200]!r}: {exc}") from exc
    if not host:
        raise RefusedURL(f"refused {url[:200]!r}: no host")
    if allow_private:
        return
    for address in _addresses(host, port):
        if not is_public(address):
            raise RefusedURL(f"refused {url[:200]!r}: host {host} resolves to non-public address {describe(address)} "
                             "(private, loopback, link-local or reserved); set sources.fetch.allow_private_hosts "
                             "only for a trusted internal source")


# IPv6 prefixes that carry an IPv4 address in their last 32 bits (RFC 6052 NAT64, RFC 4291
# IPv4-compatible; the local-use NAT64 prefix 64:ff9b:1::/48 is not global, so it is refused as
# such). 6to4, Teredo and IPv4-mapped have properties of their own in ipaddress.
_LOW_32_BITS = {"NAT64": ipaddress.IPv6Network("64:ff9b::/96"), "IPv4-compatible": ipaddress.IPv6Network("::/96")}


def is_public(address: str) -> bool:
    """A global unicast address; an IPv6 transition form (IPv4-mapped, 6to4, Teredo, NAT64,
    IPv4-compatible) is judged by the IPv4 address it carries, and must be global itself too unless
    it is IPv4-mapped (which is the IPv4 address, as the socket layer sees it)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    embedded = embedded_ipv4(ip)
    if embedded is not None and not _global(embedded[1]):
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return True
    return _global(ip)


def embedded_ipv4(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> tuple[str, ipaddress.IPv4Address] | None:
    """(the transition form's name, the IPv4 address it carries) for an IPv6 address that carries one."""
    if isinstance(ip, ipaddress.IPv4Address):
        return None
    if ip.ipv4_mapped is not None:
        return "IPv4-mapped", ip.ipv4_mapped
    if ip.sixtofour is not None:
        return "6to4", ip.sixtofour
    if ip.teredo is not None:
        return "Teredo", ip.teredo[1]
    for name, network in _LOW_32_BITS.items():
        if ip in network and int(ip) > 1:  # not :: or ::1
            return name, ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def describe(address: str) -> str:
    """The address, with the IPv4 address it carries when it is an IPv6 transition form."""
    embedded = embedded_ipv4(ipaddress.ip_address(address.split("%", 1)[0]))
    return f"{address} ({embedded[0]} form of {embedded[1]})" if embedded else address


def _global(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_unspecified)


def _addresses(host: str, port: int) -> set[str]:
    try:
        return {info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)}
    except socket.gaierror as exc:
        if exc.errno == socket.EAI_AGAIN:  # "temporary failure in name resolution": worth another attempt
            raise httpx.ConnectError(f"cannot resolve host {host} (temporary): {exc}") from exc
        raise UnresolvedHost(f"cannot resolve host {host}: {exc}") from exc
    except UnicodeError as exc:
        raise UnresolvedHost(f"cannot resolve host {host}: {exc}") from exc
