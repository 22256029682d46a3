"""The API's request parsers: a body that is not text in its declared charset is refused, never guessed at.

Django decodes form bodies leniently (undecodable bytes become U+FFFD, or the whole body is read as Latin-1),
so a client with the wrong encoding would store mojibake without noticing. These parsers answer 400 instead,
naming the field, and give malformed JSON a Chinese message without the decoder's internals.
"""

import json as stdlib_json
from urllib.parse import parse_qsl

from django.conf import settings
from django.core.exceptions import TooManyFieldsSent
from django.http import QueryDict
from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.utils import json

REPLACEMENT = "\ufffd"


def _encoding(parser_context: dict | None) -> str:
    try:
        return parsers.get_encoding(parser_context or {})
    except ParseError as exc:
        raise ParseError(_("不支持请求头 Content-Type 中声明的字符集。")) from exc


def _not_text(encoding: str) -> list[str]:
    return [_("内容不是有效的 %(encoding)s 文本,请检查发送方的字符编码。") % {"encoding": encoding.upper()}]


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        encoding = _encoding(parser_context)
        try:
            text = stream.read().decode(encoding)
        except UnicodeDecodeError as exc:
            raise ParseError(
                _("请求内容不是有效的 %(encoding)s 文本,请检查字符编码。") % {"encoding": encoding.upper()}
            ) from exc
        try:
            return json.loads(text, parse_constant=json.strict_constant if self.strict else None)
        except stdlib_json.JSONDecodeError as exc:
            raise ParseError(
                _("请求内容不是有效的 JSON(第 %(line)d 行第 %(column)d 列附近),请检查格式。")
                % {"line": exc.lineno, "column": exc.colno}
            ) from exc
        except ValueError as exc:  # NaN or Infinity, which JSON does not have
            raise ParseError(_("请求内容不是有效的 JSON:数字不能是 NaN 或 Infinity。")) from exc
        except RecursionError as exc:
            raise ParseError(_("请求内容的 JSON 嵌套层数太多。")) from exc


class FormParser(parsers.FormParser):
    def parse(self, stream, media_type=None, parser_context=None):
        encoding = _encoding(parser_context)
        body = stream.read().decode("latin-1")  # one character per byte: nothing is lost before the check below
        try:
            pairs = parse_qsl(
                body,
                keep_blank_values=True,
                encoding="latin-1",
                max_num_fields=settings.DATA_UPLOAD_MAX_NUMBER_FIELDS,
            )
        except ValueError as exc:
            raise TooManyFieldsSent(
                "The number of GET/POST parameters exceeded settings.DATA_UPLOAD_MAX_NUMBER_FIELDS."
            ) from exc
        data, errors = QueryDict(mutable=True, encoding=encoding), {}
        for raw_key, raw_value in pairs:
            key = raw_key.encode("latin-1").decode(encoding, errors="replace")
            try:
                raw_key.encode("latin-1").decode(encoding)
                value = raw_value.encode("latin-1").decode(encoding)
            except UnicodeDecodeError:
                errors[key] = _not_text(encoding)
                continue
            data.appendlist(key, value)
        if errors:
            raise ValidationError(errors)
        data._mutable = False
        return data


class MultiPartParser(parsers.MultiPartParser):
    def parse(self, stream, media_type=None, parser_context=None):
        encoding = _encoding(parser_context)
        try:
            parsed = super().parse(stream, media_type, parser_context)
        except ParseError as exc:
            raise ParseError(_("multipart 表单格式有误,无法读取。")) from exc
        # Django has already replaced undecodable bytes with U+FFFD by now (the raw parts are gone, and a body
        # with photos is too large to keep), so a field holding U+FFFD is taken for one that did not decode.
        errors = {
            key: _not_text(encoding)
            for key, values in parsed.data.lists()
            if REPLACEMENT in key or any(REPLACEMENT in value for value in values)
        }
        if errors:
            raise ValidationError(errors)
        return parsed
