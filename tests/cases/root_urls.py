"""The project's URLs with the public feedback pages also mounted at the root, as the lead is asked to do."""

from django.urls import include, path

from lucun.urls import urlpatterns as project

urlpatterns = [path("", include("cases.public_urls")), *project]
