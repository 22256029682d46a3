from django.urls import path

from . import views

urlpatterns = [
    path("points/volunteers/", views.VolunteerListView.as_view(), name="api_points_volunteer_list"),
    path("points/volunteers/<int:pk>/", views.VolunteerDetailView.as_view(), name="api_points_volunteer_detail"),
    path(
        "points/volunteers/<int:pk>/token/reissue/",
        views.VolunteerTokenReissueView.as_view(),
        name="api_points_volunteer_token_reissue",
    ),
    path(
        "points/volunteers/<int:pk>/token/revoke/",
        views.VolunteerTokenRevokeView.as_view(),
        name="api_points_volunteer_token_revoke",
    ),
    path("points/service-types/", views.ServiceTypeListView.as_view(), name="api_points_service_type_list"),
    path("points/claims/", views.ClaimListView.as_view(), name="api_points_claim_list"),
    path("points/claims/submit/", views.ClaimSubmitView.as_view(), name="api_points_claim_submit"),
    path("points/claims/<int:pk>/", views.ClaimDetailView.as_view(), name="api_points_claim_detail"),
    path("points/claims/<int:pk>/approve/", views.ClaimApproveView.as_view(), name="api_points_claim_approve"),
    path("points/claims/<int:pk>/reject/", views.ClaimRejectView.as_view(), name="api_points_claim_reject"),
    path("points/ledger/", views.LedgerListView.as_view(), name="api_points_ledger"),
    path("points/rewards/", views.RewardListView.as_view(), name="api_points_reward_list"),
    path("points/rewards/<int:pk>/", views.RewardDetailView.as_view(), name="api_points_reward_detail"),
    path("points/redemptions/", views.RedemptionListView.as_view(), name="api_points_redemption_list"),
    path("points/redemptions/redeem/", views.RedemptionCreateView.as_view(), name="api_points_redeem"),
    path("points/redemptions/<int:pk>/", views.RedemptionDetailView.as_view(), name="api_points_redemption_detail"),
]
