"""The negative list and its 通报: a recorded violation is told to whom it concerns; the street's supervisors draft a
通报 of a period from the form, publish it (numbered, audited, recorded on each case, told to its readers), and the
positions the configuration names read it, on its page and as an A4 PDF. Published, it never changes."""

import io
import re
import shutil
import subprocess
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from cases import services
from cases.models import Bulletin, BulletinReader, CaseEvent, ConductKind, ConductViolation
from lucun.errors import DomainError, NotAllowed
from lucun.models import AuditEvent, Notification, OutboxMessage, Role
from tests.cases.factories import open_case
from tests.factories import CommunityFactory, StreetFactory, official
from tests.htmlforms import form_in

pytestmark = pytest.mark.django_db

A4 = (595.28, 841.89)


@pytest.fixture
def official_at_fault(community):
    user = official(Role.GRID_WORKER, community=community)
    user.real_name = "张推诿"
    user.save(update_fields=["real_name"])
    return user


@pytest.fixture
def people(street, community, grid, street_leader, supervisor, cadre):
    """Every position of the street, as the seeded configuration sees them."""
    return {
        "street_leader": street_leader,
        "supervisor": supervisor,
        "street_staff": official(Role.STREET_STAFF, street=street),
        "community_cadre": cadre,
        "grid_worker": official(Role.GRID_WORKER, grid=grid),
        "unit_head": official(Role.UNIT_HEAD, grid=grid),
        "party_rep": official(Role.PARTY_REP, community=community),
    }


@pytest.fixture
def case(community, cadre):
    return open_case(community=community, by=cadre, title="村口道路破损")


def _kind(name="推诿扯皮") -> ConductKind:
    return ConductKind.objects.get(name=name)


def _violation(*, by, official_, community, case=None, days_ago=1, note="群众三次来电,一直推给村里。", kind="推诿扯皮"):
    return services.conduct_violation_record(
        user=by,
        official=official_,
        kind=_kind(kind),
        community=community,
        occurred_on=timezone.localdate() - timedelta(days=days_ago),
        note=note,
        case=case,
    )


def _published(*, by, violations, street, title="作风问题通报", handling="诫勉谈话") -> Bulletin:
    today = timezone.localdate()
    bulletin = services.bulletin_create(
        user=by,
        street=street,
        title=title,
        period_from=today - timedelta(days=30),
        period_to=today,
        entries=[services.BulletinEntry(v, handling) for v in violations],
    )
    return services.bulletin_publish(user=by, bulletin=bulletin)


# --- Recording a violation ---------------------------------------------------------------------------------------


def test_recording_a_violation_tells_the_official_and_the_other_supervisors_after_commit(
    client, supervisor, street_leader, cadre, community, case, official_at_fault, django_capture_on_commit_callbacks
):
    client.force_login(supervisor)
    page = client.get(reverse("cases:violation_create")).content.decode()
    form = form_in(page, "violation-form")
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(
            reverse("cases:violation_create"),
            {
                "official": official_at_fault.pk,
                "kind": form.choice("kind", "推诿扯皮"),
                "community": community.pk,
                "case_number": case.number,
                "occurred_on": timezone.localdate().isoformat(),
                "note": "群众三次来电,一直推给村里。",
            },
        )
    assert response.status_code == 302 and response.url == reverse("cases:notice_list")
    violation = ConductViolation.objects.get()
    assert (violation.official, violation.case, violation.recorded_by) == (official_at_fault, case, supervisor)

    told = {n.recipient: n for n in Notification.objects.all()}
    assert set(told) == {official_at_fault, street_leader}  # the recorder knows already; a cadre is no supervisor
    assert told[official_at_fault].title == "您有一起作风问题被记录:推诿扯皮"
    assert case.number in told[official_at_fault].body and told[official_at_fault].url == case.get_absolute_url()
    assert "张推诿" in told[street_leader].title and told[street_leader].url == reverse("cases:notice_list")
    # Their delivery is stored with the record and handed to the broker only once it is committed.
    queued = [i for m in OutboxMessage.objects.all() for i in m.kwargs["notification_ids"]]
    assert sorted(queued) == sorted(n.pk for n in told.values())
    assert len(callbacks) == OutboxMessage.objects.count()


def test_the_notice_board_marks_which_violations_a_published_bulletin_lists(
    client, supervisor, street, community, official_at_fault
):
    reported = _violation(by=supervisor, official_=official_at_fault, community=community, note="已通报的那一起")
    _violation(by=supervisor, official_=official_at_fault, community=community, note="还没通报的这一起")
    _published(by=supervisor, violations=[reported], street=street)
    client.force_login(supervisor)
    html = client.get(reverse("cases:notice_list")).content.decode()
    rows = html[html.index('data-testid="violations"') :]
    assert rows.index("已通报的那一起") < rows.index(">已通报<")
    assert rows.index("还没通报的这一起") < rows.index(">待通报<")


# --- Drafting and publishing -------------------------------------------------------------------------------------


def _fill(page: str, *, handling: dict[str, str], title: str, body: str = "") -> dict:
    """What a person sends from the 通报 form: the street and period it shows, a title, and for each violation
    whose label they recognise, its box ticked and its handling typed."""
    form = form_in(page, "bulletin-form")
    data = {**form.hidden, "title": title, "body": body, "step": "save"}
    for name in ("period_from", "period_to"):
        data[name] = re.search(rf'name="{name}" value="([^"]*)"', page).group(1)
    for name, boxes in form.checkboxes.items():
        for label_part, text in handling.items():
            if any(label_part in box.label for box in boxes):
                data[name] = boxes[0].value
                data[name.replace("item-", "handling-")] = text
    assert len([k for k in data if k.startswith("item-")]) == len(handling), form.checkboxes
    return data


def test_a_supervisor_drafts_a_bulletin_from_the_form_and_publishes_it(
    client, supervisor, people, street, community, case, official_at_fault
):
    listed = _violation(by=supervisor, official_=official_at_fault, community=community, case=case)
    _violation(
        by=supervisor, official_=people["community_cadre"], community=community, kind="态度恶劣", note="态度生硬"
    )
    client.force_login(supervisor)
    page = client.get(reverse("cases:bulletin_create")).content.decode()
    assert "态度恶劣" in page and "推诿扯皮" in page  # this month's violations are offered
    today = timezone.localdate()
    data = _fill(page, handling={"张推诿": "诫勉谈话,责令限期整改"}, title="3月作风问题通报", body="请各村引以为戒。")
    data.update(period_from=today.replace(day=1).isoformat(), period_to=today.isoformat())
    response = client.post(reverse("cases:bulletin_create"), data)

    bulletin = Bulletin.objects.get()
    assert response.status_code == 302 and response.url == bulletin.get_absolute_url()
    assert (bulletin.state, bulletin.street, bulletin.title, bulletin.body) == (
        "draft",
        street,
        "3月作风问题通报",
        "请各村引以为戒。",
    )
    assert [(i.violation, i.handling) for i in bulletin.items.all()] == [(listed, "诫勉谈话,责令限期整改")]
    assert not Notification.objects.filter(title__startswith="新通报").exists()  # a draft tells nobody

    detail = client.get(bulletin.get_absolute_url()).content.decode()
    publish = form_in(detail, "publish")
    response = client.post(publish.action, publish.hidden)
    assert response.status_code == 302

    bulletin.refresh_from_db()
    year = timezone.localdate().year
    assert (bulletin.state, bulletin.year, bulletin.serial, bulletin.published_by) == ("published", year, 1, supervisor)
    assert bulletin.number == f"{year}年第1期"
    audit = AuditEvent.objects.get(action="cases.bulletin_publish")
    assert (audit.actor, audit.object_id, audit.changes["after"]["violations"]) == (
        supervisor,
        str(bulletin.pk),
        [listed.pk],
    )
    event = CaseEvent.objects.get(case=case, kind=CaseEvent.Kind.BULLETINED)
    assert event.actor == supervisor and "诫勉谈话" in event.note and bulletin.number in event.note
    told = set(Notification.objects.filter(title__startswith="新通报").values_list("recipient__username", flat=True))
    readers = ("street_leader", "street_staff", "community_cadre", "grid_worker")
    assert told == {people[r].username for r in readers} | {official_at_fault.username}


def test_the_form_refuses_a_bulletin_without_a_violation_or_without_its_handling(
    client, supervisor, community, official_at_fault
):
    _violation(by=supervisor, official_=official_at_fault, community=community)
    client.force_login(supervisor)
    page = client.get(reverse("cases:bulletin_create")).content.decode()
    nothing_ticked = {**_fill(page, handling={}, title="空通报")}
    response = client.post(reverse("cases:bulletin_create"), nothing_ticked)
    assert response.status_code == 200 and "请至少勾选一起作风问题列入通报" in response.content.decode()
    no_handling = _fill(page, handling={"张推诿": "  "}, title="没写处理")
    response = client.post(reverse("cases:bulletin_create"), no_handling)
    assert "请填写这起问题的处理情况" in response.content.decode()
    assert not Bulletin.objects.exists()


def test_listing_another_period_offers_its_violations_and_keeps_what_was_typed(
    client, supervisor, community, official_at_fault
):
    _violation(by=supervisor, official_=official_at_fault, community=community, days_ago=60, note="两个月前的事")
    client.force_login(supervisor)
    page = client.get(reverse("cases:bulletin_create")).content.decode()
    assert "两个月前的事" not in page
    data = _fill(page, handling={}, title="第一季度通报")
    start = timezone.localdate() - timedelta(days=90)
    data.update(period_from=start.isoformat(), step="list")
    response = client.post(reverse("cases:bulletin_create"), data)
    html = response.content.decode()
    assert response.status_code == 200 and "两个月前的事" in html and 'value="第一季度通报"' in html
    assert 'role="alert"' not in html  # listing is not saving: nothing is refused yet
    assert not Bulletin.objects.exists()


def test_a_published_bulletin_is_never_changed(client, supervisor, street, community, official_at_fault):
    violation = _violation(by=supervisor, official_=official_at_fault, community=community)
    bulletin = _published(by=supervisor, violations=[violation], street=street, title="原通报")
    client.force_login(supervisor)
    response = client.get(reverse("cases:bulletin_edit", args=[bulletin.pk]), follow=True)
    assert "不能再修改" in response.content.decode()
    response = client.post(
        reverse("cases:bulletin_edit", args=[bulletin.pk]),
        {"title": "改过的标题", "period_from": "2000-01-01", "period_to": timezone.localdate().isoformat()},
    )
    assert response.status_code == 302
    with pytest.raises(DomainError, match="不能再修改"):
        services.bulletin_update(
            user=supervisor,
            bulletin=bulletin,
            title="改过的标题",
            period_from=bulletin.period_from,
            period_to=bulletin.period_to,
            entries=[services.BulletinEntry(violation, "免予处理")],
        )
    with pytest.raises(DomainError, match="已经发布"):
        services.bulletin_publish(user=supervisor, bulletin=bulletin)
    bulletin.refresh_from_db()
    assert (bulletin.title, bulletin.serial) == ("原通报", 1)
    assert list(bulletin.items.values_list("handling", flat=True)) == ["诫勉谈话"]


def test_a_correction_is_a_new_bulletin_that_names_the_one_it_corrects(
    client, supervisor, street, community, official_at_fault
):
    violation = _violation(by=supervisor, official_=official_at_fault, community=community)
    original = _published(by=supervisor, violations=[violation], street=street, title="原通报", handling="通报批评")
    client.force_login(supervisor)
    page = client.get(reverse("cases:bulletin_create") + f"?corrects={original.pk}").content.decode()
    data = _fill(page, handling={"张推诿": "经复核,改为诫勉谈话"}, title="更正通报")
    response = client.post(reverse("cases:bulletin_create") + f"?corrects={original.pk}", data)
    correction = Bulletin.objects.exclude(pk=original.pk).get()
    assert response.status_code == 302 and correction.corrects == original
    services.bulletin_publish(user=supervisor, bulletin=correction)
    assert list(original.items.values_list("handling", flat=True)) == ["通报批评"]
    html = client.get(original.get_absolute_url()).content.decode()
    assert "本期通报已被更正" in html and correction.get_absolute_url() in html


def test_the_rules_hold_for_every_caller_of_the_service(supervisor, cadre, street, community, other_community):
    today = timezone.localdate()
    mine = _violation(by=supervisor, official_=cadre, community=community, days_ago=40)
    other_street = StreetFactory(name="稻香街道", code="DX")
    elsewhere = _violation(
        by=official(Role.SUPERVISOR, street=other_street),
        official_=cadre,
        community=CommunityFactory(street=other_street, name="外街道村"),
    )

    def draft(user, entries, start=today - timedelta(days=7)):
        return services.bulletin_create(
            user=user, street=street, title="通报", period_from=start, period_to=today, entries=entries
        )

    with pytest.raises(NotAllowed):
        draft(cadre, [services.BulletinEntry(mine, "诫勉谈话")])
    with pytest.raises(DomainError, match="不在通报期间内"):
        draft(supervisor, [services.BulletinEntry(mine, "诫勉谈话")])
    with pytest.raises(DomainError, match="不在您的范围内") as refused:
        draft(supervisor, [services.BulletinEntry(elsewhere, "诫勉谈话")])
    assert str(cadre) not in str(refused.value)  # what the supervisor may not see is not named
    with pytest.raises(DomainError, match="至少选择一起"):
        draft(supervisor, [])
    assert not Bulletin.objects.exists()


# --- Reading -----------------------------------------------------------------------------------------------------


@pytest.fixture
def bulletin(supervisor, street, community, case, official_at_fault):
    violation = _violation(by=supervisor, official_=official_at_fault, community=community, case=case)
    return _published(by=supervisor, violations=[violation], street=street, title="本月作风问题通报")


def test_the_officials_of_the_street_read_the_published_bulletin(client, people, bulletin, case):
    for role in ("street_staff", "community_cadre", "grid_worker"):
        client.force_login(people[role])
        listing = client.get(reverse("cases:bulletin_list")).content.decode()
        assert "本月作风问题通报" in listing and bulletin.number in listing, role
        page = client.get(bulletin.get_absolute_url()).content.decode()
        for expected in ("张推诿", "推诿扯皮", case.number, "诫勉谈话", "芦湖村"):
            assert expected in page, (role, expected)


def test_positions_the_configuration_leaves_out_are_refused_until_it_names_them(client, people, bulletin):
    urls = [
        reverse("cases:bulletin_list"),
        bulletin.get_absolute_url(),
        reverse("cases:bulletin_pdf", args=[bulletin.pk]),
        reverse("api_bulletin_list"),
        reverse("api_bulletin_detail", args=[bulletin.pk]),
    ]
    client.force_login(people["party_rep"])
    assert {url: client.get(url).status_code for url in urls} == dict.fromkeys(urls, 403)
    assert "阅读范围" in client.get(urls[0]).content.decode()
    BulletinReader.objects.filter(role=Role.PARTY_REP).update(is_active=True)  # as the admin would
    assert {url: client.get(url).status_code for url in urls} == dict.fromkeys(urls, 200)


def test_a_bulletin_of_another_street_is_not_found(client, bulletin):
    stranger = official(Role.COMMUNITY_CADRE, community=CommunityFactory(street=StreetFactory()))
    client.force_login(stranger)
    for url in (
        bulletin.get_absolute_url(),
        reverse("cases:bulletin_pdf", args=[bulletin.pk]),
        reverse("api_bulletin_detail", args=[bulletin.pk]),
        reverse("api_bulletin_pdf", args=[bulletin.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert "本月作风问题通报" not in client.get(reverse("cases:bulletin_list")).content.decode()


def test_a_draft_is_for_who_writes_bulletins(client, supervisor, people, street, community, official_at_fault):
    violation = _violation(by=supervisor, official_=official_at_fault, community=community)
    draft = services.bulletin_create(
        user=supervisor,
        street=street,
        title="尚未发布的草稿",
        period_from=timezone.localdate() - timedelta(days=7),
        period_to=timezone.localdate(),
        entries=[services.BulletinEntry(violation, "诫勉谈话")],
    )
    client.force_login(people["community_cadre"])
    assert "尚未发布的草稿" not in client.get(reverse("cases:bulletin_list")).content.decode()
    assert client.get(draft.get_absolute_url()).status_code == 403
    assert client.get(reverse("cases:bulletin_edit", args=[draft.pk])).status_code == 403
    assert client.post(reverse("cases:bulletin_publish", args=[draft.pk])).status_code == 403
    client.force_login(people["street_leader"])
    assert "尚未发布的草稿" in client.get(reverse("cases:bulletin_list")).content.decode()
    assert client.get(reverse("cases:bulletin_pdf", args=[draft.pk])).status_code == 404  # only a published one


def test_the_list_says_so_when_there_is_no_bulletin_yet(client, people):
    client.force_login(people["grid_worker"])
    assert "还没有发布的通报" in client.get(reverse("cases:bulletin_list")).content.decode()


def test_the_list_costs_the_same_queries_for_three_bulletins_or_twenty_five(
    client, supervisor, people, street, community, official_at_fault, django_assert_num_queries
):
    violation = _violation(by=supervisor, official_=official_at_fault, community=community)
    for n in range(3):
        _published(by=supervisor, violations=[violation], street=street, title=f"第{n}期")
    client.force_login(people["community_cadre"])
    client.get(reverse("cases:bulletin_list"))  # the session is read once
    with django_assert_num_queries(8):
        client.get(reverse("cases:bulletin_list"))
    for n in range(22):
        _published(by=supervisor, violations=[violation], street=street, title=f"又一期{n}")
    with django_assert_num_queries(8):
        response = client.get(reverse("cases:bulletin_list"))
    assert response.content.decode().count('class="case-item__title"') == 20  # a page of them


# --- The PDF -----------------------------------------------------------------------------------------------------


def _pdf_text(content: bytes) -> str:
    """The text of the PDF, as poppler's pdftotext reads it where installed, else as pypdf does."""
    pdftotext = shutil.which("pdftotext")
    if pdftotext:
        command = [pdftotext, "-layout", "-", "-"]
        return subprocess.run(command, input=content, capture_output=True, check=True).stdout.decode()  # noqa: S603
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_the_pdf_of_a_published_bulletin_is_a4_and_lists_the_case_kind_official_and_handling(
    client, people, bulletin, case
):
    client.force_login(people["grid_worker"])
    response = client.get(reverse("cases:bulletin_pdf", args=[bulletin.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    box = reader.pages[0].mediabox
    assert (round(float(box.width), 1), round(float(box.height), 1)) == (round(A4[0], 1), round(A4[1], 1))
    text = _pdf_text(response.content)
    for expected in ("芦湖街道作风问题通报", bulletin.number, "本月作风问题通报", "张推诿", case.number, "推诿扯皮"):
        assert expected in text, expected
    assert "诫勉谈话" in text


def test_a_long_bulletin_flows_over_pages_with_its_table_head_on_each(client, supervisor, street, community):
    violations = [
        _violation(by=supervisor, official_=official(Role.GRID_WORKER, community=community), community=community)
        for _ in range(40)
    ]
    long = _published(by=supervisor, violations=violations, street=street, title="长通报")
    client.force_login(supervisor)
    response = client.get(reverse("api_bulletin_pdf", args=[long.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pages = PdfReader(io.BytesIO(response.content)).pages
    assert len(pages) > 1
    assert all("处理情况" in page.extract_text() for page in pages)
    assert "以上共 40 起" in pages[-1].extract_text()


# --- The API -----------------------------------------------------------------------------------------------------


def test_a_supervisor_drafts_and_publishes_through_the_api_and_a_reader_reads_it(
    client, supervisor, people, street, community, case, official_at_fault
):
    violation = _violation(by=supervisor, official_=official_at_fault, community=community, case=case)
    today = timezone.localdate()
    body = {
        "street": street.pk,
        "title": "接口起草的通报",
        "period_from": (today - timedelta(days=7)).isoformat(),
        "period_to": today.isoformat(),
        "items": [{"violation": violation.pk, "handling": "通报批评"}],
    }
    client.force_login(people["community_cadre"])
    assert client.post(reverse("api_bulletin_list"), body, content_type="application/json").status_code == 403
    client.force_login(supervisor)
    created = client.post(reverse("api_bulletin_list"), body, content_type="application/json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created.json()["bulletin_state"] == "draft" and created.json()["item_count"] == 1
    published = client.post(reverse("api_bulletin_publish", args=[pk]))
    assert published.status_code == 200 and published.json()["bulletin_state"] == "published"
    again = client.post(reverse("api_bulletin_publish", args=[pk]))
    assert again.status_code == 400 and "已经发布" in again.json()["detail"]

    client.force_login(people["community_cadre"])
    listing = client.get(reverse("api_bulletin_list")).json()
    assert [b["title"] for b in listing["results"]] == ["接口起草的通报"]
    detail = client.get(reverse("api_bulletin_detail", args=[pk])).json()
    assert detail["items"] == [
        {
            "violation": violation.pk,
            "occurred_on": violation.occurred_on.isoformat(),
            "community": community.pk,
            "community_name": "芦湖村",
            "official": official_at_fault.pk,
            "official_name": "张推诿",
            "kind": "推诿扯皮",
            "case_number": case.number,
            "note": violation.note,
            "handling": "通报批评",
        }
    ]
    pdf = client.get(reverse("api_bulletin_pdf", args=[pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert "张推诿" in _pdf_text(pdf.content)


def test_the_admin_edits_who_reads_and_shows_a_published_bulletin_read_only(admin_client, bulletin):
    readers = admin_client.get(reverse("admin:cases_bulletinreader_changelist")).content.decode()
    assert "党员代表" in readers and "村居干部" in readers
    page = admin_client.get(reverse("admin:cases_bulletin_change", args=[bulletin.pk]))
    assert page.status_code == 200 and "诫勉谈话" in page.content.decode()
    response = admin_client.post(reverse("admin:cases_bulletin_change", args=[bulletin.pk]), {"title": "改掉"})
    assert response.status_code == 403
    assert Bulletin.objects.get(pk=bulletin.pk).title == "本月作风问题通报"
