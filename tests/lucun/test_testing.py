"""The test settings' check: a page that shows a template variable which does not exist fails its test."""

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.template import engines
from django.test import RequestFactory

from lucun.testing import InvalidTemplateVariable, InvalidTemplateVariableMiddleware


def page(source: str, context: dict, path: str = "/cases/") -> HttpResponse:
    def view(request):
        return HttpResponse(engines["django"].from_string(source).render(context, request))

    return InvalidTemplateVariableMiddleware(view)(RequestFactory().get(path))


def test_the_test_settings_render_a_missing_variable_as_the_marker_and_check_every_response():
    assert "INVALID_TEMPLATE_VARIABLE" in settings.TEMPLATES[0]["OPTIONS"]["string_if_invalid"]
    assert settings.MIDDLEWARE[0] == "lucun.testing.InvalidTemplateVariableMiddleware"


def test_a_page_that_reads_a_missing_variable_fails_and_names_it():
    with pytest.raises(InvalidTemplateVariable, match=r"GET /cases/ .*\['form\.tiles'\]"):
        page("<p>{{ form.tiles }}</p>", {"form": object()})


def test_a_loop_over_a_missing_list_of_choices_fails():
    source = "{% for value, label in tiles.choices %}<label>{{ label }}</label>{% empty %}-{% endfor %}"
    with pytest.raises(InvalidTemplateVariable, match=r"\['tiles\.choices'\]"):
        page(source, {})
    assert page(source, {"tiles": {"choices": []}}).content == b"-"
    assert page(source, {"tiles": {"choices": [("1", "是")]}}).content == "<label>是</label>".encode()


def test_a_page_with_every_variable_present_or_tested_with_if_passes():
    response = page("{% if maybe %}{{ maybe.name }}{% endif %}{{ name|default:'—' }}", {"name": ""})
    assert response.content == "—".encode()


def test_django_admin_pages_are_not_checked():
    assert page("{{ missing }}", {}, path="/admin/").status_code == 200
