"""Dependencies run one way, in models and migrations too.

import-linter (`make lint`, the contract in pyproject.toml) checks Python imports. A
foreign key written as a string ("programs.Program") and a migration's dependencies are
not imports, so this test holds them to the same layers: a model relates only to models
of its own layer or below, and a migration depends only on migrations of its own layer or
below, except the few listed here with their reason."""

from __future__ import annotations

import tomllib

from django.apps import apps
from django.db.migrations.loader import MigrationLoader

from tests.conftest import ROOT
from tests.project_apps import PROJECT_APPS

CONTRACT = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]


def _layer_of() -> dict[str, int]:
    """App -> its layer's height (0 for the lowest)."""
    (layers,) = [c["layers"] for c in CONTRACT["contracts"] if c["type"] == "layers"]
    height: dict[str, int] = {}
    for index, layer in enumerate(reversed(layers)):
        for app in layer.replace("|", " ").replace(":", " ").split():
            height[app] = index
    return height


LAYER = _layer_of()

# Migrations that depend on a higher app, and why they may.
UPWARD_MIGRATIONS: dict[tuple[str, str], str] = {
    # Written before the reports app existed: they created the dashboard snapshot tables
    # (now reports'), whose foreign keys needed programs. Applied on every site; they
    # cannot change.
    ("mentoring", "0005_program_snapshot"): "history",
    ("mentoring", "0008_dashboard_rollups"): "history",
    # The pair models' move to pairs: programs drops them from its state only after
    # matching's and surveys' foreign keys point at pairs.Mentorship (their 0003), or the
    # state in between would hold foreign keys to a model that no longer exists.
    ("programs", "0012_pair_models_moved_to_pairs"): "model move",
}


def test_every_project_app_has_a_layer_and_every_layer_is_an_app() -> None:
    assert set(LAYER) == set(PROJECT_APPS)
    assert set(CONTRACT["root_packages"]) == set(PROJECT_APPS)


def test_models_relate_only_to_their_own_layer_or_below() -> None:
    upward = []
    for model in apps.get_models():
        app = model._meta.app_label
        if app not in LAYER:
            continue
        for field in model._meta.get_fields(include_hidden=True):
            if not field.is_relation or field.auto_created or field.related_model is None:
                continue
            target = field.related_model._meta.app_label
            if target in LAYER and LAYER[target] > LAYER[app]:
                upward.append(f"{app}.{model.__name__}.{field.name} -> {target}")
    assert upward == []


def test_migrations_depend_only_on_their_own_layer_or_below() -> None:
    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    upward = []
    for app, name in graph.nodes:
        if app not in LAYER:
            continue
        for parent in graph.node_map[(app, name)].parents:
            parent_app, parent_name = parent.key
            higher = parent_app in LAYER and LAYER[parent_app] > LAYER[app]
            if higher and (app, name) not in UPWARD_MIGRATIONS:
                upward.append(f"{app}.{name} -> {parent_app}.{parent_name}")
    assert upward == []


def test_every_listed_upward_migration_still_exists_and_still_needs_listing() -> None:
    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    for node in UPWARD_MIGRATIONS:
        parents = {parent.key for parent in graph.node_map[node].parents}
        assert any(LAYER.get(a, -1) > LAYER[node[0]] for a, _ in parents), node
