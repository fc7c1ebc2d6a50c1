"""The emails of a deletion: the confirmation link, done, and notices to others."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from mentoring.emails import absolute_url, email_send
from mentoring.models import (
    Delivery,
    ErasureRequest,
    erased_email,
)
from pairs.models import Mentorship
from privacy.erasure.requests import (
    DELIVERY_CONFIRM,
    DELIVERY_COORDINATOR,
    DELIVERY_DONE,
    DELIVERY_PARTNER,
    LINK_HOURS,
    State,
    erasure_link_url,
)
from programs.models import (
    Participant,
    Program,
)


def erasure_confirmation_send(*, request_id: int, nonce: str) -> bool:
    """The link that confirms a request, once per link."""
    with transaction.atomic():
        erasure_request = (
            ErasureRequest.objects.select_related("user")
            .filter(pk=request_id, nonce=nonce, state=State.REQUESTED)
            .first()
        )
        if erasure_request is None or not nonce:
            return False
        if not Delivery.objects.claim(kind=DELIVERY_CONFIRM, key=f"{request_id}:{nonce}"):
            return False
        user = erasure_request.user
        with timezone.override(user.time_zone or "UTC"):
            email_send(
                to=[user.email],
                template="mentoring/erasure_confirm",
                context={
                    "person": user,
                    "link": erasure_link_url(erasure_request),
                    "hours": LINK_HOURS,
                    "data_url": absolute_url(reverse("personal_data")),
                },
            )
    return True


def erasure_done_send(*, request_id: int, address: str) -> bool:
    """The closing email to the address the account had, once."""
    with transaction.atomic():
        done = ErasureRequest.objects.filter(pk=request_id, state=State.DONE).exists()
        if not done or not address:
            return False
        if not Delivery.objects.claim(kind=DELIVERY_DONE, key=str(request_id)):
            return False
        email_send(to=[address], template="mentoring/erasure_done", context={})
    return True


def erasure_notices_send(*, request_id: int) -> int:
    """Tell each ended pair's partner, and the coordinators of every program the person
    was in, that they left: no name, no reason. Once per person told."""
    erasure_request = ErasureRequest.objects.filter(pk=request_id, state=State.DONE).first()
    if erasure_request is None:
        return 0
    summary = erasure_request.summary
    ended = list(
        Mentorship.objects.filter(pk__in=summary.get("mentorships_ended", []))
        .select_related("program", "mentor__user", "mentee__user")
        .order_by("pk")
    )
    user_id = erasure_request.user_id
    sent = 0
    for mentorship in ended:
        partner = mentorship.mentee if mentorship.mentor.user_id == user_id else mentorship.mentor
        person = partner.user
        if person is None or not person.is_active:
            continue
        with transaction.atomic():
            if not Delivery.objects.claim(
                kind=DELIVERY_PARTNER, key=f"{request_id}:{mentorship.pk}"
            ):
                continue
            with timezone.override(person.time_zone or "UTC"):
                email_send(
                    to=[person.email],
                    template="mentoring/erasure_partner",
                    context={
                        "person": person,
                        "program": mentorship.program,
                        "rematch": partner.role == Participant.Role.MENTEE,
                    },
                )
            sent += 1
    roles = dict(
        Participant.objects.filter(email=erased_email(user_id)).values_list("program_id", "role")
    )
    programs = Program.objects.filter(pk__in=summary.get("programs", [])).prefetch_related(
        "coordinators"
    )
    for program in programs:
        pairs = [m for m in ended if m.program_id == program.pk]
        partners = [
            (m.mentee if m.mentor.user_id == user_id else m.mentor).display_name for m in pairs
        ]
        for coordinator in program.coordinators.all():
            if not coordinator.is_active or coordinator.pk == user_id:
                continue
            with transaction.atomic():
                if not Delivery.objects.claim(
                    kind=DELIVERY_COORDINATOR, key=f"{request_id}:{program.pk}:{coordinator.pk}"
                ):
                    continue
                email_send(
                    to=[coordinator.email],
                    template="mentoring/erasure_coordinator",
                    context={
                        "person": coordinator,
                        "program": program,
                        "role": Participant.Role(roles[program.pk]).label
                        if program.pk in roles
                        else "",
                        "partners": partners,
                        "link": absolute_url(
                            reverse("programs:participant_list", args=[program.pk])
                        ),
                    },
                )
                sent += 1
    return sent
