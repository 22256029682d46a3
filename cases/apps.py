from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("分类解")
    default_auto_field = "django.db.models.BigAutoField"
    periodic_tasks = [
        ("红黄绿督办扫描 colour sweep", "cases.tasks.case_colours_sweep", 60),
        ("办结自动归档 auto close", "cases.tasks.cases_auto_close", 3600),
        ("群众反馈每小时提醒 feedback digest", "cases.tasks.feedback_digest_notify", 3600),
        ("12345 状态回传重试 hotline deliveries", "cases.tasks.hotline_deliveries_retry", 300),
        ("审批超时转上级 approvals escalation", "cases.tasks.approvals_escalate", 300),
    ]
    demo_seeder = "cases.demo.seed"

    def ready(self) -> None:
        from lucun import bulk, db, exports, files, navigation, search

        from . import selectors
        from .bulk import ACTIONS as BULK_ACTIONS
        from .exports import EXPORTERS
        from .handover import register_holdings
        from .home import register_panels
        from .models import BULLETIN_READERS_DEFAULT, CasePhoto, FeedbackPhoto, alarm, hotline_tally, tally
        from .models.approvals import COMMUNITY_TRIGGERS
        from .permissions import APPROVE_ROLES, DASHBOARD_ROLES, SUPERVISE_ROLES
        from .search import PROVIDERS as SEARCH_PROVIDERS
        from .services.feedback import TRIAGE_ROLES
        from .signals import connect

        db.derived_triggers_register(tally.TRIGGERS, alarm.TRIGGERS, hotline_tally.TRIGGERS, COMMUNITY_TRIGGERS)
        connect()
        files.register(
            files.PrivateFile("case-photo", CasePhoto, "image", selectors.case_photos_visible),
            files.PrivateFile("feedback-photo", FeedbackPhoto, "image", selectors.feedback_photos_visible),
        )
        exports.register(*EXPORTERS)
        bulk.register(*BULK_ACTIONS)
        search.register(*SEARCH_PROVIDERS)
        register_panels()
        register_holdings()
        solve = navigation.SOLVE
        navigation.register_badge(
            "approvals",
            lambda user: [selectors.requests_waiting(user=user, kind=kind) for kind in selectors.REQUEST_MODELS],
        )
        navigation.register(
            navigation.NavItem(label=_("我的待办"), url_name="cases:my_work", order=30, group=solve),
            # What waits for this official's decision, with its count (who decides is configuration: ApprovalRule).
            navigation.NavItem(
                label=_("待我审批"),
                url_name="cases:approvals",
                order=31,
                roles=APPROVE_ROLES,
                group=solve,
                badge="approvals",
            ),
            navigation.NavItem(label=_("诉求"), url_name="cases:case_list", order=31, group=solve),
            navigation.NavItem(
                label=_("群众反馈"), url_name="cases:feedback_queue", order=32, roles=TRIAGE_ROLES, group=solve
            ),
            navigation.NavItem(
                label=_("三色督办"), url_name="cases:dashboard", order=33, roles=DASHBOARD_ROLES, group=solve
            ),
            # One entry for 通报: readers find the published ones there; supervisors, their drafts and the way to
            # what is still to be reported (the notice board). The readers are configuration (BulletinReader); the
            # entry is offered to the positions the seed names, and the page itself asks the configuration.
            navigation.NavItem(
                label=_("通报"),
                url_name="cases:bulletin_list",
                order=34,
                roles=frozenset(BULLETIN_READERS_DEFAULT) | SUPERVISE_ROLES,
                group=solve,
            ),
        )
