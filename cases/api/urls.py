from django.urls import include, path

from ..hotline.api import HotlineOrderPushView
from . import bulletin_views as bv
from . import feedback_views as fv
from . import views

urlpatterns = [
    path("feedback/", fv.FeedbackSubmitView.as_view(), name="api_feedback_submit"),
    path("feedback/form/<str:token>/", fv.FeedbackFormOptionsView.as_view(), name="api_feedback_form"),
    path("feedback/form/<str:token>/similar/", fv.FeedbackSimilarView.as_view(), name="api_feedback_similar"),
    path("feedback/same-question/", fv.FeedbackSameQuestionView.as_view(), name="api_feedback_same_question"),
    path("feedback/status/<str:code>/", fv.FeedbackStatusView.as_view(), name="api_feedback_status"),
    path("feedback/status/<str:code>/answer/", fv.FeedbackAnswerView.as_view(), name="api_feedback_answer"),
    path("feedback/channels/", fv.ChannelListView.as_view(), name="api_feedback_channels"),
    path("feedback/intake/", fv.IntakeListView.as_view(), name="api_feedback_intake"),
    path(
        "feedback/intake/create-case-merged/",
        fv.IntakeCreateCaseMergedView.as_view(),
        name="api_feedback_create_case_merged",
    ),
    path("feedback/intake/<int:pk>/", fv.IntakeDetailView.as_view(), name="api_feedback_intake_detail"),
    path("feedback/intake/<int:pk>/create-case/", fv.IntakeCreateCaseView.as_view(), name="api_feedback_create_case"),
    path("feedback/intake/<int:pk>/merge/", fv.IntakeMergeView.as_view(), name="api_feedback_merge"),
    path("feedback/intake/<int:pk>/reject/", fv.IntakeRejectView.as_view(), name="api_feedback_reject"),
    path("feedback/intake/<int:pk>/move/", fv.IntakeMoveView.as_view(), name="api_feedback_move"),
    path("feedback/intake/<int:pk>/redact/", fv.IntakeRedactView.as_view(), name="api_feedback_redact"),
    path("hotline/orders/", HotlineOrderPushView.as_view(), name="api_hotline_orders"),
    path("categories/", views.CategoryListView.as_view(), name="api_category_list"),
    path("tiers/", views.TierListView.as_view(), name="api_tier_list"),
    path("bulletins/", bv.BulletinListCreateView.as_view(), name="api_bulletin_list"),
    path("bulletins/<int:pk>/", bv.BulletinDetailView.as_view(), name="api_bulletin_detail"),
    path("bulletins/<int:pk>/bulletin.pdf", bv.BulletinPdfView.as_view(), name="api_bulletin_pdf"),
    path("bulletins/<int:pk>/publish/", bv.BulletinPublishView.as_view(), name="api_bulletin_publish"),
    path("cases/", views.CaseListCreateView.as_view(), name="api_case_list"),
    path("", include("cases.api.jobs")),  # before cases/<number>/: cases/sheets/ is no case number
    path("cases/dashboard/", views.DashboardView.as_view(), name="api_case_dashboard"),
    path("cases/approvals/", views.ApprovalsWaitingView.as_view(), name="api_approvals"),
    path("cases/approvals/decide/", views.ApprovalsDecideView.as_view(), name="api_approvals_decide"),
    path("cases/extension-requests/<int:pk>/decide/", views.ExtensionDecideView.as_view(), name="api_extension_decide"),
    path("cases/return-requests/<int:pk>/decide/", views.ReturnDecideView.as_view(), name="api_return_decide"),
    path("cases/<str:number>/", views.CaseDetailView.as_view(), name="api_case_detail"),
    path("cases/<str:number>/events/", views.CaseEventListView.as_view(), name="api_case_events"),
    *[
        path(f"cases/<str:number>/{name}/", view.as_view(), name=f"api_case_{name}")
        for name, view in views.MOVE_VIEWS.items()
    ],
]
