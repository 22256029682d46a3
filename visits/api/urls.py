from django.urls import path

from . import views

urlpatterns = [
    path("visit-teams/", views.VisitTeamListView.as_view(), name="api_visit_team_list"),
    path("visit-cycles/", views.VisitCycleListView.as_view(), name="api_visit_cycle_list"),
    path(
        "visit-cycles/<int:pk>/assignments/",
        views.VisitCycleAssignmentsView.as_view(),
        name="api_visit_cycle_assignments",
    ),
    path("households/", views.HouseholdListView.as_view(), name="api_household_list"),
    path("households/<int:pk>/", views.HouseholdDetailView.as_view(), name="api_household_detail"),
    path("visit-logs/", views.VisitLogListCreateView.as_view(), name="api_visit_log_list"),
    path("visit-logs/<int:pk>/", views.VisitLogDetailView.as_view(), name="api_visit_log_detail"),
    path("visit-requests/<int:pk>/convert/", views.VisitRequestConvertView.as_view(), name="api_visit_request_convert"),
]
