from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig
from django.db.models.signals import post_migrate, pre_migrate
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class LucunConfig(AppConfig):
    name = "lucun"
    verbose_name = _("组织与系统")
    default_auto_field = "django.db.models.BigAutoField"
    # Beat jobs this app needs; created once after migrate, then editable in the admin.
    periodic_tasks = [
        ("发件箱补发 outbox flush", "lucun.tasks.outbox_flush", 60),
        ("登录记录清理 sign-in log prune", "lucun.tasks.login_log_prune", 24 * 60 * 60),
        ("导出与打印文件清理 job files expire", "lucun.tasks.job_files_expire", 60 * 60),
        ("短信补发 SMS flush", "lucun.tasks.sms_flush", 60),
        ("无主文件清理 unowned files delete", "lucun.tasks.files_unowned_delete", 24 * 60 * 60),
    ]

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        from . import db, exports, files, navigation, schedules, selectors
        from .handover.rules import HANDOVER_ROLES
        from .models import ExportJob

        # Each app declares its audit actions in <app>/audit.py; import them all, so the vocabulary is whole.
        autodiscover_modules("audit")

        settings = navigation.SETTINGS
        # Messages are the bell in the header, on every page.
        navigation.register(
            navigation.NavItem(label=pgettext_lazy("navigation bar", "工作台"), url_name="home", order=0),
            navigation.NavItem(label=_("组织架构"), url_name="org_tree", order=90, group=settings),
            navigation.NavItem(label=_("我的设置"), url_name="account_settings", order=91, group=settings),
            navigation.NavItem(
                label=_("人员与交接"), url_name="people_list", order=91, roles=HANDOVER_ROLES, group=settings
            ),
            navigation.NavItem(
                label=_("接口文档"), url_name="api_docs", order=98, roles=navigation.STREET_ROLES, group=settings
            ),
            navigation.NavItem(label=_("系统配置"), url_name="admin:index", order=99, staff_only=True, group=settings),
        )
        files.register(
            files.PrivateFile(
                "export",
                ExportJob,
                "file",
                selectors.export_files_visible,
                download_name=lambda job: exports.file_name(exports.get(job.kind), job.created_at),
            )
        )
        post_migrate.connect(schedules.ensure_periodic_tasks, dispatch_uid="lucun.ensure_periodic_tasks")
        pre_migrate.connect(db.sqlite_triggers_set_aside, sender=self, dispatch_uid="lucun.sqlite_triggers_set_aside")
        post_migrate.connect(db.sqlite_triggers_ensure, sender=self, dispatch_uid="lucun.sqlite_triggers_ensure")
        post_migrate.connect(db.postgres_triggers_ensure, sender=self, dispatch_uid="lucun.postgres_triggers_ensure")


class AdminConfig(DjangoAdminConfig):
    """django.contrib.admin with lucun's site: its titles, and password changes counted by the sign-in limiter."""

    default_site = "lucun.admin_site.AdminSite"
