"""The API docs page loads at once: the schema is generated once per language, then served as kept."""

import pytest
from drf_spectacular.generators import SchemaGenerator

from lucun.api.schema_view import schema_cache_clear

pytestmark = pytest.mark.django_db


@pytest.fixture
def generations(monkeypatch):
    schema_cache_clear()
    calls = []
    original = SchemaGenerator.get_schema

    def counting(self, *args, **kwargs):
        calls.append(1)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(SchemaGenerator, "get_schema", counting)
    yield calls
    schema_cache_clear()


def test_a_second_request_for_the_schema_does_not_generate_it_again(client, generations):
    first = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    second = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert first.status_code == second.status_code == 200
    assert len(generations) == 1
    assert first.json() == second.json() and first.json()["info"]["title"] == "lucun API"


def test_each_language_has_its_own_schema(client, generations):
    chinese = client.get("/api/schema/", HTTP_ACCEPT="application/json").content
    english = client.get("/api/schema/", {"lang": "en"}, HTTP_ACCEPT="application/json").content
    client.get("/api/schema/", {"lang": "en"}, HTTP_ACCEPT="application/json")
    assert len(generations) == 2
    assert chinese != english


def test_the_yaml_and_json_forms_share_one_generation(client, generations):
    yaml = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi")
    json = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert yaml["Content-Type"].startswith("application/vnd.oai.openapi") and b"openapi:" in yaml.content
    assert json.json()["openapi"].startswith("3.")
    assert len(generations) == 1
