"""Date and time inputs are pre-filled in the only format the browser's pickers accept."""

import re
from datetime import date, datetime

import pytest
from django import forms
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from lucun.models import Community
from lucun.widgets import DateInput, DateTimeLocalInput, MonthInput, Select
from tests.factories import CommunityFactory


class Dates(forms.Form):
    day = forms.DateField(widget=DateInput())
    moment = forms.DateTimeField(widget=DateTimeLocalInput())
    month = forms.DateField(widget=MonthInput(), input_formats=["%Y-%m"])


def values(html: str) -> dict[str, str]:
    return dict(re.findall(r'type="(date|datetime-local|month)" name="\w+" value="([^"]*)"', html))


def test_an_initial_value_is_written_as_iso_in_chinese():
    moment = timezone.make_aware(datetime(2027, 1, 18, 9, 30))
    with translation.override("zh-hans"):
        html = str(Dates(initial={"day": date(2027, 1, 18), "moment": moment, "month": date(2027, 1, 1)}))
    assert values(html) == {"date": "2027-01-18", "datetime-local": "2027-01-18T09:30", "month": "2027-01"}


def test_a_bound_form_sent_back_keeps_the_values_the_browser_sent():
    data = {"day": "2027-01-18", "moment": "2027-01-18T09:30", "month": "2027-01"}
    with translation.override("zh-hans"):
        form = Dates(data)
        assert form.is_valid(), form.errors
        html = str(form)
    assert values(html) == {"date": "2027-01-18", "datetime-local": "2027-01-18T09:30", "month": "2027-01"}
    assert form.cleaned_data["day"] == date(2027, 1, 18)


@pytest.mark.django_db
def test_the_visit_plan_page_fills_in_its_start_date(client, supervisor, community):
    client.force_login(supervisor)
    html = client.get(reverse("visits:plan")).content.decode()
    start = re.search(r'<input type="date" name="starts_on" value="([^"]*)"', html)
    assert start and start.group(1) == timezone.localdate().isoformat()


def test_every_form_of_the_apps_uses_the_shared_date_inputs():
    """A date or time field with a plain DateInput would write the locale's 2027/01/18 again."""
    import importlib

    for module in ("visits.forms", "cases.forms", "deliberation.forms", "outcomes.forms", "points.forms"):
        for name, form in vars(importlib.import_module(module)).items():
            if not (isinstance(form, type) and issubclass(form, forms.BaseForm)):
                continue
            for field_name, field in form.base_fields.items():
                if isinstance(field, forms.DateField | forms.DateTimeField):
                    widget = type(field.widget)
                    assert widget in (DateInput, DateTimeLocalInput, MonthInput), f"{module}.{name}.{field_name}"


CHOICES = [
    ("", "全部"),
    (1, "芦湖村"),
    ("2", 'A & B <"引号">'),
    ("<3>", mark_safe("<b>已标为安全</b>")),
    (4, gettext_lazy("类别")),
    ("组", [(5, "第一组"), ("6'", "it's")]),
]


@pytest.mark.parametrize("value", [None, "", 1, "2", "<3>", "6'", ["1"], "nothing"])
@pytest.mark.parametrize("attrs", [None, {"id": "id_x", "class": 'a"b', "required": True, "disabled": False}])
def test_the_python_select_writes_the_markup_of_djangos_select(value, attrs):
    ours = Select(choices=CHOICES).render("pick<er>", value, attrs=attrs)
    django = forms.Select(choices=CHOICES).render("pick<er>", value, attrs=attrs)
    assert ours == django
    assert "<b>已标为安全</b>" in ours and "&lt;&quot;引号&quot;&gt;" in ours


class Filter(forms.Form):
    community = forms.ModelChoiceField(
        queryset=Community.objects.order_by("name"), required=False, empty_label="全部", widget=Select
    )
    colour = forms.ChoiceField(choices=[("", "全部颜色"), ("red", "红色")], required=False, widget=Select)


class DjangoFilter(forms.Form):
    community = forms.ModelChoiceField(queryset=Community.objects.order_by("name"), required=False, empty_label="全部")
    colour = forms.ChoiceField(choices=[("", "全部颜色"), ("red", "红色")], required=False)


@pytest.mark.django_db
def test_a_form_renders_the_python_select_as_django_does_with_the_chosen_values(community):
    CommunityFactory(street=community.street, name="<东> & 西")
    for data in (None, {"community": str(community.pk), "colour": "red"}, {"community": "x"}):
        assert str(Filter(data)) == str(DjangoFilter(data))
    assert f'<option value="{community.pk}" selected>' in str(Filter({"community": str(community.pk)}))
