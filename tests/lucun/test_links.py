"""lucun.links: the address of each row is the one reverse() gives, under whatever prefix, URLconf and language."""

import pytest
from django.urls import NoReverseMatch, reverse, set_script_prefix, set_urlconf
from django.utils import translation

from lucun.links import url_with

NUMBERS = ["LH-2026-000123", "LH-2026-000124", "街道-2026-1", "a b%c?d#e", "x:y@z~!$&'()*+,;="]


def _both(number: str) -> tuple[str, str]:
    return url_with("cases:case_detail", "number", number), reverse("cases:case_detail", kwargs={"number": number})


@pytest.mark.parametrize("number", NUMBERS)
def test_each_row_gets_what_reverse_gives(number):
    mine, django = _both(number)
    assert mine == django


def test_the_script_prefix_and_the_urlconf_in_force_are_followed():
    plain, _ = _both("LH-2026-000123")
    set_script_prefix("/lucun/")
    try:
        mine, django = _both("LH-2026-000123")
        assert mine == django == "/lucun" + plain
    finally:
        set_script_prefix("/")
    set_urlconf("tests.cases.root_urls")
    try:
        assert url_with("feedback:status", "code", "AB12CD34") == reverse(
            "feedback:status", kwargs={"code": "AB12CD34"}
        )
    finally:
        set_urlconf(None)
    with translation.override("en"):
        assert _both("LH-2026-000123")[0] == _both("LH-2026-000123")[1]


@pytest.mark.parametrize("number", ["", "a/b"])
def test_a_value_the_route_does_not_take_is_refused_as_reverse_refuses_it(number):
    with pytest.raises(NoReverseMatch):
        url_with("cases:case_detail", "number", number)
