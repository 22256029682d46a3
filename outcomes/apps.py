from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutcomesConfig(AppConfig):
    name = "outcomes"
    verbose_name = _("工作成效")
    default_auto_field = "django.db.models.BigAutoField"
    # Runs after every other app: its demo data follows their cases, visits, meetings and points.
    demo_seeder = "outcomes.demo.seed"
    periodic_tasks = [
        ("回访任务生成 callbacks create", "outcomes.tasks.callbacks_create", 60),
        ("红线季度测算 red lines", "outcomes.tasks.redlines_evaluate_last_quarter", 6 * 60 * 60),
        ("月度成效报告 monthly report", "outcomes.tasks.report_prepare_last_month", 6 * 60 * 60),
    ]

    def ready(self) -> None:
        from cases import panels
        from lucun import bulk, exports
        from lucun.navigation import OUTCOMES, STREET_ROLES, NavItem, register

        from . import permissions
        from .bulk import ACTIONS as BULK_ACTIONS
        from .case_panels import PANELS
        from .exports import EXPORTERS
        from .handover import register_holdings
        from .home import register_panels

        register(
            NavItem(label=_("成效报告"), url_name="outcomes:report", order=70, group=OUTCOMES),
            # A street's stored monthly reports carry every community's figures: street positions only.
            NavItem(
                label=_("月度报告存档"), url_name="outcomes:snapshot_list", order=70, roles=STREET_ROLES, group=OUTCOMES
            ),
            NavItem(
                label=_("回访"),
                url_name="outcomes:callback_list",
                order=71,
                roles=permissions.CALLBACK_ROLES,
                group=OUTCOMES,
            ),
            NavItem(label=_("三率"), url_name="outcomes:rates", order=72, group=OUTCOMES),
            NavItem(label=_("满意度调查"), url_name="outcomes:survey_list", order=73, group=OUTCOMES),
            NavItem(label=_("我的调查样本"), url_name="outcomes:my_samples", order=73, group=OUTCOMES),
            NavItem(
                label=_("红线与目标"),
                url_name="outcomes:cadres",
                order=74,
                roles=permissions.CADRE_VIEW_ROLES,
                group=OUTCOMES,
            ),
            NavItem(
                label=_("后备人才"),
                url_name="outcomes:talent_list",
                order=75,
                roles=permissions.TALENT_ROLES,
                group=OUTCOMES,
            ),
        )
        exports.register(*EXPORTERS)
        bulk.register(*BULK_ACTIONS)
        register_holdings()
        register_panels()
        panels.register(*PANELS)
