"""Chinese first, English second: the switch in every page's footer, and the public pages following the browser."""

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.cases.factories import channel

pytestmark = pytest.mark.django_db


@pytest.fixture
def poster(community):
    return channel(community=community)


def form_url(token: str) -> str:
    return reverse("cases:feedback:form", kwargs={"token": token})


def test_the_public_form_follows_the_browser_language_and_its_cache_keeps_them_apart(poster):
    client = Client()
    chinese = client.get(form_url(poster.token), HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9").content.decode()
    english = client.get(form_url(poster.token), HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9").content.decode()
    again = client.get(form_url(poster.token), HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert "说说情况" in chinese and '<html lang="zh-hans">' in chinese
    assert "Tell us what happened" in english and "说说情况" not in english and '<html lang="en">' in english
    assert "说说情况" in again and "Tell us what happened" not in again  # served from the cache, still Chinese
    response = client.get(form_url(poster.token), HTTP_ACCEPT_LANGUAGE="en")
    assert "Accept-Language" in response["Vary"] and "Cookie" in response["Vary"]


def test_the_lookup_page_follows_the_browser_language():
    page = Client().get(reverse("cases:feedback:lookup"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.8").content.decode()
    assert "Check progress" in page and "查询办理进度" not in page


def test_a_villager_switches_the_public_form_to_english_without_a_cookie_beforehand(poster):
    client = Client(enforce_csrf_checks=True)
    page = client.get(form_url(poster.token))
    assert not page.cookies  # the public page itself sets none, so the switch needs no CSRF token
    switch = re.search(r'<form class="language-switch" method="post" action="([^"]+)"', page.content.decode())
    response = client.post(switch.group(1), {"language": "en", "next": form_url(poster.token)})
    assert response.status_code == 302 and response["Location"] == form_url(poster.token)
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert "Tell us what happened" in client.get(form_url(poster.token)).content.decode()


def test_an_official_switches_to_english_from_the_footer_and_back(client, cadre):
    client.force_login(cadre)
    page = client.get(reverse("home")).content.decode()
    footer = page[page.index('<footer class="site-footer">') :]
    assert 'name="language" value="en"' in footer and 'name="language" value="zh-hans"' in footer
    client.post(reverse("set_language"), {"language": "en", "next": reverse("home")})
    english = client.get(reverse("home")).content.decode()
    assert '<html lang="en">' in english and "Today's tasks" in english
    client.post(reverse("set_language"), {"language": "zh-hans", "next": reverse("home")})
    assert '<html lang="zh-hans">' in client.get(reverse("home")).content.decode()


def test_the_switch_goes_back_only_to_this_site(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == "/"


def test_seeded_configuration_rows_carry_an_english_name_shown_in_english():
    from django.utils import translation

    from cases.models import Category, Tier
    from outcomes.models import RedLine

    infrastructure = Category.objects.get(code="infrastructure")
    with translation.override("en"):
        assert str(infrastructure) == "Infrastructure" and str(Tier.objects.get(code="immediate")) == "Immediate"
        assert RedLine.objects.get(code="satisfaction").display_name == "Resident satisfaction below 60%"
    with translation.override("zh-hans"):
        assert str(infrastructure) == "基础设施"
    infrastructure.name_en = ""
    with translation.override("en"):
        assert str(infrastructure) == "基础设施"  # no English name: the Chinese one


def test_the_public_form_offers_the_categories_by_their_english_names(poster):
    page = Client().get(form_url(poster.token), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Infrastructure" in page and "基础设施" not in page
