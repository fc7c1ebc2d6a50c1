"""Ordered questions and their builder, for any list of questions an owner asks.

A program's profile questions and a survey's questions are both an
:class:`~mentoring.questions.models.OrderedQuestion`: text, help text, a kind of
answer, choices, required, an audience and a position in the owner's list. The
builder (``services``, ``forms`` and ``templates/components/_question_*.html``) adds,
changes, moves and deletes them for any concrete subclass it is given; each app keeps
its own rules (who may edit, what is locked once answered) and writes its own audit
rows around these calls.
"""
