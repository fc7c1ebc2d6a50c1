"""ProgramSnapshot, ActivityMonth and InsightSnapshot now belong to the reports app
(``reports.0001``, which runs after this one, takes them over on the same tables): drop
them from this app's state only. The tables and their rows stay, and nothing here
depends on an app above ``mentoring``.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("mentoring", "0011_audit_change_actions"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="ActivityMonth"),
                migrations.DeleteModel(name="InsightSnapshot"),
                migrations.DeleteModel(name="ProgramSnapshot"),
            ],
            database_operations=[],
        ),
    ]
