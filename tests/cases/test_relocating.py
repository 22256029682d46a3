"""A case or a message sent to the wrong village: moved by the street, handed over between communities, accepted or
sent back; the deadline stays, scoping follows at once, every step is an event and an audit record."""

import pytest
from django.urls import reverse

from cases import selectors, services
from cases.audit import AuditAction
from cases.models import Case, CaseEvent, CaseState, CaseTransfer, Feedback
from lucun.errors import DomainError, NotAllowed
from lucun.models import AuditEvent, Notification, Role
from tests.cases.factories import channel, open_case, submit
from tests.factories import GridFactory, official
from tests.htmlforms import forms_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(street):
    return official(Role.STREET_STAFF, street=street)


@pytest.fixture
def case(community, cadre, grid):
    worker = official(Role.GRID_WORKER, grid=grid)
    case = open_case(community=community, by=cadre, handler=worker, grid=grid)
    return services.case_accept(case=case, user=worker)


def _visible(user, case) -> bool:
    return selectors.cases_visible(user=user).filter(pk=case.pk).exists()


def _deadline(case) -> tuple:
    case = Case.objects.get(pk=case.pk)
    return case.due_at, case.warn_at, case.opened_at


# --- services -----------------------------------------------------------------------------------------


def test_street_staff_move_a_case_to_another_community_and_the_deadline_stays(
    case, staff, cadre, other_community, other_cadre
):
    before = _deadline(case)
    other_grid = GridFactory(community=other_community, name="第二网格")
    moved = services.case_move(case=case, user=staff, community=other_community, grid=other_grid, reason="地址属稻香村")
    assert (moved.community, moved.grid) == (other_community, other_grid)
    assert _deadline(case) == before
    # The grid worker of 芦湖村 does not work in 稻香村: the receiving community signs for it again.
    assert moved.handler is None and moved.state == CaseState.REGISTERED
    event = moved.events.get(kind=CaseEvent.Kind.MOVED)
    assert event.before["community"] == "芦湖村" and event.after == {"community": "稻香村", "grid": "第二网格"}
    assert AuditEvent.objects.filter(action=AuditAction.CASE_MOVE, actor=staff).count() == 1
    assert Notification.objects.filter(recipient=other_cadre, title__contains=case.number).exists()


def test_after_a_move_the_old_community_loses_sight_except_the_first_responder(
    community, grid, staff, other_community, other_cadre
):
    first_responder = official(Role.COMMUNITY_CADRE, community=community)
    colleague = official(Role.COMMUNITY_CADRE, community=community)
    case = open_case(community=community, by=first_responder)
    assert _visible(colleague, case) and not _visible(other_cadre, case)
    services.case_move(case=case, user=staff, community=other_community, reason="地址属稻香村")
    assert not _visible(colleague, case)
    assert _visible(other_cadre, case)
    assert _visible(first_responder, case)  # 首问负责: accountable wherever it goes
    assert _visible(staff, case)


def test_a_community_cadre_may_not_move_a_case_directly(case, cadre, other_community):
    with pytest.raises(NotAllowed):
        services.case_move(case=case, user=cadre, community=other_community, reason="地址属稻香村")


def test_a_case_moves_only_within_its_street(case, staff):
    from tests.factories import CommunityFactory, StreetFactory

    elsewhere = CommunityFactory(street=StreetFactory(name="青城镇", code="QC"), name="青城村")
    with pytest.raises(DomainError, match="本街道"):
        services.case_move(case=case, user=staff, community=elsewhere, reason="错误")


def test_a_hand_over_waits_for_the_receiving_community_which_accepts_it(case, cadre, other_community, other_cadre):
    before = _deadline(case)
    transfer = services.case_transfer(case=case, user=cadre, community=other_community, reason="地址属稻香村")
    assert transfer.decision == CaseTransfer.Decision.PENDING
    case.refresh_from_db()
    assert case.community_id != other_community.pk  # still where it was until accepted
    assert _visible(other_cadre, case) and _visible(cadre, case)
    assert Notification.objects.filter(recipient=other_cadre, title__contains="转交诉求待接收").exists()
    assert list(selectors.transfers_waiting(user=other_cadre)) == [case]
    assert list(selectors.transfers_waiting(user=cadre)) == []

    moved = services.case_transfer_accept(case=case, user=other_cadre, note="已接收")
    assert moved.community == other_community and _deadline(case) == before
    assert CaseTransfer.objects.get().decision == CaseTransfer.Decision.ACCEPTED
    assert not _visible(cadre, case) or case.first_responder == cadre
    kinds = list(moved.events.values_list("kind", flat=True))
    assert kinds[-2:] == [CaseEvent.Kind.TRANSFER_REQUESTED, CaseEvent.Kind.TRANSFER_ACCEPTED]
    assert set(AuditEvent.objects.values_list("action", flat=True)) >= {
        AuditAction.CASE_TRANSFER_REQUEST,
        AuditAction.CASE_TRANSFER_ACCEPT,
    }


def test_the_receiving_community_sends_a_hand_over_back_with_a_reason(case, cadre, other_community, other_cadre):
    services.case_transfer(case=case, user=cadre, community=other_community, reason="地址属稻香村")
    with pytest.raises(DomainError, match="退回理由"):
        services.case_transfer_return(case=case, user=other_cadre, reason=" ")
    transfer = services.case_transfer_return(case=case, user=other_cadre, reason="该户属芦湖村第一网格")
    assert transfer.decision == CaseTransfer.Decision.RETURNED and transfer.decision_note == "该户属芦湖村第一网格"
    case.refresh_from_db()
    assert case.community.name == "芦湖村"
    assert not _visible(other_cadre, case)
    assert Notification.objects.filter(recipient=cadre, title__contains="退回了转交的诉求").exists()
    assert case.events.filter(kind=CaseEvent.Kind.TRANSFER_RETURNED).exists()
    assert AuditEvent.objects.filter(action=AuditAction.CASE_TRANSFER_RETURN, actor=other_cadre).exists()


def test_a_transfer_sent_back_after_its_asker_handed_over_reaches_those_who_carry_the_case_on(
    case, cadre, community, other_community, other_cadre, street_leader
):
    from lucun.handover.services import handover_make

    services.case_transfer(case=case, user=cadre, community=other_community, reason="地址属稻香村")
    successor = official(Role.COMMUNITY_CADRE, community=community)
    handover_make(actor=street_leader, leaver=cadre, successor=successor, reason="调任其他街道")
    services.case_transfer_return(case=case, user=other_cadre, reason="该户属芦湖村第一网格")
    told = Notification.objects.filter(title__contains="退回了转交的诉求").values_list("recipient", flat=True)
    # Whoever asked, the first responder the hand-over made of the successor, and the case's handler: once each.
    assert sorted(told) == sorted([cadre.pk, successor.pk, case.handler_id])


def test_only_the_receiving_community_accepts_and_only_one_hand_over_waits(case, cadre, other_community, street):
    services.case_transfer(case=case, user=cadre, community=other_community, reason="地址属稻香村")
    with pytest.raises(NotAllowed):
        services.case_transfer_accept(case=case, user=cadre)
    with pytest.raises(DomainError, match="等待对方接收"):
        services.case_transfer(case=case, user=cadre, community=other_community, reason="再转一次")


def test_a_street_move_settles_a_hand_over_that_waits(case, cadre, staff, other_community, street):
    from tests.factories import CommunityFactory

    third = CommunityFactory(street=street, name="赵店村")
    services.case_transfer(case=case, user=cadre, community=other_community, reason="地址属稻香村")
    services.case_move(case=case, user=staff, community=third, reason="实为赵店村")
    assert CaseTransfer.objects.get().decision == CaseTransfer.Decision.SUPERSEDED


def test_the_community_that_asked_withdraws_a_hand_over_that_waits(
    case, cadre, community, other_community, other_cadre
):
    services.case_transfer(case=case, user=cadre, community=other_community, reason="地址属稻香村")
    with pytest.raises(NotAllowed):  # the receiving side accepts or sends back; it does not withdraw
        services.case_transfer_withdraw(case=case, user=other_cadre)
    with pytest.raises(NotAllowed):  # the handler of the case did not ask and does not dispatch
        services.case_transfer_withdraw(case=case, user=case.handler)
    colleague = official(Role.COMMUNITY_CADRE, community=community)  # the community that asked, not the asker
    transfer = services.case_transfer_withdraw(case=case, user=colleague, note="核实后属本村")
    assert (transfer.decision, transfer.decided_by, transfer.decision_note) == (
        CaseTransfer.Decision.WITHDRAWN,
        colleague,
        "核实后属本村",
    )
    case.refresh_from_db()
    assert case.community == community and not _visible(other_cadre, case)
    event = case.events.get(kind=CaseEvent.Kind.TRANSFER_WITHDRAWN)
    assert (event.actor, event.before["community"], event.note) == (colleague, "稻香村", "核实后属本村")
    assert AuditEvent.objects.filter(action=AuditAction.CASE_TRANSFER_WITHDRAW, actor=colleague).count() == 1
    assert Notification.objects.filter(recipient=other_cadre, title__contains="撤回了转交的诉求").exists()
    with pytest.raises(NotAllowed):  # nothing waits any more
        services.case_transfer_withdraw(case=case, user=cadre)
    again = services.case_transfer(case=case, user=cadre, community=other_community, reason="再次核实属稻香村")
    assert again.decision == CaseTransfer.Decision.PENDING


def test_a_community_cadre_moves_a_case_between_its_own_grids(case, cadre, community, other_community):
    second = GridFactory(community=community, name="第二网格")
    moved = services.case_regrid(case=case, user=cadre, grid=second, reason="属第二网格")
    assert moved.grid == second and moved.handler is not None  # the same community: the handler stays
    with pytest.raises(DomainError, match="本村"):
        services.case_regrid(case=case, user=cadre, grid=GridFactory(community=other_community), reason="错")


# --- feedback -----------------------------------------------------------------------------------------


def test_an_untriaged_message_moves_to_the_community_it_concerns(community, cadre, other_community, other_cadre):
    feedback = submit(channel=channel(community=community))
    services.feedback_move(feedback=feedback, user=cadre, community=other_community, reason="说的是稻香村的路灯")
    assert not selectors.feedback_queue(user=cadre, filters={"state": "new"}).filter(pk=feedback.pk).exists()
    assert selectors.feedback_queue(user=other_cadre, filters={"state": "new"}).filter(pk=feedback.pk).exists()
    assert AuditEvent.objects.filter(action=AuditAction.FEEDBACK_MOVE, actor=cadre).exists()
    assert Notification.objects.filter(recipient=other_cadre, title__contains="群众反馈待分拣").exists()


def test_a_triaged_message_does_not_move(community, cadre, other_community):
    feedback = submit(channel=channel(community=community))
    services.feedback_reject(feedback=feedback, user=cadre, state=Feedback.State.SPAM, reason="广告")
    with pytest.raises(DomainError, match="待分拣"):
        services.feedback_move(feedback=feedback, user=cadre, community=other_community, reason="错")


# --- pages --------------------------------------------------------------------------------------------


def _move_form(html: str, name: str):
    found = [f for f in forms_in(html) if f.action.endswith(f"/{name}/")]
    assert len(found) == 1, f"no form for {name}"
    return found[0]


def test_street_staff_move_a_case_from_its_page(client, case, staff, other_community):
    client.force_login(staff)
    page = client.get(case.get_absolute_url()).content.decode()
    form = _move_form(page, "move")
    response = client.post(
        form.action,
        {"move-community": form.option("move-community", "稻香村"), "move-grid": "", "move-reason": "地址属稻香村"},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.community == other_community
    assert "调整村(居)或网格" in client.get(case.get_absolute_url()).content.decode()


def test_a_cadre_hands_over_and_the_receiving_cadre_accepts_from_the_incoming_list(
    client, case, cadre, other_cadre, other_community
):
    client.force_login(cadre)
    page = client.get(case.get_absolute_url()).content.decode()
    assert f"/{case.number}/move/" not in page  # a cadre hands over, the street moves
    form = _move_form(page, "transfer")
    response = client.post(
        form.action,
        {"transfer-community": form.option("transfer-community", "稻香村"), "transfer-reason": "地址属稻香村"},
    )
    assert response.status_code == 302

    client.force_login(other_cadre)
    home = client.get(reverse("home")).content.decode()
    assert "待接收的转交" in home and case.number in home
    incoming = client.get(reverse("cases:my_work") + "?view=incoming").content.decode()
    assert case.title in incoming and "芦湖村转交给稻香村" in incoming
    page = client.get(case.get_absolute_url()).content.decode()
    form = _move_form(page, "transfer_accept")
    assert client.post(form.action, {"transfer_accept-note": "收到"}).status_code == 302
    case.refresh_from_db()
    assert case.community == other_community
    assert case.number not in client.get(reverse("cases:my_work") + "?view=incoming").content.decode()


def test_the_receiving_cadre_sends_a_hand_over_back_and_lands_on_their_work(
    client, case, cadre, other_cadre, other_community
):
    services.case_transfer(case=case, user=cadre, community=other_community, reason="地址属稻香村")
    client.force_login(other_cadre)
    form = _move_form(client.get(case.get_absolute_url()).content.decode(), "transfer_return")
    response = client.post(form.action, {"transfer_return-reason": ""})
    assert response.status_code == 400 and "原因" in response.content.decode()
    response = client.post(form.action, {"transfer_return-reason": "该户属芦湖村"})
    assert response.status_code == 302 and response.url == reverse("cases:my_work")
    assert client.get(case.get_absolute_url()).status_code == 404


def test_the_cadre_who_handed_over_withdraws_it_from_the_case_page(client, case, cadre, other_cadre, other_community):
    services.case_transfer(case=case, user=cadre, community=other_community, reason="地址属稻香村")
    client.force_login(other_cadre)
    page = client.get(case.get_absolute_url()).content.decode()
    assert "芦湖村转交给稻香村" in page and f"/{case.number}/transfer_withdraw/" not in page

    client.force_login(cadre)
    page = client.get(case.get_absolute_url()).content.decode()
    assert 'data-testid="pending-transfer"' in page and "地址属稻香村" in page
    form = _move_form(page, "transfer_withdraw")
    response = client.post(form.action, {"transfer_withdraw-note": "已核实属本村"})
    assert response.status_code == 302 and response.url == case.get_absolute_url()
    assert CaseTransfer.objects.get().decision == CaseTransfer.Decision.WITHDRAWN
    page = client.get(case.get_absolute_url()).content.decode()
    assert 'data-testid="pending-transfer"' not in page and "撤回转交" in page  # the timeline says so
    assert f"/{case.number}/transfer/" in page  # and it may be handed over again
    client.force_login(other_cadre)
    assert client.get(case.get_absolute_url()).status_code == 404


def test_the_first_responder_of_a_moved_case_is_offered_no_accept_and_the_new_community_is(
    client, community, staff, other_community, other_cadre
):
    first_responder = official(Role.COMMUNITY_CADRE, community=community)
    case = open_case(community=community, by=first_responder, title="路灯不亮")
    client.force_login(first_responder)
    assert "签收" in client.get(reverse("cases:my_work")).content.decode()
    services.case_move(case=case, user=staff, community=other_community, reason="地址属稻香村")

    work = client.get(reverse("cases:my_work")).content.decode()
    assert "路灯不亮" in work  # 首问负责: still followed
    assert reverse("cases:quick_accept", args=[case.number]) not in work and "签收" not in work
    page = client.get(case.get_absolute_url()).content.decode()
    assert f"/{case.number}/accept/" not in page
    assert client.post(reverse("cases:quick_accept", args=[case.number])).status_code == 403  # the service agrees
    assert Case.objects.get(pk=case.pk).state == CaseState.REGISTERED

    client.force_login(other_cadre)
    _move_form(client.get(case.get_absolute_url()).content.decode(), "accept")


def test_a_message_moves_from_the_feedback_page(client, community, cadre, other_community):
    feedback = submit(channel=channel(community=community))
    client.force_login(cadre)
    page = client.get(feedback.get_absolute_url()).content.decode()
    form = _move_form(page, "move")
    response = client.post(
        form.action, {"move-community": form.option("move-community", "稻香村"), "move-reason": "说的是稻香村"}
    )
    assert response.status_code == 302
    feedback.refresh_from_db()
    assert feedback.community == other_community


# --- API ----------------------------------------------------------------------------------------------


def test_the_api_moves_hands_over_accepts_and_refuses(client, case, cadre, staff, other_cadre, other_community):
    client.force_login(cadre)
    url = reverse("api_case_move", args=[case.number])
    assert client.post(url, {"community": other_community.pk, "reason": "错"}).status_code == 403
    response = client.post(
        reverse("api_case_transfer", args=[case.number]), {"community": other_community.pk, "reason": "地址属稻香村"}
    )
    assert response.status_code == 200 and response.json()["community"] == case.community_id
    client.force_login(other_cadre)
    response = client.post(reverse("api_case_transfer_accept", args=[case.number]), {})
    assert response.status_code == 200 and response.json()["community"] == other_community.pk
    client.force_login(staff)
    response = client.post(url, {"community": case.community_id, "reason": "又转回"})
    assert response.status_code == 200 and response.json()["community"] == case.community_id


def test_the_api_answers_404_to_a_hand_over_outside_the_callers_sight(client, case, other_cadre):
    client.force_login(other_cadre)
    assert client.post(reverse("api_case_transfer_accept", args=[case.number]), {}).status_code == 404


def test_the_api_withdraws_a_hand_over_for_the_side_that_asked_only(
    client, case, cadre, street, other_cadre, other_community
):
    from tests.factories import CommunityFactory

    third_cadre = official(Role.COMMUNITY_CADRE, community=CommunityFactory(street=street, name="赵店村"))
    url = reverse("api_case_transfer_withdraw", args=[case.number])
    client.force_login(cadre)
    assert client.post(url, {}).status_code == 403  # nothing waits
    services.case_transfer(case=case, user=cadre, community=other_community, reason="地址属稻香村")
    client.force_login(other_cadre)
    assert client.post(url, {}).status_code == 403  # the receiving side sees it but may not withdraw
    client.force_login(third_cadre)
    assert client.post(url, {}).status_code == 404  # outside its communities
    client.force_login(cadre)
    response = client.post(url, {"note": "已核实属本村"})
    assert response.status_code == 200 and response.json()["community"] == case.community_id
    assert CaseTransfer.objects.get().decision == CaseTransfer.Decision.WITHDRAWN


def test_the_api_moves_a_message(client, community, cadre, other_community):
    feedback = submit(channel=channel(community=community))
    client.force_login(cadre)
    response = client.post(
        reverse("api_feedback_move", args=[feedback.pk]), {"community": other_community.pk, "reason": "稻香村的事"}
    )
    assert response.status_code == 200 and response.json()["community"] == other_community.pk
