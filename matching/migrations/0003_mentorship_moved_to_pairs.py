"""Mentorship moved to the pairs app; the column and its constraint are unchanged."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("matching", "0002_criterion_rule_similar_themes"),
        ("pairs", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="matchproposal",
                    name="mentorship",
                    field=models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="proposal",
                        to="pairs.mentorship",
                    ),
                ),
                migrations.AlterField(
                    model_name="matchrequest",
                    name="mentorship",
                    field=models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="request",
                        to="pairs.mentorship",
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]
