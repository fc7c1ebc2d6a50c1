"""The mentoring project and its core app (users, roles, health, reports)."""

from mentoring.celery import app as celery_app

__all__ = ["celery_app"]
