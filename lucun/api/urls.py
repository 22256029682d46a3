from django.urls import path

from ..bulk import api as bulk
from ..exports import api as exports
from ..handover import api as handover
from . import views

urlpatterns = [
    path("me/", views.MeView.as_view(), name="api_me"),
    path("streets/", views.StreetListView.as_view(), name="api_street_list"),
    path("communities/", views.CommunityListView.as_view(), name="api_community_list"),
    path("communities/<int:pk>/", views.CommunityDetailView.as_view(), name="api_community_detail"),
    path("grids/", views.GridListView.as_view(), name="api_grid_list"),
    path("search/", views.SearchView.as_view(), name="api_search"),
    path("notifications/", views.NotificationListView.as_view(), name="api_notification_list"),
    path("notifications/mark-read/", views.NotificationMarkReadView.as_view(), name="api_notification_mark_read"),
    path("bulk/runs/<int:pk>/", bulk.BulkRunView.as_view(), name="api_bulk_run"),
    path("bulk/<str:kind>/", bulk.BulkStartView.as_view(), name="api_bulk_start"),
    path("people/<int:pk>/handover/", handover.HandoverMakeView.as_view(), name="api_handover_make"),
    path("positions/<int:pk>/end/", handover.PositionEndView.as_view(), name="api_position_end"),
    path("exports/", exports.ExportStartView.as_view(), name="api_export_start"),
    path("exports/<int:pk>/", exports.ExportJobView.as_view(), name="api_export_job"),
    path("exports/<int:pk>/download/", exports.ExportJobDownloadView.as_view(), name="api_export_job_download"),
]
