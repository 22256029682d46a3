from django import forms
from django.template import Context, Template


class StopForm(forms.Form):
    reason = forms.CharField(label="停用原因")
    confirmed = forms.BooleanField(label="确认", required=False)


def render(source: str, **context) -> str:
    return Template("{% load lucun_tags %}" + source).render(Context(context))


def test_a_form_shown_on_every_row_gives_each_row_its_own_ids_so_each_label_names_its_field():
    html = render(
        '{% for pk in rows %}{% with stop=form|own_ids:pk %}{% include "lucun/_field.html" with field=stop.reason %}'
        "{% endwith %}{% endfor %}",
        form=StopForm(),
        rows=[3, 4],
    )
    assert html.count('id="stopform-3-reason"') == 1 and 'for="stopform-3-reason"' in html
    assert html.count('id="stopform-4-reason"') == 1 and 'for="stopform-4-reason"' in html
    assert "id_reason" not in html


def test_two_forms_on_one_page_with_a_field_of_the_same_name_do_not_share_an_id():
    class OtherForm(forms.Form):
        reason = forms.CharField()

    html = render(
        "{% for f in a|own_ids %}{{ f }}{% endfor %}{% for f in b|own_ids %}{{ f }}{% endfor %}",
        a=StopForm(),
        b=OtherForm(),
    )
    assert 'id="stopform-reason"' in html and 'id="otherform-reason"' in html


def test_the_form_itself_keeps_its_ids():
    form = StopForm()
    render("{% for f in form|own_ids:1 %}{{ f }}{% endfor %}", form=form)
    assert 'id="id_reason"' in str(form["reason"])


def test_a_single_box_to_tick_sits_inside_its_label():
    html = render('{% include "lucun/_field.html" with field=form.confirmed %}', form=StopForm())
    label = html[html.index("<label") : html.index("</label>")]
    assert 'type="checkbox"' in label and "确认" in label
