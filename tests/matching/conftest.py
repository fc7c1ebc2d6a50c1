"""The programs personas (program A and B, a mentee, a mentor) serve matching too."""

from tests.programs.conftest import (  # noqa: F401
    eager_celery,
    mentee,
    mentor,
    other_coordinator,
    other_program,
    program,
)
