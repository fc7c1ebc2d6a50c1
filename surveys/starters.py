"""Ready-made surveys a coordinator can start from (then edit freely)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from mentoring.audience import Audience
from surveys.models import Question, Survey

Kind = Question.Kind


@dataclass(frozen=True)
class StarterQuestion:
    text: Promise
    kind: str
    is_required: bool = False
    choices: tuple[Promise, ...] = ()
    audience: str = Audience.BOTH
    help_text: Promise | str = ""


@dataclass(frozen=True)
class StarterSurvey:
    key: str
    title: Promise
    description: Promise
    intro: Promise
    trigger: str
    offset_days: int = 0
    checkin_every: int = 3
    questions: tuple[StarterQuestion, ...] = field(default_factory=tuple)


_FREQUENCY = (
    _("Every week or more"),
    _("Every two weeks"),
    _("Every month"),
    _("Less than monthly"),
)

STARTERS: tuple[StarterSurvey, ...] = (
    StarterSurvey(
        key="match_30_days",
        title=_("30-day match satisfaction"),
        description=_("A month after each pair is published: is the match working?"),
        intro=_("You have been matched for about a month. Tell us how it is going."),
        trigger=Survey.Trigger.MATCH_STARTED,
        offset_days=30,
        questions=(
            StarterQuestion(
                _("How satisfied are you with your match?"), Kind.RATING, is_required=True
            ),
            StarterQuestion(_("How often have you met?"), Kind.SINGLE_CHOICE, choices=_FREQUENCY),
            StarterQuestion(
                _("What would make your mentoring more useful?"),
                Kind.TEXT,
                help_text=_("Optional. Please don't name anyone."),
            ),
        ),
    ),
    StarterSurvey(
        key="mid_program",
        title=_("Mid-program check"),
        description=_("Halfway through: progress on goals and what to change."),
        intro=_("We are halfway through the program. Your answers help us adjust it."),
        trigger=Survey.Trigger.PROGRAM_START,
        offset_days=90,
        questions=(
            StarterQuestion(
                _("How much progress have you made towards your goals?"),
                Kind.RATING,
                is_required=True,
            ),
            StarterQuestion(
                _("Which parts of the program help you most?"),
                Kind.MULTI_CHOICE,
                choices=(
                    _("Meetings with my partner"),
                    _("Guides and resources"),
                    _("Workshops and events"),
                    _("Reminders and check-ins"),
                ),
            ),
            StarterQuestion(_("What should we change for the second half?"), Kind.TEXT),
        ),
    ),
    StarterSurvey(
        key="end_of_program",
        title=_("End of program"),
        description=_("At the end: overall satisfaction, recommendation and outcomes."),
        intro=_("The program is ending. Thank you for taking part; tell us how it went."),
        trigger=Survey.Trigger.PROGRAM_END,
        questions=(
            StarterQuestion(
                _("Overall, how satisfied are you with the program?"),
                Kind.RATING,
                is_required=True,
            ),
            StarterQuestion(
                _("How likely are you to recommend the program to a colleague?"),
                Kind.NPS,
                is_required=True,
            ),
            StarterQuestion(
                _("Did you reach the goals you set at the start?"),
                Kind.SINGLE_CHOICE,
                choices=(_("Fully"), _("Partly"), _("Not yet")),
            ),
            StarterQuestion(_("What was the most valuable part for you?"), Kind.TEXT),
        ),
    ),
    StarterSurvey(
        key="checkin_pulse",
        title=_("Post-check-in pulse"),
        description=_("Two quick questions after every few check-ins of a pair."),
        intro=_("Two quick questions about your recent meetings."),
        trigger=Survey.Trigger.EVERY_KTH_CHECKIN,
        checkin_every=3,
        questions=(
            StarterQuestion(
                _("How useful were your recent meetings?"), Kind.RATING, is_required=True
            ),
            StarterQuestion(_("Anything we could help with?"), Kind.TEXT),
        ),
    ),
)

STARTERS_BY_KEY = {starter.key: starter for starter in STARTERS}
