"""Identity providers the browser tests sign in against.

``OidcProvider`` is panva's oidc-provider from npm (installed by ``npm ci`` from the
project's package-lock.json), run with Node by ``oidc_provider.mjs``: a real OpenID
Connect provider with its own sign-in page, PKCE, nonce, discovery, signing keys and
RP-initiated logout. ``SamlIdentityProvider`` is a SAML 2.0 IdP built on samlify (npm),
run by ``saml_idp.mjs``, signing its responses with a throwaway certificate.
``HangingServer`` accepts connections and never answers, for the "provider hangs" journey.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.conftest import ROOT, skip_or_fail

PROVIDER_SCRIPT = Path(__file__).with_name("oidc_provider.mjs")


@dataclass
class OidcProvider:
    url: str
    accounts_file: Path
    accounts: dict[str, dict[str, Any]] = field(default_factory=dict)

    def add_account(self, login: str, **claims: Any) -> None:
        """A person the provider knows; ``login`` is what they type on its page.

        Claims: sub, email, email_verified (left out: the claim is missing), name, amr, acr.
        """
        self.accounts[login] = {"sub": f"sub-{login}", **claims}
        self.accounts_file.write_text(json.dumps(self.accounts))


@contextmanager
def oidc_provider_running(
    *, client_id: str, client_secret: str, redirect_uri: str, post_logout_uri: str, tmp: Path
) -> Iterator[OidcProvider]:
    node = shutil.which("node")
    package = ROOT / "node_modules" / "oidc-provider"
    if node is None or not package.exists():
        skip_or_fail("the OpenID Connect test provider needs Node.js and `npm ci` (make test does)")
        raise AssertionError("unreachable")
    accounts_file = tmp / "oidc-accounts.json"
    accounts_file.write_text("{}")
    env = {
        "PATH": str(Path(node).parent),
        "NODE_ENV": "test",
        "OIDC_TEST_ACCOUNTS": str(accounts_file),
        "OIDC_TEST_CLIENT": json.dumps(
            {
                "client_id": client_id,
                "client_secret": client_secret,
                "redirect_uris": [redirect_uri],
                "post_logout_redirect_uris": [post_logout_uri],
            }
        ),
    }
    with _node_server(node, PROVIDER_SCRIPT, env) as port:
        yield OidcProvider(url=f"http://127.0.0.1:{port}", accounts_file=accounts_file)


class HangingServer:
    """Accepts TCP connections on 127.0.0.1 and never sends a byte."""

    def __init__(self) -> None:
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(16)
        self.socket.settimeout(0.2)
        self.port = self.socket.getsockname()[1]
        self.connections: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self.socket.accept()
            except OSError:
                continue
            self.connections.append(connection)

    def __enter__(self) -> HangingServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        for connection in self.connections:
            connection.close()
        self.socket.close()


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (a provider that is down)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class SamlIdentityProvider:
    url: str
    entity_id: str
    sso_url: str
    cert_pem: str
    accounts_file: Path
    accounts: dict[str, dict[str, Any]] = field(default_factory=dict)

    def add_account(self, login: str, **attributes: Any) -> None:
        """Attributes: uid, email, email_verified ("true"/"false"; left out: missing),
        first_name, last_name."""
        self.accounts[login] = {"uid": f"saml-{login}", **attributes}
        self.accounts_file.write_text(json.dumps(self.accounts))


def self_signed_certificate() -> tuple[str, str]:
    """A throwaway signing key and certificate for the test IdP (PEM)."""
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "SAML test IdP")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return key_pem, certificate.public_bytes(serialization.Encoding.PEM).decode()


@contextmanager
def saml_idp_running(
    *, sp_entity_id: str, acs_url: str, tmp: Path
) -> Iterator[SamlIdentityProvider]:
    node = shutil.which("node")
    package = ROOT / "node_modules" / "samlify"
    if node is None or not package.exists():
        skip_or_fail("the SAML test provider needs Node.js and `npm ci` (make test does)")
        raise AssertionError("unreachable")
    key_pem, cert_pem = self_signed_certificate()
    accounts_file = tmp / "saml-accounts.json"
    accounts_file.write_text("{}")
    env = {
        "PATH": str(Path(node).parent),
        "SAML_TEST_ACCOUNTS": str(accounts_file),
        "SAML_TEST_CONFIG": json.dumps(
            {
                "sp_entity_id": sp_entity_id,
                "acs_url": acs_url,
                "cert_pem": cert_pem,
                "key_pem": key_pem,
            }
        ),
    }
    with _node_server(node, Path(__file__).with_name("saml_idp.mjs"), env) as port:
        url = f"http://127.0.0.1:{port}"
        yield SamlIdentityProvider(
            url=url,
            entity_id=f"{url}/metadata",
            sso_url=f"{url}/sso",
            cert_pem=cert_pem,
            accounts_file=accounts_file,
        )


@contextmanager
def _node_server(node: str, script: Path, env: dict[str, str]) -> Iterator[int]:
    """Run a Node test server until the block ends; yield the port it printed."""
    process = subprocess.Popen(
        [node, str(script)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        port = None
        # The server prints its port once it listens (a few hundred milliseconds).
        for line in process.stdout:
            if line.startswith("LISTENING "):
                port = int(line.split()[1])
                break
        if port is None:
            raise RuntimeError(f"{script.name} did not start (exit {process.wait()})")
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
