"""Reports' stored numbers: dashboard snapshots, HR's grouped counts and monthly activity.

Aggregates only, never a name, a note or a rating of a person. The tables keep the names
they had when these models lived in ``mentoring`` (moved with their data, migration
``reports.0001``).
"""

from __future__ import annotations

from django.db import models


class ProgramSnapshot(models.Model):
    """A program's dashboard numbers as computed at one moment (nightly or on demand).

    Dashboards read the latest fresh snapshot instead of counting again; ``data`` holds
    aggregates only (counts, shares, averages), never a name, a note or a rating.
    """

    program = models.ForeignKey(
        "programs.Program", on_delete=models.CASCADE, related_name="snapshots"
    )
    taken_on = models.DateField()
    computed_at = models.DateTimeField()
    data = models.JSONField(default=dict)

    class Meta:
        db_table = "mentoring_programsnapshot"
        ordering = ["-computed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "taken_on"], name="program_snapshot_one_per_day"
            ),
        ]

    def __str__(self) -> str:
        return f"Snapshot of {self.program_id} on {self.taken_on}"


class ActivityMonth(models.Model):
    """One program's check-ins and NPS answers in one month, for one mentee department,
    as of the program's latest snapshot.

    HR's dashboard adds these few rows up (a program has at most departments x months
    of them) instead of counting every check-in and answer again. Counts and sums only,
    never a rating or an answer of a person; each snapshot of the program replaces its
    rows.
    """

    program = models.ForeignKey("programs.Program", on_delete=models.CASCADE, related_name="+")
    department = models.CharField(max_length=120, blank=True)  # of the mentee (NPS: answerer)
    month = models.DateField()  # the first day of the month, in the site's TIME_ZONE
    checkins_held = models.PositiveIntegerField(default=0)
    pairs_met = models.PositiveIntegerField(default=0)  # pairs with a check-in held that month
    rating_sum = models.PositiveIntegerField(default=0)  # mentor and mentee 1-5 ratings
    rating_n = models.PositiveIntegerField(default=0)
    rating_pairs = models.PositiveIntegerField(default=0)  # pairs that rated that month
    nps_promoters = models.PositiveIntegerField(default=0)  # answers 9-10
    nps_passives = models.PositiveIntegerField(default=0)  # answers 7-8
    nps_detractors = models.PositiveIntegerField(default=0)  # answers 0-6
    computed_at = models.DateTimeField()

    class Meta:
        db_table = "mentoring_activitymonth"
        constraints = [
            models.UniqueConstraint(
                fields=["program", "department", "month"], name="activity_month_one_per_cell"
            ),
        ]

    def __str__(self) -> str:
        return f"Activity of {self.program_id}/{self.department or '-'} in {self.month:%Y-%m}"


class InsightSnapshot(models.Model):
    """HR's grouped counts for one program filter (every program, or one), computed
    nightly: participants by department, role and status, pairs by department and
    state, consenting people by department and self-description, HR's outcome cells
    for the default period, and the departments to filter by.

    Counts before suppression, never a name: HR's dashboard suppresses them when it
    reads them, exactly as it does counts it makes live. Each run replaces every row;
    a new outcome file removes them (the dashboard then counts live until the next).
    """

    program = models.ForeignKey(
        "programs.Program", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )  # empty: every program
    start = models.DateField()  # the period the outcome cells cover
    end = models.DateField()
    computed_at = models.DateTimeField()
    data = models.JSONField(default=dict)

    class Meta:
        db_table = "mentoring_insightsnapshot"
        indexes = [models.Index(fields=["program", "computed_at"], name="insight_snapshot_latest")]

    def __str__(self) -> str:
        return f"Insights of {self.program_id or 'all'} at {self.computed_at:%Y-%m-%d %H:%M}"
