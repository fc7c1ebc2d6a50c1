"""The project's own Django apps (the folders beside manage.py), read from INSTALLED_APPS.

Tests that walk every app's code use this list, so a new app is walked without editing
them."""

from __future__ import annotations

from pathlib import Path

from django.apps import apps

ROOT = Path(__file__).resolve().parent.parent

PROJECT_APPS: list[str] = [
    config.name for config in apps.get_app_configs() if Path(config.path).resolve().parent == ROOT
]
