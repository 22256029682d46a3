from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeliberationConfig(AppConfig):
    name = "deliberation"
    verbose_name = _("现场议")
    default_auto_field = "django.db.models.BigAutoField"
    demo_seeder = "deliberation.demo.seed"

    def ready(self) -> None:
        from lucun import files, navigation

        from .handover import register_holdings
        from .home import register_panels
        from .models import MeetingPhoto
        from .selectors import meeting_photos_visible

        discuss = navigation.DISCUSS
        navigation.register(
            navigation.NavItem(label=_("议事日程"), url_name="deliberation:calendar", order=20, group=discuss),
            navigation.NavItem(label=_("议事会议"), url_name="deliberation:meeting_list", order=21, group=discuss),
            navigation.NavItem(
                label=_("擂台比武"),
                url_name="deliberation:meeting_list",
                query="kind=contest",
                order=22,
                group=discuss,
            ),
            navigation.NavItem(label=_("议事场所"), url_name="deliberation:venue_list", order=23, group=discuss),
            navigation.NavItem(label=_("议事成效"), url_name="deliberation:figures", order=24, group=discuss),
        )
        files.register(files.PrivateFile("meeting-photo", MeetingPhoto, "image", meeting_photos_visible))
        register_panels()
        register_holdings()
