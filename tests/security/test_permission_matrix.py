"""The permission matrix: every page and API endpoint, every position, one expected answer each.

Columns: anonymous, then the seven positions (street leader, street staff and supervisor at the street; community
cadre and party representative at 芦湖村; grid worker and unit head at its grid), then a community cadre of 稻香村
("foreign"). Cells: L = 302 to the sign-in page, otherwise the status code. Rows call the URL with the objects of
芦湖村 (tests/security/routes.py says how); POST rows send an empty body, so a permitted caller sees the form's
400 (or the page's redirect with a message) and a refused one 403 — or 404 when the object lies outside its
communities. The resolver is enumerated: a URL without a row fails ``test_every_url_has_a_row_in_the_matrix``.
Every HTML page answered with 200 must also carry the Content-Security-Policy without inline script.
The Open311 rows (open311:*) are open to anyone on purpose, signed in or not: their GETs are public (the request
id is the sender's lookup code) and their POST is authorised by a street's API key, never by a session.
"""

import re

import pytest

from .conftest import ACTORS, FOREIGN_MARKS
from .matrix_client import answer, call, url_for
from .routes import ROUTES, resolver_names

pytestmark = pytest.mark.django_db

EXPECTED_TABLE = """
# url name                                anon lead stff supv cadr grid unit prty frgn
home                                         L  200  200  200  200  200  200  200  200
login                                      200  200  200  200  200  200  200  200  200
logout                                       L    L    L    L    L    L    L    L    L
account_settings                             L  200  200  200  200  200  200  200  200
search                                       L  200  200  200  200  200  200  200  200
org_tree                                     L  200  200  200  200  200  200  200  200
notification_list                            L  200  200  200  200  200  200  200  200
notification_mark_read                       L  302  302  302  302  302  302  302  302
healthz                                    200  200  200  200  200  200  200  200  200
private_file                               404  200  200  200  200  200  200  200  404
private_file_thumbnail                     404  200  200  200  200  200  200  200  404
export_job                                   L  404  404  404  200  404  404  404  404
export_job_progress                          L  404  404  404  200  404  404  404  404
export_job_download                        404  404  404  404  200  404  404  404  404
bulk_run                                     L  404  404  404  200  404  404  404  404
bulk_run_progress                            L  404  404  404  200  404  404  404  404
bulk_start                                   L  302  302  403  302  302  403  403  302
favicon                                    302  302  302  302  302  302  302  302  302
set_language                               302  302  302  302  302  302  302  302  302
api_me                                     403  200  200  200  200  200  200  200  200
api_street_list                            403  200  200  200  200  200  200  200  200
api_community_list                         403  200  200  200  200  200  200  200  200
api_community_detail                       403  200  200  200  200  200  200  200  404
api_grid_list                              403  200  200  200  200  200  200  200  200
api_search                                 403  200  200  200  200  200  200  200  200
api_notification_list                      403  200  200  200  200  200  200  200  200
api_notification_mark_read                 403  200  200  200  200  200  200  200  200
api_bulk_start                             403  400  400  403  400  400  403  403  400
api_bulk_run                               403  404  404  404  200  404  404  404  404
api_export_start                           403  400  400  400  400  400  400  400  400
api_export_job                             403  404  404  404  200  404  404  404  404
api_export_job_download                    403  404  404  404  200  404  404  404  404
people_list                                  L  200  403  200  200  403  403  403  200
person_detail                                L  200  403  200  200  403  403  403  404
handover_create                              L  200  403  200  200  403  403  403  404
position_end                                 L  302  403  302  302  403  403  403  404
handover_detail                              L  200  404  200  200  200  200  404  404
api_handover_make                          403  400  403  400  400  403  403  403  404
api_position_end                           403  400  403  400  400  403  403  403  404
api_schema                                 200  200  200  200  200  200  200  200  200
api_docs                                   200  200  200  200  200  200  200  200  200
visits:search                                L  200  200  200  200  200  200  200  200
visits:household_detail                      L  200  200  200  200  200  200  200  404
visits:visit_create                          L  200  200  200  200  200  200  200  404
visits:request_convert                       L  302  302  302  302  302  302  302  404
visits:photo                               404  200  200  200  200  200  200  200  404
visits:ledger_index                          L  200  200  200  302  302  302  302  302
visits:ledger                                L  200  200  200  200  200  200  200  404
visits:ledger_export                         L  200  200  200  200  200  200  200  404
visits:ledger_print                          L  200  200  200  200  200  200  200  404
visits:household_import                      L  200  200  403  200  200  403  403  404
visits:import_template                       L  200  200  200  200  200  200  200  200
visits:team_list                             L  200  200  200  200  200  200  200  200
visits:plan                                  L  200  200  200  200  200  200  200  200
visits:plan_build                            L  302  403  302  403  403  403  403  403
visits:assignment_edit                       L  200  403  200  403  403  403  403  404
visits:coverage                              L  200  200  200  403  403  403  403  403
api_visit_team_list                        403  200  200  200  200  200  200  200  200
api_visit_cycle_list                       403  200  200  200  200  200  200  200  200
api_visit_cycle_assignments                403  200  200  200  200  200  200  200  200
api_household_list                         403  200  200  200  200  200  200  200  200
api_household_detail                       403  200  200  200  200  200  200  200  404
api_visit_log_list                         403  200  200  200  200  200  200  200  200
api_visit_log_detail                       403  200  200  200  200  200  200  200  404
api_visit_request_convert                  403  200  200  200  200  200  200  200  404
cases:case_list                              L  200  200  200  200  200  200  200  200
cases:case_export                            L  200  200  200  200  200  200  200  200
cases:case_sheets                            L  200  200  200  200  200  200  200  200
cases:case_sheet                             L  200  200  200  200  200  200  200  404
cases:my_work                                L  200  200  200  200  200  200  200  200
cases:approvals                              L  200  200  200  200  403  403  403  200
cases:case_create                            L  200  200  200  200  200  200  200  200
cases:dashboard                              L  200  200  200  200  403  403  403  200
cases:notice_list                            L  200  403  200  403  403  403  403  403
cases:violation_create                       L  200  403  200  403  403  403  403  403
cases:bulletin_list                          L  200  200  200  200  200  403  403  200
cases:bulletin_create                        L  200  403  200  403  403  403  403  403
cases:bulletin_detail                        L  200  200  200  200  200  403  403  200
cases:bulletin_pdf                           L  200  200  200  200  200  403  403  200
cases:bulletin_edit                          L  200  403  200  403  403  403  403  403
cases:bulletin_publish                       L  302  403  302  403  403  403  403  403
cases:extension_decide                       L  302  302  302  302  302  302  302  404
cases:return_decide                          L  302  302  302  302  302  302  302  404
cases:case_detail                            L  200  200  200  200  200  200  200  404
cases:quick_accept                           L  403  403  403  302  403  403  403  404
cases:case_public_title                      L  302  302  302  302  403  403  403  404
cases:case_move                              L  403  403  403  400  403  403  403  404
cases:feedback_queue                         L  200  200  200  200  403  403  403  200
cases:feedback_export                        L  200  200  200  200  403  403  403  200
cases:feedback_channels                      L  200  200  200  200  403  403  403  200
cases:hotline_import                         L  200  200  200  403  403  403  403  403
cases:feedback_channel_deactivate            L  302  302  302  302  403  403  403  404
cases:feedback_channel_qr                    L  200  200  200  200  403  403  403  404
cases:feedback_detail                        L  200  200  200  200  403  403  403  404
cases:feedback_triage                        L  400  400  400  400  403  403  403  404
cases:feedback:form_missing                200  200  200  200  200  200  200  200  200
cases:feedback:form                        200  200  200  200  200  200  200  200  200
cases:feedback:similar                     200  200  200  200  200  200  200  200  200
cases:feedback:lookup                      200  200  200  200  200  200  200  200  200
cases:feedback:status                      200  200  200  200  200  200  200  200  200
cases:feedback:answer                      400  400  400  400  400  400  400  400  400
feedback:form_missing                      200  200  200  200  200  200  200  200  200
feedback:form                              200  200  200  200  200  200  200  200  200
feedback:similar                           200  200  200  200  200  200  200  200  200
feedback:lookup                            200  200  200  200  200  200  200  200  200
feedback:status                            200  200  200  200  200  200  200  200  200
feedback:answer                            400  400  400  400  400  400  400  400  400
api_feedback_submit                        400  400  400  400  400  400  400  400  400
api_hotline_orders                         403  403  403  403  403  403  403  403  403
api_feedback_form                          200  200  200  200  200  200  200  200  200
api_feedback_similar                       200  200  200  200  200  200  200  200  200
api_feedback_same_question                 400  400  400  400  400  400  400  400  400
api_feedback_status                        200  200  200  200  200  200  200  200  200
api_feedback_answer                        400  400  400  400  400  400  400  400  400
api_feedback_channels                      403  200  200  200  200  200  200  200  200
api_feedback_intake                        403  200  200  200  200  403  403  403  200
api_feedback_intake_detail                 403  200  200  200  200  403  403  403  404
api_feedback_create_case                   403  400  400  400  400  403  403  403  404
api_feedback_merge                         403  400  400  400  400  403  403  403  404
api_feedback_create_case_merged            403  400  400  400  400  403  403  403  400
api_feedback_reject                        403  400  400  400  400  403  403  403  404
api_feedback_redact                        403  400  400  400  400  403  403  403  404
api_feedback_move                          403  400  400  400  400  403  403  403  404
api_category_list                          403  200  200  200  200  200  200  200  200
api_tier_list                              403  200  200  200  200  200  200  200  200
api_bulletin_list                          403  200  200  200  200  200  403  403  200
api_bulletin_detail                        403  200  200  200  200  200  403  403  200
api_bulletin_pdf                           403  200  200  200  200  200  403  403  200
api_bulletin_publish                       403  200  403  200  403  403  403  403  403
api_case_list                              403  200  200  200  200  200  200  200  200
api_case_dashboard                         403  200  200  200  200  403  403  403  200
api_approvals                              403  200  200  200  200  403  403  403  200
api_approvals_decide                       403  400  400  400  400  403  403  403  400
api_extension_decide                       403  400  400  400  400  400  400  400  404
api_return_decide                          403  400  400  400  400  400  400  400  404
api_case_detail                            403  200  200  200  200  200  200  200  404
api_case_events                            403  200  200  200  200  200  200  200  404
api_case_sheets                            403  200  200  200  200  200  200  200  200
api_case_sheet                             403  200  200  200  200  200  200  200  404
api_case_accept                            403  403  403  403  200  403  403  403  404
api_case_progress                          403  403  403  403  400  403  403  403  404
api_case_assign                            403  400  400  400  400  403  403  403  404
api_case_resolve                           403  400  400  400  400  403  403  403  404
api_case_close                             403  400  400  400  400  403  403  403  404
api_case_extension                         403  403  403  403  400  403  403  403  404
api_case_return                            403  403  403  403  400  403  403  403  404
api_case_escalate                          403  400  400  400  400  403  403  403  404
api_case_pause                             403  400  400  400  400  403  403  403  404
api_case_resume                            403  400  400  400  400  403  403  403  404
api_case_reopen                            403  400  400  400  400  403  403  403  404
api_case_cancel                            403  400  400  400  400  403  403  403  404
api_case_supervise                         403  400  403  400  403  403  403  403  404
api_case_move                              403  400  400  400  403  403  403  403  404
api_case_transfer                          403  403  403  403  400  403  403  403  404
api_case_regrid                            403  403  403  403  400  403  403  403  404
api_case_transfer_accept                   403  403  403  403  403  403  403  403  404
api_case_transfer_return                   403  403  403  403  403  403  403  403  404
api_case_transfer_withdraw                 403  403  403  403  403  403  403  403  404
open311:discovery                          200  200  200  200  200  200  200  200  200
open311:services                           200  200  200  200  200  200  200  200  200
open311:service_definition                 200  200  200  200  200  200  200  200  200
open311:requests                           403  403  403  403  403  403  403  403  403
open311:request                            200  200  200  200  200  200  200  200  200
open311:token                              200  200  200  200  200  200  200  200  200
deliberation:calendar                        L  200  200  200  200  200  200  200  200
deliberation:meeting_list                    L  200  200  200  200  200  200  200  200
deliberation:meeting_create                  L  200  200  200  200  200  200  200  200
deliberation:meeting_detail                  L  200  200  200  200  200  200  200  404
deliberation:meeting_notice                  L  200  200  200  200  200  200  200  404
deliberation:meeting_action                  L  302  302  403  302  302  403  403  404
deliberation:item_decide                     L  400  400  400  400  400  400  400  404
deliberation:task_done                       L  302  302  403  302  302  403  403  404
deliberation:venue_list                      L  200  200  200  200  200  200  200  200
deliberation:coverage                        L  200  200  200  200  200  200  200  200
deliberation:venue_detail                    L  200  200  200  200  200  200  200  404
deliberation:figures                         L  200  200  200  200  200  200  200  200
deliberation:ballot_list                     L  200  200  403  403  403  403  403  403
deliberation:ballot_print                    L  200  200  403  403  403  403  403  403
deliberation:ballot_action                   L  400  400  403  403  403  403  403  403
ballot:form                                200  200  200  200  200  200  200  200  200
api_venue_list                             403  200  200  200  200  200  200  200  200
api_venue_detail                           403  200  200  200  200  200  200  200  404
api_meeting_list                           403  200  200  200  200  200  200  200  200
api_meeting_detail                         403  200  200  200  200  200  200  200  404
api_meeting_step_complete                  403  200  200  403  200  200  403  403  404
api_meeting_agenda                         403  200  200  200  200  200  200  200  404
api_meeting_raise_case                     403  400  400  400  400  400  400  400  404
api_meeting_proposed_agenda                403  200  200  200  200  200  200  200  404
api_agenda_item_list                       403  200  200  200  200  200  200  200  200
api_agenda_item_detail                     403  200  200  200  200  200  200  200  404
api_agenda_item_decide                     403  400  400  400  400  400  400  400  404
api_deliberation_figures                   403  200  200  200  200  200  200  200  200
api_contest_ballots                        403  200  200  403  403  403  403  403  403
api_contest_ballots_void                   403  400  400  403  403  403  403  403  403
api_contest_weight                         403  400  400  403  403  403  403  403  403
api_public_ballot                          200  200  200  200  200  200  200  200  200
points:volunteer_list                        L  200  200  200  200  200  200  200  200
points:volunteer_create                      L  200  200  403  200  200  403  403  200
points:volunteer_detail                      L  200  200  200  200  200  200  200  404
points:volunteer_edit                        L  200  200  403  200  200  403  403  404
points:volunteer_token                       L  302  302  403  302  302  403  403  404
points:volunteer_card                        L  200  200  403  200  200  403  403  404
points:volunteer_adjust                      L  302  302  302  302  302  302  302  404
points:claim_create                          L  200  200  403  200  200  403  403  404
points:entry_reverse                         L  302  302  302  302  302  302  302  404
points:claim_list                            L  200  200  200  200  200  200  200  200
points:claim_detail                          L  200  200  200  200  200  200  200  404
points:claims_approve_selected               L  302  302  302  302  302  302  302  302
points:batch_create                          L  200  200  403  200  200  403  403  200
points:batch_detail                          L  200  200  200  200  200  200  200  404
points:reward_list                           L  200  200  200  200  200  200  200  200
points:reward_create                         L  200  200  403  200  403  403  403  200
points:reward_edit                           L  200  200  403  200  403  403  403  404
points:redeem_start                          L  403  200  403  200  200  403  403  200
points:redeem                                L  403  200  403  200  200  403  403  404
points:redemption_receipt                    L  200  200  200  200  200  200  200  404
points:figures                               L  200  200  200  200  200  200  200  200
points:public                              200  200  200  200  200  200  200  200  200
api_points_volunteer_list                  403  200  200  200  200  200  200  200  200
api_points_volunteer_detail                403  200  200  200  200  200  200  200  404
api_points_volunteer_token_reissue         403  200  200  403  200  200  403  403  404
api_points_volunteer_token_revoke          403  200  200  403  200  200  403  403  404
api_points_service_type_list               403  200  200  200  200  200  200  200  200
api_points_claim_list                      403  200  200  200  200  200  200  200  200
api_points_claim_submit                    403  400  400  400  400  400  400  400  400
api_points_claim_detail                    403  200  200  200  200  200  200  200  404
api_points_claim_approve                   403  200  200  403  200  403  403  403  404
api_points_claim_reject                    403  400  400  400  400  400  400  400  404
api_points_ledger                          403  200  200  200  200  200  200  200  200
api_points_reward_list                     403  200  200  200  200  200  200  200  200
api_points_reward_detail                   403  200  200  200  200  200  200  200  404
api_points_redemption_list                 403  200  200  200  200  200  200  200  200
api_points_redeem                          403  400  400  400  400  400  400  400  400
api_points_redemption_detail               403  200  200  200  200  200  200  200  404
visits:card_index                            L  200  200  200  302  302  302  302  302
visits:card_batches                          L  200  200  200  200  200  200  200  404
visits:card_batch_create                     L  200  200  200  200  403  403  403  404
visits:feedback_points                       L  200  200  200  200  200  200  200  404
visits:feedback_point_create                 L  200  200  200  200  403  403  403  404
visits:card_batch_detail                     L  200  200  200  200  200  200  200  404
visits:print_job_start                       L  302  302  302  302  403  403  403  404
visits:card_batch_deactivate                 L  302  302  302  302  403  403  403  404
visits:print_job_progress                    L  200  200  200  200  200  200  200  404
visits:print_job_download                  404  404  404  404  404  404  404  404  404
visits:feedback_point_pdf                    L  200  200  200  200  200  200  200  404
visits:feedback_point_deactivate             L  302  302  302  302  403  403  403  404
outcomes:report                              L  200  200  200  200  200  200  200  200
outcomes:report_xlsx                         L  200  200  200  200  200  200  200  200
outcomes:report_pdf                          L  200  200  200  200  200  200  200  200
outcomes:snapshot_list                       L  200  200  200  200  200  200  200  200
outcomes:snapshot_detail                     L  200  200  200  404  404  404  404  404
outcomes:snapshot_xlsx                       L  200  200  200  404  404  404  404  404
outcomes:snapshot_pdf                        L  200  200  200  404  404  404  404  404
outcomes:rates                               L  200  200  200  200  200  200  200  200
outcomes:external                            L  200  200  200  200  200  200  200  200
outcomes:callback_list                       L  200  200  200  200  200  200  200  200
outcomes:callback_export                     L  200  200  200  200  200  200  200  200
outcomes:callback_missing                    L  200  403  200  403  403  403  403  403
outcomes:hotline_results                     L  200  200  200  200  403  403  403  200
outcomes:hotline_export                      L  200  200  200  200  403  403  403  200
outcomes:callback_detail                     L  200  200  200  200  200  200  200  404
outcomes:callback_assign                     L  302  403  302  403  403  403  403  404
outcomes:callback_create                     L  302  403  302  403  403  403  403  404
outcomes:callback_close                      L  302  302  302  302  302  302  302  404
outcomes:survey_list                         L  200  200  200  200  200  200  200  200
outcomes:my_samples                          L  200  200  200  200  200  200  200  200
outcomes:survey_detail                       L  200  200  200  200  200  200  200  200
outcomes:survey_close                        L  302  403  302  403  403  403  403  403
outcomes:sample_answer                       L  302  302  302  302  302  302  302  404
outcomes:cadres                              L  200  200  200  302  403  403  403  302
outcomes:redlines_evaluate                   L  302  403  302  403  403  403  403  403
outcomes:warning_create                      L  405  405  405  405  405  405  405  405
outcomes:adjustment_create                   L  405  405  405  405  405  405  405  405
outcomes:cadre_record                        L  200  200  200  200  404  404  404  404
outcomes:goal_create                         L  405  405  405  405  405  405  405  405
outcomes:goal_progress                       L  302  302  302  302  302  302  302  404
outcomes:goal_review                         L  302  302  302  302  302  302  302  404
outcomes:talent_list                         L  200  200  200  200  403  403  403  200
outcomes:talent_create                       L  200  200  200  200  403  403  403  200
outcomes:talent_detail                       L  200  200  200  200  403  403  403  404
outcomes:talent_advance                      L  302  302  302  302  403  403  403  404
api_callback_list                          403  200  200  200  200  200  200  200  200
api_callback_missing_list                  403  200  403  200  403  403  403  403  403
api_callback_detail                        403  200  200  200  200  200  200  200  404
api_callback_record                        403  400  400  400  400  400  400  400  404
api_callback_assign                        403  400  403  400  403  403  403  403  404
api_callback_candidates                    403  200  403  200  403  403  403  403  404
api_rates                                  403  200  200  200  200  200  200  200  200
api_red_line_list                          403  200  200  200  200  200  200  200  200
api_red_line_measures                      403  200  200  200  200  403  403  403  200
api_warning_list                           403  200  200  200  200  200  200  200  200
api_goal_list                              403  200  200  200  200  200  200  200  200
api_talent_list                            403  200  200  200  200  200  200  200  200
api_talent_detail                          403  200  200  200  200  200  200  200  404
api_outcome_report                         403  200  200  200  200  200  200  200  200
api_report_snapshot_list                   403  200  200  200  200  200  200  200  200
api_report_snapshot_detail                 403  200  200  200  404  404  404  404  404
"""


def _expected() -> dict[str, dict[str, str]]:
    rows = {}
    for line in EXPECTED_TABLE.strip().splitlines():
        if line.startswith("#"):
            continue
        name, *cells = line.split()
        assert len(cells) == len(ACTORS), f"row {name} has {len(cells)} cells"
        rows[name] = dict(zip(ACTORS, cells, strict=True))
    return rows


EXPECTED = _expected()


def test_every_url_has_a_row_in_the_matrix():
    served = resolver_names()
    routes = {r.name for r in ROUTES}
    assert served - routes == set(), "URLs without a row in tests/security/routes.py"
    assert routes - served == set(), "rows for URLs that no longer exist"
    assert routes == set(EXPECTED), "routes and expected answers out of step"


def _csp_problem(response) -> str:
    if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
        return ""
    policy = response.get("Content-Security-Policy", "")
    script_src = re.search(r"script-src[^;]*", policy)
    if script_src is None or "unsafe-inline" in script_src.group(0):
        return f"CSP missing or allows inline script: {policy!r}"
    if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", response.content.decode()):
        return "inline <script> in the page"
    return ""


@pytest.mark.parametrize("actor", ACTORS)
def test_each_position_gets_the_expected_answer_on_every_url(world, client, actor):
    wrong = []
    for route in ROUTES:
        response = call(client, world, actor, route)
        got, want = answer(response), EXPECTED[route.name][actor]
        if got != want:
            wrong.append(f"{route.method} {url_for(route, world)} ({route.name}): expected {want}, got {got}")
        if problem := _csp_problem(response):
            wrong.append(f"{route.method} {url_for(route, world)}: {problem}")
    assert wrong == [], "\n".join(wrong)


@pytest.mark.parametrize("actor", [a for a in ACTORS if a != "anonymous"])
def test_officials_without_staff_status_are_sent_to_the_admin_sign_in(world, client, actor):
    client.force_login(world.users[actor])
    response = client.get("/admin/")
    assert response.status_code == 302 and response.url.startswith("/admin/login/")


# ----------------------------------------------------------------------------------- nothing leaks

# Officials who work in 芦湖村 only: nothing of 稻香村 may reach them.
COMMUNITY_ACTORS = ("community_cadre", "grid_worker", "unit_head", "party_rep")

SEARCHES = [
    "/visits/?q=外村",
    "/visits/?q=户主",
    "/points/?q=外村",
    "/cases/?q=外村",
    "/cases/feedback/?state=",
    "/api/v1/households/?search=外村&page_size=200",
    "/api/v1/cases/?search=外村&page_size=200",
    # The site search (lucun.search), each kind in turn; the query itself is echoed, so it names no mark.
    "/search/?q=外村",
    "/search/?q=外村&kind=feedback",
    "/search/?q=外村&kind=household",
    "/search/?q=稻香",
    "/api/v1/search/?q=外村&page_size=200",
    "/api/v1/search/?q=外村&kind=household&page_size=200",
]


def _marks(world) -> tuple[str, ...]:
    return (*FOREIGN_MARKS, world.f["case"].number)


def _listing_urls(world) -> list[str]:
    """Every page and endpoint that takes no object: lists, dashboards, figures, counts."""
    urls = [url_for(r, world) for r in ROUTES if r.method == "GET" and not r.kwargs(world)]
    urls += [f"{u}?page_size=200" for u in urls if u.startswith("/api/v1/")]
    return [u for u in urls if not u.startswith(("/api/schema/", "/api/docs/", "/f/", "/s/", "/cases/f/", "/cases/s/"))]


@pytest.mark.parametrize("actor", COMMUNITY_ACTORS)
def test_nothing_of_another_community_shows_in_lists_search_figures_or_the_api(world, client, actor):
    client.force_login(world.users[actor])
    leaks = []
    for url in [*_listing_urls(world), *SEARCHES]:
        response = client.get(url, follow=True)
        text = response.content.decode(errors="replace")
        leaks += [f"{url}: {mark}" for mark in _marks(world) if mark in text]
    assert leaks == []


@pytest.mark.parametrize("actor", ["community_cadre", "street_leader"])
def test_the_ledger_export_holds_only_the_chosen_community(world, client, actor):
    from io import BytesIO

    from openpyxl import load_workbook

    client.force_login(world.users[actor])
    response = client.get(f"/visits/ledger/{world.community.pk}/export.xlsx")
    assert response.status_code == 200
    cells = [
        str(c.value) for ws in load_workbook(BytesIO(response.content)).worksheets for r in ws.iter_rows() for c in r
    ]
    assert any("王秀英" in c for c in cells)
    assert not any(mark in c for c in cells for mark in _marks(world))


def test_another_communitys_ledger_export_is_not_found(world, client):
    client.force_login(world.users["community_cadre"])
    assert client.get(f"/visits/ledger/{world.other.pk}/export.xlsx").status_code == 404


def test_dashboard_counts_only_the_officials_own_community(world, client):
    from cases.models import Case

    client.force_login(world.users["community_cadre"])
    data = client.get("/api/v1/cases/dashboard/").json()
    ours = Case.objects.filter(community=world.community).open().count()
    assert sum(data["totals"].values()) == ours
    assert [row["name"] for row in data["by_community"]] == ["芦湖村"]


def test_the_api_answers_404_for_each_object_of_another_community(world, client):
    client.force_login(world.users["community_cadre"])
    urls = [
        f"/api/v1/cases/{world.f['case'].number}/",
        f"/api/v1/households/{world.f['household'].pk}/",
        f"/api/v1/points/volunteers/{world.f['volunteer'].pk}/",
        f"/api/v1/points/claims/{world.f['claim'].pk}/",
        f"/api/v1/deliberation/meetings/{world.f['meeting'].pk}/",
        f"/api/v1/deliberation/venues/{world.f['venue'].pk}/",
        f"/api/v1/feedback/intake/{world.f['feedback'].pk}/",
        f"/api/v1/communities/{world.other.pk}/",
    ]
    assert {url: client.get(url).status_code for url in urls} == dict.fromkeys(urls, 404)


def test_a_street_leader_does_see_both_communities_so_the_leak_check_can_fail(world, client):
    client.force_login(world.users["street_leader"])
    text = client.get("/cases/").content.decode() + client.get("/api/v1/households/").content.decode()
    assert world.f["case"].number in text and "外村户主" in text


def test_a_street_leader_finds_the_other_community_in_the_search_so_its_leak_check_can_fail(world, client):
    client.force_login(world.users["street_leader"])
    assert "外村户主" in client.get("/search/?q=外村&kind=household").content.decode()
    assert "外村反馈内容" in client.get("/search/?q=外村&kind=feedback").content.decode()
