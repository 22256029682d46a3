"""The public page a 擂台比武 ballot's QR code opens (no login), at the short root address /b/<token>/."""

from django.urls import path

from .views import ballots

app_name = "ballot"

urlpatterns = [
    path("b/<str:token>/", ballots.ballot_form, name="form"),
]
