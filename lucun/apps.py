from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class LucunConfig(AppConfig):
    name = "lucun"
    verbose_name = _("组织与系统")
    default_auto_field = "django.db.models.BigAutoField"
    # Beat jobs this app needs; created once after migrate, then editable in the admin.
    periodic_tasks = [
        ("发件箱补发 outbox flush", "lucun.tasks.outbox_flush", 60),
    ]

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        from . import db, navigation, schedules

        # Each app declares its audit actions in <app>/audit.py; import them all, so the vocabulary is whole.
        autodiscover_modules("audit")

        settings = navigation.SETTINGS
        # Messages are the bell in the header, on every page.
        navigation.register(
            navigation.NavItem(label=_("工作台"), url_name="home", order=0),
            navigation.NavItem(label=_("组织架构"), url_name="org_tree", order=90, group=settings),
            navigation.NavItem(
                label=_("接口文档"), url_name="api_docs", order=98, roles=navigation.STREET_ROLES, group=settings
            ),
            navigation.NavItem(label=_("系统配置"), url_name="admin:index", order=99, staff_only=True, group=settings),
        )
        post_migrate.connect(schedules.ensure_periodic_tasks, dispatch_uid="lucun.ensure_periodic_tasks")
        post_migrate.connect(db.sqlite_triggers_ensure, sender=self, dispatch_uid="lucun.sqlite_triggers_ensure")
