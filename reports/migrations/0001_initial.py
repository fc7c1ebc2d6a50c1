"""The reports app takes over three models from ``mentoring`` with their tables and rows.

Nothing changes in the database: the models are created in the migration state only,
on the tables they already have (``db_table``), and their content types move to this
app (so permissions and admin history stay attached). ``mentoring.0012`` has dropped
them from ``mentoring``'s state just before.
"""

import django.db.models.deletion
from django.db import migrations, models

MOVED = ("programsnapshot", "activitymonth", "insightsnapshot")


def _relabel(apps, schema_editor, old: str, new: str) -> None:
    content_type = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for model in MOVED:
        # A row under the new label can exist already (a test database made by migrating
        # forward, then back): keep that one and leave the old row for
        # remove_stale_contenttypes.
        if not content_type.objects.using(db).filter(app_label=new, model=model).exists():
            content_type.objects.using(db).filter(app_label=old, model=model).update(app_label=new)


def content_types_forward(apps, schema_editor) -> None:
    _relabel(apps, schema_editor, "mentoring", "reports")


def content_types_backward(apps, schema_editor) -> None:
    _relabel(apps, schema_editor, "reports", "mentoring")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("mentoring", "0011_audit_change_actions"),
        ("programs", "0008_profilequestion_audience_choices"),
    ]

    state_operations = [
        migrations.CreateModel(
            name="ActivityMonth",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("department", models.CharField(blank=True, max_length=120)),
                ("month", models.DateField()),
                ("checkins_held", models.PositiveIntegerField(default=0)),
                ("pairs_met", models.PositiveIntegerField(default=0)),
                ("rating_sum", models.PositiveIntegerField(default=0)),
                ("rating_n", models.PositiveIntegerField(default=0)),
                ("rating_pairs", models.PositiveIntegerField(default=0)),
                ("nps_promoters", models.PositiveIntegerField(default=0)),
                ("nps_passives", models.PositiveIntegerField(default=0)),
                ("nps_detractors", models.PositiveIntegerField(default=0)),
                ("computed_at", models.DateTimeField()),
                (
                    "program",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="programs.program",
                    ),
                ),
            ],
            options={
                "db_table": "mentoring_activitymonth",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("program", "department", "month"),
                        name="activity_month_one_per_cell",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="InsightSnapshot",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("start", models.DateField()),
                ("end", models.DateField()),
                ("computed_at", models.DateTimeField()),
                ("data", models.JSONField(default=dict)),
                (
                    "program",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="programs.program",
                    ),
                ),
            ],
            options={
                "db_table": "mentoring_insightsnapshot",
                "indexes": [
                    models.Index(fields=["program", "computed_at"], name="insight_snapshot_latest")
                ],
            },
        ),
        migrations.CreateModel(
            name="ProgramSnapshot",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("taken_on", models.DateField()),
                ("computed_at", models.DateTimeField()),
                ("data", models.JSONField(default=dict)),
                (
                    "program",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="snapshots",
                        to="programs.program",
                    ),
                ),
            ],
            options={
                "db_table": "mentoring_programsnapshot",
                "ordering": ["-computed_at"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("program", "taken_on"), name="program_snapshot_one_per_day"
                    )
                ],
            },
        ),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=state_operations, database_operations=[]
        ),
        migrations.RunPython(content_types_forward, content_types_backward),
    ]
