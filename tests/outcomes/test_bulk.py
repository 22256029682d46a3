"""Many waiting callbacks given to one person of the pool at once: each through callback_assign, so a callback of
a case that person handles or first received is refused on its own while the others are assigned."""

import re

import pytest
from django.urls import reverse

from lucun.models import BulkRun, Role
from outcomes.models import Callback
from tests.factories import official
from tests.htmlforms import form_in

from .factories import callback_for, resolved_case

pytestmark = pytest.mark.django_db

PICKS = r'name="id" value="(\d+)" form="bulk-form"'


def test_a_leader_assigns_ticked_callbacks_and_the_one_of_the_assignees_own_case_is_refused(
    client, community, cadre, street_leader, django_assert_num_queries
):
    receiver = official(Role.SUPERVISOR, street=community.street)
    own = callback_for(resolved_case(community=community, by=cadre, first_responder=receiver, title="他首问的诉求"))
    others = [callback_for(resolved_case(community=community, by=cadre, title=f"诉求{n}")) for n in range(2)]
    client.force_login(street_leader)
    with django_assert_num_queries(7):  # a street position: one of them names the communities below it
        html = client.get(reverse("outcomes:callback_list")).content.decode()
    picked = re.findall(PICKS, html)
    assert sorted(int(pk) for pk in picked) == sorted(c.pk for c in [own, *others])

    page = client.get(
        reverse("bulk_start", args=["outcomes.callback_assign"]), {"id": picked, "filters": "state=pending"}
    )
    form = form_in(page.content.decode(), "bulk-form")
    done = client.post(
        page.request["PATH_INFO"],
        {"id": picked, "filters": form.hidden["filters"], "assignee": form.option("assignee", str(receiver))},
    )
    run = BulkRun.objects.get()
    assert done.url == run.get_absolute_url() and run.refused == 1
    assert set(Callback.objects.filter(assignee=receiver).values_list("pk", flat=True)) == {c.pk for c in others}
    assert Callback.objects.get(pk=own.pk).assignee_id is None
    results = client.get(done.url).content.decode()
    assert "不能回访自己办理的诉求" in results and "已办理 2 条,未办理 1 条" in results


def test_a_community_cadre_is_offered_no_bulk_assignment_of_callbacks(client, community, cadre):
    callback_for(resolved_case(community=community, by=cadre))
    client.force_login(official(Role.COMMUNITY_CADRE, community=community))
    assert "bulk-form" not in client.get(reverse("outcomes:callback_list")).content.decode()
    assert client.get(reverse("bulk_start", args=["outcomes.callback_assign"])).status_code == 403
