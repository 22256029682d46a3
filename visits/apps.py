from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VisitsConfig(AppConfig):
    name = "visits"
    verbose_name = _("直面问")
    default_auto_field = "django.db.models.BigAutoField"
    demo_seeder = "visits.demo.seed"

    def ready(self) -> None:
        from lucun import files, search
        from lucun.navigation import ASK, OFFICIAL_ROLES, NavItem, register

        from . import selectors
        from .handover import register_holdings
        from .home import register_panels
        from .models import PrintJob, VisitPhoto
        from .permissions import CARD_ROLES, COVERAGE_ROLES
        from .search import PROVIDERS as SEARCH_PROVIDERS

        register(
            NavItem(label=_("入户走访"), url_name="visits:search", order=10, roles=OFFICIAL_ROLES, group=ASK),
            NavItem(label=_("民情账本"), url_name="visits:ledger_index", order=11, roles=OFFICIAL_ROLES, group=ASK),
            NavItem(label=_("走访队伍"), url_name="visits:team_list", order=12, roles=OFFICIAL_ROLES, group=ASK),
            NavItem(label=_("走访安排"), url_name="visits:plan", order=13, roles=OFFICIAL_ROLES, group=ASK),
            NavItem(label=_("走访覆盖"), url_name="visits:coverage", order=14, roles=COVERAGE_ROLES, group=ASK),
            NavItem(label=_("联系卡与二维码"), url_name="visits:card_index", order=15, roles=CARD_ROLES, group=ASK),
        )
        files.register(
            files.PrivateFile("visit-photo", VisitPhoto, "image", selectors.visit_photos_visible),
            files.PrivateFile(
                "print-job",
                PrintJob,
                "file",
                selectors.print_files_visible,
                download_name=lambda job: job.download_name,
            ),
        )
        self._register_team_filter()
        search.register(*SEARCH_PROVIDERS)
        register_holdings()
        register_panels()

    @staticmethod
    def _register_team_filter() -> None:
        """Offer the case lists and the dashboard a filter by the visit team whose visit raised the case."""
        from django.contrib.contenttypes.models import ContentType

        from cases import source_filters

        from .models import VisitLog
        from .selectors import team_choices

        def narrow(cases, team):
            return cases.filter(
                source_type=ContentType.objects.get_for_model(VisitLog),
                source_id__in=VisitLog.objects.filter(team=team).values("pk"),
            )

        source_filters.register(
            source_filters.SourceFilter(
                key="team",
                label=_("走访队伍"),
                empty_label=_("全部走访队伍"),
                choices=lambda user: team_choices(user=user),
                narrow=narrow,
            )
        )
