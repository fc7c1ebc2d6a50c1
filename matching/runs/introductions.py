"""Introducing each published pair by email, once per person (a sweep finds the rest)."""

from __future__ import annotations

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from mentoring.emails import absolute_url, email_send
from mentoring.models import Delivery
from mentoring.sweeps import claim_and_send
from pairs.mentorships import explanation_reasons
from pairs.models import Mentorship
from programs.models import Participant

DELIVERY_INTRODUCTION = "match-introduction"


def _introduction_due() -> QuerySet[Mentorship]:
    """Pairs from a run whose introductions are still to send: the whole "to send"
    state, so the sweep finds it again whatever happened to the queued tasks."""
    return Mentorship.objects.filter(
        source=Mentorship.Source.MATCH_RUN,
        state=Mentorship.State.ACTIVE,
        introduced_at__isnull=True,
    )


def _introduction_next(mentorship: Mentorship) -> bool:
    """Email the first person of the locked pair not yet introduced; once both are,
    mark the pair ``introduced_at``. Whether an email went now.

    One email a transaction (docs/outbound.md): the unique Delivery
    ``match-introduction:<pair>:<person>`` is written, the email sent, then the sweep
    commits. A sender that dies between the two leaves the pair due, and the next
    sweep sends the one still missing.
    """
    sides = (
        (mentorship.mentee, mentorship.mentor, Participant.Role.MENTEE),
        (mentorship.mentor, mentorship.mentee, Participant.Role.MENTOR),
    )
    for me, partner, role in sides:
        if not Delivery.objects.claim(kind=DELIVERY_INTRODUCTION, key=f"{mentorship.pk}:{me.pk}"):
            continue  # this one went out before
        email_send(
            to=[me.user.email if me.user is not None else me.email],
            template="matching/introduction",
            context={
                "program": mentorship.program,
                "mentorship": mentorship,
                "me": me,
                "partner": partner,
                "role": role,
                "reasons": explanation_reasons(mentorship.explanation or []),
                # The pair's workspace once the person has an account; until then
                # the home page, where their invitation leads.
                "url": absolute_url(
                    reverse("pairs:workspace", args=[mentorship.pk]) if me.user is not None else "/"
                ),
            },
            reply_to=[partner.user.email if partner.user is not None else partner.email],
        )
        if role == Participant.Role.MENTOR:
            _introduced(mentorship)
        return True
    _introduced(mentorship)
    return False


def _introduced(mentorship: Mentorship) -> None:
    mentorship.introduced_at = timezone.now()
    mentorship.save(update_fields=["introduced_at"])


def _introductions_sweep(due: QuerySet[Mentorship], *, limit: int) -> int:
    return claim_and_send(
        due,
        order_by=("pk",),
        send_one=_introduction_next,
        batch=limit,
        batches=1,
        # Two emails a pair, each in its own transaction.
        steps=2,
        select_related=("program", "mentor", "mentor__user", "mentee", "mentee__user"),
        label="Introduction of pair",
    ).sent


def match_introduction_send(*, mentorship_id: int) -> int:
    """Email both people of a new pair, once each (safe to run twice and in parallel).
    Returns how many emails went out now."""
    return _introductions_sweep(_introduction_due().filter(pk=mentorship_id), limit=1)


def match_introductions_send(*, limit: int | None = None) -> int:
    """The introduction sweep (beat, every INVITATION_SWEEP_INTERVAL seconds): every
    pair still to introduce, at most ``limit`` pairs, oldest first. Returns how many
    emails went out. A failed send is logged and left due for the next sweep."""
    return _introductions_sweep(_introduction_due(), limit=limit or settings.INVITATION_SWEEP_BATCH)
