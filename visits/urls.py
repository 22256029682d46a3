from django.urls import path

from lucun import files

from . import views

app_name = "visits"

urlpatterns = [
    path("", views.household_search, name="search"),
    path("households/<int:pk>/", views.household_detail, name="household_detail"),
    path("households/<int:pk>/visit/", views.visit_create, name="visit_create"),
    path("requests/<int:pk>/convert/", views.request_convert, name="request_convert"),
    # Visit photos keep their addresses here; the one private-file view serves them (print files too).
    path("photos/<int:pk>/", files.serve, {"kind": "visit-photo"}, name="photo"),
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
    path("cards/", views.card_index, name="card_index"),
    path("cards/<int:community_id>/", views.card_batches, name="card_batches"),
    path("cards/<int:community_id>/new/", views.card_batch_create, name="card_batch_create"),
    path("cards/<int:community_id>/posters/", views.feedback_points, name="feedback_points"),
    path("cards/<int:community_id>/posters/new/", views.feedback_point_create, name="feedback_point_create"),
    path("cards/batches/<int:pk>/", views.card_batch_detail, name="card_batch_detail"),
    path("cards/batches/<int:pk>/print/", views.print_job_start, name="print_job_start"),
    path("cards/batches/<int:pk>/deactivate/", views.card_batch_deactivate, name="card_batch_deactivate"),
    path("cards/jobs/<int:pk>/progress.json", views.print_job_progress, name="print_job_progress"),
    path("cards/jobs/<int:pk>/download/", views.print_job_download, name="print_job_download"),
    path("cards/posters/<int:pk>/poster.pdf", views.feedback_point_pdf, name="feedback_point_pdf"),
    path("cards/posters/<int:pk>/deactivate/", views.feedback_point_deactivate, name="feedback_point_deactivate"),
]
