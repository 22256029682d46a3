"""/open311/v2/: the GeoReport v2 resources, each as <name>.json or <name>.xml (included from lucun.urls)."""

from django.urls import path, register_converter

from . import views


class FormatConverter:
    """The format suffix: letters and digits; the view answers an unsupported one in the spec's error shape."""

    regex = "[A-Za-z0-9]{1,10}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(FormatConverter, "open311_format")

app_name = "open311"

urlpatterns = [
    path("discovery.<open311_format:fmt>", views.discovery, name="discovery"),
    path("services.<open311_format:fmt>", views.service_list, name="services"),
    path("services/<slug:code>.<open311_format:fmt>", views.service_definition, name="service_definition"),
    path("requests.<open311_format:fmt>", views.service_requests, name="requests"),
    path("requests/<str:request_id>.<open311_format:fmt>", views.request_detail, name="request"),
    path("tokens/<str:token>.<open311_format:fmt>", views.token_lookup, name="token"),
]
