"""Who approves extensions and returns (configuration), the approvals inbox, deciding many, escalation."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from cases import selectors, services
from cases.models import ApprovalKind, ApprovalRule, CaseEvent, ExtensionRequest, ReturnRequest
from lucun.errors import NotAllowed
from lucun.models import AuditEvent, BulkRun, Notification, Role
from tests.cases.factories import fourth_tier, open_case, tier
from tests.factories import CommunityFactory, UserFactory, official

pytestmark = pytest.mark.django_db

T0 = timezone.datetime(2026, 3, 2, 9, 0, tzinfo=timezone.get_fixed_timezone(480))


@pytest.fixture
def handler(community):
    return official(Role.GRID_WORKER, community=community)


def _extension(community, by, handler, *, days=0, hours=0, tier_code="assigned", title="村口道路破损"):
    case = open_case(community=community, by=by, handler=handler, tier_code=tier_code, title=title)
    extra = timedelta(days=days, hours=hours)
    return services.case_request_extension(case=case, user=handler, extra_time=extra, reason="等待施工队")


def _return(community, by, handler, *, tier_code="assigned", title="不属本村"):
    case = open_case(community=community, by=by, handler=handler, tier_code=tier_code, title=title)
    return services.case_request_return(case=case, user=handler, reason="不属于本村事务")


def _role(kind, tier_code, extra=None):
    rule = selectors.approval_rule_for(kind=kind, tier=tier(tier_code), extra_time=extra)
    return rule.approver_role if rule else None


# ------------------------------------------------------------------------------------------- the configuration


def test_the_seeded_rules_name_the_approver_by_tier_and_length():
    extension, giving_back = ApprovalKind.EXTENSION, ApprovalKind.RETURN
    assert _role(extension, "immediate", timedelta(hours=20)) == Role.COMMUNITY_CADRE
    assert _role(extension, "assigned", timedelta(days=1)) == Role.COMMUNITY_CADRE
    assert _role(extension, "assigned", timedelta(days=3)) == Role.COMMUNITY_CADRE
    assert _role(extension, "assigned", timedelta(days=3, hours=1)) == Role.STREET_LEADER
    assert _role(extension, "escalated", timedelta(days=1)) == Role.STREET_LEADER
    for code in ("immediate", "assigned", "escalated"):
        assert _role(giving_back, code) == Role.STREET_LEADER


def test_a_request_records_the_approver_and_when_it_escalates(community, cadre, handler):
    with time_machine.travel(T0, tick=False):
        short = _extension(community, cadre, handler, days=2, title="短")
        long = _extension(community, cadre, handler, days=5, title="长")
    assert (short.approver_role, short.escalate_to, short.escalate_at) == (
        Role.COMMUNITY_CADRE,
        Role.STREET_LEADER,
        T0 + timedelta(days=1),
    )
    assert (long.approver_role, long.escalate_to, long.escalate_at) == (
        Role.STREET_LEADER,
        Role.SUPERVISOR,
        T0 + timedelta(days=2),
    )


def test_a_tier_without_rules_falls_back_to_the_supervisors(community, cadre, handler, supervisor):
    fourth_tier()
    request = _extension(community, cadre, handler, days=10, tier_code="quarter")
    assert request.approver_role == ""
    with pytest.raises(NotAllowed):
        services.case_decide_extension(request=request, user=cadre, approve=True)
    services.case_decide_extension(request=request, user=supervisor, approve=True)
    assert ExtensionRequest.objects.get(pk=request.pk).decision == "approved"


def _admin(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))


def _form(rule: ApprovalRule, **changes) -> dict:
    data = {
        "name": rule.name,
        "kind": rule.kind,
        "tier": rule.tier_id,
        "up_to_days": rule.up_to_days or "",
        "approver_role": rule.approver_role,
        "escalate_after": "2 00:00:00" if rule.escalate_after else "",
        "escalate_to": rule.escalate_to,
        "description": "",
        "sort_order": rule.sort_order,
        "is_active": "on" if rule.is_active else "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_the_admin_refuses_a_change_that_leaves_long_extensions_without_an_approver(client):
    _admin(client)
    rule = ApprovalRule.objects.get(kind="extension", tier=tier("assigned"), up_to_days__isnull=True)
    url = reverse("admin:cases_approvalrule_change", args=[rule.pk])
    response = client.post(url, _form(rule, is_active=""))
    assert response.status_code == 200
    assert "承办层级超过 3 天的延期申请将没有审批人" in response.content.decode()
    assert ApprovalRule.objects.get(pk=rule.pk).is_active
    # A limit that reaches the tier's own (7 days) leaves nothing out.
    response = client.post(url, _form(rule, up_to_days=7))
    assert response.status_code == 302
    assert ApprovalRule.objects.get(pk=rule.pk).up_to_days == 7


def test_the_admin_refuses_two_rules_for_one_length(client):
    _admin(client)
    response = client.post(
        reverse("admin:cases_approvalrule_add"),
        {
            "name": "承办延期(3天内)二",
            "kind": "extension",
            "tier": tier("assigned").pk,
            "up_to_days": 3,
            "approver_role": Role.STREET_STAFF,
            "sort_order": 0,
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    assert "该层级已有同一延期天数的启用规则" in response.content.decode()
    assert not ApprovalRule.objects.filter(name="承办延期(3天内)二").exists()


def test_the_admin_refuses_a_length_on_a_return_rule_and_a_half_escalation(client):
    _admin(client)
    rule = ApprovalRule.objects.get(kind="return", tier=tier("assigned"))
    url = reverse("admin:cases_approvalrule_change", args=[rule.pk])
    html = client.post(url, _form(rule, up_to_days=3)).content.decode()
    assert "退回申请不分延期天数" in html
    html = client.post(url, _form(rule, escalate_to="")).content.decode()
    assert "须同时填写或同时留空" in html


# ------------------------------------------------------------------------------------------- who decides


def test_only_the_configured_approver_decides(community, cadre, handler, street_leader, supervisor):
    short = _extension(community, cadre, handler, days=2, title="短")
    long = _extension(community, cadre, handler, days=5, title="长")
    with pytest.raises(NotAllowed, match="由村居干部审批"):
        services.case_decide_extension(request=short, user=street_leader, approve=True)
    with pytest.raises(NotAllowed, match="由班子成员审批"):
        services.case_decide_extension(request=long, user=cadre, approve=True)
    with pytest.raises(NotAllowed):
        services.case_decide_extension(request=long, user=supervisor, approve=True)
    services.case_decide_extension(request=long, user=street_leader, approve=False, note="请按期办结")
    services.case_decide_extension(request=short, user=cadre, approve=True)
    assert AuditEvent.objects.filter(action="cases.approval_decide").count() == 2


def test_nobody_decides_their_own_request(community, cadre):
    case = open_case(community=community, by=cadre, handler=cadre)
    request = services.case_request_extension(case=case, user=cadre, extra_time=timedelta(days=1), reason="等")
    with pytest.raises(NotAllowed, match="不能审批自己提出的申请"):
        services.case_decide_extension(request=request, user=cadre, approve=True)


def test_a_cadre_of_another_community_does_not_decide(community, cadre, handler, other_cadre):
    request = _extension(community, cadre, handler, days=1)
    with pytest.raises(NotAllowed):
        services.case_decide_extension(request=request, user=other_cadre, approve=True)


def test_a_refusal_needs_a_reason(community, cadre, handler):
    request = _extension(community, cadre, handler, days=1)
    with pytest.raises(Exception, match="驳回申请须填写理由"):
        services.case_decide_extension(request=request, user=cadre, approve=False)


def test_the_wrong_approver_gets_403_from_the_page_and_the_api(client, community, cadre, handler, street_leader):
    request = _extension(community, cadre, handler, days=1)
    client.force_login(street_leader)
    page = client.get(reverse("cases:case_detail", args=[request.case.number])).content.decode()
    assert "延期申请待审批" in page and "村居干部" in page
    assert reverse("cases:extension_decide", args=[request.pk]) not in page  # no form for the leader
    api = APIClient()
    api.force_authenticate(street_leader)
    answer = api.post(f"/api/v1/cases/extension-requests/{request.pk}/decide/", {"approve": True}, format="json")
    assert answer.status_code == 403 and "由村居干部审批" in answer.json()["detail"]
    api.force_authenticate(cadre)
    answer = api.post(f"/api/v1/cases/extension-requests/{request.pk}/decide/", {"approve": True}, format="json")
    assert answer.status_code == 200 and answer.json()["decision"] == "approved"


# ------------------------------------------------------------------------------------------- the inbox


def _rows(response) -> list[str]:
    return re.findall(r'data-request="([a-z]+-\d+)"', response.content.decode())


def test_the_inbox_lists_what_waits_for_me_oldest_first(client, street, community, cadre, handler, street_leader):
    other = CommunityFactory(street=street)
    other_cadre = official(Role.COMMUNITY_CADRE, community=other)
    other_handler = official(Role.GRID_WORKER, community=other)
    with time_machine.travel(T0, tick=False):
        giving_back = _return(community, cadre, handler)
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        long = _extension(community, cadre, handler, days=5, title="长")
        short = _extension(community, cadre, handler, days=1, title="短")  # the cadres'
    with time_machine.travel(T0 + timedelta(hours=2), tick=False):
        elsewhere = _extension(other, other_cadre, other_handler, days=5, title="外村")
    with time_machine.travel(T0 + timedelta(hours=26), tick=False):
        client.force_login(street_leader)
        response = client.get(reverse("cases:approvals"))
        assert _rows(response) == [f"return-{giving_back.pk}", f"extension-{long.pk}", f"extension-{elsewhere.pk}"]
        assert re.search(r'data-testid="waited">1\xa0日，2\xa0小时', response.content.decode())
        client.force_login(cadre)
        assert _rows(client.get(reverse("cases:approvals"))) == [f"extension-{short.pk}"]
        client.force_login(other_cadre)
        assert _rows(client.get(reverse("cases:approvals"))) == []


def test_the_inbox_is_for_the_officials_who_approve(client, community):
    client.force_login(official(Role.GRID_WORKER, community=community))
    assert client.get(reverse("cases:approvals")).status_code == 403
    assert client.post(reverse("cases:approvals"), {"approve": "1"}).status_code == 403


def test_the_inbox_makes_a_fixed_number_of_queries(
    client, community, cadre, handler, street_leader, django_assert_num_queries
):
    _return(community, cadre, handler)
    client.force_login(street_leader)
    client.get(reverse("cases:approvals"))  # the session and the user, settled
    # the session, the user, the positions, the communities of the leader's street (named in the statements that
    # follow instead of a scoping subquery in each), the shell's counts, the inbox's count and its page
    with django_assert_num_queries(7) as few:
        client.get(reverse("cases:approvals"))
    for i in range(6):
        _return(community, cadre, handler, title=f"退回{i}")
        _extension(community, cadre, handler, days=5, title=f"延期{i}")
    with django_assert_num_queries(len(few.captured_queries)):
        assert len(_rows(client.get(reverse("cases:approvals")))) == 13


def _results(client, response) -> list[tuple[str, bool, str]]:
    """The rows of the run's page the inbox sent the person to: (label, ok, message)."""
    assert response.status_code == 302, response.content
    html = client.get(response["Location"]).content.decode()
    row = r'<tr data-ok="([01])">.*?data-label="记录">(?:<a [^>]*>)?([^<]*)(?:</a>)?</td>.*?</span> ([^<]*)</td>'
    rows = re.findall(row, html, re.S)
    return [(label, ok == "1", message.strip()) for ok, label, message in rows]


def test_approving_many_reports_each_row_and_one_refusal_leaves_the_others(
    client, community, cadre, handler, street_leader
):
    first = _return(community, cadre, handler, title="一")
    second = _extension(community, cadre, handler, days=5, title="二")
    third = _return(community, cadre, handler, title="三")
    services.case_decide_return(request=third, user=street_leader, approve=False, note="请继续办理")  # meanwhile
    client.force_login(street_leader)
    response = client.post(
        reverse("cases:approvals"),
        {"selected": [f"return-{first.pk}", f"extension-{second.pk}", f"return-{third.pk}"], "approve": "1"},
    )
    assert _results(client, response) == [
        (f"{first.case.number} 退回申请 · 一", True, "已批准。"),
        (f"{second.case.number} 延期申请 · 二", True, "已批准。"),
        (f"{third.case.number} 退回申请 · 三", False, "该退回申请已审批。"),
    ]
    assert "已办理 2 条,未办理 1 条" in client.get(response["Location"]).content.decode()
    assert ReturnRequest.objects.get(pk=first.pk).decision == "approved"
    assert ExtensionRequest.objects.get(pk=second.pk).decision == "approved"
    assert ReturnRequest.objects.get(pk=third.pk).decision == "refused"
    assert _rows(client.get(reverse("cases:approvals"))) == []
    assert AuditEvent.objects.filter(action="lucun.bulk_run").count() == 1


def test_refusing_many_needs_a_reason_and_names_rows_not_mine(client, community, cadre, handler, street_leader):
    mine = _extension(community, cadre, handler, days=5, title="长")
    theirs = _extension(community, cadre, handler, days=1, title="短")  # the cadres'
    client.force_login(street_leader)
    selected = [f"extension-{mine.pk}", f"extension-{theirs.pk}"]
    response = client.post(reverse("cases:approvals"), {"selected": selected, "approve": "0"})
    assert response.status_code == 400 and "驳回申请须填写理由" in response.content.decode()
    response = client.post(reverse("cases:approvals"), {"selected": selected, "approve": "0", "note": "材料不全"})
    results = _results(client, response)
    assert [ok for _label, ok, _message in results] == [True, False]
    assert results[0][2] == "已驳回。" and "由村居干部审批" in results[1][2]
    assert ExtensionRequest.objects.get(pk=mine.pk).decision == "refused"
    assert ExtensionRequest.objects.get(pk=theirs.pk).decision == "pending"


def test_all_waiting_for_me_runs_in_the_background_with_each_row_s_result(
    client, community, cadre, handler, street_leader, settings, django_capture_on_commit_callbacks
):
    settings.LUCUN_BULK_SYNC_MAX = 2
    waiting = [_return(community, cadre, handler, title=f"退回{i}") for i in range(3)]
    waiting.append(_extension(community, cadre, handler, days=5, title="长"))
    theirs = _extension(community, cadre, handler, days=1, title="短")  # the cadres': not in my inbox
    client.force_login(street_leader)
    assert 'name="all"' in client.get(reverse("cases:approvals")).content.decode()
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post(reverse("cases:approvals"), {"all": "1", "approve": "0", "note": "请继续办理"})
    assert response.status_code == 302
    run = BulkRun.objects.get()
    assert (run.kind, run.state, run.total) == ("cases.approval_refuse", BulkRun.State.QUEUED, 4)
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="bulk-progress"' in page and "已办理" not in page
    assert all(ReturnRequest.objects.get(pk=r.pk).decision == "pending" for r in waiting[:3])
    for callback in queued:  # the worker
        callback()
    run.refresh_from_db()
    assert (run.state, run.done, run.refused) == (BulkRun.State.DONE, 4, 0)
    assert [label.split(" ")[0] for label, _ok, _m in _results(client, response)] == [r.case.number for r in waiting]
    assert {r.decision for r in ExtensionRequest.objects.filter(pk=waiting[3].pk)} == {"refused"}
    assert ReturnRequest.objects.filter(decision="refused").count() == 3
    assert ExtensionRequest.objects.get(pk=theirs.pk).decision == "pending"


def test_deciding_many_does_not_reach_outside_my_communities(street, community, cadre, handler):
    other = CommunityFactory(street=street)
    other_cadre = official(Role.COMMUNITY_CADRE, community=other)
    foreign = _extension(other, other_cadre, official(Role.GRID_WORKER, community=other), days=1)
    run = services.approvals_decide(user=cadre, items=[("extension", foreign.pk)], approve=True)
    assert [(r.ok, r.message, r.label) for r in run.rows.all()] == [
        (False, "不存在,或不在您的工作范围内。", f"#{foreign.pk * 10 + 1}")
    ]
    assert ExtensionRequest.objects.get(pk=foreign.pk).decision == "pending"


def test_the_api_lists_and_decides_many(community, cadre, handler, street_leader):
    first = _return(community, cadre, handler, title="一")
    second = _extension(community, cadre, handler, days=1, title="二")  # the cadres'
    api = APIClient()
    api.force_authenticate(street_leader)
    listed = api.get("/api/v1/cases/approvals/").json()["results"]
    assert [(row["kind"], row["id"], row["row_id"]) for row in listed] == [("return", first.pk, first.pk * 10 + 2)]
    body = {"items": [{"kind": "return", "id": first.pk}, {"kind": "extension", "id": second.pk}], "approve": True}
    answer = api.post("/api/v1/cases/approvals/decide/", body, format="json")
    assert answer.status_code == 200
    results = answer.json()["results"]
    assert [(r["kind"], r["id"], r["ok"], r["case_number"]) for r in results] == [
        ("return", first.pk, True, first.case.number),
        ("extension", second.pk, False, second.case.number),
    ]
    assert answer.json()["run"]["state"] == "done" and answer.json()["run"]["refused"] == 1
    refused = api.post("/api/v1/cases/approvals/decide/", body | {"approve": False}, format="json")
    assert refused.status_code == 400
    api.force_authenticate(handler)
    assert api.get("/api/v1/cases/approvals/").status_code == 403
    assert api.post("/api/v1/cases/approvals/decide/", body, format="json").status_code == 403


def test_the_bulk_api_decides_all_waiting_for_me_in_the_background(
    community, cadre, handler, street_leader, settings, django_capture_on_commit_callbacks
):
    settings.LUCUN_BULK_SYNC_MAX = 1
    first = _return(community, cadre, handler, title="一")
    second = _extension(community, cadre, handler, days=5, title="二")
    api = APIClient()
    api.force_authenticate(street_leader)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        answer = api.post(reverse("api_bulk_start", args=["cases.approval_approve"]), {"all": True}, format="json")
    assert answer.status_code == 202 and answer.json()["total"] == 2
    for callback in queued:
        callback()
    done = api.get(answer.json()["status_url"]).json()
    assert [(r["id"], r["ok"]) for r in done["rows"]] == [(first.pk * 10 + 2, True), (second.pk * 10 + 1, True)]
    assert ReturnRequest.objects.get(pk=first.pk).decision == "approved"
    refused = api.post(reverse("api_bulk_start", args=["cases.approval_refuse"]), {"all": True}, format="json")
    assert refused.status_code == 400 and "驳回申请须填写理由" in refused.json()["detail"]
    api.force_authenticate(handler)
    answer = api.post(reverse("api_bulk_start", args=["cases.approval_approve"]), {"all": True}, format="json")
    assert answer.status_code == 403


def test_the_navigation_counts_what_waits_for_me(client, community, cadre, handler, street_leader):
    _return(community, cadre, handler, title="一")
    _return(community, cadre, handler, title="二")
    _extension(community, cadre, handler, days=1, title="短")  # the cadres'
    client.force_login(street_leader)
    html = client.get(reverse("cases:case_list")).content.decode()
    assert re.search(r'待我审批 <span class="badge badge--count" data-nav-count="approvals">2</span>', html)
    client.force_login(handler)
    assert 'data-nav-count="approvals"' not in client.get(reverse("cases:case_list")).content.decode()


# ------------------------------------------------------------------------------------------- escalation


def test_a_request_nobody_decides_goes_to_the_next_approver(
    client, community, cadre, handler, street_leader, supervisor
):
    with time_machine.travel(T0, tick=False):
        request = _extension(community, cadre, handler, days=5)
    with time_machine.travel(T0 + timedelta(days=1, hours=23), tick=False):
        assert services.approvals_escalate() == 0
    with time_machine.travel(T0 + timedelta(days=2, minutes=1), tick=False):
        assert services.approvals_escalate() == 1
        assert services.approvals_escalate() == 0  # once
    request.refresh_from_db()
    assert request.approver_role == Role.SUPERVISOR and request.escalated_at is not None
    event = CaseEvent.objects.get(kind=CaseEvent.Kind.APPROVAL_ESCALATED)
    assert (event.before, event.after["approver_role"]) == ({"approver_role": "street_leader"}, "supervisor")
    assert Notification.objects.filter(recipient=supervisor, title__contains="超时未审批").count() == 1
    assert AuditEvent.objects.filter(action="cases.approval_escalate").count() == 1
    with pytest.raises(NotAllowed):
        services.case_decide_extension(request=request, user=street_leader, approve=True)
    client.force_login(supervisor)
    response = client.get(reverse("cases:approvals"))
    assert _rows(response) == [f"extension-{request.pk}"]
    assert 'data-testid="escalated"' in response.content.decode()
    services.case_decide_extension(request=request, user=supervisor, approve=True)


def test_a_decided_request_does_not_escalate(community, cadre, handler):
    with time_machine.travel(T0, tick=False):
        request = _extension(community, cadre, handler, days=1)
        services.case_decide_extension(request=request, user=cadre, approve=True)
    with time_machine.travel(T0 + timedelta(days=3), tick=False):
        assert services.approvals_escalate() == 0


def test_the_escalation_runs_on_the_beat():
    from django.apps import apps

    config = apps.get_app_config("cases")
    assert ("审批超时转上级 approvals escalation", "cases.tasks.approvals_escalate", 300) in config.periodic_tasks


def test_the_dashboard_counts_waiting_and_escalated_requests(client, community, cadre, handler, supervisor):
    with time_machine.travel(T0, tick=False):
        _extension(community, cadre, handler, days=5, title="长")
        _extension(community, cadre, handler, days=1, title="短")
        _return(community, cadre, handler)
    with time_machine.travel(T0 + timedelta(days=1, hours=1), tick=False):
        assert services.approvals_escalate() == 2  # the short extension and the return (one day each)
    client.force_login(supervisor)
    html = client.get(reverse("cases:dashboard")).content.decode()
    assert re.search(r'data-testid="approvals-waiting"><dt>待审批</dt><dd>3</dd>', html)
    assert re.search(r'data-testid="approvals-escalated"><dt>超时转上级</dt><dd>2</dd>', html)
    assert client.get(reverse("api_case_dashboard")).json()["approvals"] == {"waiting": 3, "escalated": 2}


# ------------------------------------------------------------------------------------------- hand-over


@pytest.mark.parametrize("approve", [True, False], ids=["approved", "refused"])
@pytest.mark.parametrize("kind", ["extension", "return"])
def test_a_decision_reaches_the_successor_a_case_was_handed_to_while_its_request_waited(
    kind, approve, community, cadre, handler, street_leader
):
    from lucun.handover.services import handover_make

    request = (
        _extension(community, cadre, handler, days=1) if kind == "extension" else _return(community, cadre, handler)
    )
    successor = official(Role.GRID_WORKER, community=community)
    handover_make(actor=street_leader, leaver=handler, successor=successor, reason="调任其他街道")
    decide, decider = {
        "extension": (services.case_decide_extension, cadre),
        "return": (services.case_decide_return, street_leader),
    }[kind]
    decide(request=request, user=decider, approve=approve, note="" if approve else "材料不全")

    title = {"extension": "延期申请", "return": "退回申请"}[kind] + ("已批准" if approve else "被驳回")
    told = Notification.objects.filter(title__startswith=title)
    assert sorted(told.values_list("recipient", flat=True)) == sorted([handler.pk, successor.pk])
    # A refused return tells the one who now handles the case to carry on, not the one who left it.
    carry_on = told.filter(title__contains="请继续办理").values_list("recipient", flat=True)
    assert list(carry_on) == ([successor.pk] if (kind, approve) == ("return", False) else [])


def test_a_refused_return_tells_the_handler_who_asked_to_carry_on(community, cadre, handler, street_leader):
    request = _return(community, cadre, handler)
    services.case_decide_return(request=request, user=street_leader, approve=False, note="属于本村")
    [told] = Notification.objects.filter(title__startswith="退回申请被驳回")
    assert (told.recipient, told.title) == (handler, f"退回申请被驳回,请继续办理:{request.case.number}")
