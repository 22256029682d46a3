from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeliberationConfig(AppConfig):
    name = "deliberation"
    verbose_name = _("现场议")
    default_auto_field = "django.db.models.BigAutoField"
    demo_seeder = "deliberation.demo.seed"

    def ready(self) -> None:
        from lucun import files, navigation

        from .models import MeetingPhoto
        from .selectors import meeting_photos_visible

        navigation.register(
            navigation.NavItem(label=_("议事日程"), url_name="deliberation:calendar", order=20),
            navigation.NavItem(label=_("议事场所"), url_name="deliberation:venue_list", order=21),
            navigation.NavItem(label=_("议事成效"), url_name="deliberation:figures", order=22),
        )
        files.register(files.PrivateFile("meeting-photo", MeetingPhoto, "image", meeting_photos_visible))
