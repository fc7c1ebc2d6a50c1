"""The starter set: guides every new program begins with (first meeting, goals,
feedback, an agreement template), which coordinators edit or unpublish like their own.
guides.services.resource_starter_set_add adds them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy

from mentoring.audience import Audience


@dataclass(frozen=True)
class StarterGuide:
    key: str
    title: Any
    audience: str
    body: Any


STARTER_GUIDES: tuple[StarterGuide, ...] = (
    StarterGuide(
        key="first-meeting",
        title=gettext_lazy("How to run a first meeting"),
        audience=Audience.BOTH,
        body=gettext_lazy(
            "The first meeting sets the tone for the months ahead. Plan about an hour, "
            "somewhere you will not be interrupted.\n\n"
            "## Before you meet\n\n"
            "- Read each other's profile in the program.\n"
            "- Think of two or three things you hope to get from the program.\n"
            "- Agree on a place or a video link, and send a calendar invitation.\n\n"
            "## During the meeting\n\n"
            "1. **Get to know each other** (15 minutes): your paths so far, what you enjoy "
            "in your work, what you find hard.\n"
            "2. **Talk about expectations** (20 minutes): what the mentee wants to work on, "
            "what the mentor can offer, and what is out of scope.\n"
            "3. **Agree how you will work** (15 minutes): how often you meet, how you keep "
            "in touch in between, and what stays confidential.\n"
            "4. **Set a first step** (10 minutes): one small thing each of you will do "
            "before the next meeting.\n\n"
            "## After the meeting\n\n"
            "Write down what you agreed and book the next meeting before you forget. "
            "The *mentoring agreement* template helps you record it."
        ),
    ),
    StarterGuide(
        key="setting-goals",
        title=gettext_lazy("Setting goals that work"),
        audience=Audience.BOTH,
        body=gettext_lazy(
            "Good goals give your conversations direction. Aim for two or three goals for "
            "the whole program, not ten.\n\n"
            "## Make them specific\n\n"
            '"Get better at presenting" is a wish. "Present our team\'s results at the '
            'quarterly review in June, with one rehearsal beforehand" is a goal: you will '
            "know when it is done.\n\n"
            "## A simple check\n\n"
            "- **Specific**: what exactly will change?\n"
            "- **Measurable**: how will you notice progress?\n"
            "- **Achievable**: is it realistic in the time the program runs?\n"
            "- **Relevant**: does it matter for the mentee's work or career?\n"
            "- **Time-bound**: by when?\n\n"
            "## Review them\n\n"
            "Look at your goals every few meetings. Changing a goal is fine: it usually "
            "means you have learned something."
        ),
    ),
    StarterGuide(
        key="giving-feedback",
        title=gettext_lazy("Giving and receiving feedback"),
        audience=Audience.BOTH,
        body=gettext_lazy(
            "Feedback is how mentoring turns conversations into growth. It works best when "
            "it is asked for, specific and kind.\n\n"
            "## Giving feedback\n\n"
            '- Describe what you saw or heard, not the person: "In the meeting you spoke '
            'over two colleagues", not "You are rude".\n'
            "- Say what effect it had, then ask what the other person thinks.\n"
            "- Offer one suggestion at a time, and leave the choice with them.\n\n"
            "## Receiving feedback\n\n"
            "- Listen to the end before you answer, and ask questions to understand.\n"
            "- Thank the person: giving honest feedback takes effort.\n"
            "- Decide afterwards what you will do with it.\n\n"
            "## Feedback on the mentoring itself\n\n"
            "Every few meetings, ask each other: what is working, and what should we "
            "change?"
        ),
    ),
    StarterGuide(
        key="agreement-template",
        title=gettext_lazy("Mentoring agreement template"),
        audience=Audience.BOTH,
        body=gettext_lazy(
            "Fill this in together at your first or second meeting and keep a copy each.\n\n"
            "## Our goals\n\n"
            "1. …\n"
            "2. …\n"
            "3. …\n\n"
            "## How we work together\n\n"
            "- **We meet**: every … weeks, for about … minutes, in person / by video.\n"
            "- **Between meetings we keep in touch by**: …\n"
            "- **If one of us cannot make a meeting**, we tell the other at least … in "
            "advance and suggest a new time.\n\n"
            "## Confidentiality\n\n"
            "What we discuss stays between us unless we both agree otherwise, or someone's "
            "safety is at risk.\n\n"
            "## Reviewing and ending\n\n"
            "We review this agreement after three months. Either of us may end the "
            "mentoring relationship at any time, after talking it through, and tell the "
            "program coordinator."
        ),
    ),
)
