"""The pair models, moved here from programs: state only, the tables stay
(programs_mentorship and the rest, created by programs 0003 and 0004)."""

import uuid

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("programs", "0008_profilequestion_audience_choices"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Mentorship",
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
                            "state",
                            models.CharField(
                                choices=[
                                    ("active", "Active"),
                                    ("completed", "Completed"),
                                    ("ended", "Ended early"),
                                ],
                                default="active",
                                editable=False,
                                max_length=12,
                                verbose_name="state",
                            ),
                        ),
                        (
                            "source",
                            models.CharField(
                                choices=[
                                    ("match_run", "Matching run"),
                                    ("self_match", "Mentee's request"),
                                    ("manual", "Set by a coordinator"),
                                ],
                                default="match_run",
                                max_length=12,
                            ),
                        ),
                        ("score", models.PositiveSmallIntegerField(blank=True, null=True)),
                        ("explanation", models.JSONField(blank=True, default=list)),
                        ("started_at", models.DateTimeField()),
                        ("ended_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "end_reason",
                            models.CharField(
                                blank=True,
                                choices=[
                                    ("goals_met", "We reached our goals early"),
                                    ("schedules", "Our schedules don't fit"),
                                    ("fit", "Not the right fit for what I need now"),
                                    ("role_change", "A change of role, team or location"),
                                    ("leaving", "One of us is leaving the organisation"),
                                    ("break", "I need a break from the program"),
                                    ("other", "Another reason"),
                                ],
                                max_length=16,
                                verbose_name="reason",
                            ),
                        ),
                        ("introduced_at", models.DateTimeField(blank=True, null=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "ended_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "mentee",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="mentorships_as_mentee",
                                to="programs.participant",
                            ),
                        ),
                        (
                            "mentor",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="mentorships_as_mentor",
                                to="programs.participant",
                            ),
                        ),
                        (
                            "program",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="mentorships",
                                to="programs.program",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "programs_mentorship",
                        "ordering": ["-started_at"],
                    },
                ),
                migrations.CreateModel(
                    name="CheckIn",
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
                                    ("proposed", "Proposed"),
                                    ("scheduled", "Scheduled"),
                                    ("done", "Met"),
                                    ("missed", "Didn't meet"),
                                    ("cancelled", "Cancelled"),
                                ],
                                default="proposed",
                                max_length=10,
                            ),
                        ),
                        ("scheduled_at", models.DateTimeField(verbose_name="when")),
                        (
                            "duration_minutes",
                            models.PositiveSmallIntegerField(
                                default=45,
                                validators=[
                                    django.core.validators.MinValueValidator(5),
                                    django.core.validators.MaxValueValidator(480),
                                ],
                                verbose_name="duration (minutes)",
                            ),
                        ),
                        (
                            "location",
                            models.CharField(blank=True, max_length=200, verbose_name="place"),
                        ),
                        (
                            "video_url",
                            models.URLField(blank=True, max_length=500, verbose_name="video link"),
                        ),
                        ("series", models.UUIDField(blank=True, null=True)),
                        ("uid", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                        ("sequence", models.PositiveIntegerField(default=0, editable=False)),
                        (
                            "topics",
                            models.CharField(blank=True, max_length=300, verbose_name="topics"),
                        ),
                        (
                            "notes",
                            models.TextField(blank=True, max_length=5000, verbose_name="notes"),
                        ),
                        ("goal_progress", models.JSONField(blank=True, default=dict)),
                        ("mentor_rating", models.PositiveSmallIntegerField(blank=True, null=True)),
                        ("mentee_rating", models.PositiveSmallIntegerField(blank=True, null=True)),
                        ("mentor_logged_at", models.DateTimeField(blank=True, null=True)),
                        ("mentee_logged_at", models.DateTimeField(blank=True, null=True)),
                        ("logged_at", models.DateTimeField(blank=True, null=True)),
                        ("cancelled_at", models.DateTimeField(blank=True, null=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "proposed_by",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "mentorship",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="checkins",
                                to="pairs.mentorship",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "programs_checkin",
                        "ordering": ["scheduled_at", "id"],
                    },
                ),
                migrations.CreateModel(
                    name="MentorshipAgreement",
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
                            "expectations",
                            models.TextField(
                                blank=True, max_length=2000, verbose_name="our expectations"
                            ),
                        ),
                        ("mentor_accepted_at", models.DateTimeField(blank=True, null=True)),
                        ("mentee_accepted_at", models.DateTimeField(blank=True, null=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "mentorship",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="agreement",
                                to="pairs.mentorship",
                            ),
                        ),
                        (
                            "updated_by",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "programs_mentorshipagreement",
                    },
                ),
                migrations.CreateModel(
                    name="MentorshipStateChange",
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
                            "from_state",
                            models.CharField(
                                blank=True,
                                choices=[
                                    ("active", "Active"),
                                    ("completed", "Completed"),
                                    ("ended", "Ended early"),
                                ],
                                max_length=12,
                            ),
                        ),
                        (
                            "to_state",
                            models.CharField(
                                choices=[
                                    ("active", "Active"),
                                    ("completed", "Completed"),
                                    ("ended", "Ended early"),
                                ],
                                max_length=12,
                            ),
                        ),
                        (
                            "reason",
                            models.CharField(
                                blank=True,
                                choices=[
                                    ("goals_met", "We reached our goals early"),
                                    ("schedules", "Our schedules don't fit"),
                                    ("fit", "Not the right fit for what I need now"),
                                    ("role_change", "A change of role, team or location"),
                                    ("leaving", "One of us is leaving the organisation"),
                                    ("break", "I need a break from the program"),
                                    ("other", "Another reason"),
                                ],
                                max_length=16,
                            ),
                        ),
                        ("changed_at", models.DateTimeField()),
                        (
                            "changed_by",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "mentorship",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="state_changes",
                                to="pairs.mentorship",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "programs_mentorshipstatechange",
                        "ordering": ["changed_at", "pk"],
                    },
                ),
                migrations.CreateModel(
                    name="PairGoal",
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
                        ("title", models.CharField(max_length=200, verbose_name="goal")),
                        (
                            "description",
                            models.TextField(blank=True, max_length=2000, verbose_name="details"),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("open", "In progress"),
                                    ("achieved", "Achieved"),
                                    ("dropped", "Set aside"),
                                ],
                                default="open",
                                max_length=10,
                            ),
                        ),
                        (
                            "progress",
                            models.PositiveSmallIntegerField(
                                default=0,
                                validators=[django.core.validators.MaxValueValidator(100)],
                                verbose_name="progress (%)",
                            ),
                        ),
                        ("position", models.PositiveIntegerField(default=0)),
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
                            "mentorship",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="pair_goals",
                                to="pairs.mentorship",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "programs_pairgoal",
                        "ordering": ["mentorship", "position", "id"],
                    },
                ),
                migrations.CreateModel(
                    name="Milestone",
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
                        ("title", models.CharField(max_length=200, verbose_name="milestone")),
                        ("due_on", models.DateField(blank=True, null=True, verbose_name="by")),
                        ("done_at", models.DateTimeField(blank=True, null=True)),
                        ("position", models.PositiveIntegerField(default=0)),
                        (
                            "goal",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="milestones",
                                to="pairs.pairgoal",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "programs_milestone",
                        "ordering": ["goal", "position", "id"],
                    },
                ),
                migrations.CreateModel(
                    name="PairReminder",
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
                            "kind",
                            models.CharField(
                                choices=[
                                    ("welcome", "Welcome after matching"),
                                    ("first_meeting", "First-meeting nudge"),
                                    ("before", "Before a check-in"),
                                    ("log", "Log your check-in"),
                                    ("overdue", "Overdue nudge"),
                                    ("escalation", "Escalation to coordinators"),
                                ],
                                max_length=16,
                            ),
                        ),
                        ("slot", models.CharField(max_length=100)),
                        ("due_at", models.DateTimeField()),
                        (
                            "state",
                            models.CharField(
                                choices=[
                                    ("pending", "Waiting"),
                                    ("sent", "Sent"),
                                    ("skipped", "Not needed"),
                                ],
                                default="pending",
                                max_length=8,
                            ),
                        ),
                        ("finished_at", models.DateTimeField(blank=True, null=True)),
                        ("skip_reason", models.CharField(blank=True, max_length=40)),
                        ("claimed_by", models.IntegerField(blank=True, null=True)),
                        ("claimed_until", models.DateTimeField(blank=True, null=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "check_in",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="reminders",
                                to="pairs.checkin",
                            ),
                        ),
                        (
                            "mentorship",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="reminders",
                                to="pairs.mentorship",
                            ),
                        ),
                        (
                            "recipient",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="pair_reminders",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "programs_pairreminder",
                        "ordering": ["due_at", "id"],
                    },
                ),
                migrations.AddIndex(
                    model_name="mentorship",
                    index=models.Index(
                        fields=["program", "state"], name="mentorship_program_state"
                    ),
                ),
                migrations.AddIndex(
                    model_name="mentorship",
                    index=models.Index(
                        condition=models.Q(
                            ("introduced_at__isnull", True),
                            ("source", "match_run"),
                            ("state", "active"),
                        ),
                        fields=["id"],
                        name="mentorship_introduction_due",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="mentorship",
                    constraint=models.UniqueConstraint(
                        condition=models.Q(("state", "active")),
                        fields=("program", "mentee"),
                        name="mentorship_one_active_per_mentee",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="mentorship",
                    constraint=models.UniqueConstraint(
                        condition=models.Q(("state", "active")),
                        fields=("mentor", "mentee"),
                        name="mentorship_one_active_per_pair",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="mentorship",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("mentor", models.F("mentee")), _negated=True),
                        name="mentorship_two_people",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="mentorship",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            ("state", "active"), ("ended_at__isnull", False), _connector="OR"
                        ),
                        name="mentorship_closed_has_end",
                    ),
                ),
                migrations.AddIndex(
                    model_name="checkin",
                    index=models.Index(
                        fields=["mentorship", "status", "scheduled_at"],
                        name="checkin_pair_status_at",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="checkin",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("status__in", ["done", "missed"]), _negated=True),
                            ("logged_at__isnull", False),
                            _connector="OR",
                        ),
                        name="checkin_logged_has_time",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="checkin",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            ("mentor_rating__isnull", True),
                            models.Q(("mentor_rating__gte", 1), ("mentor_rating__lte", 5)),
                            _connector="OR",
                        ),
                        name="checkin_mentor_rating_1_5",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="checkin",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            ("mentee_rating__isnull", True),
                            models.Q(("mentee_rating__gte", 1), ("mentee_rating__lte", 5)),
                            _connector="OR",
                        ),
                        name="checkin_mentee_rating_1_5",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="pairgoal",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("progress__lte", 100)), name="pair_goal_progress_pct"
                    ),
                ),
                migrations.AddIndex(
                    model_name="pairreminder",
                    index=models.Index(
                        condition=models.Q(("state", "pending")),
                        fields=["due_at"],
                        name="pair_reminder_due",
                    ),
                ),
                migrations.AddIndex(
                    model_name="pairreminder",
                    index=models.Index(
                        fields=["mentorship", "kind", "state"], name="pair_reminder_pair_kind"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="pairreminder",
                    constraint=models.UniqueConstraint(
                        fields=("kind", "recipient", "slot"), name="pair_reminder_once_per_slot"
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]
