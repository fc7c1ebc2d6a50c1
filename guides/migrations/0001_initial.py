"""Guides (resources) move out of the programs app with their tables and rows kept.

The tables keep their names (programs_*): only Django's record of which app owns
the models changes, here and in programs 0010 (which forgets them first), and the
content types follow so permissions and admin history stay attached.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import guides.models
import guides.storage

MOVED = ("resource", "resourceattachment", "resourceview")


def _content_types_move(apps, schema_editor, source, target):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for model in MOVED:
        # A row for the new app exists only if content types were created before
        # this ran; then the old one is the stale duplicate.
        if ContentType.objects.using(db).filter(app_label=target, model=model).exists():
            ContentType.objects.using(db).filter(app_label=source, model=model).delete()
        else:
            ContentType.objects.using(db).filter(app_label=source, model=model).update(
                app_label=target
            )


def content_types_forward(apps, schema_editor):
    _content_types_move(apps, schema_editor, "programs", "guides")


def content_types_backward(apps, schema_editor):
    _content_types_move(apps, schema_editor, "guides", "programs")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("programs", "0011_guides_moved"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Resource",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("title", models.CharField(max_length=200, verbose_name="title")),
                        (
                            "body",
                            models.TextField(
                                blank=True, help_text="Written in Markdown.", verbose_name="text"
                            ),
                        ),
                        (
                            "audience",
                            models.CharField(
                                choices=[
                                    ("both", "Everyone"),
                                    ("mentors", "Mentors"),
                                    ("mentees", "Mentees"),
                                ],
                                default="both",
                                max_length=10,
                                verbose_name="for",
                            ),
                        ),
                        ("links", models.JSONField(blank=True, default=list, verbose_name="links")),
                        ("position", models.PositiveIntegerField(default=0)),
                        ("published_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "starter_key",
                            models.CharField(blank=True, editable=False, max_length=40),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "created_by",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "program",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="resources",
                                to="programs.program",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "programs_resource",
                        "ordering": ["program", "position", "id"],
                    },
                ),
                migrations.CreateModel(
                    name="ResourceAttachment",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "file",
                            models.FileField(
                                max_length=255,
                                storage=guides.storage.PrivateFileStorage(),
                                upload_to=guides.models._attachment_path,
                            ),
                        ),
                        ("name", models.CharField(max_length=200)),
                        ("content_type", models.CharField(max_length=100)),
                        ("size", models.PositiveBigIntegerField()),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "resource",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="attachments",
                                to="guides.resource",
                            ),
                        ),
                        (
                            "uploaded_by",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "programs_resourceattachment",
                        "ordering": ["resource", "name", "id"],
                    },
                ),
                migrations.CreateModel(
                    name="ResourceView",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("viewed_at", models.DateTimeField()),
                        (
                            "resource",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="views",
                                to="guides.resource",
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="resource_views",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "programs_resourceview",
                    },
                ),
                migrations.AddIndex(
                    model_name="resource",
                    index=models.Index(
                        fields=["program", "position"], name="resource_program_position"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="resource",
                    constraint=models.UniqueConstraint(
                        condition=models.Q(("starter_key", ""), _negated=True),
                        fields=("program", "starter_key"),
                        name="resource_one_starter_guide_each",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="resourceview",
                    constraint=models.UniqueConstraint(
                        fields=("resource", "user"), name="resource_view_once"
                    ),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_types_forward, content_types_backward),
    ]
