"""Profiles: a person's own facts, a program's questions and each participant's answers.

tags          lists of short phrases (skills, interests, languages)
completeness  when a participation's profile is complete, and keeping that up to date
services      writes of a person's profile, a participant's answers and mentor settings
questions     the program's profile questions, on the shared builder (mentoring/questions)
selectors     reads
forms         the profile pages' forms and the question form
"""
