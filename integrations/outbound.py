"""Requests to addresses people type in: webhook endpoints and chat incoming webhooks.

A coordinator chooses these addresses, so without care the site would post to, and
report back from, whatever its servers can reach: the database, the cloud's metadata
service, an admin page on the private network. Every such request goes through
:func:`outbound_post`, and every such address is checked with
:func:`outbound_url_check` when it is saved:

- the host name is resolved and every address it has must be public (loopback too
  when ``WEBHOOK_ALLOW_LOOPBACK`` is on, for a receiver on a developer's machine);
  IPv4-mapped and NAT64 IPv6 forms are judged by the IPv4 address inside;
- this is checked when the address is saved and again before every request;
- the request goes to the very address that was checked, with no second lookup that a
  name could answer differently (DNS rebinding); the host name is still what the
  Host header says and what TLS checks the certificate against (SNI too);
- redirects are never followed;
- the answer is a status code: at most ``ANSWER_READ_BYTES`` of the body are read, so
  the connection ends cleanly, and dropped; a failure is a short fixed reason, never
  the socket's error text (which would tell open ports from closed ones).
"""

from __future__ import annotations

import base64
import functools
import http.client
import ipaddress
import socket
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

import certifi
from django.conf import settings
from django.utils.translation import gettext as _

# How much of an answer is read (and then dropped).
ANSWER_READ_BYTES = 1024
NAT64 = ipaddress.ip_network("64:ff9b::/96")

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class OutboundError(Exception):
    """A request that did not go well; the message is short and safe to show."""

    def __init__(self, reason: str, *, status: int | None = None) -> None:
        super().__init__(reason)
        self.status = status


class OutboundRefused(OutboundError):
    """The address is not one the site may post to; nothing was sent."""


class OutboundFailed(OutboundError):
    """The request could not be made or was answered with a redirect; try again later."""


@dataclass(frozen=True)
class _Target:
    scheme: str
    host: str
    port: int
    path: str
    authorization: str | None
    # (family, socket address) of each checked address, in the resolver's order.
    addresses: tuple[tuple[int, Any], ...]


def outbound_url_check(url: str) -> str:
    """The URL, stripped, if the site may post to it now; else :class:`OutboundRefused`
    with the reason."""
    try:
        _target(url)
    except OutboundFailed as failure:
        raise OutboundRefused(str(failure)) from failure
    return url.strip()


def outbound_post(*, url: str, body: bytes, headers: Mapping[str, str], timeout: float) -> int:
    """POST ``body`` to ``url``, checked as :func:`outbound_url_check` does; the status code.

    Raises :class:`OutboundRefused` (nothing sent) or :class:`OutboundFailed` (could not
    connect, broke off, timed out, or answered with a redirect).
    """
    target = _target(url)
    connection = _connect(target, timeout=timeout)
    request_headers = dict(headers)
    if target.authorization:
        request_headers["Authorization"] = target.authorization
    try:
        connection.request("POST", target.path, body=body, headers=request_headers)
        response = connection.getresponse()
        response.read(ANSWER_READ_BYTES)
    except TimeoutError as error:
        raise OutboundFailed(_("No answer in time.")) from error
    except (OSError, http.client.HTTPException, ValueError) as error:
        raise OutboundFailed(_("The connection broke off.")) from error
    finally:
        connection.close()
    if 300 <= response.status < 400:
        raise OutboundFailed(
            _("The address answered with a redirect (%(status)s), which is not followed.")
            % {"status": response.status},
            status=response.status,
        )
    return response.status


# ------------------------------------------------------------------------------
# Checking
# ------------------------------------------------------------------------------


def _address_allowed(address: Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        elif address in NAT64:
            address = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address.is_global and not address.is_multicast:
        return True
    return bool(settings.WEBHOOK_ALLOW_LOOPBACK) and address.is_loopback


def _target(url: str) -> _Target:
    """The URL's parts and its host's addresses, each checked; one name lookup."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    try:
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        host, port = "", None
    if not host:
        raise OutboundRefused(_("Enter a full address, starting with https://."))
    if scheme not in ("http", "https") or (
        scheme == "http" and not settings.WEBHOOK_ALLOW_LOOPBACK
    ):
        raise OutboundRefused(_("The address must start with https://."))
    port = port or (443 if scheme == "https" else 80)
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise OutboundFailed(_("The address's host name could not be found.")) from error
    addresses: list[tuple[int, Any]] = []
    checked: list[Address] = []
    for family, _type, _proto, _name, socket_address in found:
        if family not in (socket.AF_INET, socket.AF_INET6):
            continue
        # A link-local IPv6 address may carry its interface: "fe80::1%eth0".
        address = ipaddress.ip_address(str(socket_address[0]).split("%")[0])
        if not _address_allowed(address):
            raise OutboundRefused(_("The address must be reachable from the internet."))
        addresses.append((family, socket_address))
        checked.append(address)
    if not addresses:
        raise OutboundFailed(_("The address's host name could not be found."))
    # Plain http only to this machine (WEBHOOK_ALLOW_LOOPBACK), never across a network.
    if scheme == "http" and not all(a.is_loopback for a in checked):
        raise OutboundRefused(_("The address must start with https://."))
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    authorization = None
    if parts.username is not None:
        pair = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
        authorization = "Basic " + base64.b64encode(pair.encode()).decode()
    return _Target(
        scheme=scheme,
        host=host,
        port=port,
        path=path,
        authorization=authorization,
        addresses=tuple(addresses),
    )


# ------------------------------------------------------------------------------
# Connecting to the checked address
# ------------------------------------------------------------------------------


@functools.cache
def _tls_context() -> ssl.SSLContext:
    # The certificate must be valid for the host name (check_hostname is on).
    return ssl.create_default_context(cafile=certifi.where())


def _socket_to(family: int, socket_address: Any, timeout: float) -> socket.socket:
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.settimeout(timeout)
        sock.connect(socket_address)
    except BaseException:
        sock.close()
        raise
    return sock


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """http.client with the socket made to a checked address, never by a name lookup."""

    def __init__(self, target: _Target, sock: socket.socket, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self._pinned = sock

    def connect(self) -> None:
        self.sock = self._pinned


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """As :class:`_PinnedHTTPConnection`, with TLS for the host name on that socket."""

    def __init__(self, target: _Target, sock: socket.socket, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout, context=_tls_context())
        self._pinned = sock

    def connect(self) -> None:
        self.sock = _tls_context().wrap_socket(self._pinned, server_hostname=self.host)


def _connect(target: _Target, *, timeout: float) -> http.client.HTTPConnection:
    """A connection to the first of the target's addresses that answers, TLS done."""
    for family, socket_address in target.addresses:
        try:
            sock = _socket_to(family, socket_address, timeout)
        except OSError:
            continue
        kind = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
        connection = kind(target, sock, timeout)
        try:
            connection.connect()
        except ssl.SSLCertVerificationError as error:
            sock.close()
            raise OutboundFailed(_("The address's certificate could not be verified.")) from error
        except TimeoutError as error:
            sock.close()
            raise OutboundFailed(_("No answer in time.")) from error
        except OSError as error:
            sock.close()
            raise OutboundFailed(_("The secure connection could not be made.")) from error
        return connection
    raise OutboundFailed(_("Could not connect."))
