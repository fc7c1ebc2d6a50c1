"""Events move out of the programs app with their tables and rows kept.

The tables keep their names (programs_*): only Django's record of which app owns
the models changes, here and in programs 0009 (which forgets them first), and the
content types follow so permissions and admin history stay attached.
"""

import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MOVED = ("event", "eventrsvp")


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
    _content_types_move(apps, schema_editor, "programs", "events")


def content_types_backward(apps, schema_editor):
    _content_types_move(apps, schema_editor, "events", "programs")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("programs", "0010_events_moved"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Event",
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
                        ("description", models.TextField(blank=True, verbose_name="description")),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("workshop", "Workshop"),
                                    ("training", "Training session"),
                                    ("networking", "Networking event"),
                                    ("other", "Other"),
                                ],
                                default="workshop",
                                max_length=12,
                                verbose_name="kind",
                            ),
                        ),
                        ("starts_at", models.DateTimeField(verbose_name="starts")),
                        ("ends_at", models.DateTimeField(verbose_name="ends")),
                        (
                            "location",
                            models.CharField(blank=True, max_length=200, verbose_name="place"),
                        ),
                        (
                            "video_url",
                            models.URLField(blank=True, max_length=500, verbose_name="video link"),
                        ),
                        (
                            "capacity",
                            models.PositiveIntegerField(
                                blank=True, null=True, verbose_name="capacity"
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
                        (
                            "status",
                            models.CharField(
                                choices=[("scheduled", "Scheduled"), ("cancelled", "Cancelled")],
                                default="scheduled",
                                max_length=10,
                            ),
                        ),
                        ("uid", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                        ("sequence", models.PositiveIntegerField(default=0, editable=False)),
                        (
                            "cancelled_at",
                            models.DateTimeField(blank=True, editable=False, null=True),
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
                                related_name="events",
                                to="programs.program",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "programs_event",
                        "ordering": ["starts_at", "id"],
                    },
                ),
                migrations.CreateModel(
                    name="EventRsvp",
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
                            "status",
                            models.CharField(
                                choices=[
                                    ("going", "Going"),
                                    ("waiting", "On the waiting list"),
                                    ("maybe", "Maybe"),
                                    ("not_going", "Not going"),
                                ],
                                max_length=10,
                            ),
                        ),
                        ("waitlisted_at", models.DateTimeField(blank=True, null=True)),
                        ("status_changed_at", models.DateTimeField()),
                        ("reminded_at", models.DateTimeField(blank=True, null=True)),
                        ("attended", models.BooleanField(blank=True, null=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "event",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="rsvps",
                                to="events.event",
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="event_rsvps",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "programs_eventrsvp",
                        "ordering": ["event", "created_at", "id"],
                    },
                ),
                migrations.AddIndex(
                    model_name="event",
                    index=models.Index(
                        fields=["program", "starts_at"], name="event_program_starts"
                    ),
                ),
                migrations.AddIndex(
                    model_name="event",
                    index=models.Index(fields=["status", "starts_at"], name="event_status_starts"),
                ),
                migrations.AddConstraint(
                    model_name="event",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("ends_at__gt", models.F("starts_at"))),
                        name="event_ends_after_start",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="event",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            ("capacity__isnull", True), ("capacity__gte", 1), _connector="OR"
                        ),
                        name="event_capacity_positive",
                    ),
                ),
                migrations.AddIndex(
                    model_name="eventrsvp",
                    index=models.Index(fields=["event", "status"], name="rsvp_event_status"),
                ),
                migrations.AddIndex(
                    model_name="eventrsvp",
                    index=models.Index(
                        condition=models.Q(("reminded_at__isnull", True), ("status", "going")),
                        fields=["status"],
                        name="rsvp_reminder_due",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="eventrsvp",
                    constraint=models.UniqueConstraint(
                        fields=("event", "user"), name="rsvp_one_per_person"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="eventrsvp",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("status", "waiting"), ("waitlisted_at__isnull", False)),
                            models.Q(
                                models.Q(("status", "waiting"), _negated=True),
                                ("waitlisted_at__isnull", True),
                            ),
                            _connector="OR",
                        ),
                        name="rsvp_waiting_has_place",
                    ),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_types_forward, content_types_backward),
    ]
