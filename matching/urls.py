from django.urls import path

from matching.views import runs

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
]
