"""Admin pieces shared by a street's connections to other systems (Open311, the 12345 hotline): a form that
refuses a street the signed-in user does not manage, and the pages of an issued key (``IssuedKey``).

The admin calls the same services as everything else; ``adopt_saved`` then hands the row a service saved back
to the admin, so it logs and links that row.
"""

from collections.abc import Callable

from django import forms
from django.contrib import admin
from django.template.response import TemplateResponse
from django.utils.cache import add_never_cache_headers

from lucun.models import Street, User


def adopt_saved(obj, saved) -> None:
    """Make the admin's unsaved ``obj`` the row a service saved, so the admin logs and links the right one."""
    for field in type(saved)._meta.concrete_fields:
        setattr(obj, field.attname, getattr(saved, field.attname))
    obj._state.adding = False
    obj._state.db = saved._state.db


class StreetManagedForm(forms.ModelForm):
    """A form that refuses a street the signed-in user does not manage (the services refuse it too)."""

    user = None  # set per request by ``PerUserFormAdmin.get_form``
    can_manage: Callable[[User | None, Street], bool]  # the service's own check, as a staticmethod
    refusal = ""

    def clean(self):
        data = super().clean()
        street = data.get("street") or getattr(self.instance, "street", None)
        if street is not None and not self.can_manage(self.user, street):
            raise forms.ValidationError(self.refusal)
        return data


class PerUserFormAdmin(admin.ModelAdmin):
    """Hands the signed-in user to a ``StreetManagedForm``."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"user": request.user})


class IssuedKeyAdmin(PerUserFormAdmin):
    """Issue a key (shown once, only its hash kept), change its name or limit, revoke it with a reason.

    A kind names its services and the title of the page that shows a new key; the page itself is the template
    ``admin/<app>/<model>/issued.html``.
    """

    issue: Callable  # the kind's ``<kind>_key_issue``, as a staticmethod
    revoke: Callable  # the kind's ``<kind>_key_revoke``, as a staticmethod
    change: Callable  # the kind's ``<kind>_key_change``, as a staticmethod
    issued_title = ""
    kind_fields: list[str] = []  # read-only fields a kind has beyond the shared ones, shown after the prefix
    kind_settings: list[str] = []  # fields a kind has that are set when issued and changed like the limit

    list_filter = ["is_active", "street"]
    list_select_related = ["street"]
    search_fields = ["name", "prefix"]

    def get_list_display(self, request):
        shared = ["name", "street", "prefix", "hourly_limit"]
        return [*shared, *self.kind_settings, "is_active", "created_at", "revoked_at"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["street", "name", "hourly_limit", *self.kind_settings]
        fields = [
            "street",
            "name",
            "hourly_limit",
            *self.kind_settings,
            "prefix",
            *self.kind_fields,
            "is_active",
            "created_by",
            "created_at",
        ]
        if obj.is_active:
            return [*fields, "revoke_reason"]
        return [*fields, "revoked_by", "revoked_at", "revoked_reason"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        fields = ["street", "prefix", *self.kind_fields, "is_active", "created_by", "created_at"]
        if not obj.is_active:
            fields += ["name", "hourly_limit", *self.kind_settings, "revoked_by", "revoked_at", "revoked_reason"]
        return fields

    def save_model(self, request, obj, form, change):
        if not change:
            settings = {name: getattr(obj, name) for name in self.kind_settings}
            key, secret = self.issue(
                street=obj.street, name=obj.name, hourly_limit=obj.hourly_limit, user=request.user, **settings
            )
            adopt_saved(obj, key)
            request.issued_key_secret = secret  # shown once by response_add, stored nowhere
            return
        if form.changed_data and set(form.changed_data) - {"revoke_reason"}:
            values = {name: getattr(obj, name) for name in ["name", "hourly_limit", *self.kind_settings]}
            adopt_saved(obj, self.change(key=obj, user=request.user, **values))
        if form.cleaned_data.get("revoke_reason"):
            adopt_saved(obj, self.revoke(key=obj, user=request.user, reason=form.cleaned_data["revoke_reason"]))

    def response_add(self, request, obj, post_url_continue=None):
        secret = getattr(request, "issued_key_secret", None)
        if secret is None:
            return super().response_add(request, obj, post_url_continue)
        opts = self.model._meta
        context = {
            **self.admin_site.each_context(request),
            "opts": opts,
            "title": self.issued_title,
            "key": obj,
            "secret": secret,
        }
        response = TemplateResponse(request, f"admin/{opts.app_label}/{opts.model_name}/issued.html", context)
        add_never_cache_headers(response)
        return response

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
