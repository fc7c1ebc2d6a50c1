"""Fixtures these tests share with the programs tests."""

from tests.programs.conftest import (  # noqa: F401
    eager_celery,
    mentee,
    mentor,
    mentorship,
    other_coordinator,
    program,
)
