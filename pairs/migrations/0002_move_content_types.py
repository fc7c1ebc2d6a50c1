"""The moved models' content types (and so their permissions) follow them to pairs.

On a fresh database there are none yet: post_migrate creates them under pairs.
"""

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

MODELS = [
    "mentorship",
    "mentorshipstatechange",
    "mentorshipagreement",
    "pairgoal",
    "milestone",
    "checkin",
    "pairreminder",
]


def _move(apps: Apps, from_label: str, to_label: str) -> None:
    content_type = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        # A row already under the new label (post_migrate ran in between) wins; the
        # old one would only be a duplicate.
        if content_type.objects.filter(app_label=to_label, model=model).exists():
            continue
        content_type.objects.filter(app_label=from_label, model=model).update(app_label=to_label)


def forwards(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _move(apps, "programs", "pairs")


def backwards(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _move(apps, "pairs", "programs")


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("pairs", "0001_initial"),
        ("programs", "0012_pair_models_moved_to_pairs"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
