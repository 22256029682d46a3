"""The OpenAPI schema as a contract: every operation lists the errors it can answer, and the query parameters
it documents are the ones the API accepts (``lucun.api.query.DocumentedQueryParameters`` reads them from here).
"""

import threading
from contextvars import ContextVar

from django.conf import settings
from django.urls import get_urlconf
from drf_spectacular import openapi
from drf_spectacular.utils import OpenApiResponse
from rest_framework.permissions import AllowAny

from .query import DocumentedQueryParameters
from .serializers import ApiErrorSerializer

BODY_METHODS = {"POST", "PUT", "PATCH"}

# Filled while lucun builds the schema for itself: (view class, method) -> {query parameter name: its schema}.
_collecting: ContextVar[dict | None] = ContextVar("lucun_api_query_parameters", default=None)
_tables: dict[str, dict] = {}
_lock = threading.Lock()


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's AutoSchema, adding the 400/403/404 answers an operation gives unless it names its own."""

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        responses = operation.setdefault("responses", {})
        for code, description in self._error_responses(path, operation):
            if code not in responses:
                responses[code] = self._get_response_for_code(OpenApiResponse(ApiErrorSerializer, description), code)
        operation["responses"] = dict(sorted(responses.items()))
        table = _collecting.get()
        if table is not None:
            documented = table.setdefault((type(self.view), self.method), {})
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "query":
                    documented[parameter["name"]] = parameter.get("schema", {})
        return operation

    def _error_responses(self, path: str, operation: dict) -> list[tuple[str, str]]:
        answers = []
        permissions = self.view.get_permissions()
        checked = any(isinstance(p, DocumentedQueryParameters) for p in permissions)
        if self.method in BODY_METHODS or checked:
            answers.append(("400", "请求有误或规则不允许:detail 与 code,或以参数名为键的中文说明"))
        if self.method in BODY_METHODS:
            answers.append(("415", "请求内容的类型(Content-Type)不是 JSON、表单或 multipart"))
        if not all(isinstance(p, (AllowAny, DocumentedQueryParameters)) for p in permissions):
            answers.append(("403", "未登录,或没有办理此事的职务(code 为 not_allowed)"))
        if "{" in path or (self._is_list_view() and self._get_paginator() is not None):
            answers.append(("404", "对象不存在或不在您的范围内,或没有这一页"))
        return answers


def documented_query_parameters(view_class: type, method: str) -> dict | None:
    """Return the query parameters the schema documents for one operation (name -> schema), None if undocumented.

    The schema is built once per process and URL configuration, the first time a request asks.
    """
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    table = _tables.get(urlconf)
    if table is None:
        with _lock:
            table = _tables.get(urlconf)
            if table is None:
                table = _tables[urlconf] = _build(urlconf)
    return table.get((view_class, method))


def _build(urlconf) -> dict:
    from drf_spectacular.generators import SchemaGenerator

    token = _collecting.set({})
    try:
        SchemaGenerator(urlconf=urlconf).get_schema(request=None, public=True)
        return _collecting.get()
    finally:
        _collecting.reset(token)
