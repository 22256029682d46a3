from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.templatetags.static import static as static_url
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularSwaggerSplitView

from . import files, views
from .api.schema_view import CachedSpectacularAPIView
from .bulk import views as bulk_views
from .exports import views as export_views
from .forms import LoginForm
from .handover import views as handover_views


class FaviconView(RedirectView):
    """/favicon.ico, which browsers ask for on their own: the icon among the static files."""

    def get_redirect_url(self, *args, **kwargs) -> str:
        return static_url("favicon.ico")


api_v1 = [
    path("", include("lucun.api.urls")),
    path("", include("visits.api.urls")),
    path("", include("cases.api.urls")),
    path("", include("deliberation.api.urls")),
    path("", include("points.api.urls")),
    path("", include("outcomes.api.urls")),
]

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(template_name="lucun/login.html", authentication_form=LoginForm),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/settings/", views.account_settings, name="account_settings"),
    path("search/", views.search, name="search"),
    path("org/", views.org_tree, name="org_tree"),
    path("people/", handover_views.people_list, name="people_list"),
    path("people/<int:pk>/", handover_views.person_detail, name="person_detail"),
    path("people/<int:pk>/handover/", handover_views.handover_create, name="handover_create"),
    path("people/<int:pk>/positions/<int:position_pk>/end/", handover_views.position_end, name="position_end"),
    path("handovers/<int:pk>/", handover_views.handover_detail, name="handover_detail"),
    path("notifications/", views.notification_list, name="notification_list"),
    path("notifications/mark-read/", views.notification_mark_read, name="notification_mark_read"),
    path("healthz", views.healthz, name="healthz"),
    path("files/<slug:kind>/<int:pk>/", files.serve, name="private_file"),
    path("files/<slug:kind>/<int:pk>/thumbnail/", files.serve, {"thumbnail": True}, name="private_file_thumbnail"),
    path("exports/<int:pk>/", export_views.export_job, name="export_job"),
    path("exports/<int:pk>/progress.json", export_views.export_job_progress, name="export_job_progress"),
    path("exports/<int:pk>/download/", export_views.export_job_download, name="export_job_download"),
    path("bulk/runs/<int:pk>/", bulk_views.bulk_run, name="bulk_run"),
    path("bulk/runs/<int:pk>/progress.json", bulk_views.bulk_run_progress, name="bulk_run_progress"),
    path("bulk/<str:kind>/", bulk_views.bulk_start, name="bulk_start"),
    path("favicon.ico", FaviconView.as_view(), name="favicon"),
    path("i18n/setlang/", views.language_set, name="set_language"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", CachedSpectacularAPIView.as_view(), name="api_schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api_schema"), name="api_docs"),
    # Open311 GeoReport v2 for civic apps (not the REST API: the spec fixes its own shapes and formats).
    path("open311/v2/", include("cases.open311.urls")),
    path("visits/", include("visits.urls")),
    path("cases/", include("cases.urls")),
    path("deliberation/", include("deliberation.urls")),
    path("points/", include("points.urls")),
    path("outcomes/", include("outcomes.urls")),
    # Short public addresses held by the QR codes: /f/<token>/ (feedback form), /s/<code>/ (status).
    path("", include("cases.public_urls")),
    # /b/<token>/: a 擂台比武 resident ballot.
    path("", include("deliberation.public_urls")),
]
