from django.urls import path

from matching.views import runs, selfmatch

app_name = "matching"

urlpatterns = [
    # Match runs (coordinators)
    path("program/<int:program_id>/", runs.criteria, name="criteria"),
    path(
        "program/<int:program_id>/criteria/<int:criterion_id>/weight/",
        runs.criterion_update,
        name="criterion_update",
    ),
    path(
        "program/<int:program_id>/criteria/<int:criterion_id>/delete/",
        runs.criterion_delete,
        name="criterion_delete",
    ),
    path(
        "program/<int:program_id>/suggested-weights/",
        runs.weight_suggestions,
        name="weight_suggestions",
    ),
    path(
        "program/<int:program_id>/suggested-weights/adopt/",
        runs.weight_suggestions_adopt,
        name="weight_suggestions_adopt",
    ),
    path(
        "program/<int:program_id>/pair-rules/<int:rule_id>/delete/",
        runs.pair_rule_delete,
        name="pair_rule_delete",
    ),
    path("program/<int:program_id>/runs/start/", runs.run_start, name="run_start"),
    path("program/<int:program_id>/runs/<int:run_id>/", runs.run_detail, name="run_detail"),
    path("program/<int:program_id>/runs/<int:run_id>/edit/", runs.run_edit, name="run_edit"),
    path("program/<int:program_id>/runs/<int:run_id>/what-if/", runs.run_whatif, name="run_whatif"),
    path(
        "program/<int:program_id>/runs/<int:run_id>/publish/", runs.run_publish, name="run_publish"
    ),
    # Self-match ----------------------------------------------------------------------
    path("<int:program_id>/find/", selfmatch.selfmatch_find, name="selfmatch_find"),
    path("<int:program_id>/requests/", selfmatch.selfmatch_mine, name="selfmatch_mine"),
    path(
        "<int:program_id>/requests/<int:request_id>/withdraw/",
        selfmatch.selfmatch_withdraw,
        name="selfmatch_withdraw",
    ),
    path(
        "<int:program_id>/requests/to-me/", selfmatch.selfmatch_incoming, name="selfmatch_incoming"
    ),
    path(
        "<int:program_id>/requests/<int:request_id>/answer/",
        selfmatch.selfmatch_answer,
        name="selfmatch_answer",
    ),
    path("<int:program_id>/self-match/", selfmatch.selfmatch_settings, name="selfmatch_settings"),
]
