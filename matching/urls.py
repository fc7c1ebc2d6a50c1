from django.urls import path

from matching.views import selfmatch

app_name = "matching"

urlpatterns = [
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
