"""Answers in the spec's two formats: JSON, and XML built with xml.etree from the same data.

The XML follows the spec's element names (the Spark convention read backwards): a list is written as its own
element holding one child per item, named as the spec names it (services/service, service_requests/request,
attributes/attribute, values/value, endpoints/endpoint, formats/format, errors/error). None is an empty element
in XML and null in JSON; booleans are true/false in both.
"""

import json
import re
import xml.etree.ElementTree as ET

from django.http import HttpResponse

FORMATS = ("json", "xml")
CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
ITEM_NAMES = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "errors": "error",
}
# Characters XML 1.0 cannot hold at all (even escaped); dropped from XML text.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def to_xml(root: str, data) -> bytes:
    """Return ``data`` as an XML document whose root element is ``root``, with the UTF-8 declaration."""
    body = ET.tostring(_element(root, data), encoding="unicode")
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + body).encode()


def _element(name: str, value) -> ET.Element:
    element = ET.Element(name)
    if isinstance(value, dict):
        for key, inner in value.items():
            element.append(_element(key, inner))
    elif isinstance(value, list):
        for item in value:
            element.append(_element(ITEM_NAMES[name], item))
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = _NOT_XML.sub("", str(value))
    return element


def respond(fmt: str, root: str, data, status: int = 200) -> HttpResponse:
    """Answer ``data`` in ``fmt``; ``root`` names the XML root element (the JSON has none)."""
    body = to_xml(root, data) if fmt == "xml" else json.dumps(data, ensure_ascii=False).encode()
    return HttpResponse(body, content_type=CONTENT_TYPES[fmt], status=status)


def errors(fmt: str, status: int, description: str, code: int | None = None) -> HttpResponse:
    """Answer an error as the spec shapes it: a list of {code, description}, the HTTP status alongside."""
    return respond(fmt, "errors", [{"code": code or status, "description": str(description)}], status=status)
