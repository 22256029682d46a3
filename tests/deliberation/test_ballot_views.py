"""The ballot pages: staff issue, print and void ballots; a resident scores with one, once, without logging in."""

import re

import pytest
from django.urls import reverse

from deliberation import selectors, services
from deliberation.forms import ballot_tile_score
from deliberation.models import BallotScore, ContestBallot, ContestCriterion
from tests.deliberation.factories import contest
from tests.visits.qr import decode_pdf_page, needs_poppler, pdf_pages

pytestmark = pytest.mark.django_db


@pytest.fixture
def round_(street, street_leader):
    return contest(street=street, by=street_leader)


def _issue(client, meeting, count):
    return client.post(reverse("deliberation:ballot_action", args=[meeting.pk, "issue"]), {"count": count})


def _tiles(community, level=5):
    return {f"s_{community.pk}_{c.pk}": ballot_tile_score(c, level) for c in ContestCriterion.objects.active()}


def test_staff_issue_ballots_and_see_the_counts(client, round_, street_leader):
    client.force_login(street_leader)
    response = _issue(client, round_, 12)
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert re.search(r'data-testid="issued">12<', html) and re.search(r'data-testid="unused">12<', html)
    assert "已发放选票 12 张" in html


def test_a_cadre_of_a_community_cannot_open_the_ballots(client, round_, cadre):
    client.force_login(cadre)
    assert client.get(reverse("deliberation:ballot_list", args=[round_.pk])).status_code == 403
    assert _issue(client, round_, 3).status_code == 403
    assert not ContestBallot.objects.exists()


@needs_poppler
def test_the_printed_pdf_holds_one_qr_code_per_unused_ballot(client, round_, street_leader, settings):
    settings.LUCUN_PUBLIC_BASE_URL = "https://lucun.example.cn"
    client.force_login(street_leader)
    _issue(client, round_, 9)
    response = client.get(reverse("deliberation:ballot_print", args=[round_.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = response.content
    assert pdf_pages(pdf) == 2
    first_page = set(decode_pdf_page(pdf, 1))
    tokens = list(ContestBallot.objects.order_by("pk").values_list("token", flat=True))
    assert first_page == {f"https://lucun.example.cn/b/{t}/" for t in tokens[:8]}
    assert decode_pdf_page(pdf, 2) == [f"https://lucun.example.cn/b/{tokens[8]}/"]


def test_a_resident_scores_with_a_ballot_once(client, round_, street_leader, community, other_community):
    [ballot] = services.contest_ballots_issue(meeting=round_, user=street_leader, count=1)
    url = reverse("ballot:form", args=[ballot.token])
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert f"为{community.name}评分" in html and f"为{other_community.name}评分" in html
    assert page["Cache-Control"].startswith("max-age=0") or "no-store" in page["Cache-Control"]
    response = client.post(url, _tiles(community, 4))
    assert response.status_code == 200
    assert "评分已提交" in response.content.decode()
    assert sorted(BallotScore.objects.values_list("score", flat=True)) == sorted(
        ballot_tile_score(c, 4) for c in ContestCriterion.objects.active()
    )
    again = client.post(url, _tiles(community, 1))
    assert again.status_code == 410 and "只能提交一次" in again.content.decode()
    assert BallotScore.objects.count() == ContestCriterion.objects.active().count()


def test_a_half_scored_community_is_sent_back_with_the_tiles_kept(client, round_, street_leader, community):
    [ballot] = services.contest_ballots_issue(meeting=round_, user=street_leader, count=1)
    first = ContestCriterion.objects.active().first()
    key = f"s_{community.pk}_{first.pk}"
    response = client.post(reverse("ballot:form", args=[ballot.token]), {key: ballot_tile_score(first, 3)})
    assert response.status_code == 400
    html = response.content.decode()
    assert "还差" in html
    assert re.search(rf'name="{key}" value="{ballot_tile_score(first, 3)}"[^>]*checked', html)
    ballot.refresh_from_db()
    assert ballot.used_at is None


def test_an_unknown_ballot_answers_404_and_guessing_is_limited(client, settings):
    settings.LUCUN_BALLOT_RATE_LIMITS = {"unknown": 2}
    assert client.get("/b/not-a-real-token/").status_code == 404
    assert client.get("/b/another-guess/").status_code == 404
    assert client.get("/b/a-third-guess/").status_code == 429


def test_staff_void_a_range_of_unused_ballots_with_a_reason(client, round_, street_leader):
    client.force_login(street_leader)
    _issue(client, round_, 5)
    ids = list(ContestBallot.objects.order_by("pk").values_list("pk", flat=True))
    url = reverse("deliberation:ballot_action", args=[round_.pk, "void"])
    refused = client.post(url, {"first": ids[1], "last": ids[2], "reason": ""})
    assert refused.status_code == 400
    response = client.post(url, {"first": ids[1], "last": ids[2], "reason": "印刷模糊"})
    assert response.status_code == 302
    assert selectors.contest_ballot_counts(meeting=round_) == {"issued": 5, "used": 0, "voided": 2, "unused": 3}
    voided = client.get(reverse("ballot:form", args=[ContestBallot.objects.get(pk=ids[1]).token]))
    assert voided.status_code == 410 and "已作废" in voided.content.decode()


def test_the_contest_page_ranks_with_the_residents_ballots(client, round_, street_leader, community):
    client.force_login(street_leader)
    client.post(reverse("deliberation:ballot_action", args=[round_.pk, "weight"]), {"resident_weight": 100})
    for ballot in services.contest_ballots_issue(meeting=round_, user=street_leader, count=2):
        services.contest_ballot_submit(
            token=ballot.token,
            scores={(community, c): c.max_score for c in ContestCriterion.objects.active()},
        )
    html = client.get(round_.get_absolute_url()).content.decode()
    row = re.search(rf'data-community="{community.pk}".*?</tr>', html, re.S).group(0)
    assert 'data-testid="ballots">2<' in row and 'data-testid="combined">100.0<' in row
