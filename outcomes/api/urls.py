from django.urls import path

from . import views

urlpatterns = [
    path("outcomes/callbacks/", views.CallbackListView.as_view(), name="api_callback_list"),
    path("outcomes/callbacks/missing/", views.CallbackMissingListView.as_view(), name="api_callback_missing_list"),
    path("outcomes/callbacks/<int:pk>/", views.CallbackDetailView.as_view(), name="api_callback_detail"),
    path("outcomes/callbacks/<int:pk>/record/", views.CallbackRecordView.as_view(), name="api_callback_record"),
    path("outcomes/callbacks/<int:pk>/assign/", views.CallbackAssignView.as_view(), name="api_callback_assign"),
    path(
        "outcomes/callbacks/<int:pk>/candidates/",
        views.CallbackCandidatesView.as_view(),
        name="api_callback_candidates",
    ),
    path("outcomes/rates/", views.RatesView.as_view(), name="api_rates"),
    path("outcomes/red-lines/", views.RedLineListView.as_view(), name="api_red_line_list"),
    path("outcomes/red-lines/measures/", views.RedLineMeasuresView.as_view(), name="api_red_line_measures"),
    path("outcomes/warnings/", views.WarningListView.as_view(), name="api_warning_list"),
    path("outcomes/goals/", views.GoalListView.as_view(), name="api_goal_list"),
    path("outcomes/talent/", views.TalentListView.as_view(), name="api_talent_list"),
    path("outcomes/talent/<int:pk>/", views.TalentDetailView.as_view(), name="api_talent_detail"),
    path("outcomes/report/", views.ReportView.as_view(), name="api_outcome_report"),
    path("outcomes/report-snapshots/", views.ReportSnapshotListView.as_view(), name="api_report_snapshot_list"),
    path(
        "outcomes/report-snapshots/<int:pk>/",
        views.ReportSnapshotDetailView.as_view(),
        name="api_report_snapshot_detail",
    ),
]
