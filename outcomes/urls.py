from django.urls import path

from lucun.exports.views import export

from .views import cadres, callbacks, hotline, report, talent

app_name = "outcomes"

urlpatterns = [
    path("", report.report_page, name="report"),
    path("report.xlsx", report.report_excel, name="report_xlsx"),
    path("report.pdf", report.report_print, name="report_pdf"),
    path("reports/", report.snapshot_list, name="snapshot_list"),
    path("reports/<int:pk>/", report.snapshot_detail, name="snapshot_detail"),
    path("reports/<int:pk>.xlsx", report.snapshot_excel, name="snapshot_xlsx"),
    path("reports/<int:pk>.pdf", report.snapshot_print, name="snapshot_pdf"),
    path("rates/", report.rates_page, name="rates"),
    path("external/", report.external_figures, name="external"),
    path("hotline/", hotline.hotline_results, name="hotline_results"),
    path("hotline/results.xlsx", export, {"kind": "outcomes.hotline_results"}, name="hotline_export"),
    path("callbacks/", callbacks.callback_list, name="callback_list"),
    path("callbacks/missing/", callbacks.callback_missing, name="callback_missing"),
    path("callbacks/for/<str:number>/", callbacks.callback_create, name="callback_create"),
    path("callbacks/export.xlsx", export, {"kind": "outcomes.callback_list"}, name="callback_export"),
    path("callbacks/<int:pk>/", callbacks.callback_detail, name="callback_detail"),
    path("callbacks/<int:pk>/assign/", callbacks.callback_assign, name="callback_assign"),
    path("callbacks/<int:pk>/close/", callbacks.callback_close, name="callback_close"),
    path("surveys/", callbacks.survey_list, name="survey_list"),
    path("surveys/mine/", callbacks.my_samples, name="my_samples"),
    path("surveys/<int:pk>/", callbacks.survey_detail, name="survey_detail"),
    path("surveys/<int:pk>/close/", callbacks.survey_close, name="survey_close"),
    path("samples/<int:pk>/answer/", callbacks.sample_answer, name="sample_answer"),
    path("cadres/", cadres.cadres, name="cadres"),
    path("cadres/evaluate/", cadres.redlines_evaluate, name="redlines_evaluate"),
    path("cadres/warnings/new/", cadres.warning_create, name="warning_create"),
    path("cadres/adjustments/new/", cadres.adjustment_create, name="adjustment_create"),
    path("cadres/<int:community_id>/", cadres.cadre_record, name="cadre_record"),
    path("cadres/<int:community_id>/goals/new/", cadres.goal_create, name="goal_create"),
    path("goals/<int:pk>/progress/", cadres.goal_progress, name="goal_progress"),
    path("goals/<int:pk>/review/", cadres.goal_review, name="goal_review"),
    path("talent/", talent.talent_list, name="talent_list"),
    path("talent/new/", talent.talent_create, name="talent_create"),
    path("talent/<int:pk>/", talent.talent_detail, name="talent_detail"),
    path("talent/<int:pk>/advance/", talent.talent_advance, name="talent_advance"),
]
