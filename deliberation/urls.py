from django.urls import path

from . import views

app_name = "deliberation"

urlpatterns = [
    path("", views.calendar, name="calendar"),
    path("meetings/", views.meeting_list, name="meeting_list"),
    path("meetings/new/", views.meeting_create, name="meeting_create"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/notice/", views.meeting_notice, name="meeting_notice"),
    path("meetings/<int:pk>/ballots/", views.ballot_list, name="ballot_list"),
    path("meetings/<int:pk>/ballots/print/", views.ballot_print, name="ballot_print"),
    path("meetings/<int:pk>/ballots/<slug:action>/", views.ballot_action, name="ballot_action"),
    path("meetings/<int:pk>/<slug:action>/", views.meeting_action, name="meeting_action"),
    path("items/<int:pk>/decide/", views.item_decide, name="item_decide"),
    path("tasks/<int:pk>/done/", views.task_done, name="task_done"),
    path("venues/", views.venue_list, name="venue_list"),
    path("venues/coverage/", views.coverage, name="coverage"),
    path("venues/<int:pk>/", views.venue_detail, name="venue_detail"),
    path("figures/", views.figures, name="figures"),
]
