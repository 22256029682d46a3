"""Keep the cached public feedback form in step with what it shows (see ``cases.public_cache``)."""

from django.db.models.signals import post_delete, post_save

from . import public_cache


def _changed(sender, **kwargs) -> None:
    public_cache.version_bump()


def connect() -> None:
    from lucun.models import Community, Street

    from .models import Category, FeedbackChannel

    for model in (Street, Community, Category, FeedbackChannel):
        post_save.connect(_changed, sender=model, dispatch_uid=f"public-form-{model._meta.label}-save")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"public-form-{model._meta.label}-delete")
