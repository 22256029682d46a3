"""The date and time inputs of every form: the browser's own pickers, with the value written as they need it.

``<input type="date">`` accepts only ``2027-01-18`` and ``datetime-local`` only ``2027-01-18T09:30``; the
Chinese locale writes ``2027/01/18``, which the browser discards, so a pre-filled date would show blank.
"""

from django import forms


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class MonthInput(forms.DateInput):
    input_type = "month"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m")
