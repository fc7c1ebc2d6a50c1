"""Resource, ResourceAttachment and ResourceView now belong to the guides app (guides
0001, which runs after this one, takes them over on the same tables): drop them from
this app's state only. The tables, their rows and the uploaded files stay, and nothing
here depends on an app above programs.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0010_events_moved"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="ResourceView"),
                migrations.DeleteModel(name="ResourceAttachment"),
                migrations.DeleteModel(name="Resource"),
            ],
            database_operations=[],
        ),
    ]
