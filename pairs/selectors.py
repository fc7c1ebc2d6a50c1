"""Reads about a pair: who is who in it, and where its workspace is."""

from __future__ import annotations

from django.urls import reverse

from mentoring.emails import absolute_url
from mentoring.models import User
from pairs.models import Mentorship
from programs.models import Participant


def side_of(mentorship: Mentorship, user: User) -> str:
    """ "mentor", "mentee" or "" for anyone else."""
    if mentorship.mentor.user_id == user.pk:
        return Participant.Role.MENTOR
    if mentorship.mentee.user_id == user.pk:
        return Participant.Role.MENTEE
    return ""


def pair_users(mentorship: Mentorship) -> list[User]:
    return [p.user for p in (mentorship.mentor, mentorship.mentee) if p.user is not None]


def workspace_url(mentorship: Mentorship) -> str:
    return absolute_url(reverse("pairs:workspace", args=[mentorship.pk]))
