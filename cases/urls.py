from django.urls import include, path

from lucun.exports.views import export

from . import views
from .hotline import views as hotline
from .views import feedback, notices

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="case_list"),
    path("export.xlsx", export, {"kind": "cases.case_list"}, name="case_export"),
    path("sheets.pdf", views.case_sheets, name="case_sheets"),
    # The public feedback pages: /cases/f/<token>/, /cases/s/<code>/ (see public_urls.py).
    path("", include("cases.public_urls")),
    path("feedback/", feedback.feedback_queue, name="feedback_queue"),
    path("feedback/export.xlsx", export, {"kind": "cases.feedback_queue"}, name="feedback_export"),
    path("feedback/channels/", feedback.feedback_channels, name="feedback_channels"),
    path(
        "feedback/channels/<int:pk>/deactivate/",
        feedback.feedback_channel_deactivate,
        name="feedback_channel_deactivate",
    ),
    path("feedback/channels/<int:pk>/qr.svg", feedback.feedback_channel_qr, name="feedback_channel_qr"),
    path("feedback/<int:pk>/", feedback.feedback_detail, name="feedback_detail"),
    path("feedback/<int:pk>/<slug:action>/", feedback.feedback_triage, name="feedback_triage"),
    path("hotline/", hotline.hotline_import, name="hotline_import"),
    path("mine/", views.my_work, name="my_work"),
    path("approvals/", views.approvals_inbox, name="approvals"),
    path("new/", views.case_create, name="case_create"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("notices/", notices.notice_list, name="notice_list"),
    path("notices/violations/new/", notices.violation_create, name="violation_create"),
    path("bulletins/", notices.bulletin_list, name="bulletin_list"),
    path("bulletins/new/", notices.bulletin_create, name="bulletin_create"),
    path("bulletins/<int:pk>/", notices.bulletin_detail, name="bulletin_detail"),
    path("bulletins/<int:pk>/edit/", notices.bulletin_edit, name="bulletin_edit"),
    path("bulletins/<int:pk>/publish/", notices.bulletin_publish, name="bulletin_publish"),
    path("bulletins/<int:pk>/bulletin.pdf", notices.bulletin_pdf_view, name="bulletin_pdf"),
    path("extensions/<int:pk>/decide/", views.extension_decide, name="extension_decide"),
    path("returns/<int:pk>/decide/", views.return_decide, name="return_decide"),
    path("<str:number>/", views.case_detail, name="case_detail"),
    path("<str:number>/sheet.pdf", views.case_sheet, name="case_sheet"),
    path("<str:number>/quick-accept/", views.quick_accept, name="quick_accept"),
    path("<str:number>/public-title/", views.case_public_title, name="case_public_title"),
    path("<str:number>/<slug:move>/", views.case_move, name="case_move"),
]
