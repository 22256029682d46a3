"""Input hygiene at the API's edges, on every endpoint the URL resolver knows (through the security world's route
table, which the permission matrix keeps complete): bodies that are not UTF-8, malformed JSON, query parameters the
schema does not document or whose values it rules out, idempotent replays, and the errors the schema lists.
"""

import json
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import resolve, reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from cases.models import Feedback
from lucun.api import parsers
from lucun.api.schema import documented_query_parameters
from tests.security.conftest import build_world
from tests.security.routes import ROUTES

pytestmark = pytest.mark.django_db

BODY_METHODS = ("post", "put", "patch")
FORM = "application/x-www-form-urlencoded"


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def api(world):
    """A street leader's token: they see the whole street of the world, so every endpoint reaches real objects."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=world.users['street_leader']).key}")
    return client


def endpoints(world):
    """Every API operation as (url, view class, method), from the route table the permission matrix keeps whole."""
    for route in ROUTES:
        if not route.name.startswith("api_") or route.name in ("api_schema", "api_docs"):
            continue
        url = reverse(route.name, kwargs=route.kwargs(world) or None)
        view_class = resolve(url).func.cls
        for method in ("get", *BODY_METHODS):
            if hasattr(view_class, method):
                yield url, view_class, method


def operation(schema: dict, url: str, method: str) -> dict:
    """The schema's operation for a URL the resolver matched."""
    path = "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", resolve(url).route).replace("{pk}", "{id}")
    return schema["paths"][path][method]


def messages(response) -> str:
    return json.dumps(response.json(), ensure_ascii=False)


def bad_values(name: str, schema: dict) -> list[str]:
    """Values the documented schema of a query parameter rules out."""
    if schema.get("type") == "array":
        schema = schema.get("items", {})
    if "enum" in schema:
        return ["garbage"]
    if schema.get("type") == "integer":
        bad = ["abc", "1.5", "9" * 30]
        if schema.get("minimum") == 1:
            bad.append("0")
        return bad
    if schema.get("type") == "boolean":
        return ["maybe"]
    return []


# ----------------------------------------------------------------------------------- query parameters


# A background job is seen only by whoever asked for it (404 for anyone else): the world's export and bulk run
# are the cadre's.
OWN_JOBS = ("api_export_job", "api_export_job_download", "api_bulk_run")


def caller(world, api, url: str) -> APIClient:
    """The street leader's client, or for a job the client of the official who asked for it."""
    if resolve(url).url_name not in OWN_JOBS:
        return api
    owner = APIClient()
    owner.force_authenticate(world.users["community_cadre"])
    return owner


def test_every_endpoint_refuses_undocumented_and_malformed_query_parameters(world, api):
    failures, checked = [], 0
    for url, view_class, method in endpoints(world):
        if method != "get":
            continue
        documented = documented_query_parameters(view_class, "GET")
        assert documented is not None, f"{url} is not in the schema"
        checked += 1
        client = caller(world, api, url)
        assert client.get(url).status_code == 200, url
        tries = [({"zzz_filter": "1"}, "zzz_filter")]
        for name, schema in documented.items():
            tries += [({name: value}, name) for value in bad_values(name, schema)]
            if schema.get("type") != "array":
                tries.append(({name: ["1", "2"]}, name))  # an array where one value is documented
        for params, name in tries:
            response = client.get(url, params)
            if response.status_code != 400 or f"查询参数 {name}" not in messages(response):
                failures.append(f"{url} {params}: {response.status_code} {response.content[:200]!r}")
        if {"page", "page_size"} <= set(documented):
            response = client.get(url, {"page": 1, "page_size": 1, "format": "json"})
            if response.status_code != 200:
                failures.append(f"{url} page=1&page_size=1: {response.status_code}")
        for name, schema in documented.items():  # every documented choice is accepted
            for value in schema.get("enum", []):
                if value not in ("", None) and client.get(url, {name: value}).status_code != 200:
                    failures.append(f"{url} {name}={value}: refused")
    assert checked > 50
    assert not failures, "\n".join(failures)


def test_a_query_value_that_is_not_utf8_is_refused_naming_the_parameter(api):
    response = api.get("/api/v1/cases/?q=%FF%FE")
    assert response.status_code == 400
    assert response.json() == {"q": ["查询参数 q 不是有效的 UTF-8 文本。"]}


def test_a_repeated_page_size_and_page_zero_are_refused_in_chinese(api):
    response = api.get("/api/v1/communities/?page_size=1&page_size=2")
    assert response.status_code == 400 and response.json() == {"page_size": ["查询参数 page_size 只能给一个值。"]}
    response = api.get("/api/v1/communities/", {"page": 0})
    assert response.status_code == 400 and response.json() == {"page": ["查询参数 page 不能小于 1。"]}
    assert api.get("/api/v1/communities/", {"page": 99}).status_code == 404  # a page past the end: not found


def test_an_unknown_case_state_is_refused_and_a_known_one_filters(world, api):
    response = api.get("/api/v1/cases/", {"state": "garbage"})
    assert response.status_code == 400 and "查询参数 state 只能是" in response.json()["state"][0]
    states = {case["state"] for case in api.get("/api/v1/cases/", {"state": "registered"}).json()["results"]}
    assert states == {"registered"}


def test_a_value_the_filter_itself_refuses_names_the_parameter(api):
    response = api.get("/api/v1/deliberation/meetings/", {"starts_after": "yesterday"})
    assert response.status_code == 400
    assert response.json()["starts_after"][0].startswith("查询参数 starts_after:")


def test_every_filter_on_a_field_with_choices_documents_them(world):
    """A plain text filter on a field with choices would let ?state=garbage through as an empty list."""
    from django_filters import ChoiceFilter, MultipleChoiceFilter
    from rest_framework.test import APIRequestFactory, force_authenticate

    from lucun.api.filters import StrictFilterBackend

    loose = []
    for url, view_class, method in endpoints(world):
        if method != "get" or not hasattr(view_class, "filter_queryset"):
            continue
        request = APIRequestFactory().get(url)
        force_authenticate(request, world.users["street_leader"])
        view = view_class(args=(), kwargs=resolve(url).kwargs, format_kwarg=None)
        view.request = view.initialize_request(request)
        queryset = view.get_queryset()
        filterset = StrictFilterBackend().get_filterset_class(view, queryset)
        for name, f in (filterset.base_filters if filterset else {}).items():
            field = next((fl for fl in queryset.model._meta.get_fields() if fl.name == f.field_name), None)
            exact = f.lookup_expr == "exact" and not f.method
            if exact and getattr(field, "choices", None) and not isinstance(f, (ChoiceFilter, MultipleChoiceFilter)):
                loose.append(f"{url} ?{name}")
    assert not loose


def test_building_the_schema_for_the_check_costs_no_query(world, api, django_assert_num_queries):
    api.get("/api/v1/communities/")
    from lucun.api.schema import _tables

    _tables.clear()
    with CaptureQueriesContext(connection) as fresh:
        api.get("/api/v1/communities/", {"kind": "village"})
    with django_assert_num_queries(len(fresh.captured_queries)):
        api.get("/api/v1/communities/", {"kind": "village"})


# ----------------------------------------------------------------------------------- bodies


def test_every_body_endpoint_uses_the_strict_parsers(world):
    strict = (parsers.JSONParser, parsers.FormParser, parsers.MultiPartParser)
    lenient = []
    for url, view_class, method in endpoints(world):
        if method in BODY_METHODS and not all(issubclass(p, strict) for p in view_class.parser_classes):
            lenient.append(f"{method.upper()} {url}")
    assert not lenient


@pytest.mark.parametrize(
    "content_type",
    ["application/x-www-form-urlencoded", "multipart/form-data; boundary=BoUnDaRy"],
)
def test_every_body_endpoint_refuses_form_data_that_is_not_utf8_naming_the_field(world, api, client, content_type):
    bodies = {
        "application": b"text=%E8%B7%AF%FF%FE&title=ok",
        "multipart": (
            b'--BoUnDaRy\r\nContent-Disposition: form-data; name="text"\r\n\r\n\xe8\xb7\xaf\xff\xfe\r\n'
            b'--BoUnDaRy\r\nContent-Disposition: form-data; name="title"\r\n\r\nok\r\n--BoUnDaRy--\r\n'
        ),
    }
    body = bodies[content_type.split("/")[0]]
    schema = client.get("/api/schema/?format=json").json()
    failures, refused = [], 0
    for url, _view_class, method in endpoints(world):
        if method not in BODY_METHODS or "requestBody" not in operation(schema, url, method):
            continue  # an operation that takes no body does not read one
        response = getattr(api, method)(url, data=body, content_type=content_type)
        if response.status_code == 400:
            refused += 1
            if response.json() != {"text": ["内容不是有效的 UTF-8 文本,请检查发送方的字符编码。"]}:
                failures.append(f"{method.upper()} {url}: {messages(response)[:200]}")
        elif response.status_code not in (403, 404):  # refused before the body is read
            failures.append(f"{method.upper()} {url}: {response.status_code}")
    assert refused > 30
    assert not failures, "\n".join(failures)


def test_the_public_feedback_form_api_stores_nothing_from_a_body_that_is_not_utf8(world, client):
    token = world.o["channel"].token
    before = Feedback.objects.count()
    response = client.post(
        "/api/v1/feedback/", data=f"token={token}&text=\xff\xfe".encode("latin-1"), content_type=FORM
    )
    assert response.status_code == 400 and list(response.json()) == ["text"]
    assert Feedback.objects.count() == before


@pytest.mark.parametrize(
    ("body", "where"),
    [(b"", None), (b"{bad", "第 1 行第 2 列"), (b'{"text": "a",}', "第 1 行第 14 列"), (b"[NaN]", None)],
)
def test_malformed_json_gets_a_chinese_message_without_decoder_internals(api, body, where):
    response = api.post("/api/v1/notifications/mark-read/", data=body, content_type="application/json")
    if body == b"":
        assert response.status_code == 200  # no body: nothing to parse, every message marked read
        return
    detail = response.json()["detail"]
    assert response.status_code == 400 and "JSON" in detail
    assert "Expecting" not in detail and "char" not in detail and "line" not in detail
    if where:
        assert where in detail


def test_json_that_is_not_utf8_is_refused_in_chinese(api):
    response = api.post("/api/v1/notifications/mark-read/", data=b'{"ids": "\xff"}', content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": "请求内容不是有效的 UTF-8 文本,请检查字符编码。"}


def test_json_nested_too_deep_is_a_400_not_a_server_error(api):
    body = b"[" * 100_000 + b"]" * 100_000
    response = api.post("/api/v1/notifications/mark-read/", data=body, content_type="application/json")
    assert response.status_code == 400 and "嵌套" in response.json()["detail"]


# ----------------------------------------------------------------------------------- idempotent replays


@pytest.mark.parametrize("form", [False, True])
def test_a_replayed_feedback_answers_200_with_the_original_receipt(world, client, form):
    body = {"token": world.o["channel"].token, "text": "村口路灯坏了", "submit_key": "replay-key-12345678"}
    send = (
        (lambda b: client.post("/api/v1/feedback/", b))
        if form
        else (lambda b: client.post("/api/v1/feedback/", b, content_type="application/json"))
    )
    first = send(body)
    again = send({**body, "text": "网络重试,文字略有不同"})
    assert first.status_code == 201 and again.status_code == 200
    assert again.json() == first.json()
    assert Feedback.objects.filter(submit_key="replay-key-12345678").count() == 1


# ----------------------------------------------------------------------------------- the schema


def test_the_schema_lists_the_errors_each_operation_gives(client):
    schema = client.get("/api/schema/?format=json").json()
    missing = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            if "400" not in codes:  # a malformed body, or a query parameter the operation does not document
                missing.append(f"{method.upper()} {path}: 400")
            if "{" in path and "404" not in codes:
                missing.append(f"{method.upper()} {path}: 404")
            # the public operations (feedback, ballots) take no session and no key, so they never answer 403
            public = any(tag.endswith("-public") for tag in operation.get("tags", []))
            if not public and "403" not in codes:
                missing.append(f"{method.upper()} {path}: 403")
    assert not missing
    error = schema["components"]["schemas"]["ApiError"]
    assert set(error["properties"]) == {"detail", "code"}
    replay = schema["paths"]["/api/v1/feedback/"]["post"]["responses"]
    assert {"200", "201", "400", "404", "429"} <= set(replay)


def test_the_schema_validates_without_warnings(tmp_path):
    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(tmp_path / "schema.yml"))
