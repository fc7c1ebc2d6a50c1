from __future__ import annotations

from typing import Any, cast

import factory
from allauth.account.models import EmailAddress

from mentoring.models import User

DEFAULT_PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Faker("name")
    time_zone = "Europe/London"

    @factory.post_generation
    def password(obj: User, create: bool, extracted: str | None, **kwargs: Any) -> None:
        obj.set_password(extracted or DEFAULT_PASSWORD)
        if create:
            obj.save(update_fields=["password"])

    @factory.post_generation
    def verified(obj: User, create: bool, extracted: bool | None, **kwargs: Any) -> None:
        if create and extracted is not False:
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)


def user_create(**fields: Any) -> User:
    """A saved user with a verified email and DEFAULT_PASSWORD."""
    return cast(User, UserFactory.create(**fields))
