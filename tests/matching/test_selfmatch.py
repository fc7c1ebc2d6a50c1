"""Self-match services: recommendations, requests passing down the line, answers,
expiry and the emails each step sends (eager tasks, SQLite or PostgreSQL)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives

from matching import selfmatch
from matching.models import MatchRequest, MatchSettings, PairRule
from matching.selfmatch import services as selfmatch_services
from mentoring.models import Delivery, User
from pairs.mentorships import mentorship_create, mentorship_end
from pairs.models import Mentorship
from programs.models import Participant, Program
from tests.matching.conftest import person

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery", "run_on_commit")]

NOW = dt.datetime(2026, 10, 1, 9, 0, tzinfo=dt.UTC)
State = MatchRequest.State


@pytest.fixture
def run_on_commit(monkeypatch: pytest.MonkeyPatch) -> None:
    """The test runs in one transaction that never commits: enqueue the emails as the
    service's own transaction ends instead (tests/matching/test_selfmatch_integration.py
    covers the real commit on PostgreSQL)."""
    monkeypatch.setattr(selfmatch_services, "_notify_after_commit", selfmatch_services._enqueue)


def user_of(participant: Participant) -> User:
    assert participant.user is not None
    return participant.user


def states(mentee: Participant) -> list[tuple[int, str]]:
    return list(
        MatchRequest.objects.filter(mentee=mentee)
        .order_by("rank")
        .values_list("mentor_id", "state")
    )


def fill(mentor: Participant, program: Program) -> None:
    """Give the mentor active mentorships up to their capacity."""
    for n in range(program.default_mentor_capacity):
        other = person(program, Participant.Role.MENTEE, f"Filler {mentor.pk}-{n}")
        mentorship_create(
            program=program, mentor=mentor, mentee=other, source="manual", by=None, now=NOW
        )


# -- recommendations ------------------------------------------------------------


def test_recommendations_rank_by_score_with_reasons_and_leave_out_the_infeasible(
    selfmatch_program: Program, seeker: Participant, mentors: list[Participant]
) -> None:
    PairRule.objects.create(
        program=selfmatch_program, mentee=seeker, mentor=mentors[1], kind=PairRule.Kind.BLOCK
    )
    found = selfmatch.recommended_mentors(selfmatch_program, seeker, now=NOW)

    assert [r.mentor.pk for r in found] == [mentors[0].pk, mentors[2].pk, mentors[3].pk]
    scores = [r.score for r in found]
    assert scores == sorted(scores, reverse=True)
    assert scores[0] > scores[1] > scores[2]
    assert any("negotiation" in reason for reason in found[0].reasons)
    assert found[2].reasons == []


def test_recommendations_count_pending_requests_as_taken_places(
    selfmatch_program: Program, seeker: Participant, mentors: list[Participant]
) -> None:
    best = mentors[0]
    best.capacity = 1
    best.save(update_fields=["capacity"])
    rival = person(selfmatch_program, Participant.Role.MENTEE, "Rita Rival", interests=["python"])
    selfmatch.match_request_create(mentee=rival, mentor_ids=[best.pk], now=NOW)

    found = selfmatch.recommended_mentors(selfmatch_program, seeker, now=NOW)

    assert best.pk not in [r.mentor.pk for r in found]
    assert {r.mentor.pk: r.free for r in found}[mentors[1].pk] == 2


def test_a_mandatory_rule_hides_mentors_who_fail_it(
    selfmatch_program: Program, seeker: Participant, mentors: list[Participant]
) -> None:
    MatchSettings.objects.filter(program=selfmatch_program).update(require_shared_language=True)
    found = selfmatch.recommended_mentors(selfmatch_program, seeker, now=NOW)
    assert found == []


# -- requests ------------------------------------------------------------------


def test_first_choice_becomes_pending_and_the_mentor_is_emailed(
    seeker: Participant, mentors: list[Participant]
) -> None:
    outcome = selfmatch.match_request_create(
        mentee=seeker, mentor_ids=[mentors[1].pk, mentors[0].pk], message="Hi!", now=NOW
    )

    assert outcome.pending is not None
    assert outcome.pending.mentor_id == mentors[1].pk
    assert outcome.pending.expires_at == NOW + dt.timedelta(days=5)
    assert states(seeker) == [(mentors[1].pk, State.PENDING), (mentors[0].pk, State.QUEUED)]
    assert [m.to for m in mail.outbox] == [[user_of(mentors[1]).email]]
    assert "Sam Seeker would like you as their mentor" in mail.outbox[0].subject
    assert "Hi!" in mail.outbox[0].body
    assert isinstance(mail.outbox[0], EmailMultiAlternatives)
    assert mail.outbox[0].alternatives


def test_no_more_than_n_choices(seeker: Participant, mentors: list[Participant]) -> None:
    with pytest.raises(selfmatch.MatchingError, match="at most 3"):
        selfmatch.match_request_create(mentee=seeker, mentor_ids=[m.pk for m in mentors], now=NOW)
    assert not MatchRequest.objects.exists()


def test_a_mentor_outside_the_recommendations_is_refused(
    selfmatch_program: Program, seeker: Participant, mentors: list[Participant], other_program
) -> None:
    stranger = person(other_program, Participant.Role.MENTOR, "Stranger", skills=["python"])
    with pytest.raises(selfmatch.MatchingError, match="recommended"):
        selfmatch.match_request_create(
            mentee=seeker, mentor_ids=[mentors[0].pk, stranger.pk], now=NOW
        )
    assert not MatchRequest.objects.exists()


def test_requests_are_refused_when_self_match_is_off(
    selfmatch_program: Program, seeker: Participant, mentors: list[Participant]
) -> None:
    MatchSettings.objects.filter(program=selfmatch_program).update(self_match=False)
    with pytest.raises(selfmatch.MatchingError, match="does not let mentees"):
        selfmatch.match_request_create(mentee=seeker, mentor_ids=[mentors[0].pk], now=NOW)


def test_a_full_mentor_is_skipped_with_a_clear_message(
    selfmatch_program: Program, seeker: Participant, mentors: list[Participant]
) -> None:
    fill(mentors[0], selfmatch_program)
    outcome = selfmatch.match_request_create(
        mentee=seeker, mentor_ids=[mentors[0].pk, mentors[1].pk], now=NOW
    )

    assert states(seeker) == [(mentors[0].pk, State.SKIPPED), (mentors[1].pk, State.PENDING)]
    assert "Mentor 1 has no free place left" in outcome.message()
    assert "Your request is with Mentor 2" in outcome.message()


def test_every_choice_full_tells_the_mentee_to_choose_again(
    selfmatch_program: Program, seeker: Participant, mentors: list[Participant]
) -> None:
    fill(mentors[0], selfmatch_program)
    outcome = selfmatch.match_request_create(mentee=seeker, mentor_ids=[mentors[0].pk], now=NOW)
    assert outcome.pending is None
    assert "choose other mentors" in outcome.message()
    # Nothing is open, so they may choose again straight away.
    selfmatch.match_request_create(mentee=seeker, mentor_ids=[mentors[1].pk], now=NOW)
    assert states(seeker)[-1] == (mentors[1].pk, State.PENDING)


def test_decline_passes_to_the_next_choice(seeker: Participant, mentors: list[Participant]) -> None:
    outcome = selfmatch.match_request_create(
        mentee=seeker, mentor_ids=[mentors[0].pk, mentors[1].pk], now=NOW
    )
    assert outcome.pending is not None
    mail.outbox.clear()

    selfmatch.match_request_answer(
        request=outcome.pending,
        accept=False,
        by=user_of(mentors[0]),
        note="My quarter is full, try Mentor 2.",
        now=NOW + dt.timedelta(hours=1),
    )

    assert states(seeker) == [(mentors[0].pk, State.DECLINED), (mentors[1].pk, State.PENDING)]
    to = sorted((m.to[0], m.subject) for m in mail.outbox)
    assert (
        user_of(mentors[1]).email,
        "Sam Seeker would like you as their mentor in Leadership 2026",
    ) in to
    mentee_mail = next(m for m in mail.outbox if m.to == [user_of(seeker).email])
    assert "can't be your mentor" in mentee_mail.subject
    assert "try Mentor 2" in mentee_mail.body
    assert "next choice, Mentor 2" in mentee_mail.body
    # A mentor who declined is not recommended to that mentee again.
    found = selfmatch.recommended_mentors(seeker.program, seeker, now=NOW)
    assert mentors[0].pk not in [r.mentor.pk for r in found]


def test_expiry_passes_to_the_next_choice_once_even_if_the_sweep_runs_twice(
    seeker: Participant, mentors: list[Participant]
) -> None:
    selfmatch.match_request_create(
        mentee=seeker, mentor_ids=[mentors[0].pk, mentors[1].pk], now=NOW
    )
    mail.outbox.clear()

    assert selfmatch.match_requests_expire(now=NOW + dt.timedelta(days=4)) == 0
    assert selfmatch.match_requests_expire(now=NOW + dt.timedelta(days=5, minutes=1)) == 1
    assert selfmatch.match_requests_expire(now=NOW + dt.timedelta(days=5, minutes=2)) == 0

    assert states(seeker) == [(mentors[0].pk, State.EXPIRED), (mentors[1].pk, State.PENDING)]
    pending = MatchRequest.objects.get(mentee=seeker, state=State.PENDING)
    assert pending.expires_at == NOW + dt.timedelta(days=10, minutes=1)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [user_of(seeker).email, user_of(mentors[1]).email]
    )
    assert any("did not answer" in m.subject for m in mail.outbox)


def test_an_expired_request_can_no_longer_be_accepted(
    seeker: Participant, mentors: list[Participant]
) -> None:
    outcome = selfmatch.match_request_create(mentee=seeker, mentor_ids=[mentors[0].pk], now=NOW)
    assert outcome.pending is not None
    with pytest.raises(selfmatch.MatchingError, match="passed"):
        selfmatch.match_request_answer(
            request=outcome.pending,
            accept=True,
            by=user_of(mentors[0]),
            now=NOW + dt.timedelta(days=6),
        )
    assert not Mentorship.objects.exists()


def test_accept_creates_the_mentorship_and_withdraws_the_other_choices(
    seeker: Participant, mentors: list[Participant]
) -> None:
    outcome = selfmatch.match_request_create(
        mentee=seeker, mentor_ids=[mentors[0].pk, mentors[1].pk, mentors[2].pk], now=NOW
    )
    assert outcome.pending is not None
    mail.outbox.clear()

    mentorship = selfmatch.match_request_answer(
        request=outcome.pending, accept=True, by=user_of(mentors[0]), now=NOW
    )

    assert isinstance(mentorship, Mentorship)
    assert (mentorship.mentor_id, mentorship.mentee_id) == (mentors[0].pk, seeker.pk)
    assert mentorship.source == Mentorship.Source.SELF_MATCH
    assert mentorship.score == outcome.pending.score
    assert mentorship.score
    assert any(part.get("text") for part in mentorship.explanation)
    assert states(seeker) == [
        (mentors[0].pk, State.ACCEPTED),
        (mentors[1].pk, State.WITHDRAWN),
        (mentors[2].pk, State.WITHDRAWN),
    ]
    assert MatchRequest.objects.get(mentee=seeker, state=State.ACCEPTED).mentorship == mentorship
    # Both hear "you have a match" with the reasons.
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [user_of(seeker).email, user_of(mentors[0]).email]
    )
    for message in mail.outbox:
        assert "You have a match" in message.subject
        assert "negotiation" in message.body


def test_withdrawing_the_pending_request_sends_the_next(
    seeker: Participant, mentors: list[Participant]
) -> None:
    outcome = selfmatch.match_request_create(
        mentee=seeker, mentor_ids=[mentors[0].pk, mentors[1].pk], now=NOW
    )
    assert outcome.pending is not None
    selfmatch.match_request_withdraw(request=outcome.pending, now=NOW)
    assert states(seeker) == [(mentors[0].pk, State.WITHDRAWN), (mentors[1].pk, State.PENDING)]


def test_a_notice_goes_out_once_even_if_its_task_runs_twice(
    seeker: Participant, mentors: list[Participant]
) -> None:
    outcome = selfmatch.match_request_create(mentee=seeker, mentor_ids=[mentors[0].pk], now=NOW)
    assert outcome.pending is not None
    assert len(mail.outbox) == 1
    again = selfmatch.match_request_notice_send(
        request_id=outcome.pending.pk, notice=selfmatch.NOTICE_NEW
    )
    assert again == 0
    assert len(mail.outbox) == 1
    assert Delivery.objects.filter(kind=selfmatch.DELIVERY_KIND).count() == 1


# -- re-matching ------------------------------------------------------------------


def test_an_ended_mentorship_queues_the_mentee_and_frees_the_mentors_place(
    selfmatch_program: Program, seeker: Participant, mentors: list[Participant]
) -> None:
    best = mentors[0]
    best.capacity = 1
    best.save(update_fields=["capacity"])
    outcome = selfmatch.match_request_create(mentee=seeker, mentor_ids=[best.pk], now=NOW)
    assert outcome.pending is not None
    mentorship = selfmatch.match_request_answer(
        request=outcome.pending, accept=True, by=user_of(best), now=NOW
    )
    assert isinstance(mentorship, Mentorship)
    other = person(selfmatch_program, Participant.Role.MENTEE, "Olli Other", interests=["python"])
    assert best.pk not in [
        r.mentor.pk for r in selfmatch.recommended_mentors(selfmatch_program, other, now=NOW)
    ]

    mentorship_end(
        mentorship=mentorship, by=user_of(seeker), reason="schedules", rematch=["mentee"], now=NOW
    )

    seeker.refresh_from_db()
    assert seeker.rematch_requested_at == NOW
    # The mentee may choose again, and the mentor's place is free for others.
    assert selfmatch.recommended_mentors(selfmatch_program, seeker, now=NOW)
    assert best.pk in [
        r.mentor.pk for r in selfmatch.recommended_mentors(selfmatch_program, other, now=NOW)
    ]


def test_a_mentor_who_leaves_passes_their_requests_to_each_mentees_next_choice(
    seeker: Participant, mentors: list[Participant]
) -> None:
    outcome = selfmatch.match_request_create(
        mentee=seeker, mentor_ids=[mentors[0].pk, mentors[1].pk], now=NOW
    )
    assert outcome.pending is not None
    mail.outbox.clear()

    passed = selfmatch.match_requests_mentor_left(mentor=mentors[0], now=NOW)

    assert passed == 1
    assert states(seeker) == [(mentors[0].pk, State.SKIPPED), (mentors[1].pk, State.PENDING)]
    assert [m.to for m in mail.outbox] == [[user_of(mentors[1]).email]]
    # Running it again finds nothing open.
    assert selfmatch.match_requests_mentor_left(mentor=mentors[0], now=NOW) == 0
