from django.urls import path

from . import views

app_name = "points"

urlpatterns = [
    path("", views.volunteer_list, name="volunteer_list"),
    path("volunteers/new/", views.volunteer_create, name="volunteer_create"),
    path("volunteers/<int:pk>/", views.volunteer_detail, name="volunteer_detail"),
    path("volunteers/<int:pk>/edit/", views.volunteer_edit, name="volunteer_edit"),
    path("volunteers/<int:pk>/token/", views.volunteer_token, name="volunteer_token"),
    path("volunteers/<int:pk>/card.pdf", views.volunteer_card, name="volunteer_card"),
    path("volunteers/<int:pk>/adjust/", views.volunteer_adjust, name="volunteer_adjust"),
    path("volunteers/<int:pk>/claim/", views.claim_create, name="claim_create"),
    path("entries/<int:pk>/reverse/", views.entry_reverse, name="entry_reverse"),
    path("claims/", views.claim_list, name="claim_list"),
    path("claims/<int:pk>/", views.claim_detail, name="claim_detail"),
    path("claims/approve/", views.claims_approve_selected, name="claims_approve_selected"),
    path("claims/batch/", views.batch_create, name="batch_create"),
    path("claims/batch/<int:pk>/", views.batch_detail, name="batch_detail"),
    path("rewards/", views.reward_list, name="reward_list"),
    path("rewards/new/", views.reward_create, name="reward_create"),
    path("rewards/<int:pk>/edit/", views.reward_edit, name="reward_edit"),
    path("redeem/", views.redeem_start, name="redeem_start"),
    path("redeem/<str:token>/", views.redeem, name="redeem"),
    path("redemptions/<int:pk>/", views.redemption_receipt, name="redemption_receipt"),
    path("figures/", views.figures, name="figures"),
    path("m/<str:token>/", views.public, name="public"),
]
