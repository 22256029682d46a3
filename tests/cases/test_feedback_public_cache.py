"""The public feedback form served from the cache: how many statements it costs, and that it never goes stale."""

import re

import pytest
from django.test import override_settings
from django.urls import reverse

from cases import public_cache, services
from cases.models import Feedback
from tests.cases.factories import category, channel, submit

pytestmark = pytest.mark.django_db

TEXT = "村口路灯坏了三盏,晚上看不见路。"


@pytest.fixture
def poster(community):
    return channel(community=community)


def form_url(token: str) -> str:
    return reverse("cases:feedback:form", kwargs={"token": token})


def submit_key(html: str) -> str:
    return re.search(r'name="submit_key" value="([^"]+)"', html).group(1)


def send(client, poster, **data):
    payload = {"community": poster.community_id, "text": TEXT, "category": "", "website": "", "reply_phone": ""}
    payload.update(data)
    return client.post(form_url(poster.token), payload, REMOTE_ADDR="203.0.113.9")


def test_the_form_costs_three_statements_once_then_none(client, poster, django_assert_num_queries):
    with django_assert_num_queries(3):  # the channel, the street's communities, the categories
        first = client.get(form_url(poster.token)).content.decode()
    with django_assert_num_queries(0):
        second = client.get(form_url(poster.token)).content.decode()
    assert submit_key(first) != submit_key(second)  # every page has a key of its own
    assert first.replace(submit_key(first), "") == second.replace(submit_key(second), "")
    assert re.search(rf'name="community" value="{poster.community_id}"[^>]*checked', second)


def test_a_send_is_one_insert(client, poster, django_assert_num_queries):
    key = submit_key(client.get(form_url(poster.token)).content.decode())
    infrastructure = category("infrastructure")
    # Served, the INSERT is the only statement; under the test's transaction it sits in a savepoint.
    with django_assert_num_queries(3) as queries:
        response = send(client, poster, submit_key=key, category=str(infrastructure.pk))
    assert response.status_code == 200 and 'data-testid="lookup-code"' in response.content.decode()
    statements = [q["sql"].split()[0].upper() for q in queries.captured_queries]
    assert statements == ["SAVEPOINT", "INSERT", "RELEASE"]
    feedback = Feedback.objects.get()
    assert feedback.submit_key == key and feedback.community == poster.community
    assert feedback.category == infrastructure and feedback.channel == poster


def test_a_send_on_an_empty_cache_reads_the_channel_and_the_choices(client, poster, django_assert_num_queries):
    with django_assert_num_queries(6):  # channel, communities, categories, then the INSERT in its savepoint
        assert send(client, poster).status_code == 200


def test_a_renamed_community_shows_at_once(client, poster, community):
    client.get(form_url(poster.token))
    community.name = "芦湖新村"
    community.save()
    html = client.get(form_url(poster.token)).content.decode()
    assert "芦湖新村" in html


def test_a_new_street_hotline_shows_at_once(client, poster, street):
    client.get(form_url(poster.token))
    street.hotline = "0533-1234567"
    street.save()
    assert "0533-1234567" in client.get(form_url(poster.token)).content.decode()


def test_a_stopped_category_leaves_the_form_and_is_refused(client, poster):
    stopped = category("infrastructure")
    assert f'value="{stopped.pk}"' in client.get(form_url(poster.token)).content.decode()
    stopped.is_active = False
    stopped.save()
    assert f'value="{stopped.pk}"' not in client.get(form_url(poster.token)).content.decode()
    response = send(client, poster, category=str(stopped.pk))
    assert response.status_code == 400 and not Feedback.objects.exists()


def test_a_stopped_card_is_seen_at_once_by_the_form_and_the_send(client, poster, community):
    client.get(form_url(poster.token))
    send(client, poster)
    services.feedback_channel_deactivate(channel=poster, user=None, reason="联系卡遗失")
    html = client.get(form_url(poster.token)).content.decode()
    street_code = services.feedback_channel_street_wide(street=community.street)
    assert "这个二维码已停用" in html and f'action="{form_url(street_code.token)}"' in html
    assert send(client, poster).status_code == 200
    assert Feedback.objects.latest("pk").channel == street_code  # the stopped card's message goes to the street


def test_a_change_committed_after_a_page_was_built_makes_it_stale(community, django_capture_on_commit_callbacks):
    """A reader may build from the rows as they were before a commit: the bump at commit keeps that page out."""
    key = "cases:public-form:test"
    _, before = public_cache.get(key)
    with django_capture_on_commit_callbacks(execute=True):
        community.name = "芦湖新村"
        community.save()
        _, during = public_cache.get(key)
        public_cache.put(key, "built before the commit", during)
    assert public_cache.get(key)[0] is None
    _, after = public_cache.get(key)
    assert len({before, during, after}) == 3
    public_cache.put(key, "built after", after)
    assert public_cache.get(key)[0] == "built after"


def test_a_second_tap_gets_its_message_back_even_after_the_card_was_stopped(poster):
    first = submit(channel=poster, submit_key="same-form-key-5678")
    services.feedback_channel_deactivate(channel=poster, user=None, reason="联系卡遗失")
    poster.refresh_from_db()
    assert submit(channel=poster, submit_key="same-form-key-5678") == first
    assert Feedback.objects.count() == 1


@override_settings(CACHES={"default": {"BACKEND": "tests.cases.broken_cache.BrokenCache"}})
def test_the_form_opens_and_sends_when_the_cache_is_down(client, poster):
    html = client.get(form_url(poster.token)).content.decode()
    assert "不要姓名" in html and submit_key(html) != submit_key(client.get(form_url(poster.token)).content.decode())
    assert send(client, poster, submit_key=submit_key(html)).status_code == 200
    assert Feedback.objects.count() == 1
