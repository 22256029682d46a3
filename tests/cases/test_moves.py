"""The case page offers exactly the moves the services accept, for every state, position and pending request.

The buttons are read from the page as the person sees them (their labels); the services are tried one by one
with valid input inside a savepoint that is rolled back, so each try starts from the same case.
"""

import re
from datetime import timedelta

import pytest
from django.db import transaction
from django.urls import reverse

from cases import services
from cases.models import Case, CaseList, CaseState
from lucun.errors import DomainError
from lucun.models import Community, Grid, Role
from tests.cases.factories import open_case

pytestmark = pytest.mark.django_db

# Each move as the page labels it, and its service called with input it accepts.
SERVICES = {
    "签收": lambda case, user, people: services.case_accept(case=case, user=user),
    "记录进展": lambda case, user, people: services.case_record_progress(case=case, user=user, note="已联系施工队"),
    "办结": lambda case, user, people: services.case_resolve(case=case, user=user, resolution="路面已修补"),
    "指派承办人": lambda case, user, people: services.case_assign(case=case, user=user, handler=people["网格员"]),
    "申请延期": lambda case, user, people: services.case_request_extension(
        case=case, user=user, extra_time=timedelta(days=1), reason="等待施工材料"
    ),
    "申请退回": lambda case, user, people: services.case_request_return(case=case, user=user, reason="不属本村办理"),
    "升级": lambda case, user, people: services.case_escalate(
        case=case, user=user, reason="需街道协调", case_list=CaseList.STREET
    ),
    "暂停计时": lambda case, user, people: services.case_pause(case=case, user=user, reason="等待群众提供材料"),
    "恢复计时": lambda case, user, people: services.case_resume(case=case, user=user, note="材料已补齐"),
    "督办": lambda case, user, people: services.case_supervise(case=case, user=user, note="请尽快办理"),
    "归档": lambda case, user, people: services.case_close(case=case, user=user, note="回访满意"),
    "发回重办": lambda case, user, people: services.case_reopen(case=case, user=user, reason="群众反映未解决"),
    "撤销": lambda case, user, people: services.case_cancel(case=case, user=user, reason="重复登记"),
    "调整村(居)或网格": lambda case, user, people: services.case_move(
        case=case, user=user, community=_elsewhere(case), reason="地址属稻香村"
    ),
    "转交其他村(居)": lambda case, user, people: services.case_transfer(
        case=case, user=user, community=_elsewhere(case), reason="地址属稻香村"
    ),
    "调整网格": lambda case, user, people: services.case_regrid(
        case=case, user=user, grid=Grid.objects.filter(community=case.community).first(), reason="属第一网格"
    ),
    "接收转交": lambda case, user, people: services.case_transfer_accept(case=case, user=user),
    "退回转交": lambda case, user, people: services.case_transfer_return(case=case, user=user, reason="不属本村"),
    "撤回转交": lambda case, user, people: services.case_transfer_withdraw(case=case, user=user, note="转错了"),
}


def _elsewhere(case) -> Community:
    """The other community of the street (稻香村, where the foreign cadre works)."""
    return Community.objects.filter(street=case.community.street_id).exclude(pk=case.community_id).get()


ROLES = ("街道班子", "督办人员", "街道干部", "村居干部", "网格员", "承办人", "外村干部")


@pytest.fixture
def people(user_of, other_cadre):
    """One official of each position the test walks; the handler is a second grid worker of the grid."""
    return {
        "街道班子": user_of(Role.STREET_LEADER),
        "督办人员": user_of(Role.SUPERVISOR),
        "街道干部": user_of(Role.STREET_STAFF),
        "村居干部": user_of(Role.COMMUNITY_CADRE),
        "网格员": user_of(Role.GRID_WORKER),
        "承办人": user_of(Role.GRID_WORKER),
        "外村干部": other_cadre,
    }


# How a case reaches each state: the handler's steps before the requests, the cadre's after them.
BEFORE = {
    CaseState.ACCEPTED: ("accept",),
    CaseState.IN_PROGRESS: ("progress",),
    CaseState.PAUSED: ("progress",),
    CaseState.RESOLVED: ("progress",),
    CaseState.CLOSED: ("progress",),
}
AFTER = {
    CaseState.PAUSED: ("pause",),
    CaseState.RESOLVED: ("resolve",),
    CaseState.CLOSED: ("resolve", "close"),
    CaseState.CANCELLED: ("cancel",),
}
STEPS = {
    "accept": lambda case, user: services.case_accept(case=case, user=user),
    "progress": lambda case, user: services.case_record_progress(case=case, user=user, note="已到现场"),
    "pause": lambda case, user: services.case_pause(case=case, user=user, reason="等待材料"),
    "resolve": lambda case, user: services.case_resolve(case=case, user=user, resolution="已修复"),
    "close": lambda case, user: services.case_close(case=case, user=user),
    "cancel": lambda case, user: services.case_cancel(case=case, user=user, reason="群众撤回诉求"),
}


def _build(state: str, variant: str, people, community) -> Case:
    """A case in ``state``, handled by the handler unless ``unassigned``, with the variant's requests on it."""
    handler, cadre = people["承办人"], people["村居干部"]
    case = open_case(community=community, by=cadre, handler=None if variant == "unassigned" else handler)
    for step in BEFORE.get(state, ()):
        case = STEPS[step](case, handler)
    if variant in ("pending_extension", "extended"):
        asked = services.case_request_extension(case=case, user=handler, extra_time=timedelta(days=2), reason="等材料")
        if variant == "extended":
            services.case_decide_extension(request=asked, user=people["村居干部"], approve=True)
    if variant == "pending_return":
        services.case_request_return(case=case, user=handler, reason="不属本村")
    if variant == "pending_transfer":
        services.case_transfer(case=case, user=cadre, community=_elsewhere(case), reason="地址属稻香村")
    for step in AFTER.get(state, ()):
        case = STEPS[step](case, cadre)
    case = Case.objects.get(pk=case.pk)
    assert case.state == state
    return case


SCENARIOS = [
    *[(state, variant) for state in CaseState.values for variant in ("plain", "pending_extension", "pending_return")],
    (CaseState.REGISTERED, "unassigned"),
    (CaseState.PAUSED, "unassigned"),
    (CaseState.IN_PROGRESS, "extended"),
    *[(state, "pending_transfer") for state in (CaseState.REGISTERED, CaseState.IN_PROGRESS, CaseState.RESOLVED)],
]

ACTIONS = re.compile(r'<section[^>]*aria-labelledby="actions-title"[^>]*>(.*?)</section>', re.S)
BUTTON = re.compile(r"<summary[^>]*>\s*(.*?)\s*</summary>", re.S)


def _buttons(client, user, case) -> set[str]:
    """The moves the case page offers this person, by the labels on their buttons."""
    client.force_login(user)
    response = client.get(case.get_absolute_url())
    if response.status_code == 404:
        return set()
    assert response.status_code == 200
    section = ACTIONS.search(response.content.decode())
    assert section, "the page has no section of moves"
    return set(BUTTON.findall(section.group(1)))


class _Undo(Exception):
    pass


def _accepted(case, user, people) -> set[str]:
    """The moves whose service accepts this person on this case with valid input; nothing is kept."""
    accepted = set()
    for label, call in SERVICES.items():
        try:
            with transaction.atomic():
                call(Case.objects.get(pk=case.pk), user, people)
                raise _Undo
        except _Undo:
            accepted.add(label)
        except DomainError:  # NotAllowed too
            pass
    return accepted


@pytest.mark.parametrize(("state", "variant"), SCENARIOS, ids=[f"{s}-{v}" for s, v in SCENARIOS])
def test_the_case_page_offers_exactly_the_moves_the_services_accept(client, people, community, state, variant):
    case = _build(state, variant, people, community)
    differences = {}
    for role in ROLES:
        shown, accepted = _buttons(client, people[role], case), _accepted(case, people[role], people)
        if shown != accepted:
            differences[role] = {"shown only": shown - accepted, "accepted only": accepted - shown}
    assert differences == {}


def test_every_move_is_offered_to_someone_somewhere(client, people, community):
    """The comparison above would pass on pages that offer nothing; here every button shows up at least once."""
    seen = set()
    for state, variant in (
        (CaseState.REGISTERED, "plain"),
        (CaseState.PAUSED, "plain"),
        (CaseState.RESOLVED, "plain"),
        (CaseState.IN_PROGRESS, "pending_transfer"),
    ):
        case = _build(state, variant, people, community)
        for role in ROLES:
            seen |= _buttons(client, people[role], case)
    assert seen == set(SERVICES)


def test_the_extension_button_waits_while_a_request_is_pending_and_returns_when_it_is_refused(
    client, people, community
):
    handler, approver = people["承办人"], people["村居干部"]
    case = _build(CaseState.IN_PROGRESS, "plain", people, community)
    assert "申请延期" in _buttons(client, handler, case)
    response = client.post(
        reverse("cases:case_move", args=[case.number, "extension"]),
        {"extension-days": "3", "extension-reason": "等待施工队进场"},
    )
    assert response.status_code == 302
    assert "申请延期" not in _buttons(client, handler, case)
    response = client.post(
        reverse("cases:case_move", args=[case.number, "extension"]),
        {"extension-days": "2", "extension-reason": "再申请一次"},
    )
    assert response.status_code == 400 and "已有待审批的延期申请" in response.content.decode()
    assert case.extension_requests.count() == 1
    client.force_login(approver)
    request = case.extension_requests.get()
    client.post(
        reverse("cases:extension_decide", args=[request.pk]), {"decision-approve": "0", "decision-note": "理由不足"}
    )
    assert "申请延期" in _buttons(client, handler, case)


def test_a_person_who_may_not_make_a_move_is_refused_before_the_form_is_read(client, people, community):
    case = _build(CaseState.IN_PROGRESS, "plain", people, community)
    events = case.events.count()
    client.force_login(people["网格员"])  # a grid worker, not this case's handler
    assert client.post(reverse("cases:case_move", args=[case.number, "progress"])).status_code == 403
    response = client.post(reverse("api_case_progress", args=[case.number]), {})
    assert response.status_code == 403 and "只有承办人可以记录办理进展" in response.content.decode()
    client.force_login(people["承办人"])
    assert client.post(reverse("api_case_progress", args=[case.number]), {}).status_code == 400  # the note is missing
    assert case.events.count() == events
