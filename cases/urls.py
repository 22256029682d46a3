from django.urls import path

from . import views

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="case_list"),
    path("mine/", views.my_work, name="my_work"),
    path("new/", views.case_create, name="case_create"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("notices/", views.notice_list, name="notice_list"),
    path("notices/violations/new/", views.violation_create, name="violation_create"),
    path("extensions/<int:pk>/decide/", views.extension_decide, name="extension_decide"),
    path("returns/<int:pk>/decide/", views.return_decide, name="return_decide"),
    path("<str:number>/", views.case_detail, name="case_detail"),
    path("<str:number>/quick-accept/", views.quick_accept, name="quick_accept"),
    path("<str:number>/<slug:move>/", views.case_move, name="case_move"),
]
