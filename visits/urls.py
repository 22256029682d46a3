from django.urls import path

from . import views

app_name = "visits"

urlpatterns = [
    path("", views.household_search, name="search"),
    path("households/<int:pk>/", views.household_detail, name="household_detail"),
    path("households/<int:pk>/visit/", views.visit_create, name="visit_create"),
    path("requests/<int:pk>/convert/", views.request_convert, name="request_convert"),
    path("photos/<int:pk>/", views.photo, name="photo"),
    path("ledger/", views.ledger_index, name="ledger_index"),
    path("ledger/<int:community_id>/", views.ledger, name="ledger"),
    path("ledger/<int:community_id>/export.xlsx", views.ledger_export, name="ledger_export"),
    path("ledger/<int:community_id>/print/", views.ledger_print, name="ledger_print"),
    path("ledger/<int:community_id>/import/", views.household_import, name="household_import"),
    path("ledger/import-template.xlsx", views.import_template, name="import_template"),
    path("teams/", views.team_list, name="team_list"),
    path("plan/", views.plan, name="plan"),
    path("plan/build/", views.plan_build, name="plan_build"),
    path("plan/assignments/<int:pk>/", views.assignment_edit, name="assignment_edit"),
    path("coverage/", views.coverage, name="coverage"),
]
