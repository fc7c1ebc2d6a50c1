"""Fixtures the dashboard tests share with the programs tests."""

from tests.programs.conftest import eager_celery, other_coordinator, program  # noqa: F401
