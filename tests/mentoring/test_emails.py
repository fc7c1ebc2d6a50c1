"""Sending email: the Delivery record that makes a message go out once, and the
faster MIME building of mentoring.emails.Email, which must write the same bytes."""

from __future__ import annotations

import email.policy
import re
from email import message_from_bytes

import pytest
from django.core.mail import EmailMultiAlternatives
from django.db import transaction

from mentoring.emails import Email
from mentoring.models import Delivery

pytestmark = pytest.mark.django_db


# -- Delivery.claim ---------------------------------------------------------------------


def test_a_key_can_be_claimed_once() -> None:
    assert Delivery.objects.claim(kind="test", key="a") is True
    assert Delivery.objects.claim(kind="test", key="a") is False
    assert Delivery.objects.claim(kind="other", key="a") is True
    assert Delivery.objects.filter(key="a").count() == 2


def test_a_key_claimed_before_leaves_the_callers_transaction_usable() -> None:
    Delivery.objects.claim(kind="test", key="a")
    with transaction.atomic():
        assert Delivery.objects.claim(kind="test", key="a") is False
        # No error broke the transaction: it goes on and commits.
        assert Delivery.objects.claim(kind="test", key="b") is True
    assert set(Delivery.objects.values_list("key", flat=True)) == {"a", "b"}


def test_a_claim_rolled_back_with_its_send_frees_the_key() -> None:
    def send() -> None:
        with transaction.atomic():
            assert Delivery.objects.claim(kind="test", key="a") is True
            raise OSError("the mail server refused it")

    with pytest.raises(OSError, match="refused"):
        send()
    assert not Delivery.objects.exists()
    assert Delivery.objects.claim(kind="test", key="a") is True


def test_the_claim_writes_the_delivery_table() -> None:
    # Delivery.objects.CLAIM_SQL names the table and columns itself.
    assert Delivery._meta.db_table == "mentoring_delivery"
    Delivery.objects.claim(kind="test", key="a")
    row = Delivery.objects.get()
    assert (row.kind, row.key) == ("test", "a")
    assert row.sent_at is not None


# -- Email ------------------------------------------------------------------------------

VARIABLE = re.compile(rb"^(Date|Message-ID): .*$|=+\d+==", re.MULTILINE)
UNSUBSCRIBE = re.compile(rb"^List-Unsubscribe: .*?(?=^\S)", re.MULTILINE | re.DOTALL)


def _messages(cls: type[EmailMultiAlternatives]) -> list[EmailMultiAlternatives]:
    people = ["Zoë Ångström", "Max Mentor", "李小龙", "Zoë Ångström"]
    messages = []
    for number, name in enumerate(people):
        message = cls(
            subject=f"Reminder: check-in with {name} — " + "a long subject " * 6,
            body=f"Hello {name},\n\nWe met: https://example.com/l/{number}/\n",
            from_email=f'"Mentoring \u2013 Acme" <mentoring{number % 2}@example.com>',
            to=[f"person{number}@example.com"],
            headers={
                "List-Unsubscribe": f"<https://example.com/unsubscribe/{'t' * 90}{number}/>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
        )
        message.attach_alternative(f"<p>Hello {name},</p>", "text/html")
        message.attach("invite.ics", "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar")
        messages.append(message)
    return messages


@pytest.mark.parametrize("policy", [email.policy.default, email.policy.SMTP])
def test_an_email_is_written_as_djangos_own_would_be_but_for_list_unsubscribe(
    policy: email.policy.Policy,
) -> None:
    def written(cls: type[EmailMultiAlternatives]) -> list[bytes]:
        raw = [m.message(policy=policy).as_bytes() for m in _messages(cls)]
        return [UNSUBSCRIBE.sub(b"", VARIABLE.sub(b"", one)) for one in raw]

    ours, django = written(Email), written(EmailMultiAlternatives)
    assert ours == django
    # Each message kept its own recipient and subject (headers are shared only when
    # equal).
    assert [b"person%d@example.com" % n in raw for n, raw in enumerate(ours)] == [True] * 4
    assert len(set(ours)) == 4


@pytest.mark.parametrize("policy", [email.policy.default, email.policy.SMTP])
def test_list_unsubscribe_is_written_as_the_url_itself(policy: email.policy.Policy) -> None:
    """Mail programs read List-Unsubscribe as written: a long URL must not become
    RFC 2047 encoded words, as Python's own folding would make it."""
    url = f"<https://example.com/notifications/unsubscribe/{'t' * 120}/>"
    message = Email(
        subject="Hello", body="Hello", to=["person@example.com"], headers={"List-Unsubscribe": url}
    )
    stock = EmailMultiAlternatives(
        subject="Hello", body="Hello", to=["person@example.com"], headers={"List-Unsubscribe": url}
    )

    raw = message.message(policy=policy).as_bytes()

    assert f"List-Unsubscribe: {url}".encode() + policy.linesep.encode() in raw
    assert b"=?utf-8?" not in raw
    assert b"=?utf-8?" in stock.message(policy=policy).as_bytes()
    assert message_from_bytes(raw, policy=email.policy.default)["List-Unsubscribe"] == url
