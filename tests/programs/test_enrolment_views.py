"""Accepting an invitation and joining with the shareable link."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from mentoring.models import User
from programs import services
from programs.models import Participant, Profile, Program
from tests.factories import DEFAULT_PASSWORD, user_create
from tests.factories.programs import participant_create

pytestmark = pytest.mark.django_db


def _invite(
    program: Program, by: User, email: str = "new.person@example.org", role: str = "mentee"
) -> tuple[Participant, str]:
    [participant] = services.participants_invite(
        program=program,
        invitees=[services.Invitee(email=email, role=role, full_name="New Person")],
        by=by,
    )
    return participant, services.invite_token_make(participant)


def _url(token: str) -> str:
    return reverse("programs:invitation_accept", args=[token])


# -- Invitation: anonymous visitors ----------------------------------------------------


def test_anonymous_visitor_sees_program_role_inviter_and_both_ways_in(
    client: Client, program: Program, coordinator: User
) -> None:
    _participant, token = _invite(program, coordinator, role="mentor")
    response = client.get(_url(token))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Leadership 2026" in page
    assert "Cora Coordinator invited you to take part as a mentor." in page
    signup_url = response.context["signup_url"]
    login_url = response.context["login_url"]
    assert signup_url in page.replace("&amp;", "&")
    assert login_url in page.replace("&amp;", "&")
    signup_query = parse_qs(urlsplit(signup_url).query)
    assert signup_query == {"email": ["new.person@example.org"], "next": [_url(token)]}
    assert parse_qs(urlsplit(login_url).query) == {"next": [_url(token)]}
    # The link proved the address; allauth will trust it at sign-up.
    assert client.session["account_verified_email"] == "new.person@example.org"


def test_signup_page_is_prefilled_with_the_invited_address(
    client: Client, program: Program, coordinator: User
) -> None:
    _participant, token = _invite(program, coordinator)
    signup_url = client.get(_url(token)).context["signup_url"]
    response = client.get(signup_url)
    assert response.status_code == 200
    assert response.context["form"]["email"].value() == "new.person@example.org"


def test_signing_up_through_the_invitation_verifies_the_email_and_signs_in(
    client: Client, program: Program, coordinator: User
) -> None:
    participant, token = _invite(program, coordinator)
    signup_url = client.get(_url(token)).context["signup_url"]
    mail.outbox.clear()
    response = client.post(
        signup_url,
        {
            "full_name": "New Person",
            "email": "New.Person@example.org",
            "password1": "a-long-unusual-passphrase",
            "password2": "a-long-unusual-passphrase",
        },
    )
    # Straight back to the invitation, signed in, with no confirmation email.
    assert response.status_code == 302
    assert response["Location"] == _url(token)
    user = User.objects.get(email="new.person@example.org")
    assert client.session["_auth_user_id"] == str(user.pk)
    address = EmailAddress.objects.get(user=user)
    assert address.verified
    assert address.primary
    assert mail.outbox == []

    page = client.get(_url(token))
    assert "Accept and join" in page.content.decode()
    response = client.post(_url(token))
    assert response.status_code == 302
    assert response["Location"] == reverse("programs:participant_profile", args=[program.pk])
    participant.refresh_from_db()
    assert participant.user == user
    assert participant.status == Participant.Status.ACTIVE
    follow = client.get(response["Location"])
    assert "Welcome to Leadership 2026! Complete your profile" in follow.content.decode()

    # And they can sign in again later with that password, no verification needed.
    client.logout()
    login = client.post(
        reverse("account_login"),
        {"login": "new.person@example.org", "password": "a-long-unusual-passphrase"},
    )
    assert login.status_code == 302
    assert login["Location"] == reverse("home")


def test_someone_with_an_account_is_asked_to_sign_in_not_to_sign_up(
    client: Client, program: Program, coordinator: User
) -> None:
    user_create(email="known@example.org")
    _participant, token = _invite(program, coordinator, email="known@example.org")
    response = client.get(_url(token))
    assert response.status_code == 200
    assert response.context["has_account"] is True
    assert "Create your account" not in response.content.decode()
    assert not client.session.get("account_verified_email")


def test_anonymous_post_does_not_accept(
    client: Client, program: Program, coordinator: User
) -> None:
    participant, token = _invite(program, coordinator)
    response = client.post(_url(token))
    assert response.status_code == 302
    participant.refresh_from_db()
    assert participant.status == Participant.Status.INVITED


# -- Invitation: signed-in people ----------------------------------------------------


def test_invitation_works_once_and_the_second_click_says_it_was_used(
    client: Client, program: Program, coordinator: User
) -> None:
    invitee = user_create(email="new.person@example.org", full_name="")
    participant, token = _invite(program, coordinator)
    client.force_login(invitee)
    assert client.post(_url(token)).status_code == 302
    participant.refresh_from_db()
    assert participant.user == invitee
    assert participant.joined_at is not None
    # The coordinator's name for them becomes theirs, and their profile exists.
    invitee.refresh_from_db()
    assert invitee.full_name == "New Person"
    assert Profile.objects.filter(user=invitee).exists()

    again = client.get(_url(token))
    assert again.status_code == 410
    assert "already been used" in again.content.decode()
    assert client.post(_url(token)).status_code == 410


def test_expired_invitation_is_gone(client: Client, program: Program, coordinator: User) -> None:
    participant, token = _invite(program, coordinator)
    Participant.objects.filter(pk=participant.pk).update(
        invite_expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    response = client.get(_url(token))
    assert response.status_code == 410
    assert "expired" in response.content.decode()
    assert reverse("home") in response.content.decode()


def test_withdrawn_participants_link_is_dead(
    client: Client, program: Program, coordinator: User
) -> None:
    participant, token = _invite(program, coordinator)
    services.participant_status_set(
        participant=participant, status=Participant.Status.WITHDRAWN, by=coordinator
    )
    invitee = user_create(email="new.person@example.org")
    client.force_login(invitee)
    assert client.get(_url(token)).status_code == 410
    assert client.post(_url(token)).status_code == 410
    participant.refresh_from_db()
    assert participant.user is None


def test_a_forged_link_is_not_found(client: Client) -> None:
    response = client.get(_url("not-a-real-token"))
    assert response.status_code == 404
    assert "not valid" in response.content.decode()


def test_a_closed_programs_invitation_is_gone(
    client: Client, program: Program, coordinator: User
) -> None:
    _participant, token = _invite(program, coordinator)
    Program.objects.filter(pk=program.pk).update(state=Program.State.CLOSED)
    assert client.get(_url(token)).status_code == 410


def test_signed_in_as_another_address_needs_an_explicit_confirmation(
    client: Client, program: Program, coordinator: User
) -> None:
    participant, token = _invite(program, coordinator, email="work@example.org")
    personal = user_create(email="personal@example.org")
    client.force_login(personal)
    page = client.get(_url(token)).content.decode()
    assert "work@example.org" in page
    assert "personal@example.org" in page

    refused = client.post(_url(token))
    assert refused.status_code == 200
    assert "Tick the box" in refused.content.decode()
    participant.refresh_from_db()
    assert participant.user is None

    accepted = client.post(_url(token), {"confirm_other_email": "yes"})
    assert accepted.status_code == 302
    participant.refresh_from_db()
    assert participant.user == personal
    assert participant.status == Participant.Status.ACTIVE


def test_an_invitation_linked_to_another_account_cannot_be_taken(
    client: Client, program: Program, coordinator: User
) -> None:
    owner = user_create(email="owner@example.org")
    participant, token = _invite(program, coordinator, email="owner@example.org")
    assert participant.user == owner
    intruder = user_create(email="intruder@example.org")
    client.force_login(intruder)
    response = client.get(_url(token))
    assert response.status_code == 403
    assert "Accept and join" not in response.content.decode()
    response = client.post(_url(token), {"confirm_other_email": "yes"})
    assert response.status_code == 403
    participant.refresh_from_db()
    assert participant.user == owner
    assert participant.status == Participant.Status.INVITED


def test_accepting_a_draft_programs_invitation_goes_home_with_a_note(
    client: Client, program: Program, coordinator: User
) -> None:
    Program.objects.filter(pk=program.pk).update(state=Program.State.DRAFT)
    participant, token = _invite(program, coordinator)
    client.force_login(user_create(email="new.person@example.org"))
    response = client.post(_url(token))
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    participant.refresh_from_db()
    assert participant.status == Participant.Status.ACTIVE


def test_accepting_marks_an_already_complete_profile_complete_here_too(
    client: Client, program: Program, coordinator: User
) -> None:
    invitee = user_create(email="new.person@example.org")
    Profile.objects.create(
        user=invitee, job_title="Engineer", department="R&D", seniority=3, interests=["Go"]
    )
    participant, token = _invite(program, coordinator)
    client.force_login(invitee)
    client.post(_url(token))
    participant.refresh_from_db()
    assert participant.profile_completed_at is not None


# -- The invitation email ----------------------------------------------------------


def test_invitation_email_has_the_link_the_program_and_the_inviter(
    program: Program, coordinator: User
) -> None:
    participant, _token = _invite(program, coordinator, role="mentor")
    mail.outbox.clear()
    assert services.invitation_send(participant_id=participant.pk)
    [message] = mail.outbox
    assert isinstance(message, EmailMultiAlternatives)
    assert message.to == ["new.person@example.org"]
    assert message.subject == "Cora Coordinator invited you to join Leadership 2026"
    assert "as a mentor" in str(message.body)
    body = str(message.body)
    link = re.search(r"https?://\S+/programs/invitations/\S+/", body)
    assert link is not None
    html = message.alternatives[0][0]
    assert isinstance(html, str)
    assert link.group(0) in html
    assert "Leadership 2026" in html
    participant.refresh_from_db()
    assert participant.invite_expires_at is not None
    assert f"{participant.invite_expires_at:%Y}" in body
    # The emailed link is a working one.
    path = urlsplit(link.group(0)).path
    assert Client().get(path).status_code == 200


# -- Join by link ------------------------------------------------------------------


@pytest.fixture
def join_url(program: Program, coordinator: User) -> str:
    token = services.program_join_link_enable(program=program, by=coordinator)
    return reverse("programs:join_by_link", args=[program.pk, token])


def test_anonymous_visitor_is_offered_sign_in_and_sign_up_coming_back(
    client: Client, join_url: str
) -> None:
    response = client.get(join_url)
    assert response.status_code == 200
    assert "Leadership 2026" in response.content.decode()
    assert parse_qs(urlsplit(response.context["login_url"]).query) == {"next": [join_url]}
    assert parse_qs(urlsplit(response.context["signup_url"]).query) == {"next": [join_url]}
    assert client.post(join_url, {"role": "mentee"}).status_code == 302
    assert not Participant.objects.filter(program__pk=response.context["program"].pk).exists()


def test_joining_with_approval_waits_for_a_coordinator(
    client: Client, program: Program, outsider: User, join_url: str
) -> None:
    assert program.join_requires_approval
    client.force_login(outsider)
    page = client.get(join_url)
    assert page.status_code == 200
    assert "Ask to join" in page.content.decode()
    response = client.post(join_url, {"role": "mentor"})
    assert response.status_code == 302
    assert response["Location"] == join_url
    participant = Participant.objects.get(program=program, user=outsider)
    assert participant.status == Participant.Status.APPLIED
    assert participant.role == Participant.Role.MENTOR
    pending = client.get(join_url)
    assert pending.status_code == 200
    assert "a coordinator of the program will review it" in pending.content.decode().lower()


def test_joining_without_approval_goes_straight_to_the_profile(
    client: Client, program: Program, outsider: User, join_url: str
) -> None:
    Program.objects.filter(pk=program.pk).update(join_requires_approval=False)
    client.force_login(outsider)
    response = client.post(join_url, {"role": "mentee"})
    assert response.status_code == 302
    assert response["Location"] == reverse("programs:participant_profile", args=[program.pk])
    participant = Participant.objects.get(program=program, user=outsider)
    assert participant.status == Participant.Status.ACTIVE
    # Back on the link later: straight to the profile, no second enrolment.
    again = client.get(join_url)
    assert again.status_code == 302
    assert Participant.objects.filter(program=program, user=outsider).count() == 1


def test_joining_needs_a_role(
    client: Client, program: Program, outsider: User, join_url: str
) -> None:
    client.force_login(outsider)
    response = client.post(join_url, {"role": "boss"})
    assert response.status_code == 200
    assert "mentor or as a mentee" in response.content.decode()
    assert not Participant.objects.filter(program=program).exists()


def test_a_disabled_or_wrong_join_link_is_not_found(
    client: Client, program: Program, coordinator: User, outsider: User, join_url: str
) -> None:
    client.force_login(outsider)
    wrong = reverse("programs:join_by_link", args=[program.pk, "guess"])
    assert client.get(wrong).status_code == 404
    services.program_join_link_disable(program=program, by=coordinator)
    response = client.get(join_url)
    assert response.status_code == 404
    assert "not valid any more" in response.content.decode()
    assert client.post(join_url, {"role": "mentee"}).status_code == 404
    missing = reverse("programs:join_by_link", args=[987654, "guess"])
    assert client.get(missing).status_code == 404


def test_a_draft_program_does_not_take_people_by_link(
    client: Client, program: Program, outsider: User, join_url: str
) -> None:
    Program.objects.filter(pk=program.pk).update(state=Program.State.DRAFT)
    client.force_login(outsider)
    assert client.get(join_url).status_code == 410
    assert client.post(join_url, {"role": "mentee"}).status_code == 410
    assert not Participant.objects.filter(program=program).exists()


def test_someone_already_invited_is_pointed_at_their_invitation(
    client: Client, program: Program, join_url: str
) -> None:
    invited = user_create(email="invited@example.org")
    participant_create(program=program, user=None, email="invited@example.org", status="invited")
    client.force_login(invited)
    response = client.get(join_url)
    assert response.status_code == 200
    assert "already been invited" in response.content.decode()
    assert Participant.objects.filter(program=program).count() == 1


def test_a_withdrawn_person_cannot_rejoin_by_link(
    client: Client, program: Program, mentee: Participant, join_url: str
) -> None:
    Participant.objects.filter(pk=mentee.pk).update(status=Participant.Status.WITHDRAWN)
    assert mentee.user is not None
    client.force_login(mentee.user)
    assert client.get(join_url).status_code == 410


def test_signing_in_from_the_join_page_comes_back_to_it(
    client: Client, join_url: str, outsider: User
) -> None:
    login_url = client.get(join_url).context["login_url"]
    response = client.post(login_url, {"login": outsider.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == join_url
