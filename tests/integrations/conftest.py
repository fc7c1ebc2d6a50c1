"""Personas around two programs, API tokens for them, and a local HTTP receiver."""

from __future__ import annotations

import ipaddress
import json
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.test import Client

from integrations.models import ApiToken
from integrations.tokens import api_token_create
from mentoring.models import User
from programs.models import Participant, Program
from tests.factories import user_create
from tests.factories.programs import participant_create, program_create

ALL_SCOPES = list(ApiToken.Scope.values)


@pytest.fixture
def program(coordinator: User) -> Program:
    return program_create(name="Leadership 2026", coordinators=[coordinator])


@pytest.fixture
def other_coordinator(db: None) -> User:
    return user_create(full_name="Bea Other", is_coordinator=True)


@pytest.fixture
def other_program(other_coordinator: User) -> Program:
    return program_create(name="Engineering Guild", coordinators=[other_coordinator])


@pytest.fixture
def mentee(program: Program) -> Participant:
    return participant_create(
        program=program, user=user_create(full_name="Mia Mentee"), role=Participant.Role.MENTEE
    )


@pytest.fixture
def mentor(program: Program) -> Participant:
    return participant_create(
        program=program, user=user_create(full_name="Max Mentor"), role=Participant.Role.MENTOR
    )


@pytest.fixture
def eager_celery() -> Iterator[None]:
    """Run tasks in-process even when the suite runs against Redis (PostgreSQL runs)."""
    from mentoring.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


def token_for(user: User, scopes: list[str] | None = None) -> str:
    _token, secret = api_token_create(owner=user, name="test", scopes=scopes or ALL_SCOPES)
    return secret


class Api:
    """The Django test client, speaking JSON with a bearer token."""

    def __init__(self, client: Client, secret: str | None) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {secret}"} if secret else {}

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(f"/api/v1{path}", params, headers=self.headers)

    def post(self, path: str, body: Any = None) -> Any:
        return self.client.post(
            f"/api/v1{path}",
            json.dumps(body or {}),
            content_type="application/json",
            headers=self.headers,
        )

    def patch(self, path: str, body: Any) -> Any:
        return self.client.patch(
            f"/api/v1{path}",
            json.dumps(body),
            content_type="application/json",
            headers=self.headers,
        )


@pytest.fixture
def api_as(client: Client) -> Callable[..., Api]:
    def make(user: User | None, scopes: list[str] | None = None) -> Api:
        return Api(client, token_for(user, scopes) if user is not None else None)

    return make


# -- Documented examples ----------------------------------------------------------


def shape(value: Any) -> Any:
    """The field names of a JSON value, nested: dicts by keys, lists by a first item."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    return None


def same_shape(documented: Any, real: Any) -> bool:
    if isinstance(documented, dict) and isinstance(real, dict):
        return documented.keys() == real.keys() and all(
            same_shape(documented[k], real[k]) for k in documented
        )
    if isinstance(documented, list) and isinstance(real, list):
        # An empty list on either side says nothing about the items' fields.
        return not documented or not real or same_shape(documented[0], real[0])
    return documented is None or real is None


# -- A receiver on loopback --------------------------------------------------------


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """An HTTP server on 127.0.0.1 that records each POST and answers with
    ``statuses`` in turn (the last one repeats)."""

    url: str
    requests: list[Received] = field(default_factory=list)
    statuses: list[int] = field(default_factory=lambda: [200])
    answer: bytes = b'{"ok": true}'
    answer_headers: dict[str, str] = field(default_factory=dict)

    def next_status(self) -> int:
        index = min(len(self.requests) - 1, len(self.statuses) - 1)
        return self.statuses[index]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            state.requests.append(Received(self.path, dict(self.headers.items()), body))
            status = state.next_status()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(state.answer)))
            for name, value in state.answer_headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(state.answer)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


# -- A pretend network -------------------------------------------------------------


@dataclass
class Network:
    """Name lookups answered from ``names`` (each name's answers in turn, the last one
    repeating; other names go to the real resolver), and every socket connect recorded.

    Connects to loopback go through (the receiver); any other address is refused
    without leaving the machine.
    """

    names: dict[str, list[list[str]]] = field(default_factory=dict)
    lookups: list[str] = field(default_factory=list)
    connects: list[tuple[str, int]] = field(default_factory=list)

    def answer(self, name: str, *answers: list[str]) -> None:
        self.names[name] = list(answers)
        self.lookups.clear()
        self.connects.clear()


@pytest.fixture
def network(monkeypatch: pytest.MonkeyPatch) -> Network:
    state = Network()
    real_getaddrinfo = socket.getaddrinfo
    real_connect = socket.socket.connect

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
        name = host.decode() if isinstance(host, bytes) else host
        if name not in state.names:
            return real_getaddrinfo(host, port, *args, **kwargs)
        state.lookups.append(name)
        answers = state.names[name]
        addresses = answers[min(state.lookups.count(name) - 1, len(answers) - 1)]
        number = int(port or 0)
        result: list[Any] = []
        for address in addresses:
            if ipaddress.ip_address(address).version == 6:
                result.append((socket.AF_INET6, socket.SOCK_STREAM, 6, "", (address, number, 0, 0)))
            else:
                result.append((socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, number)))
        return result

    def connect(sock: socket.socket, address: Any) -> None:
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            state.connects.append((address[0], address[1]))
            if not ipaddress.ip_address(address[0]).is_loopback:
                raise ConnectionRefusedError(111, "Connection refused (pretend network)")
        real_connect(sock, address)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket.socket, "connect", connect)
    return state
