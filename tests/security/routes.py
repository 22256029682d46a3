"""Every page and API endpoint, with how to call it on the security world: method and URL arguments.

The permission matrix (test_permission_matrix.py) adds the expected answer of each actor to each row; a URL in
the resolver without a row here fails the matrix, so a new page cannot ship without saying who may open it.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import URLPattern, URLResolver, get_resolver


@dataclass(frozen=True)
class Route:
    name: str
    kwargs: Callable = field(default=lambda w: {})
    method: str = "GET"
    data: Callable | None = None  # the body of a POST; empty by default


def _pk(key):
    return lambda w: {"pk": w.o[key].pk}


def _number(key="case"):
    return lambda w: {"number": w.o[key].number}


def _community(w):
    return {"community_id": w.community.pk}


def _code(w):
    return {"code": w.o["feedback"].lookup_code}


def _channel_token(w):
    return {"token": w.o["channel"].token}


def _volunteer_token(w):
    return {"token": w.o["volunteer"].token}


P = "POST"


def _community_id(w):
    return {"community_id": w.community.pk}


ROUTES = [
    # lucun
    Route("home"),
    Route("login"),
    Route("logout", method=P),
    Route("account_settings"),
    Route("search"),
    Route("org_tree"),
    Route("notification_list"),
    Route("notification_mark_read", method=P),
    Route("healthz"),
    Route("private_file", lambda w: {"kind": "visit-photo", "pk": w.o["visit_photo"].pk}),
    Route("private_file_thumbnail", lambda w: {"kind": "visit-photo", "pk": w.o["visit_photo"].pk}),
    Route("export_job", _pk("export_job")),
    Route("export_job_progress", _pk("export_job")),
    Route("export_job_download", _pk("export_job")),
    Route("bulk_run", _pk("bulk_run")),
    Route("bulk_run_progress", _pk("bulk_run")),
    Route("bulk_start", lambda w: {"kind": "cases.case_accept"}),
    Route("favicon"),
    Route("set_language", method=P, data=lambda w: {"language": "zh-hans"}),
    Route("api_me"),
    Route("api_street_list"),
    Route("api_community_list"),
    Route("api_community_detail", lambda w: {"pk": w.community.pk}),
    Route("api_grid_list"),
    Route("api_search"),
    Route("api_notification_list"),
    Route("api_notification_mark_read", method=P),
    Route("api_bulk_start", lambda w: {"kind": "cases.case_accept"}, P),
    Route("api_bulk_run", _pk("bulk_run")),
    Route("api_export_start", method=P),
    Route("api_export_job", _pk("export_job")),
    Route("api_export_job_download", _pk("export_job")),
    Route("people_list"),
    Route("person_detail", _pk("person")),
    Route("handover_create", _pk("person")),
    Route("position_end", lambda w: {"pk": w.o["person"].pk, "position_pk": w.o["person_position"].pk}, P),
    Route("handover_detail", _pk("handover")),
    Route("api_handover_make", _pk("person"), P),
    Route("api_position_end", _pk("person_position"), P),
    Route("api_schema"),
    Route("api_docs"),
    # visits: pages
    Route("visits:search", data=None),
    Route("visits:household_detail", _pk("household")),
    Route("visits:visit_create", _pk("household")),
    Route("visits:request_convert", _pk("visit_request"), P),
    Route("visits:photo", _pk("visit_photo")),
    Route("visits:ledger_index"),
    Route("visits:ledger", _community),
    Route("visits:ledger_export", _community),
    Route("visits:ledger_print", _community),
    Route("visits:household_import", _community),
    Route("visits:import_template"),
    Route("visits:team_list"),
    Route("visits:plan"),
    Route("visits:plan_build", method=P),
    Route("visits:assignment_edit", _pk("assignment")),
    Route("visits:coverage"),
    # visits: API
    Route("api_visit_team_list"),
    Route("api_visit_cycle_list"),
    Route("api_visit_cycle_assignments", _pk("cycle")),
    Route("api_household_list"),
    Route("api_household_detail", _pk("household")),
    Route("api_visit_log_list"),
    Route("api_visit_log_detail", _pk("visit_log")),
    Route("api_visit_request_convert", _pk("visit_request"), P),
    # cases: pages
    Route("cases:case_list"),
    Route("cases:case_export"),
    Route("cases:case_sheets"),
    Route("cases:case_sheet", _number()),
    Route("cases:my_work"),
    Route("cases:approvals"),
    Route("cases:case_create"),
    Route("cases:dashboard"),
    Route("cases:notice_list"),
    Route("cases:violation_create"),
    Route("cases:bulletin_list"),
    Route("cases:bulletin_create"),
    Route("cases:bulletin_detail", _pk("bulletin")),
    Route("cases:bulletin_pdf", _pk("bulletin")),
    Route("cases:bulletin_edit", _pk("bulletin_draft")),
    Route("cases:bulletin_publish", _pk("bulletin_draft"), P),  # after the edit page: it publishes the draft
    Route("cases:extension_decide", _pk("extension"), P),
    Route("cases:return_decide", _pk("return_request"), P),
    Route("cases:case_detail", _number()),
    Route("cases:quick_accept", _number(), P),
    Route("cases:case_public_title", _number(), P),
    Route("cases:case_move", lambda w: {"number": w.o["case"].number, "move": "progress"}, P),
    Route("cases:feedback_queue"),
    Route("cases:feedback_export"),
    Route("cases:feedback_channels"),
    Route("cases:hotline_import"),
    Route("cases:feedback_channel_deactivate", _pk("channel"), P),
    Route("cases:feedback_channel_qr", _pk("channel")),
    Route("cases:feedback_detail", _pk("feedback")),
    Route("cases:feedback_triage", lambda w: {"pk": w.o["feedback"].pk, "action": "reject"}, P),
    # cases: the public pages, under /cases/ and at the root
    Route("cases:feedback:form_missing"),
    Route("cases:feedback:form", _channel_token),
    Route("cases:feedback:similar", _channel_token, P),
    Route("cases:feedback:lookup"),
    Route("cases:feedback:status", _code),
    Route("cases:feedback:answer", _code, P),
    Route("feedback:form_missing"),
    Route("feedback:form", _channel_token),
    Route("feedback:similar", _channel_token, P),
    Route("feedback:lookup"),
    Route("feedback:status", _code),
    Route("feedback:answer", _code, P),
    # cases: API
    Route("api_feedback_submit", method=P),
    Route("api_hotline_orders", method=P),
    Route("api_feedback_form", _channel_token),
    Route("api_feedback_similar", _channel_token, P),
    Route("api_feedback_same_question", method=P),
    Route("api_feedback_status", _code),
    Route("api_feedback_answer", _code, P),
    Route("api_feedback_channels"),
    Route("api_feedback_intake"),
    Route("api_feedback_intake_detail", _pk("feedback")),
    Route("api_feedback_create_case", _pk("feedback"), P),
    Route("api_feedback_merge", _pk("feedback"), P),
    Route("api_feedback_create_case_merged", method=P),
    Route("api_feedback_reject", _pk("feedback"), P),
    Route("api_feedback_redact", _pk("feedback"), P),
    Route("api_feedback_move", _pk("feedback"), P),
    Route("api_category_list"),
    Route("api_tier_list"),
    Route("api_bulletin_list"),
    Route("api_bulletin_detail", _pk("bulletin")),
    Route("api_bulletin_pdf", _pk("bulletin")),
    Route("api_bulletin_publish", _pk("bulletin_draft_api"), P),
    Route("api_case_list"),
    Route("api_case_dashboard"),
    Route("api_approvals"),
    Route("api_approvals_decide", method=P),
    Route("api_extension_decide", _pk("extension"), P),
    Route("api_return_decide", _pk("return_request"), P),
    Route("api_case_detail", _number()),
    Route("api_case_events", _number()),
    Route("api_case_sheets", method=P),
    Route("api_case_sheet", _number()),
    *[
        Route(f"api_case_{move}", _number(), P)
        for move in (
            "accept",
            "progress",
            "assign",
            "resolve",
            "close",
            "extension",
            "return",
            "escalate",
            "pause",
            "resume",
            "reopen",
            "cancel",
            "supervise",
            "move",
            "transfer",
            "regrid",
            "transfer_accept",
            "transfer_return",
            "transfer_withdraw",
        )
    ],
    # cases: Open311 GeoReport v2 (anonymous by design: GET is public, POST takes a street's API key, never a
    # session; the request id is the sender's lookup code)
    Route("open311:discovery", lambda w: {"fmt": "json"}),
    Route("open311:services", lambda w: {"fmt": "json"}),
    Route("open311:service_definition", lambda w: {"fmt": "xml", "code": "infrastructure"}),
    Route("open311:requests", lambda w: {"fmt": "json"}, P),
    Route("open311:request", lambda w: {"fmt": "json", "request_id": w.o["feedback"].lookup_code}),
    Route("open311:token", lambda w: {"fmt": "xml", "token": w.o["feedback"].lookup_code}),
    # deliberation: pages
    Route("deliberation:calendar"),
    Route("deliberation:meeting_list"),
    Route("deliberation:meeting_create"),
    Route("deliberation:meeting_detail", _pk("meeting")),
    Route("deliberation:meeting_notice", _pk("meeting")),
    Route("deliberation:meeting_action", lambda w: {"pk": w.o["meeting"].pk, "action": "minutes"}, P),
    Route("deliberation:item_decide", _pk("agenda_item"), P),
    Route("deliberation:task_done", _pk("task"), P),
    Route("deliberation:venue_list"),
    Route("deliberation:coverage"),
    Route("deliberation:venue_detail", _pk("venue")),
    Route("deliberation:figures"),
    Route("deliberation:ballot_list", _pk("contest")),
    Route("deliberation:ballot_print", _pk("contest")),
    Route("deliberation:ballot_action", lambda w: {"pk": w.o["contest"].pk, "action": "weight"}, P),
    Route("ballot:form", lambda w: {"token": w.o["ballot"].token}),
    # deliberation: API
    Route("api_venue_list"),
    Route("api_venue_detail", _pk("venue")),
    Route("api_meeting_list"),
    Route("api_meeting_detail", _pk("meeting")),
    Route("api_meeting_step_complete", lambda w: {"pk": w.o["meeting"].pk, "step": w.o["step"].code}, P),
    Route("api_meeting_agenda", _pk("meeting")),
    Route("api_meeting_raise_case", _pk("meeting"), P),
    Route("api_meeting_proposed_agenda", _pk("joint_meeting")),
    Route("api_agenda_item_list"),
    Route("api_agenda_item_detail", _pk("agenda_item")),
    Route("api_agenda_item_decide", _pk("agenda_item"), P),
    Route("api_deliberation_figures"),
    Route("api_contest_ballots", _pk("contest")),
    Route("api_contest_ballots_void", _pk("contest"), P),
    Route("api_contest_weight", _pk("contest"), P),
    Route("api_public_ballot", lambda w: {"token": w.o["ballot"].token}),
    # points: pages
    Route("points:volunteer_list"),
    Route("points:volunteer_create"),
    Route("points:volunteer_detail", _pk("volunteer")),
    Route("points:volunteer_edit", _pk("volunteer")),
    Route("points:volunteer_token", _pk("volunteer"), P),
    Route("points:volunteer_card", _pk("volunteer")),
    Route("points:volunteer_adjust", _pk("volunteer"), P),
    Route("points:claim_create", _pk("volunteer")),
    Route("points:entry_reverse", _pk("entry"), P),
    Route("points:claim_list"),
    Route("points:claim_detail", _pk("claim")),
    Route("points:claims_approve_selected", method=P),
    Route("points:batch_create"),
    Route("points:batch_detail", _pk("batch")),
    Route("points:reward_list"),
    Route("points:reward_create"),
    Route("points:reward_edit", _pk("reward")),
    Route("points:redeem_start"),
    Route("points:redeem", _volunteer_token),
    Route("points:redemption_receipt", _pk("redemption")),
    Route("points:figures"),
    Route("points:public", _volunteer_token),
    # points: API
    Route("api_points_volunteer_list"),
    Route("api_points_volunteer_detail", _pk("volunteer")),
    Route("api_points_volunteer_token_reissue", _pk("volunteer"), P),
    Route("api_points_volunteer_token_revoke", _pk("volunteer"), P),
    Route("api_points_service_type_list"),
    Route("api_points_claim_list"),
    Route("api_points_claim_submit", method=P),
    Route("api_points_claim_detail", _pk("claim")),
    Route("api_points_claim_approve", _pk("claim"), P),
    Route("api_points_claim_reject", _pk("claim"), P),
    Route("api_points_ledger"),
    Route("api_points_reward_list"),
    Route("api_points_reward_detail", _pk("reward")),
    Route("api_points_redemption_list"),
    Route("api_points_redeem", method=P),
    Route("api_points_redemption_detail", _pk("redemption")),
    # visits: contact cards, posters, print jobs
    Route("visits:card_index"),
    Route("visits:card_batches", _community_id),
    Route("visits:card_batch_create", _community_id),
    Route("visits:feedback_points", _community_id),
    Route("visits:feedback_point_create", _community_id),
    Route("visits:card_batch_detail", _pk("card_batch")),
    Route("visits:print_job_start", _pk("card_batch"), P),
    Route("visits:card_batch_deactivate", _pk("card_batch"), P),
    Route("visits:print_job_progress", _pk("print_job")),
    Route("visits:print_job_download", _pk("print_job")),
    Route("visits:feedback_point_pdf", _pk("poster")),
    Route("visits:feedback_point_deactivate", _pk("poster"), P),
    # outcomes: pages
    Route("outcomes:report"),
    Route("outcomes:report_xlsx"),
    Route("outcomes:report_pdf"),
    Route("outcomes:snapshot_list"),
    Route("outcomes:snapshot_detail", _pk("snapshot")),
    Route("outcomes:snapshot_xlsx", _pk("snapshot")),
    Route("outcomes:snapshot_pdf", _pk("snapshot")),
    Route("outcomes:rates"),
    Route("outcomes:external"),
    Route("outcomes:callback_list"),
    Route("outcomes:callback_export"),
    Route("outcomes:callback_missing"),
    Route("outcomes:hotline_results"),
    Route("outcomes:hotline_export"),
    Route("outcomes:callback_detail", _pk("callback")),
    Route("outcomes:callback_assign", _pk("callback"), method=P),
    Route("outcomes:callback_create", _number(), method=P),
    Route("outcomes:callback_close", _pk("callback"), P),
    Route("outcomes:survey_list"),
    Route("outcomes:my_samples"),
    Route("outcomes:survey_detail", _pk("survey")),
    Route("outcomes:survey_close", _pk("survey"), P),
    Route("outcomes:sample_answer", _pk("sample"), P),
    Route("outcomes:cadres"),
    Route("outcomes:redlines_evaluate", method=P),
    Route("outcomes:warning_create"),
    Route("outcomes:adjustment_create"),
    Route("outcomes:cadre_record", _community_id),
    Route("outcomes:goal_create", _community_id),
    Route("outcomes:goal_progress", _pk("goal"), P),
    Route("outcomes:goal_review", _pk("goal"), P),
    Route("outcomes:talent_list"),
    Route("outcomes:talent_create"),
    Route("outcomes:talent_detail", _pk("talent")),
    Route("outcomes:talent_advance", _pk("talent"), P),
    # outcomes: API
    Route("api_callback_list"),
    Route("api_callback_missing_list"),
    Route("api_callback_detail", _pk("callback")),
    Route("api_callback_record", _pk("callback"), P),
    Route("api_callback_assign", _pk("callback"), P),
    Route("api_callback_candidates", _pk("callback")),
    Route("api_rates"),
    Route("api_red_line_list"),
    Route("api_red_line_measures"),
    Route("api_warning_list"),
    Route("api_goal_list"),
    Route("api_talent_list"),
    Route("api_talent_detail", _pk("talent")),
    Route("api_outcome_report"),
    Route("api_report_snapshot_list"),
    Route("api_report_snapshot_detail", _pk("snapshot")),
]

# Django's admin has its own sign-in and permissions (staff only); one row in the matrix speaks for it.
EXCLUDED_NAMESPACES = ("admin",)


def resolver_names() -> set[str]:
    """Return the name of every URL the project serves (namespaced), except the admin's."""
    names: set[str] = set()

    def walk(patterns, namespace: str | None) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = pattern.namespace
                full = f"{namespace}:{inner}" if namespace and inner else (inner or namespace)
                if full and full.split(":")[0] in EXCLUDED_NAMESPACES:
                    continue
                walk(pattern.url_patterns, full)
            elif isinstance(pattern, URLPattern) and pattern.name:
                names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)

    walk(get_resolver().url_patterns, None)
    return names
