"""Event and EventRsvp now belong to the events app (events 0001, which runs after
this one, takes them over on the same tables): drop them from this app's state only.
The tables and their rows stay, and nothing here depends on an app above programs.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0009_audience_both"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="EventRsvp"),
                migrations.DeleteModel(name="Event"),
            ],
            database_operations=[],
        ),
    ]
