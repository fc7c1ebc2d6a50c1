"""Guides and events store "both" where they stored "everyone": one Audience everywhere.

The rows are rewritten in SQL by table name, so this migration does not depend on
which app holds the Resource and Event models' state.
"""

from django.db import migrations, models

TABLES = ("programs_resource", "programs_event")
CHOICES = [("both", "Everyone"), ("mentors", "Mentors"), ("mentees", "Mentees")]


def _rewrite(old: str, new: str) -> list[tuple[str, list[str]]]:
    return [
        (f"UPDATE {table} SET audience = %s WHERE audience = %s", [new, old])  # noqa: S608
        for table in TABLES
    ]


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0008_profilequestion_audience_choices"),
    ]

    operations = [
        migrations.RunSQL(
            sql=_rewrite("everyone", "both"),
            reverse_sql=_rewrite("both", "everyone"),
        ),
        migrations.AlterField(
            model_name="event",
            name="audience",
            field=models.CharField(
                choices=CHOICES, default="both", max_length=10, verbose_name="for"
            ),
        ),
        migrations.AlterField(
            model_name="resource",
            name="audience",
            field=models.CharField(
                choices=CHOICES, default="both", max_length=10, verbose_name="for"
            ),
        ),
    ]
