"""An anonymous response cannot be tied to its invitation by anyone who holds the
emailed link (a forwarded mail, a mail server's log, the console in ``make run``),
nor by anyone who holds the database."""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib
import json
import re
import threading
import zlib

import pytest
from django.apps import apps
from django.core import mail, signing
from django.db import connection

from surveys import services
from surveys.models import Invitation, Response
from tests.conftest import skip_or_fail
from tests.factories.surveys import answers_for, survey_open

pytestmark = pytest.mark.django_db


def _link_payload(body: str) -> list:
    """What anyone reading the email sees in its link, without any key: the token's
    payload is signed, not encrypted."""
    match = re.search(r"/answer/\d+/([^/\s]+)/", body)
    assert match, body
    payload = match.group(1).split(":")[0]
    raw = signing.b64_decode(payload.lstrip(".").encode())
    if payload.startswith("."):
        raw = zlib.decompress(raw)
    return json.loads(raw)


def _candidates(nonce: str, survey_id: int, invitation_id: int) -> set[str]:
    """Receipts someone with the link could compute from it."""
    found = set()
    for text in (nonce, f"{survey_id}:{nonce}", f"{invitation_id}:{nonce}", f"{invitation_id}"):
        for name in ("sha256", "sha1", "md5", "blake2b", "sha512"):
            found.add(hashlib.new(name, text.encode()).hexdigest())
        found.add(text)
    return found


def test_the_emailed_link_does_not_lead_to_the_anonymous_response(
    client, program, coordinator, crowd
) -> None:
    mail.outbox.clear()
    survey = survey_open(program, coordinator, audience="mentees")
    invitee = crowd["mentee"][0]
    email = next(m for m in mail.outbox if invitee.email in m.to)
    body = str(email.body)
    survey_id, invitation_id, nonce = _link_payload(body)
    link = re.search(r"https?://\S+/answer/\S+/", body)
    assert link
    path = link.group(0).split("://", 1)[1].split("/", 1)[1]
    form = {f"q{pk}": value for pk, value in answers_for(survey, "mentee", text="Fine").items()}
    assert client.post("/" + path, form).status_code == 302

    response = Response.objects.get(survey=survey)
    assert response.receipt not in _candidates(nonce, survey_id, invitation_id)
    # The invitation keeps nothing the link could be matched with.
    assert Invitation.objects.get(pk=invitation_id).nonce == ""


def test_a_receipt_is_not_a_function_of_the_link(program, coordinator, crowd) -> None:
    """Two invitations with the same nonce (in two surveys) get unrelated receipts,
    so no key, however secret, turns a link into its receipt."""
    first = survey_open(program, coordinator, audience="mentees")
    second = survey_open(program, coordinator, audience="mentees", starter="checkin_pulse")
    mentee = crowd["mentee"][0]
    receipts = []
    for survey in (first, second):
        invitation = Invitation.objects.get(survey=survey, participant=mentee)
        Invitation.objects.filter(pk=invitation.pk).update(nonce="the-same-nonce-in-both")
        invitation.refresh_from_db()
        receipts.append(
            services.response_submit(
                invitation=invitation, answers=answers_for(survey, "mentee")
            ).receipt
        )
    assert receipts[0] != receipts[1]
    assert hashlib.sha256(b"the-same-nonce-in-both").hexdigest() not in receipts


def test_the_migration_replaces_every_anonymous_receipt_and_keeps_identified_ones(
    program, coordinator, crowd
) -> None:
    anonymous = survey_open(program, coordinator, audience="mentees")
    identified = survey_open(program, coordinator, audience="mentees", anonymous=False)
    week = dt.date(2026, 11, 2)
    old = [hashlib.sha256(f"nonce-{i}".encode()).hexdigest() for i in range(3)]
    for receipt in old:
        Response.objects.create(survey=anonymous, role="mentee", receipt=receipt, week_on=week)
    Response.objects.create(survey=identified, role="mentee", receipt="invitation:42", week_on=week)
    migration = importlib.import_module("surveys.migrations.0002_anonymous_receipts_random")
    migration.receipts_replace(apps, None)

    new = list(Response.objects.filter(survey=anonymous).values_list("receipt", flat=True))
    assert len(new) == 3
    assert len(set(new)) == 3
    assert not set(new) & set(old)
    assert Response.objects.get(survey=identified).receipt == "invitation:42"


def test_a_second_submission_of_an_anonymous_invitation_is_refused(
    program, coordinator, crowd
) -> None:
    survey = survey_open(program, coordinator, audience="mentees")
    invitation = Invitation.objects.get(survey=survey, participant=crowd["mentee"][0])
    stale = Invitation.objects.get(pk=invitation.pk)  # loaded before the first answer
    services.response_submit(invitation=invitation, answers=answers_for(survey, "mentee"))
    with pytest.raises(services.AlreadyAnswered):
        services.response_submit(invitation=stale, answers=answers_for(survey, "mentee"))
    assert Response.objects.filter(survey=survey).count() == 1


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_simultaneous_submissions_of_one_link_store_one_response(
    program, coordinator, crowd
) -> None:
    """Eight browsers post the same links at the same moment (PostgreSQL, one
    connection each): every invitation gets exactly one response."""
    if connection.vendor != "postgresql":
        skip_or_fail("simultaneous submissions need PostgreSQL")
    survey = survey_open(program, coordinator, audience="mentees")
    invitations = list(Invitation.objects.filter(survey=survey))
    answers = answers_for(survey, "mentee")
    start = threading.Barrier(8)
    outcomes: list[str] = []

    def submit(invitation: Invitation) -> None:
        try:
            start.wait()
            services.response_submit(invitation=invitation, answers=answers)
            outcomes.append("stored")
        except services.AlreadyAnswered:
            outcomes.append("refused")
        finally:
            connection.close()

    for invitation in invitations:
        threads = [threading.Thread(target=submit, args=(invitation,)) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert outcomes.count("stored") == len(invitations)
    assert outcomes.count("refused") == 7 * len(invitations)
    assert Response.objects.filter(survey=survey).count() == len(invitations)
