"""Which URLs may be requested: http(s) only, and hosts on public addresses only.

Every hop is checked (the first URL and each redirect target). The host is resolved here and each of
its addresses must be global; the HTTP library then resolves again, so a DNS answer that changes in
between (rebinding) is not caught: run the fetcher where private services need no network trust."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

import httpx

from fetch.errors import RefusedURL


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
            raise RefusedURL(f"refused {url[:200]!r}: host {host} resolves to non-public address {address} "
                             "(private, loopback, link-local or reserved); set sources.fetch.allow_private_hosts "
                             "only for a trusted internal source")


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_unspecified)


def _addresses(host: str, port: int) -> set[str]:
    try:
        return {info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)}
    except (socket.gaierror, UnicodeError) as exc:
        raise httpx.ConnectError(f"cannot resolve host {host}: {exc}") from exc
