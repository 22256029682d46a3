"""The public feedback pages (no login). Included under /cases/; the project may also mount them at the root
(``path("", include("cases.public_urls"))``) for the short addresses /f/<token>/ and /s/<code>/ that QR codes hold;
the links then follow whichever mount a request came through."""

from django.urls import path

from .views import public, street_feedback

app_name = "feedback"

urlpatterns = [
    path("f/", street_feedback.street_feedback, name="form_missing"),
    path("f/<str:token>/", public.feedback_form, name="form"),
    path("f/<str:token>/similar/", public.feedback_similar, name="similar"),
    path("s/", public.feedback_lookup, name="lookup"),
    path("s/<str:code>/", public.feedback_status, name="status"),
    path("s/<str:code>/answer/", public.feedback_answer, name="answer"),
]
