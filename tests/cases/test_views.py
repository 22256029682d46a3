import json
import re
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import Case, CaseState
from cases.states import OPEN_STATES
from lucun.images import image_clean
from lucun.models import Role
from tests.cases.factories import category, fourth_tier, jpeg_bytes, open_case, tier, upload
from tests.factories import CommunityFactory, official

pytestmark = pytest.mark.django_db


@pytest.fixture
def handler(community):
    return official(Role.GRID_WORKER, community=community)


def test_official_registers_a_case_from_the_form(client, cadre, community):
    client.force_login(cadre)
    response = client.post(
        reverse("cases:case_create"),
        {
            "community": community.pk,
            "category": category("livelihood").pk,
            "title": "低保补贴未到账",
            "description": "老人反映本月补贴未到账",
            "source": "walk_in",
            "tier": tier("immediate").pk,
            "case_list": "community",
        },
    )
    case = Case.objects.get()
    assert response.status_code == 302
    assert response.url == case.get_absolute_url()
    assert case.first_responder == cadre
    assert case.tier.code == "immediate"


def test_bad_case_form_keeps_what_was_typed_and_saves_nothing(client, cadre, community):
    client.force_login(cadre)
    response = client.post(reverse("cases:case_create"), {"community": community.pk, "description": "写了一半"})
    assert response.status_code == 200
    assert "写了一半" in response.content.decode()
    assert not Case.objects.exists()


def test_case_page_shows_timeline_and_the_users_moves(client, cadre, community, handler):
    case = open_case(community=community, by=cadre, handler=handler)
    client.force_login(handler)
    html = client.get(case.get_absolute_url()).content.decode()
    assert case.number in html
    assert 'id="move-accept"' in html
    assert 'id="move-cancel"' not in html  # a grid worker does not dispatch
    client.force_login(cadre)
    html = client.get(case.get_absolute_url()).content.decode()
    assert 'id="move-cancel"' in html and 'id="move-accept"' not in html


def test_foreign_case_is_404_on_every_page(client, cadre, community, other_cadre):
    case = open_case(community=community, by=cadre)
    client.force_login(other_cadre)
    assert client.get(case.get_absolute_url()).status_code == 404
    assert (
        client.post(reverse("cases:case_move", args=[case.number, "cancel"]), {"cancel-reason": "x"}).status_code == 404
    )
    assert case.number not in client.get(reverse("cases:case_list")).content.decode()


def test_move_through_the_page_and_illegal_move_shows_a_message(client, cadre, community, handler):
    case = open_case(community=community, by=cadre, handler=handler)
    client.force_login(handler)
    response = client.post(reverse("cases:case_move", args=[case.number, "accept"]))
    assert response.status_code == 302
    assert Case.objects.get().state == CaseState.ACCEPTED
    response = client.post(reverse("cases:case_move", args=[case.number, "accept"]))
    assert response.status_code == 400
    assert "只有已登记的诉求可以签收" in response.content.decode()


def test_invalid_move_form_keeps_the_input(client, cadre, community, handler):
    case = open_case(community=community, by=cadre, handler=handler)
    client.force_login(handler)
    response = client.post(
        reverse("cases:case_move", args=[case.number, "extension"]),
        {"extension-days": "99", "extension-reason": "等材料"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "等材料" in html
    assert not case.extension_requests.exists()


def test_my_work_lists_due_soonest_first_and_accepts_in_one_tap(client, cadre, community, handler):
    later = open_case(community=community, by=cadre, handler=handler, tier_code="escalated", title="后到期")
    sooner = open_case(community=community, by=cadre, handler=handler, tier_code="immediate", title="先到期")
    client.force_login(handler)
    response = client.get(reverse("cases:my_work"))
    numbers = [c.number for c in response.context["page_obj"]]
    assert numbers == [sooner.number, later.number]
    client.post(reverse("cases:quick_accept", args=[sooner.number]))
    assert Case.objects.get(pk=sooner.pk).state == CaseState.ACCEPTED


def test_my_work_query_count_is_fixed(client, cadre, community, handler, django_assert_num_queries):
    for _ in range(3):
        open_case(community=community, by=cadre, handler=handler)
    client.force_login(handler)
    # the session, the user, the positions, the count and the page of cases, the shell's counts
    with django_assert_num_queries(6) as few:
        client.get(reverse("cases:my_work"))
    for _ in range(15):
        open_case(community=community, by=cadre, handler=handler)
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(reverse("cases:my_work"))


@pytest.mark.postgres
def test_my_work_counts_an_officials_cases_from_the_index_alone(client, cadre, community, handler):
    """The page's count names each case's community and first responder (what the official may see): both are in
    the responsible-person index, so the count needs no heap page per case, only an index-only scan."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):
        open_case(community=community, by=cadre, handler=handler)
    client.force_login(handler)
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("cases:my_work"))
    [count] = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith('SELECT COUNT(*) AS "__count" FROM "cases_case"')
    ]
    with connection.cursor() as cursor:
        # Few rows would make any plan cheap: take the sequential and bitmap scans away and see what is left.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("EXPLAIN (FORMAT JSON) " + count.replace("%", "%%"))
        plan = json.dumps(cursor.fetchone()[0])
    assert '"Node Type": "Index Only Scan"' in plan and '"Index Name": "case_responsible_due_idx"' in plan, plan


def test_my_work_never_lists_a_case_of_a_community_out_of_sight(client, cadre, community, handler):
    kept = open_case(community=community, by=cadre, handler=handler, title="本村的")
    moved = open_case(community=community, by=cadre, handler=handler, title="别村的")
    foreign = CommunityFactory()  # another street's community, where the handler holds no position
    Case.objects.filter(pk=moved.pk).update(community=foreign)
    client.force_login(handler)
    for query in ({}, {"colour": "green"}):
        response = client.get(reverse("cases:my_work"), query)
        assert [c.number for c in response.context["page_obj"]] == [kept.number], query
        assert moved.number not in response.content.decode()


def test_case_list_filters_by_colour_and_paginates(client, street_leader, cadre, community):
    t0 = timezone.now() - timedelta(hours=30)
    with time_machine.travel(t0, tick=False):
        red = open_case(community=community, by=cadre, tier_code="immediate", title="超期")
    open_case(community=community, by=cadre, tier_code="escalated", title="正常")
    client.force_login(street_leader)
    response = client.get(reverse("cases:case_list"), {"colour": "red"})
    assert [c.number for c in response.context["page_obj"]] == [red.number]


def test_every_filter_says_what_its_blank_choice_leaves_open(client, supervisor, community):
    """The filters' labels are read by screen readers only: the blank choice is what a person sees in each box,
    so it names the filter ("全部类别"), never a bare "全部" that could be any of them."""
    client.force_login(supervisor)
    for name in ("cases:case_list", "cases:dashboard"):
        html = client.get(reverse(name)).content.decode()
        start = html.index('class="filters')
        form = html[start : html.index("</form>", start)]
        blanks = re.findall(r'<select name="(\w+)"[^>]*>\s*<option value=""[^>]*>([^<]*)</option>', form)
        filters = {"community", "category", "tier", "first_responder", "source"}
        assert filters <= {n for n, _label in blanks}, name
        for field, label in blanks:
            if field != "order":  # the order's first choice is an order (按办理期限), not a filter left open
                assert label.startswith("全部") and len(label) > len("全部"), (name, field, label)


def test_a_filter_that_does_not_hold_is_named_and_left_out_and_the_others_still_apply(
    client, supervisor, street_leader, cadre, community
):
    t0 = timezone.now() - timedelta(hours=30)
    with time_machine.travel(t0, tick=False):
        red = open_case(community=community, by=cadre, tier_code="immediate", title="超期")
    done = open_case(community=community, by=cadre, tier_code="escalated", title="已修好")
    services.case_resolve(case=done, user=cadre, resolution="已修")
    client.force_login(street_leader)
    # An address kept from before: the colour is still good, the category is gone.
    response = client.get(reverse("cases:case_list"), {"colour": "red", "category": "999999"})
    assert [c.number for c in response.context["page_obj"]] == [red.number]
    html = response.content.decode()
    assert 'data-testid="filters-ignored"' in html and "类别" in html.split('data-testid="filters-ignored"')[1][:200]
    # An invalid state does not show the closed cases with the open ones: the list stays on the open cases.
    response = client.get(reverse("cases:case_list"), {"state": "purple"})
    assert response.context["filter_form"].ignored_labels() == ["状态"]
    assert [c.number for c in response.context["page_obj"]] == [red.number]
    done.refresh_from_db()
    assert done.state not in OPEN_STATES
    # Nothing is said when every filter holds.
    assert (
        'data-testid="filters-ignored"'
        not in client.get(reverse("cases:case_list"), {"colour": "red"}).content.decode()
    )
    # In English the names are listed as English lists them.
    english = client.get(
        reverse("cases:case_list"), {"state": "purple", "tier": "999999"}, HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "were left out: Tier, Status." in english, english.split('data-testid="filters-ignored"')[-1][:300]
    client.force_login(supervisor)
    dashboard = client.get(reverse("cases:dashboard"), {"tier": "999999"}).content.decode()
    assert 'data-testid="filters-ignored"' in dashboard


def test_case_list_opens_on_the_open_cases_soonest_due_first_and_a_closed_case_has_no_colour(
    client, street_leader, cadre, community
):
    import re

    with time_machine.travel(timezone.now() - timedelta(days=400), tick=False):
        archived = open_case(community=community, by=cadre, tier_code="immediate", title="去年的路灯")
    services.case_resolve(case=archived, user=cadre, resolution="已修")
    services.case_close(case=archived, user=cadre)
    later = open_case(community=community, by=cadre, tier_code="escalated", title="一个月内")
    sooner = open_case(community=community, by=cadre, tier_code="immediate", title="24小时内")
    client.force_login(street_leader)

    response = client.get(reverse("cases:case_list"))
    assert [c.number for c in response.context["page_obj"]] == [sooner.number, later.number]
    assert re.search(r'<option value="open" selected>未办结</option>', response.content.decode())

    html = client.get(reverse("cases:case_list"), {"state": "all"}).content.decode()
    rows = dict(re.findall(r'<li class="case-item[^"]*" data-number="([^"]+)">(.*?)</li>', html, re.S))
    assert set(rows) == {archived.number, later.number, sooner.number}
    assert "data-colour" not in rows[archived.number] and 'data-colour="green"' in rows[later.number]
    assert f'case-item--closed" data-number="{archived.number}"' in html
    detail = client.get(archived.get_absolute_url()).content.decode()
    assert "case-head--closed" in detail and "data-colour" not in detail


def test_case_list_query_count_is_fixed(client, street_leader, cadre, community, django_assert_max_num_queries):
    open_case(community=community, by=cadre)
    client.force_login(street_leader)
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("cases:case_list"))
    other = CommunityFactory(street=community.street)
    for _ in range(10):
        open_case(community=other, by=street_leader)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("cases:case_list"))


def test_dashboard_counts_colours_from_data(client, supervisor, cadre, community, other_community):
    now = timezone.now()
    with time_machine.travel(now - timedelta(hours=30), tick=False):
        open_case(community=community, by=cadre, tier_code="immediate")  # red
    with time_machine.travel(now - timedelta(hours=20), tick=False):
        open_case(community=community, by=cadre, tier_code="immediate")  # yellow
    open_case(community=other_community, by=supervisor, tier_code="assigned")  # green
    client.force_login(supervisor)
    response = client.get(reverse("cases:dashboard"))
    d = response.context["d"]
    assert d.totals == {"red": 1, "yellow": 1, "green": 1}
    assert [r["name"] for r in d.community_rows] == ["芦湖村", "稻香村"]
    html = response.content.decode()
    assert 'data-testid="total-red">1<' in html


def test_dashboard_figures_are_computed_from_resolved_cases(client, supervisor, cadre, community):
    start = timezone.now() - timedelta(days=20)
    durations = [timedelta(hours=5), timedelta(days=3), timedelta(days=10)]
    for spent in durations:
        with time_machine.travel(start, tick=False):
            case = open_case(community=community, by=cadre, tier_code="assigned")
        with time_machine.travel(start + spent, tick=False):
            services.case_resolve(case=case, user=cadre, resolution="已解决", case_list="self")
    client.force_login(supervisor)
    d = client.get(reverse("cases:dashboard")).context["d"]
    stats = d.resolved
    assert stats["count"] == 3
    assert stats["on_time"] == 2  # 10 days is past the 7-day limit
    # One bucket per tier, up to its limit: 24 hours, a week, a month.
    assert [(b["tier"].code, b["count"]) for b in d.resolved_buckets] == [
        ("immediate", 1),
        ("assigned", 1),
        ("escalated", 1),
    ]
    assert d.resolved_beyond["count"] == 0
    assert stats["median"] == timedelta(days=3)
    assert abs(stats["mean"] - sum(durations, timedelta()) / 3) < timedelta(seconds=1)


def test_a_fourth_tier_shows_on_the_dashboard_with_its_own_bucket(client, supervisor, cadre, community):
    fourth_tier()
    start = timezone.now() - timedelta(days=120)
    for spent in (timedelta(days=60), timedelta(days=100)):
        with time_machine.travel(start, tick=False):
            case = open_case(community=community, by=cadre, tier_code="quarter")
        with time_machine.travel(start + spent, tick=False):
            services.case_resolve(case=case, user=cadre, resolution="已解决")
    open_case(community=community, by=cadre, tier_code="quarter")  # open, green
    client.force_login(supervisor)
    response = client.get(reverse("cases:dashboard"))
    d = response.context["d"]
    assert [(b["tier"].name, b["count"]) for b in d.resolved_buckets] == [
        ("即办", 0),
        ("承办", 0),
        ("特办", 0),
        ("季办", 1),
    ]
    assert d.resolved_beyond["count"] == 1
    html = response.content.decode()
    assert re.search(r'data-testid="resolved-within-quarter"><dt>季办 · 90天内</dt><dd>1</dd>', html)
    assert re.search(r'data-testid="resolved-beyond"><dt>超过90天</dt><dd>1</dd>', html)
    assert "<th>季办</th>" in html  # and a column in the colours by tier
    assert d.colour_by_tier["green"][tier("quarter").pk] == 1


def test_dashboard_queries_do_not_grow_with_cases(client, supervisor, cadre, community, django_assert_max_num_queries):
    services.case_resolve(case=open_case(community=community, by=cadre), user=cadre, resolution="ok")
    client.force_login(supervisor)
    with django_assert_max_num_queries(30) as few:
        client.get(reverse("cases:dashboard"))
    for i in range(12):
        case = open_case(community=CommunityFactory(street=community.street), by=supervisor, tier_code="immediate")
        if i % 3 == 0:
            services.case_resolve(case=case, user=supervisor, resolution="ok")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("cases:dashboard"))


def test_dashboard_partial_refresh_returns_the_body_only(client, supervisor):
    client.force_login(supervisor)
    html = client.get(reverse("cases:dashboard"), {"partial": "1"}).content.decode()
    assert "dashboard-updated" in html
    assert "<html" not in html


def test_dashboard_refresh_reads_no_shell_and_keeps_an_office_screen_signed_in_with_few_session_writes(
    client, supervisor
):
    from django.contrib.sessions.models import Session
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("cases:dashboard")
    start = timezone.now()

    def refresh(after: timedelta) -> list[str]:
        with time_machine.travel(start + after, tick=False), CaptureQueriesContext(connection) as queries:
            response = client.get(url, {"partial": "1"})
        assert response.status_code == 200  # signed in, the body rendered at that moment
        assert timezone.localtime(start + after).strftime("%Y-%m-%d %H:%M") in response.content.decode()
        return [q["sql"] for q in queries.captured_queries]

    def expires():
        return Session.objects.get(session_key=client.session.session_key).expire_date

    with time_machine.travel(start, tick=False):
        client.force_login(supervisor)
    first = refresh(timedelta(0))
    assert any(sql.startswith("UPDATE") and "django_session" in sql for sql in first)  # never renewed yet
    assert expires() == start + timedelta(hours=12)
    for minutes in (1, 2, 60, 5 * 60):
        statements = refresh(timedelta(minutes=minutes))
        assert not [sql for sql in statements if "django_session" in sql and not sql.startswith("SELECT")]
        assert not [sql for sql in statements if "lucun_notification" in sql]  # the shell's counts are not read
    assert expires() == start + timedelta(hours=12)
    refresh(timedelta(hours=6, minutes=1))  # half the session's age since it was renewed: renewed again
    assert expires() == start + timedelta(hours=18, minutes=1)
    refresh(timedelta(hours=13))  # past the first expiry, still signed in; half the age since: renewed
    assert expires() == start + timedelta(hours=25)


def test_dashboard_is_for_supervisors_and_dispatchers(client, community):
    client.force_login(official(Role.UNIT_HEAD, community=community))
    assert client.get(reverse("cases:dashboard")).status_code == 403


def test_extension_decided_from_the_case_page(client, cadre, community, handler):
    case = open_case(community=community, by=cadre, handler=handler)
    request = services.case_request_extension(case=case, user=handler, extra_time=timedelta(days=2), reason="等")
    client.force_login(cadre)
    assert "延期申请待审批" in client.get(case.get_absolute_url()).content.decode()
    client.post(
        reverse("cases:extension_decide", args=[request.pk]), {"decision-approve": "1", "decision-note": "同意"}
    )
    assert Case.objects.get().extended


def test_notice_list_shows_noticed_cases_and_violations(client, supervisor, cadre, community):
    from cases.models import ConductKind

    services.conduct_violation_record(
        user=supervisor,
        official=cadre,
        kind=ConductKind.objects.first(),
        community=community,
        occurred_on=timezone.localdate(),
        note="群众反映推诿",
    )
    client.force_login(supervisor)
    assert "群众反映推诿" in client.get(reverse("cases:notice_list")).content.decode()


def test_open_counts_come_from_the_tally_and_stay_right_between_sweeps(supervisor, cadre, community):
    from cases import selectors

    start = timezone.now()
    with time_machine.travel(start, tick=False):
        open_case(community=community, by=cadre, tier_code="immediate")
        assert selectors.dashboard(user=supervisor).totals == {"red": 0, "yellow": 0, "green": 1}
    # No sweep has run: the stored colour is still green, the dashboard shows the live one.
    with time_machine.travel(start + timedelta(hours=16, seconds=1), tick=False):
        assert selectors.dashboard(user=supervisor).totals == {"red": 0, "yellow": 1, "green": 0}
    with time_machine.travel(start + timedelta(hours=25), tick=False):
        assert selectors.dashboard(user=supervisor).totals == {"red": 1, "yellow": 0, "green": 0}


def test_resolved_figures_are_served_stored_and_refreshed_after_a_resolve_or_reopen(supervisor, cadre, community):
    from cases import selectors

    case = open_case(community=community, by=cadre)
    services.case_resolve(case=case, user=cadre, resolution="已解决")
    board = selectors.dashboard(user=supervisor)
    assert (board.resolved["count"], board.resolved_stale) == (1, False)
    second = open_case(community=community, by=cadre)
    assert selectors.dashboard(user=supervisor).resolved_stale is False  # opening changes no resolved figure

    services.case_resolve(case=second, user=cadre, resolution="已解决")
    board = selectors.dashboard(user=supervisor)
    assert (board.resolved["count"], board.resolved_stale) == (1, True)  # the stored copy, marked as such
    selectors.dashboard_resolved_refresh(user=supervisor)
    board = selectors.dashboard(user=supervisor)
    assert (board.resolved["count"], board.resolved_stale) == (2, False)

    services.case_reopen(case=second, user=cadre, reason="未解决")
    assert selectors.dashboard(user=supervisor).resolved_stale is True
    selectors.dashboard_resolved_refresh(user=supervisor)
    assert selectors.dashboard(user=supervisor).resolved["count"] == 1


def test_a_stale_dashboard_asks_once_for_a_background_refresh_that_updates_it(
    client, supervisor, cadre, community, django_capture_on_commit_callbacks
):
    from lucun.models import OutboxMessage

    client.force_login(supervisor)
    services.case_resolve(case=open_case(community=community, by=cadre), user=cadre, resolution="已解决")
    client.get(reverse("cases:dashboard"), {"community": community.pk})
    services.case_resolve(case=open_case(community=community, by=cadre), user=cadre, resolution="已解决")

    with django_capture_on_commit_callbacks(execute=False):
        response = client.get(reverse("cases:dashboard"), {"community": community.pk})
        client.get(reverse("cases:dashboard"), {"community": community.pk, "partial": "1"})
    assert response.context["d"].resolved["count"] == 1
    assert "最新办结正在计入" in response.content.decode()
    refresh = OutboxMessage.objects.get(task_name="cases.tasks.dashboard_resolved_refresh")  # one for both views

    from cases import tasks

    tasks.dashboard_resolved_refresh(**refresh.kwargs)  # what the worker runs
    board = client.get(reverse("cases:dashboard"), {"community": community.pk}).context["d"]
    assert (board.resolved["count"], board.resolved_stale) == (2, False)


def _jpeg_with_exif() -> bytes:
    import io

    from PIL import Image

    image = Image.new("RGB", (64, 48), "red")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def test_case_form_takes_photos_and_strips_their_metadata(client, cadre, community):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    client.force_login(cadre)
    data = {
        "community": community.pk,
        "category": category("infrastructure").pk,
        "title": "桥面护栏松动",
        "source": "walk_in",
        "tier": tier("assigned").pk,
        "case_list": "community",
        "photos": [
            SimpleUploadedFile("a.jpg", _jpeg_with_exif(), "image/jpeg"),
            SimpleUploadedFile("b.jpg", _jpeg_with_exif(), "image/jpeg"),
        ],
    }
    assert client.post(reverse("cases:case_create"), data).status_code == 302
    photos = list(Case.objects.get().photos.all())
    assert len(photos) == 2
    with Image.open(photos[0].image.path) as stored:
        assert not stored.getexif()


def test_the_case_page_shows_its_photos_through_the_private_file_view(client, cadre, other_cadre, community):
    case = open_case(community=community, by=cadre, photos=[image_clean(upload(jpeg_bytes()))])
    client.force_login(cadre)
    html = client.get(reverse("cases:case_detail", args=[case.number])).content.decode()
    sources = re.findall(r'<img src="([^"]+)" alt="诉求照片"', html)
    assert sources == [f"/files/case-photo/{case.photos.get().pk}/thumbnail/"] and "/media/" not in html
    response = client.get(sources[0])  # DEBUG is off in the tests, as in production
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    client.force_login(other_cadre)
    assert client.get(sources[0]).status_code == 404


def test_case_form_refuses_a_text_file_named_jpg_and_saves_nothing(client, cadre, community):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(cadre)
    response = client.post(
        reverse("cases:case_create"),
        {
            "community": community.pk,
            "category": category("infrastructure").pk,
            "title": "桥面护栏松动",
            "source": "walk_in",
            "tier": tier("assigned").pk,
            "case_list": "community",
            "photos": [SimpleUploadedFile("note.jpg", b"not an image at all", "image/jpeg")],
        },
    )
    assert response.status_code == 200
    assert "JPG" in response.content.decode() or "照片" in response.content.decode()
    assert not Case.objects.exists()


def test_a_registered_source_filter_narrows_lists_and_the_dashboard(client, supervisor, cadre, community, monkeypatch):
    from cases import source_filters
    from lucun.models import Community

    monkeypatch.setattr(source_filters._registry, "entries", {})
    source_filters.register(
        source_filters.SourceFilter(
            key="place",
            label="地点",
            empty_label="所有地点",
            choices=lambda user: Community.objects.all(),
            narrow=lambda cases, chosen: cases.filter(title__startswith=chosen.name),
        )
    )
    match = open_case(community=community, by=cadre, title=f"{community.name}路灯")
    open_case(community=community, by=cadre, title="别处")
    client.force_login(supervisor)
    listed = client.get(reverse("cases:case_list"), {"place": community.pk}).context["page_obj"]
    assert [c.number for c in listed] == [match.number]
    board = client.get(reverse("cases:dashboard"), {"place": community.pk}).context["d"]
    assert board.totals["green"] == 1
