"""Fixtures the pairs tests share with the programs tests."""

from tests.programs.conftest import (  # noqa: F401
    eager_celery,
    mentee,
    mentor,
    mentorship,
    other_coordinator,
    other_program,
    program,
)
