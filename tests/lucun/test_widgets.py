"""Date and time inputs are pre-filled in the only format the browser's pickers accept."""

import re
from datetime import date, datetime

import pytest
from django import forms
from django.urls import reverse
from django.utils import timezone, translation

from lucun.widgets import DateInput, DateTimeLocalInput, MonthInput


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
