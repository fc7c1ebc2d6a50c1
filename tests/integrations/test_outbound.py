"""Requests to addresses coordinators type in (webhook endpoints, chat webhooks) never
reach the network the site runs in: names are resolved and every address checked, at
save and at each delivery; the connection goes to the address that was checked; no
redirect is followed; and the log keeps a status and a short reason, never the body."""

from __future__ import annotations

import datetime as dt
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import certifi
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.test import Client
from django.urls import reverse

from integrations import chat, outbound, webhooks
from integrations.models import ChatChannel, WebhookDelivery, WebhookEndpoint
from mentoring.models import User
from programs.models import Program
from tests.integrations.conftest import Network, Receiver

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]

Event = WebhookEndpoint.Event
Status = WebhookDelivery.Status
T0 = dt.datetime(2026, 5, 1, 9, 0, tzinfo=dt.UTC)
PUBLIC = "93.184.216.34"
# Loopback, private, carrier-grade NAT, link-local (cloud metadata), unspecified,
# IPv6 loopback and unique-local, IPv4-mapped and NAT64 forms of a private address.
INSIDE = [
    "127.0.0.1",
    "10.1.2.3",
    "192.168.0.10",
    "100.64.0.1",
    "169.254.169.254",
    "0.0.0.0",  # noqa: S104 (an address to refuse, not one to bind)
    "::1",
    "fc00::1",
    "fe80::1",
    "::ffff:10.0.0.1",
    "64:ff9b::a00:1",
]


@pytest.fixture(autouse=True)
def _no_loopback(settings) -> None:
    settings.WEBHOOK_ALLOW_LOOPBACK = False


def _endpoint(program: Program, coordinator: User, network: Network, url: str) -> WebhookEndpoint:
    host = url.split("/")[2].split(":")[0]
    network.answer(host, [PUBLIC])
    return webhooks.webhook_endpoint_create(
        program=program, url=url, events=[Event.PARTICIPANT_ENROLLED], by=coordinator
    )


def _deliver(program: Program) -> WebhookDelivery:
    (delivery_id,) = webhooks.events_emit(
        program=program, event=Event.PARTICIPANT_ENROLLED, items=[{}], now=T0
    )
    webhooks.webhook_delivery_attempt(delivery_id=delivery_id, now=T0)
    return WebhookDelivery.objects.get(pk=delivery_id)


# -- At save ------------------------------------------------------------------------


@pytest.mark.parametrize("address", INSIDE)
def test_a_name_resolving_inside_is_a_form_error_for_webhooks_and_chat(
    client: Client, coordinator, program, network, address
):
    network.answer("hooks.example.com", [address])
    client.force_login(coordinator)
    response = client.post(
        reverse("integrations:program_integrations", args=[program.pk]),
        {"url": "https://hooks.example.com/in", "events": ["participant.enrolled"]},
    )
    assert response.status_code == 200
    assert "reachable from the internet" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()
    response = client.post(
        reverse("integrations:chat_channel_add", args=[program.pk]),
        {"kind": "slack", "url": "https://hooks.example.com/in", "name": ""},
    )
    assert response.status_code == 400
    assert "reachable from the internet" in response.content.decode()
    assert not ChatChannel.objects.exists()
    assert network.connects == []


def test_a_name_with_one_address_inside_among_public_ones_is_refused(network):
    network.answer("hooks.example.com", [PUBLIC, "10.0.0.7"])
    with pytest.raises(outbound.OutboundRefused, match="reachable from the internet"):
        outbound.outbound_url_check("https://hooks.example.com/in")


def test_a_name_that_does_not_resolve_is_refused_with_a_reason(network):
    with pytest.raises(outbound.OutboundRefused, match="could not be found"):
        outbound.outbound_url_check("https://no-such-host.invalid/in")


def test_allowing_loopback_allows_loopback_only(settings, network):
    settings.WEBHOOK_ALLOW_LOOPBACK = True
    network.answer("dev.example.com", ["127.0.0.1"])
    assert outbound.outbound_url_check("http://dev.example.com:8000/x")
    network.answer("dev.example.com", ["10.0.0.7"])
    with pytest.raises(outbound.OutboundRefused):
        outbound.outbound_url_check("https://dev.example.com/x")
    # Plain http stays for this machine only.
    network.answer("dev.example.com", [PUBLIC])
    with pytest.raises(outbound.OutboundRefused, match="https://"):
        outbound.outbound_url_check("http://dev.example.com/x")


# -- At delivery --------------------------------------------------------------------


@pytest.mark.parametrize("address", INSIDE)
def test_a_name_that_moved_inside_fails_the_delivery_without_a_request(
    program, coordinator, network, address
):
    _endpoint(program, coordinator, network, "https://hooks.example.com/in")
    network.answer("hooks.example.com", [address])
    delivery = _deliver(program)
    assert network.connects == []
    assert delivery.status == Status.FAILED
    assert delivery.response_code is None
    assert "reachable from the internet" in delivery.error
    assert len(delivery.error) <= 120


@pytest.mark.parametrize("address", ["127.0.0.1", "169.254.169.254", "fc00::1"])
def test_a_chat_url_that_moved_inside_posts_nothing(program, coordinator, network, address):
    network.answer("hooks.slack.com", [PUBLIC])
    channel = chat.chat_channel_create(
        program=program, kind="slack", url="https://hooks.slack.com/x", name="", by=coordinator
    )
    network.answer("hooks.slack.com", [address])
    assert chat.chat_message_send(channel_id=channel.pk, text="Hi", key="k") is False
    assert network.connects == []


def test_the_connection_goes_to_the_address_that_was_checked(program, coordinator, network):
    """DNS rebinding: the name answers public for the check, then loopback."""
    _endpoint(program, coordinator, network, "https://rebind.example.com:8443/in")
    network.answer("rebind.example.com", [PUBLIC], ["127.0.0.1"])
    delivery = _deliver(program)
    assert network.lookups == ["rebind.example.com"]
    assert network.connects == [(PUBLIC, 8443)]
    assert delivery.error == "Could not connect."


def test_a_chat_post_goes_to_the_address_that_was_checked(program, coordinator, network):
    network.answer("hooks.slack.com", [PUBLIC])
    channel = chat.chat_channel_create(
        program=program, kind="slack", url="https://hooks.slack.com/x", name="", by=coordinator
    )
    network.answer("hooks.slack.com", [PUBLIC], ["127.0.0.1"])
    with pytest.raises(outbound.OutboundFailed, match="Could not connect"):
        chat.chat_message_send(channel_id=channel.pk, text="Hi", key="k")
    assert network.connects == [(PUBLIC, 443)]


def test_the_request_names_the_host_it_was_addressed_to(
    program, coordinator, network, receiver: Receiver, settings
):
    settings.WEBHOOK_ALLOW_LOOPBACK = True
    port = receiver.url.split(":")[2].split("/")[0]
    network.answer("receiver.example.com", ["127.0.0.1"])
    webhooks.webhook_endpoint_create(
        program=program,
        url=f"http://receiver.example.com:{port}/hook",
        events=[Event.PARTICIPANT_ENROLLED],
        by=coordinator,
    )
    delivery = _deliver(program)
    assert delivery.status == Status.SUCCEEDED
    (request,) = receiver.requests
    assert request.path == "/hook"
    assert request.headers["Host"] == f"receiver.example.com:{port}"
    assert network.connects == [("127.0.0.1", int(port))]


def test_a_redirect_is_not_followed(program, coordinator, receiver: Receiver, settings):
    settings.WEBHOOK_ALLOW_LOOPBACK = True
    receiver.statuses = [302]
    receiver.answer_headers = {"Location": "http://169.254.169.254/latest/meta-data/"}
    webhooks.webhook_endpoint_create(
        program=program, url=receiver.url, events=[Event.PARTICIPANT_ENROLLED], by=coordinator
    )
    delivery = _deliver(program)
    assert len(receiver.requests) == 1
    assert delivery.status == Status.PENDING
    assert delivery.response_code == 302
    assert "redirect" in delivery.error.lower()


# -- What the coordinator sees ------------------------------------------------------


def test_the_log_keeps_a_status_and_a_short_reason_never_the_body(
    client: Client, program, coordinator, receiver: Receiver, settings
):
    settings.WEBHOOK_ALLOW_LOOPBACK = True
    receiver.statuses = [500]
    receiver.answer = b"INTERNAL-SECRET " * 100
    endpoint = webhooks.webhook_endpoint_create(
        program=program, url=receiver.url, events=[Event.PARTICIPANT_ENROLLED], by=coordinator
    )
    delivery = _deliver(program)
    assert (delivery.response_code, delivery.response_body) == (500, "")
    assert delivery.error == "The endpoint answered 500."
    client.force_login(coordinator)
    page = client.get(reverse("integrations:webhook_detail", args=[program.pk, endpoint.pk]))
    assert "INTERNAL-SECRET" not in page.content.decode()


def test_a_connection_failure_is_a_short_reason_without_the_details(
    client: Client, program, coordinator, settings
):
    settings.WEBHOOK_ALLOW_LOOPBACK = True
    endpoint = webhooks.webhook_endpoint_create(
        program=program,
        url="http://127.0.0.1:9/hook",
        events=[Event.PARTICIPANT_ENROLLED],
        by=coordinator,
    )
    delivery = _deliver(program)
    assert delivery.error == "Could not connect."
    client.force_login(coordinator)
    page = client.get(reverse("integrations:webhook_detail", args=[program.pk, endpoint.pk]))
    assert "Errno" not in page.content.decode()
    assert "Could not connect." in page.content.decode()


# -- TLS to the checked address -----------------------------------------------------


@dataclass
class TlsReceiver:
    port: int
    server_names: list[str | None] = field(default_factory=list)
    hosts: list[str] = field(default_factory=list)


def _certificate(directory: Path, host: str) -> tuple[Path, Path, Path]:
    """A test CA and a certificate it signed for ``host``: (ca, cert, key) files."""
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    paths = directory / "ca.pem", directory / "cert.pem", directory / "key.pem"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return paths


@pytest.fixture
def tls_receiver(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[TlsReceiver]:
    """An https server on 127.0.0.1 with a certificate for the host the test names,
    from a CA the outbound requests trust (certifi's bundle is swapped for it)."""
    ca, cert, key = _certificate(tmp_path, request.param)
    monkeypatch.setattr(certifi, "where", lambda: str(ca))
    outbound._tls_context.cache_clear()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    state = TlsReceiver(port=server.server_address[1])

    def note_server_name(_sock: Any, name: str | None, _context: Any) -> None:
        state.server_names.append(name)

    context.sni_callback = note_server_name

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            state.hosts.append(self.headers["Host"])
            self.send_response(204)
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server.RequestHandlerClass = Handler
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        outbound._tls_context.cache_clear()


@pytest.mark.parametrize("tls_receiver", ["hooks.example.com"], indirect=True)
def test_tls_to_the_checked_address_verifies_the_host_name(
    program, coordinator, network, tls_receiver: TlsReceiver, settings
):
    settings.WEBHOOK_ALLOW_LOOPBACK = True
    network.answer("hooks.example.com", ["127.0.0.1"])
    webhooks.webhook_endpoint_create(
        program=program,
        url=f"https://hooks.example.com:{tls_receiver.port}/in",
        events=[Event.PARTICIPANT_ENROLLED],
        by=coordinator,
    )
    delivery = _deliver(program)
    assert (delivery.status, delivery.response_code, delivery.error) == (
        Status.SUCCEEDED,
        204,
        "",
    )
    assert network.connects == [("127.0.0.1", tls_receiver.port)]
    assert tls_receiver.server_names == ["hooks.example.com"]
    assert tls_receiver.hosts == [f"hooks.example.com:{tls_receiver.port}"]


@pytest.mark.parametrize("tls_receiver", ["someone-else.example.com"], indirect=True)
def test_a_certificate_for_another_host_fails_the_delivery(
    program, coordinator, network, tls_receiver: TlsReceiver, settings
):
    settings.WEBHOOK_ALLOW_LOOPBACK = True
    network.answer("hooks.example.com", ["127.0.0.1"])
    webhooks.webhook_endpoint_create(
        program=program,
        url=f"https://hooks.example.com:{tls_receiver.port}/in",
        events=[Event.PARTICIPANT_ENROLLED],
        by=coordinator,
    )
    delivery = _deliver(program)
    assert delivery.status == Status.PENDING
    assert delivery.error == "The address's certificate could not be verified."
    assert tls_receiver.hosts == []
