"""Reminders and nudges of the mentorship workspace, planned in rows and sent by a sweep.

Planning (inside the transaction that changes the pair or the check-in) writes
:class:`PairReminder` rows with their due time; nothing is queued as a far-future
Celery ETA. Every PAIR_REMINDER_INTERVAL seconds beat starts
:func:`pair_reminders_send`, which:

1. claims at most PAIR_REMINDER_BATCH due rows nobody holds (SELECT ... FOR UPDATE
   SKIP LOCKED, then an UPDATE that writes the sweep's random number in ``claimed_by`` and
   ``claimed_until``; committed at once). A second sweep running at the same time
   takes the next rows, so a worker's processes share a backlog instead of walking
   through the same rows. A claim ends with its sweep: on PostgreSQL the sweep holds
   an advisory lock named by its token for as long as it runs, and a claim whose lock
   nobody holds (the process died) is taken over at once; everywhere, a claim older
   than CELERY_TASK_TIME_LIMIT (the longest a sweep task may live) is taken over;
2. when the batch is full, lets the caller queue the next batch before sending this
   one (the task does, so another worker process sends it meanwhile);
3. preloads what the batch's emails need (a fixed number of queries per batch) and
   opens one mail connection for the batch;
4. for each row, in its own transaction: a conditional UPDATE marks it sent only
   while it is still pending and still this sweep's (it locks the row; it finds
   nothing when another sweep sent it or took it over), writes the unique
   mentoring.Delivery (kind, recipient and slot; INSERT ... ON CONFLICT DO NOTHING),
   sends, and commits: two statements per reminder. A crash before the commit rolls
   all of that back, so the row is sent by a later sweep; a crash after the commit
   has nothing left to do. The one window left is between the mail server accepting
   the message and the commit (a few milliseconds): a crash exactly there sends that
   message twice. No scheme can close it without the mail server's help; the
   Delivery row at least makes every retry and every second worker harmless. Rows
   that failed go back to the pool at the end of the batch.

Exactly once rests on step 4 alone (the row lock, the state check and the unique
Delivery); the claims only spread the work. SQLite has no SKIP LOCKED and no way to
see whether another sweep is alive, but it lets one writer at a time claim: the same
code runs there, and a crashed sweep's rows wait for their claim to expire (so they do
behind a PgBouncer in transaction mode, where session locks cannot be trusted).

Local times: "the day before" keeps the local clock time (a 10:00 check-in gets its
reminder at 10:00 the day before, whatever the clocks did overnight); nudges go out
at 09:00 local; nothing goes out in the recipient's quiet hours (see
mentoring.notifications.quiet_adjust), neither when planned nor when sent late.

Pair health (see pairs.workspace.Health) decides the cadence nudges: an overdue
nudge to both when the pair turns overdue, and an escalation to the program's
coordinators after CHECKIN_ESCALATE_AFTER_CYCLES missed cycles. Logging a meeting
moves both.
"""
