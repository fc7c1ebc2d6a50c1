"""Bad input never breaks anything: hypothesis-made requests against every form and
action, and hypothesis-made files against both importers.

Never a 500, and never a partial write: a request that is refused (a form shown again
with its errors, 400, 403, 404, 405) leaves every table as it was.
"""

from __future__ import annotations

import codecs
import copy
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.apps import apps
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mentoring.models import AuditEvent, EmployeeRecord, User
from programs import imports
from programs.models import Participant, ParticipantImport, Program
from reports import outcomes
from tests.access import expected
from tests.access.matrix import kwargs_of
from tests.access.world import World, world_build
from tests.factories import user_create
from tests.factories.programs import program_create

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("bad-input")]

# Tables a refused request may still write: the session, the audit log, read receipts.
MAY_WRITE = {"sessions.session", "mentoring.auditevent", "programs.resourceview"}
# Third-party pages (allauth) and sign-out are not ours to fuzz.
SKIP_PREFIXES = ("account_", "mfa_", "admin:")

NASTY = [
    "",
    " ",
    "\x00",
    "\x00abc",
    "\r\n\t\x0b\x0c\x1b[31m",
    "-1",
    "0",
    "1e309",
    "NaN",
    "99999999999999999999999999",
    "2026-02-30",
    "9999-12-31T99:99",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    '=HYPERLINK("http://x")',
    "\u202etxt.exe",
    "a" * 100_000,
]
values = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=40),
    st.text(min_size=300, max_size=3000),
    st.lists(st.sampled_from(NASTY[:12]), min_size=2, max_size=3),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
)


def _form_targets() -> list[tuple[str, str]]:
    """(url name, persona) for every POST that a persona may make (a form or an action)."""
    targets = []
    for name, row in sorted(expected.EXPECTED.items()):
        if name.startswith(SKIP_PREFIXES):
            continue
        # One persona per URL: the first who may post to it.
        for persona, (_get, post) in row.items():
            if post in {200, 400, "302"} and persona != "anonymous":
                targets.append((name, persona))
                break
    # An empty POST is a 404 here (it names no questions), but the coordinator may post.
    targets.append(("programs:question_reorder", "coordinator_a"))
    return sorted(set(targets))


def _counts() -> dict[str, int]:
    return {
        model._meta.label_lower: model._base_manager.count()
        for model in apps.get_models()
        if model._meta.label_lower not in MAY_WRITE and model._meta.managed
    }


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    with django_db_blocker.unblock(), transaction.atomic():
        yield world_build()
        transaction.set_rollback(True)


def _field_names(client: Client, url: str) -> list[str]:
    with transaction.atomic():
        response = client.get(url)
        transaction.set_rollback(True)
    if response.status_code != 200:
        return ["name", "response", "reason", "state", "order", "weight", "status"]
    html = response.content.decode()
    names = re.findall(r'<(?:input|select|textarea)[^>]*\bname="([^"]+)"', html)
    return sorted({n for n in names if n != "csrfmiddlewaretoken"}) or ["name"]


@pytest.mark.parametrize(("name", "persona"), _form_targets())
def test_random_form_posts_never_crash_or_half_write(
    world: World, django_db_blocker: Any, name: str, persona: str
) -> None:
    client = Client()
    user = world.users[persona]
    assert user is not None
    with django_db_blocker.unblock():
        client.force_login(user)
        url = reverse(name, kwargs={k: world.value(name, k) for k in kwargs_of(name)})
        fields = _field_names(client, url)

    @settings(
        max_examples=12,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(data=st.dictionaries(st.sampled_from(fields), values, max_size=len(fields)))
    def post(data: dict[str, Any]) -> None:
        cookies = copy.deepcopy(client.cookies)
        with django_db_blocker.unblock(), transaction.atomic():
            before = _counts()
            response = client.post(url, data)
            assert response.status_code != 500, (name, data)
            if response.status_code not in {200, 201, 204, 301, 302, 303}:
                assert _counts() == before, f"{name} wrote rows although it refused {data!r}"
            elif response.status_code == 200 and b"field-errors" in response.content:
                assert _counts() == before, f"{name} wrote rows beside form errors: {data!r}"
            transaction.set_rollback(True)
        client.cookies = cookies

    post()


# -- Importers ----------------------------------------------------------------------------

ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "cp1252", "latin-1", "shift_jis"]
cells = st.one_of(
    st.sampled_from([*NASTY[:15], "ada@example.org", "mentor", "mentee", "Europe/Berlin", '"']),
    st.text(max_size=30),
)
csv_text = st.builds(
    lambda header, rows, delimiter: "\n".join(delimiter.join(row) for row in [header, *rows]),
    st.lists(
        st.sampled_from(
            ["email", "full_name", "role", "department", "time_zone", "Email", "x", ""]
        ),
        max_size=6,
    ),
    st.lists(st.lists(cells, max_size=7), max_size=25),
    st.sampled_from([",", ";", "\t", "|"]),
)
files = st.one_of(
    st.binary(max_size=3000),
    st.tuples(csv_text, st.sampled_from(ENCODINGS)).map(
        lambda pair: codecs.encode(pair[0], pair[1], errors="replace")
    ),
    st.just(b"\xff\xfe" + b"\x00" * 500),
    st.just(b"PK\x03\x04" + b"\x00" * 200),  # an .xlsx, not a CSV
)


@pytest.fixture
def import_program(db: None) -> tuple[Program, User]:
    coordinator = user_create(is_coordinator=True)
    return program_create(name="Imports", coordinators=[coordinator]), coordinator


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=files)
def test_participant_import_takes_any_file_without_crashing_or_enrolling(
    import_program: tuple[Program, User], data: bytes
) -> None:
    program, coordinator = import_program
    with transaction.atomic():
        participants = Participant.objects.count()
        found = imports.participant_import_create(
            program=program, by=coordinator, file_name="people.csv", data=data
        )
        assert found.status in {
            ParticipantImport.Status.READY,
            ParticipantImport.Status.INVALID,
            ParticipantImport.Status.CHECKING,
        }
        # Checking a file never enrols anyone; only applying a clean one does.
        assert Participant.objects.count() == participants
        transaction.set_rollback(True)


def test_a_huge_participant_file_is_refused_whole(import_program: tuple[Program, User]) -> None:
    program, coordinator = import_program
    data = b"email\n" + b"a@example.org\n" * (imports.MAX_FILE_BYTES // 14 + 10)
    found = imports.participant_import_create(
        program=program, by=coordinator, file_name="huge.csv", data=data
    )
    assert found.status == ParticipantImport.Status.INVALID
    assert found.content == ""


@settings(max_examples=60, deadline=None)
@given(data=files)
def test_outcome_check_takes_any_file_without_crashing_or_writing(data: bytes) -> None:
    checked = outcomes.outcomes_check(data)
    assert checked is not None


@pytest.mark.django_db
def test_outcome_check_of_a_huge_file_is_a_problem_not_a_crash() -> None:
    # Counted before and after: with the suite on PostgreSQL a real worker may still be
    # finishing another test's task (which writes its own audit row) meanwhile.
    audit_rows = AuditEvent.objects.count()
    checked = outcomes.outcomes_check(b"x" * (outcomes.MAX_FILE_BYTES + 1))
    assert checked.problems
    assert EmployeeRecord.objects.count() == 0
    assert AuditEvent.objects.count() == audit_rows
