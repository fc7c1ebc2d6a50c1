import pytest

from mentoring.models import User
from programs.models import Program
from tests.factories import user_create
from tests.factories.programs import program_create


@pytest.fixture
def coordinator(db: None) -> User:
    return user_create(full_name="Cora Coordinator", is_coordinator=True)


@pytest.fixture
def program(coordinator: User) -> Program:
    return program_create(
        name="Leadership 2026", coordinators=[coordinator], state=Program.State.RUNNING
    )
