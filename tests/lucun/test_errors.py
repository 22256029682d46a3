"""The one error path: domain errors, their one message, the API's handler and the pages' helper."""

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError
from django.http import Http404
from django.test import RequestFactory
from rest_framework.exceptions import ValidationError as FieldErrors
from rest_framework.test import APIRequestFactory, force_authenticate
from rest_framework.views import APIView

from lucun.errors import (
    DomainError,
    NotAllowed,
    error_message,
    flash_refused,
    page_errors,
    require,
    require_permission,
)
from lucun.models import Role
from lucun.scoping import require_role
from tests.factories import UserFactory, official

# ----------------------------------------------------------------------------------- the errors


def test_a_domain_error_is_a_validation_error_with_a_code():
    error = DomainError("只有已登记的诉求可以签收。")
    assert isinstance(error, ValidationError)
    assert error.code == "refused" and error.messages == ["只有已登记的诉求可以签收。"]
    assert DomainError("积分不足。", code="insufficient_points").code == "insufficient_points"


def test_not_allowed_is_a_domain_error_and_a_permission_refusal():
    error = NotAllowed("只有承办人可以记录办理进展。")
    assert isinstance(error, DomainError) and isinstance(error, PermissionDenied)
    assert error.code == "not_allowed" and str(error) == "只有承办人可以记录办理进展。"


def test_not_allowed_without_a_message_says_the_position_does_not_allow_it():
    assert str(NotAllowed()) == "您的职务不能办理此事。"


def test_require_refuses_with_the_message_when_the_condition_fails():
    require(True, "不会出现")
    with pytest.raises(DomainError) as refused:
        require(False, "请填写理由。", code="reason_missing")
    assert not isinstance(refused.value, NotAllowed)
    assert refused.value.code == "reason_missing" and refused.value.messages == ["请填写理由。"]


def test_require_permission_refuses_the_person():
    require_permission(True, "不会出现")
    with pytest.raises(NotAllowed, match="只有督办人员可以督办"):
        require_permission(False, "只有督办人员可以督办。")


# ----------------------------------------------------------------------------------- one message


@pytest.mark.parametrize(
    ("error", "text"),
    [
        (DomainError("该诉求没有暂停。"), "该诉求没有暂停。"),
        (DomainError(["请填写标题。", "请选择村(居)。"]), "请填写标题；请选择村(居)。"),
        (DomainError(["名额已满；", "请改日再来"]), "名额已满；请改日再来"),
        (ValidationError({"phone": ["手机号格式不对。"]}), "手机号格式不对。"),
        (PermissionDenied("您没有在稻香村办理此事的权限。"), "您没有在稻香村办理此事的权限。"),
        (PermissionDenied(), "您的职务不能办理此事。"),
    ],
)
def test_an_error_reads_as_one_chinese_text_joined_with_the_full_width_semicolon(error, text):
    assert error_message(error) == text


# ----------------------------------------------------------------------------------- the API handler


class _Refusing(APIView):
    error: Exception | None = None

    def post(self, request):
        raise self.error


def _api(error: Exception):
    request = APIRequestFactory().post("/api/v1/anything/", {}, format="json")
    force_authenticate(request, user=UserFactory.build())
    response = _Refusing.as_view(error=error)(request)
    return response.status_code, response.data


def test_the_api_answers_a_refused_rule_with_400_and_its_code():
    assert _api(DomainError(["已有待审批的延期申请。", "请填写延期理由。"], code="extension_pending")) == (
        400,
        {"detail": "已有待审批的延期申请；请填写延期理由。", "code": "extension_pending"},
    )


def test_the_api_answers_a_refused_person_with_403():
    assert _api(NotAllowed("只有承办人可以申请退回。")) == (
        403,
        {"detail": "只有承办人可以申请退回。", "code": "not_allowed"},
    )


def test_the_api_answers_django_permission_denied_in_the_same_shape():
    assert _api(PermissionDenied("您没有在稻香村办理此事的权限。")) == (
        403,
        {"detail": "您没有在稻香村办理此事的权限。", "code": "not_allowed"},
    )


def test_the_api_answers_a_validator_a_service_called_with_400():
    assert _api(ValidationError("手机号格式不对。", code="invalid")) == (
        400,
        {"detail": "手机号格式不对。", "code": "invalid"},
    )


def test_the_api_answers_an_object_out_of_scope_with_404():
    status, data = _api(Http404())
    assert status == 404 and set(data) == {"detail"}


def test_the_api_keeps_rest_frameworks_answer_for_refused_fields():
    assert _api(FieldErrors({"note": ["请填写办理进展。"]})) == (400, {"note": ["请填写办理进展。"]})


# ----------------------------------------------------------------------------------- the pages' helper


class _NoteForm(forms.Form):
    note = forms.CharField()


def _request():
    request = RequestFactory().post("/cases/x/")
    request._messages = CookieStorage(request)
    return request


def _flashed(request) -> list[str]:
    return [str(m) for m in get_messages(request)]


def test_the_helper_lets_a_successful_call_through():
    request = _request()
    with page_errors(request) as call:
        result = 42
    assert call.ok and call.error is None and result == 42 and _flashed(request) == []


def test_the_helper_puts_a_refused_rule_on_the_form_and_keeps_what_was_typed():
    request, form = _request(), _NoteForm({"note": "路灯已修好"})
    assert form.is_valid()
    with page_errors(request, form) as call:
        raise DomainError(["该诉求当前状态不能办结。", "请先恢复计时。"])
    assert not call.ok
    assert form.non_field_errors() == ["该诉求当前状态不能办结；请先恢复计时。"]
    assert form["note"].value() == "路灯已修好" and _flashed(request) == []


def test_the_helper_flashes_a_refused_rule_when_the_page_has_no_form():
    request = _request()
    with page_errors(request) as call:
        raise DomainError("该延期申请已审批。")
    assert not call.ok and _flashed(request) == ["该延期申请已审批。"]


def test_the_helper_lets_a_refused_person_go_on_as_a_403():
    request = _request()
    with pytest.raises(NotAllowed), page_errors(request, _NoteForm({"note": "x"})):
        raise NotAllowed("只有督办人员或街道班子成员可以审批延期。")
    assert _flashed(request) == []


@pytest.mark.django_db
def test_a_page_answers_not_allowed_with_403_and_its_message(client, settings):
    from django.urls import path

    from lucun import urls

    def refuse(request):
        raise NotAllowed("只有督办人员或街道班子成员可以督办。")

    settings.ROOT_URLCONF = type("urls", (), {"urlpatterns": [path("refuse/", refuse), *urls.urlpatterns]})
    client.force_login(UserFactory())
    response = client.get("/refuse/")
    assert response.status_code == 403 and "只有督办人员或街道班子成员可以督办。" in response.content.decode()


def test_the_helper_says_a_failed_write_only_when_asked():
    request, form = _request(), _NoteForm({"note": "x"})
    form.is_valid()
    with page_errors(request, form, database_errors=True) as call:
        raise DatabaseError("disk full")
    assert call.database_failed and "保存失败" in form.non_field_errors()[0]
    with pytest.raises(DatabaseError), page_errors(request, form):
        raise DatabaseError("disk full")


def test_the_helper_does_not_swallow_other_errors():
    with pytest.raises(KeyError), page_errors(_request()):
        raise KeyError("step")


def test_a_refused_form_is_flashed_as_one_line_naming_the_action():
    request, form = _request(), _NoteForm({"note": "x"})
    form.is_valid()
    form.add_error(None, "该诉求已办结。")
    form.add_error(None, "请填写理由。")
    flash_refused(request, "办结", form)
    empty = _NoteForm({})
    empty.is_valid()
    flash_refused(request, "办结", empty)
    assert _flashed(request) == ["未能办结:该诉求已办结；请填写理由。", "未能办结:请查看下方提示。"]


# ----------------------------------------------------------------------------------- the role check


@pytest.mark.django_db
def test_require_role_refuses_the_person_and_names_the_community(community, other_community):
    cadre = official(Role.COMMUNITY_CADRE, community=community)
    require_role(cadre, [Role.COMMUNITY_CADRE], community)
    with pytest.raises(NotAllowed, match="您没有在稻香村办理此事的权限。"):
        require_role(cadre, [Role.COMMUNITY_CADRE], other_community)
    with pytest.raises(NotAllowed, match="只有督办人员可以督办"):
        require_role(cadre, [Role.SUPERVISOR], message="只有督办人员可以督办。")
    with pytest.raises(NotAllowed):
        require_role(None, [Role.COMMUNITY_CADRE], community)
