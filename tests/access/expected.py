"""What each persona gets from every URL: {url_name: {persona: (GET, POST)}}.

Outcomes: an HTTP status (200, 400, 403, 404, 405, 410, 503), "302-login" (sent to sign
in) or "302" (any other redirect: a POST that worked and redirected, or a page that
sends this person elsewhere). The POST is an empty form post, so a 200 there is a form
shown again with its errors, and "302" means the action went through.

Personas (tests/access/world.py): anonymous; outsider (signed in, in no program);
mentee and mentor of pair A; participant (another participant of program A, in no
pair, who made the self-match request); coordinator_a; coordinator_b (of program B);
hr (HR viewer); staff (site admin and superuser).

To add a URL: run the matrix (`pytest tests/access`); the failure lists the outcomes
each persona gets today for every URL without a row (set ACCESS_MATRIX_ROWS=/tmp/rows.py
to have them written to a file). Check each against what that persona SHOULD get, then
add the row, using a shared shape below where one fits.
"""

from __future__ import annotations

from tests.access.world import PERSONAS

Outcome = int | str
Row = dict[str, tuple[Outcome, Outcome]]

# Django admin: site admins only (others are sent to the admin's sign-in).
ADMIN_SITE: Row = {
    "anonymous": ("302-login", "302-login"),
    "outsider": ("302-login", "302-login"),
    "mentee": ("302-login", "302-login"),
    "mentor": ("302-login", "302-login"),
    "participant": ("302-login", "302-login"),
    "coordinator_a": ("302-login", "302-login"),
    "coordinator_b": ("302-login", "302-login"),
    "hr": ("302-login", "302-login"),
    "staff": (200, 200),
}
# A POST-only change to program A: its coordinator only; 404 to outsiders and other
# programs' coordinators, 403 to members, HR and site admins.
COORDINATOR_ACTION: Row = {
    "anonymous": ("302-login", "302-login"),
    "outsider": (405, 404),
    "mentee": (405, 403),
    "mentor": (405, 403),
    "participant": (405, 403),
    "coordinator_a": (405, "302"),
    "coordinator_b": (405, 404),
    "hr": (405, 403),
    "staff": (405, 403),
}
# A form page of program A: its coordinator only.
COORDINATOR_FORM: Row = {
    "anonymous": ("302-login", "302-login"),
    "outsider": (404, 404),
    "mentee": (403, 403),
    "mentor": (403, 403),
    "participant": (403, 403),
    "coordinator_a": (200, 200),
    "coordinator_b": (404, 404),
    "hr": (403, 403),
    "staff": (403, 403),
}
# A read-only page of program A for its coordinator only (no POST).
COORDINATOR_PAGE: Row = {
    "anonymous": ("302-login", "302-login"),
    "outsider": (404, 405),
    "mentee": (403, 405),
    "mentor": (403, 405),
    "participant": (403, 405),
    "coordinator_a": (200, 405),
    "coordinator_b": (404, 405),
    "hr": (403, 405),
    "staff": (403, 405),
}
# A read-only page of program A for everyone in it, HR and site admins (no POST);
# 404 to outsiders.
MEMBER_PAGE: Row = {
    "anonymous": ("302-login", "302-login"),
    "outsider": (404, 405),
    "mentee": (200, 405),
    "mentor": (200, 405),
    "participant": (200, 405),
    "coordinator_a": (200, 405),
    "coordinator_b": (404, 405),
    "hr": (200, 405),
    "staff": (200, 405),
}
# A confirm-then-POST page of program A: its coordinator only.
COORDINATOR_CONFIRM: Row = {
    "anonymous": ("302-login", "302-login"),
    "outsider": (404, 404),
    "mentee": (403, 403),
    "mentor": (403, 403),
    "participant": (403, 403),
    "coordinator_a": (200, "302"),
    "coordinator_b": (404, 404),
    "hr": (403, 403),
    "staff": (403, 403),
}
# A page anyone may read (no POST).
PUBLIC_PAGE: Row = {
    "anonymous": (200, 405),
    "outsider": (200, 405),
    "mentee": (200, 405),
    "mentor": (200, 405),
    "participant": (200, 405),
    "coordinator_a": (200, 405),
    "coordinator_b": (200, 405),
    "hr": (200, 405),
    "staff": (200, 405),
}
# A page about the signed-in person themself.
SIGNED_IN_FORM: Row = {
    "anonymous": ("302-login", "302-login"),
    "outsider": (200, 200),
    "mentee": (200, 200),
    "mentor": (200, 200),
    "participant": (200, 200),
    "coordinator_a": (200, 200),
    "coordinator_b": (200, 200),
    "hr": (200, 200),
    "staff": (200, 200),
}

# A read-only page for site admins only.
STAFF_PAGE: Row = {
    "anonymous": ("302-login", "302-login"),
    "outsider": (403, 405),
    "mentee": (403, 405),
    "mentor": (403, 405),
    "participant": (403, 405),
    "coordinator_a": (403, 405),
    "coordinator_b": (403, 405),
    "hr": (403, 405),
    "staff": (200, 405),
}
# A link whose token is the credential, requested with an invalid token: 404 to all.
INVALID_LINK: Row = {
    "anonymous": (404, 404),
    "outsider": (404, 404),
    "mentee": (404, 404),
    "mentor": (404, 404),
    "participant": (404, 404),
    "coordinator_a": (404, 404),
    "coordinator_b": (404, 404),
    "hr": (404, 404),
    "staff": (404, 404),
}
# A page about the signed-in person themself, read-only.
SIGNED_IN_PAGE: Row = {
    "anonymous": ("302-login", "302-login"),
    "outsider": (200, 405),
    "mentee": (200, 405),
    "mentor": (200, 405),
    "participant": (200, 405),
    "coordinator_a": (200, 405),
    "coordinator_b": (200, 405),
    "hr": (200, 405),
    "staff": (200, 405),
}
# A POST-only action on the signed-in person's own account.
SIGNED_IN_ACTION: Row = {
    "anonymous": ("302-login", "302-login"),
    "outsider": (405, "302"),
    "mentee": (405, "302"),
    "mentor": (405, "302"),
    "participant": (405, "302"),
    "coordinator_a": (405, "302"),
    "coordinator_b": (405, "302"),
    "hr": (405, "302"),
    "staff": (405, "302"),
}
# A sensitive page about the signed-in person: first a redirect to sign in again.
SIGNED_IN_REAUTHENTICATE: Row = {
    "anonymous": ("302-login", "302-login"),
    "outsider": ("302", "302"),
    "mentee": ("302", "302"),
    "mentor": ("302", "302"),
    "participant": ("302", "302"),
    "coordinator_a": ("302", "302"),
    "coordinator_b": ("302", "302"),
    "hr": ("302", "302"),
    "staff": ("302", "302"),
}


def everyone(get: Outcome, post: Outcome) -> Row:
    """The same outcome for every persona, signed in or not."""
    return dict.fromkeys(PERSONAS, (get, post))


def shape(base: Row, **exceptions: tuple[Outcome, Outcome]) -> Row:
    """A shared shape with the personas that get something else named: the exceptions
    are the part of a row to read closely."""
    unknown = set(exceptions) - set(PERSONAS)
    assert not unknown, f"not a persona: {unknown}"
    return {**base, **exceptions}


# The API answers tokens, never a browser session: 401 to every persona.
API_READ: Row = everyone(401, 405)  # GET only
API_WRITE: Row = everyone(401, 401)  # GET and POST
API_POST: Row = everyone(405, 401)  # POST only
# A POST-only action of pair A: its mentee and mentor only; 403 to the others in
# program A (its coordinator included: the pair's own records), 404 outside it.
PAIR_ACTION: Row = {
    "anonymous": ("302-login", "302-login"),
    "outsider": (405, 404),
    "mentee": (405, "302"),
    "mentor": (405, "302"),
    "participant": (405, 403),
    "coordinator_a": (405, 403),
    "coordinator_b": (405, 404),
    "hr": (405, 403),
    "staff": (405, 403),
}
# The same for a form post of pair A: an empty post is shown again with its errors.
PAIR_FORM_POST: Row = shape(PAIR_ACTION, mentee=(405, 200), mentor=(405, 200))
# A form page of pair A: its mentee and mentor only.
PAIR_FORM: Row = {
    "anonymous": ("302-login", "302-login"),
    "outsider": (404, 404),
    "mentee": (200, 200),
    "mentor": (200, 200),
    "participant": (403, 403),
    "coordinator_a": (403, 403),
    "coordinator_b": (404, 404),
    "hr": (403, 403),
    "staff": (403, 403),
}
# A confirm-then-POST page about the signed-in person themself.
SIGNED_IN_CONFIRM: Row = shape(everyone(200, "302"), anonymous=("302-login", "302-login"))

EXPECTED: dict[str, Row] = {
    "account_change_password": SIGNED_IN_FORM,
    "account_confirm_email": everyone(200, 404),
    "account_confirm_login_code": SIGNED_IN_REAUTHENTICATE,
    "account_confirm_reauthentication_code": shape(
        COORDINATOR_FORM, outsider=(403, 403), coordinator_a=(403, 403), coordinator_b=(403, 403)
    ),
    "account_email": SIGNED_IN_CONFIRM,
    "account_email_verification_sent": PUBLIC_PAGE,
    "account_inactive": PUBLIC_PAGE,
    "account_login": shape(SIGNED_IN_REAUTHENTICATE, anonymous=(200, 200)),
    "account_logout": shape(SIGNED_IN_CONFIRM, anonymous=("302", "302")),
    "account_reauthenticate": SIGNED_IN_FORM,
    "account_request_reauthentication_code": shape(
        COORDINATOR_FORM, outsider=(403, 403), coordinator_a=(403, 403), coordinator_b=(403, 403)
    ),
    "account_reset_password": everyone(200, 200),
    "account_reset_password_done": PUBLIC_PAGE,
    "account_reset_password_from_key": everyone(200, 200),
    "account_reset_password_from_key_done": PUBLIC_PAGE,
    "account_set_password": SIGNED_IN_REAUTHENTICATE,
    "account_signup": shape(SIGNED_IN_REAUTHENTICATE, anonymous=(200, 200)),
    "admin:account_emailaddress_changelist": ADMIN_SITE,
    "admin:auth_group_changelist": ADMIN_SITE,
    "admin:events_event_changelist": ADMIN_SITE,
    "admin:guides_resource_changelist": ADMIN_SITE,
    "admin:index": ADMIN_SITE,
    "admin:matching_matchcriterion_changelist": ADMIN_SITE,
    "admin:matching_matchproposal_changelist": ADMIN_SITE,
    "admin:matching_matchrequest_changelist": ADMIN_SITE,
    "admin:matching_matchrun_changelist": ADMIN_SITE,
    "admin:matching_matchsettings_changelist": ADMIN_SITE,
    "admin:matching_pairrule_changelist": ADMIN_SITE,
    "admin:mentoring_auditevent_changelist": ADMIN_SITE,
    "admin:mentoring_delivery_changelist": ADMIN_SITE,
    "admin:mentoring_heartbeat_changelist": ADMIN_SITE,
    "admin:mentoring_user_changelist": ADMIN_SITE,
    "admin:mfa_authenticator_changelist": ADMIN_SITE,
    "admin:programs_calendarfeed_changelist": ADMIN_SITE,
    "admin:pairs_mentorship_changelist": ADMIN_SITE,
    "admin:programs_participant_changelist": ADMIN_SITE,
    "admin:programs_participantimport_changelist": ADMIN_SITE,
    "admin:programs_profile_changelist": ADMIN_SITE,
    "admin:programs_profilequestion_changelist": ADMIN_SITE,
    "admin:programs_program_changelist": ADMIN_SITE,
    "admin:surveys_survey_changelist": ADMIN_SITE,
    "audit_log": STAFF_PAGE,
    "erasure_cancel": SIGNED_IN_ACTION,
    "erasure_confirm": INVALID_LINK,
    "erasure_done": PUBLIC_PAGE,
    "erasure_request": SIGNED_IN_REAUTHENTICATE,
    "erasure_request_execute": {
        "anonymous": ("302-login", "302-login"),
        "outsider": (405, 403),
        "mentee": (405, 403),
        "mentor": (405, 403),
        "participant": (405, 403),
        "coordinator_a": (405, 403),
        "coordinator_b": (405, 403),
        "hr": (405, 403),
        "staff": (405, "302"),
    },
    "erasure_request_list": STAFF_PAGE,
    "healthz": everyone(503, 405),
    "home": PUBLIC_PAGE,
    "insights_dashboard": shape(STAFF_PAGE, hr=(200, 405)),
    "matching:criteria": COORDINATOR_FORM,
    "matching:criterion_delete": COORDINATOR_ACTION,
    "matching:criterion_update": COORDINATOR_ACTION,
    "matching:pair_rule_delete": COORDINATOR_ACTION,
    "matching:run_detail": COORDINATOR_PAGE,
    "matching:run_edit": COORDINATOR_ACTION,
    "matching:run_publish": COORDINATOR_ACTION,
    "matching:run_start": COORDINATOR_ACTION,
    "matching:run_whatif": COORDINATOR_PAGE,
    "matching:selfmatch_answer": shape(COORDINATOR_ACTION, coordinator_a=(405, 403)),
    "matching:selfmatch_find": shape(PAIR_FORM, mentor=(403, 403), participant=(200, 200)),
    "matching:selfmatch_incoming": shape(
        COORDINATOR_PAGE, mentor=(200, 405), coordinator_a=(403, 405)
    ),
    "matching:selfmatch_mine": shape(
        COORDINATOR_PAGE, mentee=(200, 405), participant=(200, 405), coordinator_a=(403, 405)
    ),
    "matching:selfmatch_settings": COORDINATOR_FORM,
    "matching:selfmatch_withdraw": shape(
        COORDINATOR_ACTION, participant=(405, "302"), coordinator_a=(405, 403)
    ),
    "matching:weight_suggestions": COORDINATOR_PAGE,
    "matching:weight_suggestions_adopt": COORDINATOR_ACTION,
    "mfa_activate_totp": SIGNED_IN_REAUTHENTICATE,
    "mfa_authenticate": SIGNED_IN_REAUTHENTICATE,
    "mfa_deactivate_totp": shape(INVALID_LINK, anonymous=("302-login", "302-login")),
    "mfa_download_recovery_codes": shape(INVALID_LINK, anonymous=("302-login", "302-login")),
    "mfa_generate_recovery_codes": SIGNED_IN_REAUTHENTICATE,
    "mfa_index": SIGNED_IN_PAGE,
    "mfa_reauthenticate": SIGNED_IN_REAUTHENTICATE,
    "mfa_view_recovery_codes": {
        "anonymous": ("302-login", "302-login"),
        "outsider": (404, 405),
        "mentee": (404, 405),
        "mentor": (404, 405),
        "participant": (404, 405),
        "coordinator_a": (404, 405),
        "coordinator_b": (404, 405),
        "hr": (404, 405),
        "staff": (404, 405),
    },
    "outcome_import": {
        "anonymous": ("302-login", "302-login"),
        "outsider": (403, 403),
        "mentee": (403, 403),
        "mentor": (403, 403),
        "participant": (403, 403),
        "coordinator_a": (403, 403),
        "coordinator_b": (403, 403),
        "hr": (200, 200),
        "staff": (200, 200),
    },
    "personal_data": SIGNED_IN_PAGE,
    "personal_data_download": {
        "anonymous": ("302-login", "302-login"),
        "outsider": ("302", 405),
        "mentee": ("302", 405),
        "mentor": ("302", 405),
        "participant": ("302", 405),
        "coordinator_a": ("302", 405),
        "coordinator_b": ("302", 405),
        "hr": ("302", 405),
        "staff": ("302", 405),
    },
    "events:event_attendance": COORDINATOR_FORM,
    "events:event_cancel": COORDINATOR_CONFIRM,
    "events:event_create": COORDINATOR_FORM,
    "events:event_detail": MEMBER_PAGE,
    "events:event_edit": COORDINATOR_FORM,
    "events:event_ics": MEMBER_PAGE,
    "events:event_list": MEMBER_PAGE,
    "events:event_rsvp": shape(PAIR_ACTION, participant=(405, "302")),
    "guides:attachment_delete": COORDINATOR_ACTION,
    "guides:attachment_download": MEMBER_PAGE,
    "guides:resource_create": COORDINATOR_FORM,
    "guides:resource_delete": COORDINATOR_CONFIRM,
    "guides:resource_detail": MEMBER_PAGE,
    "guides:resource_edit": COORDINATOR_FORM,
    "guides:resource_list": MEMBER_PAGE,
    "guides:resource_move": COORDINATOR_ACTION,
    "guides:resource_publish": COORDINATOR_ACTION,
    "guides:resource_starter_add": COORDINATOR_ACTION,
    "programs:calendar_feed": PUBLIC_PAGE,
    "programs:calendar_feed_manage": SIGNED_IN_CONFIRM,
    "programs:coordinator_list": shape(COORDINATOR_FORM, hr=(200, 403), staff=(200, 403)),
    "programs:goal_delete": COORDINATOR_ACTION,
    "programs:goal_list": shape(COORDINATOR_FORM, hr=(200, 403), staff=(200, 403)),
    "programs:import_apply": COORDINATOR_ACTION,
    "programs:import_detail": COORDINATOR_PAGE,
    "programs:import_upload": COORDINATOR_FORM,
    "programs:invitation_accept": INVALID_LINK,
    "programs:join_by_link": {
        "anonymous": (200, "302"),
        "outsider": (200, 200),
        "mentee": ("302", "302"),
        "mentor": ("302", "302"),
        "participant": ("302", "302"),
        "coordinator_a": (200, 200),
        "coordinator_b": (200, 200),
        "hr": (200, 200),
        "staff": (200, 200),
    },
    "programs:join_link_update": COORDINATOR_ACTION,
    "pairs:mentorship_end": shape(PAIR_FORM, coordinator_a=(200, 200)),
    "programs:participant_invite": COORDINATOR_FORM,
    "programs:participant_list": COORDINATOR_PAGE,
    "programs:participant_profile": {
        "anonymous": ("302-login", "302-login"),
        "outsider": (404, 404),
        "mentee": (200, 200),
        "mentor": (200, 200),
        "participant": (200, 200),
        "coordinator_a": ("302", "302"),
        "coordinator_b": (404, 404),
        "hr": (404, 404),
        "staff": (404, 404),
    },
    "programs:participant_resend": COORDINATOR_ACTION,
    "programs:participant_status": COORDINATOR_ACTION,
    "programs:profile_edit": SIGNED_IN_FORM,
    "programs:profile_reminders_send": COORDINATOR_ACTION,
    "programs:program_create": shape(
        COORDINATOR_FORM, outsider=(403, 403), coordinator_b=(200, 200), staff=(200, 200)
    ),
    "programs:program_edit": COORDINATOR_FORM,
    "programs:program_list": SIGNED_IN_PAGE,
    "programs:program_overview": MEMBER_PAGE,
    "programs:program_transition": COORDINATOR_ACTION,
    "programs:question_delete": COORDINATOR_CONFIRM,
    "programs:question_edit": COORDINATOR_FORM,
    "programs:question_list": COORDINATOR_FORM,
    "programs:question_reorder": shape(COORDINATOR_ACTION, coordinator_a=(405, 404)),
    "surveys:hr_overview": shape(STAFF_PAGE, hr=(200, 405), staff=(403, 405)),
    "surveys:question_add": shape(COORDINATOR_ACTION, coordinator_a=(405, 400)),
    "surveys:question_delete": COORDINATOR_ACTION,
    "surveys:question_edit": COORDINATOR_FORM,
    "surveys:question_move": COORDINATOR_ACTION,
    "surveys:survey_answer": INVALID_LINK,
    "surveys:survey_builder": COORDINATOR_FORM,
    "surveys:survey_close": COORDINATOR_ACTION,
    # GET leads its coordinator to the form on the survey list.
    "surveys:survey_create": shape(COORDINATOR_FORM, coordinator_a=("302", 400)),
    "surveys:survey_delete": COORDINATOR_ACTION,
    "surveys:survey_export": COORDINATOR_PAGE,
    "surveys:survey_list": COORDINATOR_PAGE,
    "surveys:survey_publish": COORDINATOR_ACTION,
    "surveys:survey_results": COORDINATOR_PAGE,
    "surveys:survey_schedule": COORDINATOR_FORM,
    "surveys:survey_thanks": everyone(404, 405),
    "admin:integrations_apitoken_changelist": ADMIN_SITE,
    "admin:integrations_chatchannel_changelist": ADMIN_SITE,
    "admin:integrations_webhookdelivery_changelist": ADMIN_SITE,
    "admin:integrations_webhookendpoint_changelist": ADMIN_SITE,
    "admin:socialaccount_socialaccount_changelist": ADMIN_SITE,
    "admin:socialaccount_socialapp_changelist": ADMIN_SITE,
    "admin:socialaccount_socialtoken_changelist": ADMIN_SITE,
    "api:api-root": INVALID_LINK,
    "api:checkin_list": API_READ,
    "api:checkin_summary": API_READ,
    "api:checkin_summary_by_mentorship": API_READ,
    "api:checkin_summary_of_mentorship": API_READ,
    "api:mentorship_get": API_READ,
    "api:mentorship_list": API_READ,
    "api:openapi-json": everyone(200, 200),
    "api:openapi-view": everyone(200, 200),
    "api:outcome_import": API_POST,
    "api:participant_enrol": API_WRITE,
    "api:participant_get": API_READ,
    "api:participant_list": API_WRITE,
    "api:participant_patch": API_READ,
    "api:participant_withdraw": API_POST,
    "api:profile_list": API_READ,
    "api:program_create": API_WRITE,
    "api:program_get": API_READ,
    "api:program_list": API_WRITE,
    "api:survey_list": API_READ,
    "api:survey_overview": API_READ,
    "api:survey_results": API_READ,
    "integrations:chat_channel_add": shape(COORDINATOR_ACTION, coordinator_a=(405, 400)),
    "integrations:chat_channel_remove": COORDINATOR_ACTION,
    "integrations:chat_preference": SIGNED_IN_CONFIRM,
    "integrations:program_integrations": COORDINATOR_FORM,
    "integrations:token_list": {
        "anonymous": ("302-login", "302-login"),
        "outsider": (403, 403),
        "mentee": (403, 403),
        "mentor": (403, 403),
        "participant": (403, 403),
        "coordinator_a": (200, 200),
        "coordinator_b": (200, 200),
        "hr": (200, 200),
        "staff": (200, 200),
    },
    "integrations:token_revoke": shape(
        COORDINATOR_ACTION, outsider=(405, 403), hr=(405, 404), staff=(405, 404)
    ),
    "integrations:webhook_activate": COORDINATOR_ACTION,
    "integrations:webhook_detail": COORDINATOR_FORM,
    "integrations:webhook_replay": COORDINATOR_ACTION,
    "integrations:webhook_secret_rotate": COORDINATOR_ACTION,
    "notification_preferences": SIGNED_IN_FORM,
    "notification_unsubscribe": INVALID_LINK,
    "openid_connect_callback": INVALID_LINK,
    "openid_connect_login": INVALID_LINK,
    "pair_nudge": COORDINATOR_ACTION,
    "program_dashboard": COORDINATOR_PAGE,
    "program_dashboard_refresh": COORDINATOR_ACTION,
    "program_report": COORDINATOR_PAGE,
    "pairs:agreement_accept": PAIR_ACTION,
    "pairs:agreement_update": PAIR_FORM_POST,
    "pairs:checkin_accept": PAIR_ACTION,
    "pairs:checkin_cancel": PAIR_ACTION,
    "pairs:checkin_log": PAIR_FORM,
    "pairs:checkin_log_link": INVALID_LINK,
    "pairs:checkin_log_past": PAIR_FORM,
    "pairs:checkin_propose": PAIR_FORM_POST,
    "pairs:checkin_reschedule": PAIR_FORM,
    "pairs:milestone_create": PAIR_ACTION,
    "pairs:milestone_toggle": PAIR_ACTION,
    "pairs:pair_export": COORDINATOR_PAGE,
    "pairs:pair_goal_create": PAIR_FORM_POST,
    "pairs:pair_goal_update": PAIR_ACTION,
    "pairs:pair_list": COORDINATOR_PAGE,
    "pairs:workspace": shape(
        COORDINATOR_PAGE, mentee=(200, 405), mentor=(200, 405), coordinator_a=(403, 405)
    ),
    "socialaccount_connections": SIGNED_IN_FORM,
    "socialaccount_login_cancelled": PUBLIC_PAGE,
    "socialaccount_login_error": API_READ,
    "socialaccount_signup": everyone("302-login", "302-login"),
    "saml_acs": everyone("302", "302"),
    "saml_finish_acs": INVALID_LINK,
    "saml_login": INVALID_LINK,
    "saml_metadata": INVALID_LINK,
    "saml_sls": INVALID_LINK,
    "sso_link_confirm": everyone("302-login", "302-login"),
    "sso_reauthenticate": SIGNED_IN_CONFIRM,
    "sso_reauthenticate_done": SIGNED_IN_REAUTHENTICATE,
    "sso_oidc_callback": INVALID_LINK,
}
