"""The service that changes state writes the audit row, from its ``by``.

One representative write per app writes exactly one row naming the actor and the
target, with ids and counts only; and no service takes a ``by`` it never reads (an
unread ``by`` is a promise of an audit row that is never kept).
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import models

from integrations import webhooks
from integrations.models import WebhookEndpoint
from matching import runs
from matching.models import MatchCriterion
from mentoring.models import AuditEvent, User
from programs import services as program_services
from programs.models import Participant, Program
from surveys import services as survey_services
from tests.factories import user_create
from tests.factories.programs import participant_create

Action = AuditEvent.Action

# The apps whose modules hold the services; migrations hold none.
SERVICE_APPS = (
    "programs",
    "events",
    "guides",
    "pairs",
    "matching",
    "surveys",
    "integrations",
    "mentoring",
)


def _the_one_row(call: Callable[[], Any]) -> AuditEvent:
    """Run ``call``; the single audit row it wrote (fails on none, or on more)."""
    last = AuditEvent.objects.aggregate(last=models.Max("pk"))["last"] or 0
    call()
    rows = list(AuditEvent.objects.filter(pk__gt=last))
    assert len(rows) == 1, [(row.action, row.detail) for row in rows]
    return rows[0]


def _names(row: AuditEvent, target: models.Model) -> None:
    assert (row.target_type, row.target_id) == (target._meta.label_lower, str(target.pk))


@pytest.mark.django_db
def test_withdrawing_a_participant_writes_one_row(coordinator: User, program: Program) -> None:
    person = participant_create(program=program, user=user_create(full_name="Mia Mentee"))
    row = _the_one_row(
        lambda: program_services.participant_status_set(
            participant=person, status=Participant.Status.WITHDRAWN, by=coordinator
        )
    )
    assert row.action == Action.PARTICIPANT_CHANGE
    assert row.actor == coordinator
    _names(row, person)
    assert row.detail == {"change": "status_set", "from": "active", "to": "withdrawn"}


@pytest.mark.django_db
def test_a_new_join_link_is_recorded_but_its_token_is_not(
    coordinator: User, program: Program
) -> None:
    token: list[str] = []
    row = _the_one_row(
        lambda: token.append(
            program_services.program_join_link_enable(program=program, by=coordinator)
        )
    )
    assert (row.action, row.actor) == (Action.PROGRAM_CHANGE, coordinator)
    _names(row, program)
    assert token[0] not in str(row.detail)


@pytest.mark.django_db
def test_deleting_a_criterion_writes_one_row(coordinator: User, program: Program) -> None:
    criterion = MatchCriterion.objects.create(
        program=program, field="interests", mentor_field="skills", rule="complementary"
    )
    criterion_pk = criterion.pk
    row = _the_one_row(lambda: runs.criterion_delete(criterion=criterion, by=coordinator))
    assert (row.action, row.actor) == (Action.MATCHING_CHANGE, coordinator)
    # The row outlives what it names: the criterion's id, taken before it went.
    assert (row.target_type, row.target_id) == ("matching.matchcriterion", str(criterion_pk))
    assert row.detail == {"change": "criterion_delete", "program_id": program.pk}
    assert not MatchCriterion.objects.filter(pk=criterion_pk).exists()


@pytest.mark.django_db
def test_changing_a_survey_writes_one_row_with_field_names_only(
    coordinator: User, program: Program
) -> None:
    survey = survey_services.survey_create(program=program, by=coordinator, title="Midpoint")
    row = _the_one_row(
        lambda: survey_services.survey_update(
            survey=survey, by=coordinator, title="Private working title"
        )
    )
    assert (row.action, row.actor) == (Action.SURVEY_CHANGE, coordinator)
    _names(row, survey)
    assert row.detail == {"change": "update", "fields": ["title"]}


@pytest.mark.django_db
def test_rotating_a_webhook_secret_writes_one_row_without_the_secret(
    coordinator: User, program: Program
) -> None:
    endpoint = WebhookEndpoint.objects.create(
        program=program,
        url="https://hooks.example.org/mentoring",
        events=[WebhookEndpoint.Event.PARTICIPANT_ENROLLED],
        secret="0" * 64,
        created_by=coordinator,
    )
    secret: list[str] = []
    row = _the_one_row(
        lambda: secret.append(webhooks.webhook_secret_rotate(endpoint=endpoint, by=coordinator))
    )
    assert (row.action, row.actor) == (Action.INTEGRATION_CHANGE, coordinator)
    _names(row, endpoint)
    assert row.detail == {"change": "webhook_secret_rotate"}
    assert secret[0] not in str(row.detail)


# -- The rule, for every service from now on -----------------------------------


def _unread_by() -> list[str]:
    """Every function in the apps' modules that takes ``by`` and never reads it."""
    root = Path(settings.BASE_DIR)
    found = []
    for app in SERVICE_APPS:
        for path in sorted((root / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text(), filename=str(path))
            for node in ast.walk(tree):
                if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    continue
                args = node.args
                if "by" not in {a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]}:
                    continue
                reads = any(
                    isinstance(name, ast.Name) and name.id == "by"
                    for statement in node.body
                    for name in ast.walk(statement)
                )
                if not reads:
                    found.append(f"{path.relative_to(root)}:{node.lineno} {node.name}")
    return found


def test_no_service_takes_a_by_it_never_reads() -> None:
    # No allow-list: write the audit row from ``by``, or drop the parameter.
    assert _unread_by() == []
