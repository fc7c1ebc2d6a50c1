"""ProgramSnapshot, ActivityMonth and InsightSnapshot now belong to the reports app
(``reports.0001`` takes them over on the same tables): drop them from this app's state
only. The tables and their rows stay.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("mentoring", "0011_audit_change_actions"),
        ("reports", "0001_initial"),
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
