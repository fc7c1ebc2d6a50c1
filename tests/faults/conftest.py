"""Fixtures of the fault tests: private PostgreSQL and Redis servers (servers.py)."""

from tests.faults.servers import postgres, redis

__all__ = ["postgres", "redis"]
