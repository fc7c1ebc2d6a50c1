"""Walk the URL resolver and request each page as each persona."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.http import HttpResponseBase
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.views.generic import RedirectView

from tests.access.world import PERSONAS, World

Outcome = int | str
Row = dict[str, tuple[Outcome, Outcome]]

# Admin pages are one rule: Django's admin_view wrapper checks is_staff for every
# one of them. The matrix requests the index and every changelist.
ADMIN_NAMESPACE = "admin"


@dataclass(frozen=True)
class Route:
    name: str | None  # "namespace:name", or None for an unnamed pattern
    route: str
    kwargs: tuple[str, ...]
    # A plain RedirectView to a named pattern (allauth keeps such legacy addresses):
    # it serves nothing itself, and its target has a row.
    is_redirect: bool = False


def _kwarg_names(pattern: Any) -> list[str]:
    converters = getattr(pattern, "converters", None)
    if converters:
        return list(converters)
    regex = getattr(pattern, "regex", None)
    return list(regex.groupindex) if regex is not None else []


def _walk(patterns: list[Any], prefix: str, namespace: str | None, kwargs: list[str]) -> Any:
    for entry in patterns:
        here = kwargs + _kwarg_names(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), inner, here)
        elif isinstance(entry, URLPattern):
            name = entry.name and (f"{namespace}:{entry.name}" if namespace else entry.name)
            is_redirect = getattr(entry.callback, "view_class", None) is RedirectView
            yield Route(
                name=name,
                route=prefix + str(entry.pattern),
                kwargs=tuple(here),
                is_redirect=is_redirect,
            )


def routes() -> list[Route]:
    return list(_walk(get_resolver().url_patterns, "/", None, []))


def is_admin(route: Route) -> bool:
    return route.route.startswith("/admin/") or (route.name or "").startswith(ADMIN_NAMESPACE + ":")


def checked_names() -> list[str]:
    """Every named pattern outside the admin, plus the admin pages the matrix requests."""
    names = []
    for route in routes():
        if route.name is None:
            continue
        if is_admin(route):
            if route.name == "admin:index" or route.name.endswith("_changelist"):
                names.append(route.name)
            continue
        names.append(route.name)
    return sorted(set(names))


def unnamed_routes() -> list[str]:
    return [r.route for r in routes() if r.name is None and not is_admin(r) and not r.is_redirect]


def kwargs_of(name: str) -> tuple[str, ...]:
    for route in routes():
        if route.name == name:
            return route.kwargs
    raise LookupError(name)


def classify(response: HttpResponseBase) -> Outcome:
    status = response.status_code
    if 300 <= status < 400:
        location = response.get("Location", "")
        if "/login/" in location:
            return "302-login"
        return "302"
    return status


def observe(world: World, clients: dict[str, Client], name: str) -> Row:
    """What each persona gets for GET and for an empty POST; nothing they do is kept."""
    kwargs = {kwarg: world.value(name, kwarg) for kwarg in kwargs_of(name)}
    url = reverse(name, kwargs=kwargs)
    row: Row = {}
    for persona in PERSONAS:
        client = clients[persona]
        outcomes = []
        for method in ("get", "post"):
            # Each request's writes are rolled back, and its cookies forgotten (a sign-out
            # or a new session must not change who the next request is made as).
            cookies = copy.deepcopy(client.cookies)
            with transaction.atomic():
                response = getattr(client, method)(url)
                outcomes.append(classify(response))
                transaction.set_rollback(True)
            client.cookies = cookies
        row[persona] = (outcomes[0], outcomes[1])
    return row


def format_row(name: str, row: Row) -> str:
    lines = [f"    {name!r}: {{"]
    lines += [f"        {persona!r}: {row[persona]!r}," for persona in PERSONAS]
    lines.append("    },")
    return "\n".join(lines)
