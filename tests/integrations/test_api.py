"""The REST API's behaviour: tokens, scopes, writes, errors, pagination, limits, docs."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.contrib.staticfiles import finders
from django.core import mail
from django.test import Client

from integrations.models import ApiToken
from integrations.tokens import api_token_create, api_token_revoke, secret_hash
from mentoring.models import User
from pairs.models import Mentorship
from programs.models import Participant, Profile, Program
from tests.factories import user_create
from tests.factories.programs import participant_create
from tests.integrations.conftest import token_for

pytestmark = pytest.mark.django_db


def test_token_secret_is_stored_only_as_its_hash(coordinator: User) -> None:
    token, secret = api_token_create(owner=coordinator, name="warehouse", scopes=["programs:read"])
    token.refresh_from_db()
    assert secret.startswith("mtk_")
    assert secret not in {token.secret_hash, token.prefix, token.name}
    assert token.secret_hash == secret_hash(secret)
    assert secret.startswith(token.prefix)


def test_a_token_reads_the_owners_programs_only(api_as, coordinator, program, other_program):
    response = api_as(coordinator).get("/programs")
    assert response.status_code == 200
    assert [p["id"] for p in response.json()["items"]] == [program.pk]
    assert response.json()["count"] == 1


def test_hr_token_lists_every_program_read_only(api_as, hr, program, other_program):
    api = api_as(hr)
    response = api.get("/programs")
    assert {p["id"] for p in response.json()["items"]} == {program.pk, other_program.pk}
    created = api.post("/programs", {"name": "Mine", "is_evergreen": True})
    assert created.status_code == 403
    assert not Program.objects.filter(name="Mine").exists()


def test_coordinator_creates_a_draft_program_through_the_api(api_as, coordinator):
    response = api_as(coordinator).post(
        "/programs",
        {"name": "Sales mentoring", "is_evergreen": True, "min_group_size": 2},
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    program = Program.objects.get(pk=body["id"])
    assert program.state == Program.State.DRAFT
    assert list(program.coordinators.all()) == [coordinator]
    # Never below the site's minimum group size.
    assert body["min_group_size"] == program.min_group_size == 5


def test_program_without_dates_or_evergreen_is_refused_with_the_reason(api_as, coordinator):
    response = api_as(coordinator).post("/programs", {"name": "No dates"})
    assert response.status_code == 400
    assert "evergreen" in response.json()["detail"]
    assert not Program.objects.filter(name="No dates").exists()


def test_enrol_invites_the_person_and_emails_them(api_as, coordinator, program, eager_celery):
    api = api_as(coordinator)
    response = api.post(
        f"/programs/{program.pk}/participants",
        {"email": "Nia@Example.org", "role": "mentee", "full_name": "Nia", "time_zone": ""},
    )
    assert response.status_code == 201, response.json()
    participant = Participant.objects.get(pk=response.json()["id"])
    assert participant.email == "nia@example.org"
    assert participant.status == Participant.Status.INVITED
    assert response.json()["has_account"] is False


def test_enrolling_someone_twice_is_a_400_and_writes_nothing(api_as, coordinator, program, mentee):
    response = api_as(coordinator).post(
        f"/programs/{program.pk}/participants", {"email": mentee.email, "role": "mentor"}
    )
    assert response.status_code == 400
    assert mentee.email in response.json()["detail"]
    assert Participant.objects.filter(program=program).count() == 1


def test_bad_input_is_a_422_naming_each_field(api_as, coordinator, program):
    response = api_as(coordinator).post(
        f"/programs/{program.pk}/participants",
        {"email": "not-an-address", "role": "boss", "full_name": "x\x00y"},
    )
    assert response.status_code == 422
    fields = {error["loc"][-1] for error in response.json()["detail"]}
    assert fields == {"email", "role", "full_name"}


def test_malformed_json_is_a_4xx_not_a_500(client: Client, coordinator, program):
    secret = token_for(coordinator)
    response = client.post(
        f"/api/v1/programs/{program.pk}/participants",
        "{not json",
        content_type="application/json",
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert 400 <= response.status_code < 500
    assert response.json()["detail"]


def test_patch_changes_only_the_fields_sent_and_all_or_nothing(api_as, coordinator, program):
    mentor = participant_create(program=program, role=Participant.Role.MENTOR, location="Paris")
    api = api_as(coordinator)
    url = f"/programs/{program.pk}/participants/{mentor.pk}"
    response = api.patch(url, {"department": "Finance", "capacity": 3, "status": "paused"})
    assert response.status_code == 200, response.json()
    mentor.refresh_from_db()
    assert (mentor.department, mentor.capacity, mentor.status, mentor.location) == (
        "Finance",
        3,
        Participant.Status.PAUSED,
        "Paris",
    )
    # A refused status change leaves the other changes unwritten too.
    api.post(f"{url}/withdraw")
    refused = api.patch(url, {"department": "Legal", "status": "active"})
    assert refused.status_code == 400
    mentor.refresh_from_db()
    assert mentor.department == "Finance"


def test_capacity_is_for_mentors_only(api_as, coordinator, program, mentee):
    response = api_as(coordinator).patch(
        f"/programs/{program.pk}/participants/{mentee.pk}", {"capacity": 2}
    )
    assert response.status_code == 400
    assert "mentors" in response.json()["detail"]


def test_withdraw_sets_the_status(api_as, coordinator, program, mentee):
    response = api_as(coordinator).post(f"/programs/{program.pk}/participants/{mentee.pk}/withdraw")
    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn"
    mentee.refresh_from_db()
    assert mentee.status == Participant.Status.WITHDRAWN


def test_participants_filter_by_role_and_status(api_as, coordinator, program, mentee, mentor):
    participant_create(program=program, role=Participant.Role.MENTEE, status="paused")
    api = api_as(coordinator)
    mentees = api.get(f"/programs/{program.pk}/participants", role="mentee", status="active")
    assert [p["id"] for p in mentees.json()["items"]] == [mentee.pk]
    bad = api.get(f"/programs/{program.pk}/participants", status="asleep")
    assert bad.status_code == 422


def test_pagination_pages_through_everyone_once(api_as, coordinator, program):
    people = [participant_create(program=program) for _ in range(7)]
    api = api_as(coordinator)
    seen: list[int] = []
    for offset in range(0, 10, 3):
        page = api.get(f"/programs/{program.pk}/participants", limit=3, offset=offset).json()
        assert page["count"] == 7
        seen += [p["id"] for p in page["items"]]
    assert seen == [p.pk for p in people]
    assert api.get(f"/programs/{program.pk}/participants", limit=500).status_code == 422


def test_participant_list_costs_the_same_queries_for_many_rows(
    api_as, coordinator, program, django_assert_max_num_queries
):
    api = api_as(coordinator)
    for _ in range(3):
        participant_create(program=program)
    with django_assert_max_num_queries(8) as few:
        api.get(f"/programs/{program.pk}/participants")
    baseline = len(few.captured_queries)
    for _ in range(30):
        participant_create(program=program)
    with django_assert_max_num_queries(baseline):
        api.get(f"/programs/{program.pk}/participants")


def test_profiles_never_carry_demographics(api_as, coordinator, program, mentee, client):
    Profile.objects.create(
        user=mentee.user,
        job_title="Analyst",
        skills=["SQL"],
        gender="woman",
        ethnicity="example",
        demographics_consent_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    )
    response = api_as(coordinator).get(f"/programs/{program.pk}/profiles")
    assert response.status_code == 200
    row = response.json()["items"][0]
    assert row["job_title"] == "Analyst"
    assert row["skills"] == ["SQL"]
    text = response.content.decode()
    assert "woman" not in text
    assert "gender" not in text
    assert "ethnicity" not in text


def test_profiles_query_count_does_not_grow(
    api_as, coordinator, program, django_assert_max_num_queries
):
    api = api_as(coordinator)

    def person() -> None:
        user = user_create()
        participant_create(program=program, user=user)
        Profile.objects.create(user=user, bio="Hi")

    for _ in range(3):
        person()
    with django_assert_max_num_queries(8) as few:
        api.get(f"/programs/{program.pk}/profiles")
    baseline = len(few.captured_queries)
    for _ in range(20):
        person()
    with django_assert_max_num_queries(baseline):
        api.get(f"/programs/{program.pk}/profiles")


def test_mentorships_are_listed_and_filtered(api_as, coordinator, program, mentor, mentee):
    pair = Mentorship.objects.create(
        program=program, mentor=mentor, mentee=mentee, started_at=dt.datetime.now(dt.UTC)
    )
    api = api_as(coordinator)
    listed = api.get(f"/programs/{program.pk}/mentorships", state="active").json()
    assert [
        (m["id"], m["mentor_participant_id"], m["mentee_participant_id"]) for m in listed["items"]
    ] == [(pair.pk, mentor.pk, mentee.pk)]
    assert api.get(f"/programs/{program.pk}/mentorships", state="ended").json()["count"] == 0
    assert api.get(f"/programs/{program.pk}/mentorships/{pair.pk}").json()["id"] == pair.pk


def test_missing_expired_revoked_and_unknown_tokens_get_401_with_a_reason(
    client: Client, coordinator
):
    token, secret = api_token_create(
        owner=coordinator,
        name="short",
        scopes=["programs:read"],
        expires_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=1),
    )
    assert (
        client.get("/api/v1/programs", headers={"Authorization": f"Bearer {secret}"}).status_code
        == 200
    )
    for headers in ({}, {"Authorization": "Bearer mtk_nope"}, {"Authorization": "Basic abc"}):
        response = client.get("/api/v1/programs", headers=headers)
        assert response.status_code == 401
        assert "token" in response.json()["detail"]
        assert response["WWW-Authenticate"].startswith("Bearer")
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=2)):
        expired = client.get("/api/v1/programs", headers={"Authorization": f"Bearer {secret}"})
    assert expired.status_code == 401
    api_token_revoke(token=token)
    revoked = client.get("/api/v1/programs", headers={"Authorization": f"Bearer {secret}"})
    assert revoked.status_code == 401


def test_a_token_loses_its_rights_with_its_owner(api_as, client, coordinator, program):
    secret = token_for(coordinator)
    headers = {"Authorization": f"Bearer {secret}"}
    assert (
        client.get(f"/api/v1/programs/{program.pk}/participants", headers=headers).status_code
        == 200
    )
    program.coordinators.remove(coordinator)
    assert (
        client.get(f"/api/v1/programs/{program.pk}/participants", headers=headers).status_code
        == 404
    )
    User.objects.filter(pk=coordinator.pk).update(is_coordinator=False)
    assert client.get("/api/v1/programs", headers=headers).status_code == 401


def test_missing_scope_is_a_403_that_names_the_scope(api_as, coordinator, program):
    api = api_as(coordinator, ["programs:read"])
    response = api.get(f"/programs/{program.pk}/participants")
    assert response.status_code == 403
    assert "participants:read" in response.json()["detail"]


def test_last_use_is_recorded_at_most_once_a_minute(
    client: Client, coordinator, django_assert_num_queries
):
    token, secret = api_token_create(owner=coordinator, name="x", scopes=["programs:read"])
    headers = {"Authorization": f"Bearer {secret}"}
    client.get("/api/v1/programs", headers=headers)
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    client.get("/api/v1/programs", headers=headers)
    token.refresh_from_db()
    assert token.last_used_at == first


def test_rate_limit_answers_429_with_retry_after(api_as, coordinator, settings):
    settings.API_RATE_LIMIT_PER_MINUTE = 3
    api = api_as(coordinator)
    with time_machine.travel(dt.datetime(2026, 5, 1, 12, 0, 10, tzinfo=dt.UTC), tick=False):
        statuses = [api.get("/programs").status_code for _ in range(4)]
        limited = api.get("/programs")
    assert statuses == [200, 200, 200, 429]
    assert limited.status_code == 429
    assert limited["Retry-After"] == "50"
    assert "Retry-After" in limited.json()["detail"]
    # Another token of the same person has its own allowance.
    assert api_as(coordinator).get("/programs").status_code == 200
    with time_machine.travel(dt.datetime(2026, 5, 1, 12, 1, 1, tzinfo=dt.UTC), tick=False):
        assert api.get("/programs").status_code == 200


def test_openapi_document_describes_every_endpoint(client: Client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    assert {"/api/v1/programs", "/api/v1/programs/{program_id}/participants"} <= set(
        document["paths"]
    )
    assert document["components"]["securitySchemes"]["TokenAuth"]["scheme"] == "bearer"


def test_interactive_docs_load_only_our_own_static_files(client: Client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any("swagger-ui-bundle.js" in s for s in sources)
    assert all(s.startswith("/static/") for s in sources), sources
    assert "cdn" not in html.lower()
    for source in sources:
        # Each file ships with the app (collectstatic serves it; no network needed).
        assert finders.find(source.removeprefix("/static/")), source


def test_invitation_email_goes_out_for_an_api_enrolment(
    api_as, coordinator, program, django_capture_on_commit_callbacks, eager_celery
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(coordinator).post(
            f"/programs/{program.pk}/participants", {"email": "zoe@example.org", "role": "mentor"}
        )
    assert response.status_code == 201
    assert [m.to for m in mail.outbox] == [["zoe@example.org"]]


def test_participants_of_other_programs_are_not_found_through_this_one(
    api_as, coordinator, program, other_program
):
    theirs = participant_create(program=other_program)
    api = api_as(coordinator)
    assert api.get(f"/programs/{program.pk}/participants/{theirs.pk}").status_code == 404
    assert (
        api.patch(
            f"/programs/{program.pk}/participants/{theirs.pk}", {"full_name": "X"}
        ).status_code
        == 404
    )


def test_token_scopes_are_checked_before_anything_is_written(api_as, coordinator, program):
    api = api_as(coordinator, [ApiToken.Scope.PARTICIPANTS_READ])
    response = api.post(
        f"/programs/{program.pk}/participants", {"email": "a@example.org", "role": "mentor"}
    )
    assert response.status_code == 403
    assert not Participant.objects.filter(email="a@example.org").exists()


def test_a_user_who_is_only_a_participant_cannot_make_tokens(db):
    person = user_create()
    with pytest.raises(Exception, match="coordinators and HR"):
        api_token_create(owner=person, name="x", scopes=["programs:read"])


# -- Two-step sign-in and oversized bodies ---------------------------------------


def test_a_token_is_refused_once_its_owners_mfa_grace_period_is_over(
    api_as, coordinator, program, settings
) -> None:
    settings.MFA_GRACE_DAYS = 7
    api = api_as(coordinator)
    # Inside the grace period the token works, as the web pages do.
    assert api.get("/programs").status_code == 200
    with time_machine.travel(coordinator.date_joined + dt.timedelta(days=8)):
        response = api.get("/programs")
        assert response.status_code == 403
        assert "two-step sign-in" in response.json()["detail"]
        # Writes too, not only reads.
        created = api.post("/programs", {"name": "Late", "is_evergreen": True})
        assert created.status_code == 403
        assert not Program.objects.filter(name="Late").exists()
        # Once an authenticator is set up the same token works again.
        from allauth.mfa.models import Authenticator

        Authenticator.objects.create(
            user=coordinator, type=Authenticator.Type.TOTP, data={"secret": "x"}
        )
        assert api.get("/programs").status_code == 200


@pytest.mark.parametrize("size", [3 * 1024 * 1024, 20 * 1024 * 1024])
def test_an_oversized_body_is_refused_with_413_and_a_reason(
    client: Client, coordinator, program, settings, size
) -> None:
    settings.DEBUG_PROPAGATE_EXCEPTIONS = False
    secret = token_for(coordinator)
    client.raise_request_exception = False
    body = '{"name": "' + "x" * size + '", "is_evergreen": true}'
    response = client.post(
        "/api/v1/programs",
        body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert response.status_code == 413
    assert "too large" in response.json()["detail"]
    assert "Traceback" not in response.content.decode()
    assert not Program.objects.filter(name__startswith="xxx").exists()
