from django.urls import path

from . import views

urlpatterns = [
    path("deliberation/venues/", views.VenueListView.as_view(), name="api_venue_list"),
    path("deliberation/venues/<int:pk>/", views.VenueDetailView.as_view(), name="api_venue_detail"),
    path("deliberation/meetings/", views.MeetingListCreateView.as_view(), name="api_meeting_list"),
    path("deliberation/meetings/<int:pk>/", views.MeetingDetailView.as_view(), name="api_meeting_detail"),
    path(
        "deliberation/meetings/<int:pk>/steps/<slug:step>/complete/",
        views.StepCompleteView.as_view(),
        name="api_meeting_step_complete",
    ),
    path("deliberation/meetings/<int:pk>/agenda/", views.MeetingAgendaView.as_view(), name="api_meeting_agenda"),
    path("deliberation/meetings/<int:pk>/agenda/raise/", views.RaiseCaseView.as_view(), name="api_meeting_raise_case"),
    path(
        "deliberation/meetings/<int:pk>/proposed-agenda/",
        views.ProposedAgendaView.as_view(),
        name="api_meeting_proposed_agenda",
    ),
    path("deliberation/agenda-items/", views.AgendaItemListView.as_view(), name="api_agenda_item_list"),
    path("deliberation/agenda-items/<int:pk>/", views.AgendaItemDetailView.as_view(), name="api_agenda_item_detail"),
    path(
        "deliberation/agenda-items/<int:pk>/decide/",
        views.AgendaItemDecideView.as_view(),
        name="api_agenda_item_decide",
    ),
    path("deliberation/meetings/<int:pk>/ballots/", views.ContestBallotsView.as_view(), name="api_contest_ballots"),
    path(
        "deliberation/meetings/<int:pk>/ballots/void/",
        views.ContestBallotsVoidView.as_view(),
        name="api_contest_ballots_void",
    ),
    path(
        "deliberation/meetings/<int:pk>/resident-weight/",
        views.ContestWeightView.as_view(),
        name="api_contest_weight",
    ),
    path("ballots/<str:token>/", views.PublicBallotView.as_view(), name="api_public_ballot"),
    path("deliberation/figures/", views.FiguresView.as_view(), name="api_deliberation_figures"),
]
