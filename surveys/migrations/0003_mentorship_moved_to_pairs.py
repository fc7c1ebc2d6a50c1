"""Mentorship moved to the pairs app; the column and its constraint are unchanged."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("pairs", "0001_initial"),
        ("surveys", "0002_anonymous_receipts_random"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="invitation",
                    name="mentorship",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="pairs.mentorship",
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]
