"""The callbacks list (回访) exports to xlsx: the rows of the chosen tab across all its pages, within scope."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lucun.models import AuditEvent
from tests.lucun.exports import page_rows, xlsx_column, xlsx_rows

from .factories import callback_for, resolved_case

pytestmark = pytest.mark.django_db

CALLBACK_ROW = r'<a href="/outcomes/callbacks/\d+/">([^<]+)</a>'


@pytest.fixture
def callbacks(community, other_community, cadre, other_cadre):
    """30 callbacks of 芦湖村 (ten answered), and two of 稻香村."""
    ours = []
    for n in range(30):
        case = resolved_case(community=community, by=cadre, title=f"本村回访{n}", contact_phone="13812345678")
        answer = {"solved": True, "satisfaction": "satisfied", "recorded_by": cadre} if n % 3 == 0 else {}
        ours.append(callback_for(case, **answer))
    for _ in range(2):
        callback_for(resolved_case(community=other_community, by=other_cadre, title="外村诉求标题"))
    return ours


@pytest.mark.parametrize("state", ["", "pending", "answered", "all"])
def test_the_callback_export_holds_the_rows_the_tab_shows_on_all_its_pages(client, cadre, callbacks, state):
    params = {"state": state} if state else {}
    client.force_login(cadre)
    shown = page_rows(client, reverse("outcomes:callback_list"), params, CALLBACK_ROW)
    assert len(shown) in (10, 20, 30)
    response = client.get(reverse("outcomes:callback_export"), params)
    assert response.status_code == 200
    assert xlsx_column(response.content) == shown


def test_the_callback_export_masks_phones_and_holds_nothing_of_another_community(client, cadre, callbacks):
    client.force_login(cadre)
    header, rows = xlsx_rows(client.get(reverse("outcomes:callback_export"), {"state": "all"}).content)
    assert {row[header.index("群众电话")] for row in rows} == {"138****5678"}
    assert {row[header.index("村(居)")] for row in rows} == {"芦湖村"}
    assert "外村诉求标题" not in {row[header.index("诉求标题")] for row in rows}
    answered = next(dict(zip(header, row, strict=True)) for row in rows if row[header.index("满意度")])
    assert (answered["满意度"], answered["问题已解决"], answered["回访人"]) == ("满意", "是", str(cadre))


def test_the_callbacks_page_links_to_the_export_of_its_tab(client, cadre, callbacks):
    client.force_login(cadre)
    html = client.get(reverse("outcomes:callback_list"), {"state": "answered"}).content.decode()
    assert f'href="{reverse("outcomes:callback_export")}?state=answered"' in html


def test_the_callback_export_is_audited(client, cadre, callbacks):
    client.force_login(cadre)
    client.get(reverse("outcomes:callback_export"), {"state": "answered"})
    event = AuditEvent.objects.get(action="outcomes.callback_export")
    assert event.actor == cadre and event.changes["after"]["rows"] == 10


def test_the_callback_export_takes_a_fixed_number_of_queries_whatever_the_number_of_rows(client, cadre, community):
    client.force_login(cadre)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("outcomes:callback_export"), {"state": "all"}).status_code == 200
        return len(captured)

    callback_for(resolved_case(community=community, by=cadre))
    few = queries()
    for _ in range(8):
        callback_for(resolved_case(community=community, by=cadre), solved=False, satisfaction="basically")
    assert queries() == few
