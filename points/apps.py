from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PointsConfig(AppConfig):
    name = "points"
    verbose_name = _("积分")
    default_auto_field = "django.db.models.BigAutoField"
    demo_seeder = "points.demo.seed"
    # Expiry is off by default (PointsPolicy); when switched on, this daily job writes the expire entries.
    periodic_tasks = [
        ("积分过期 points expire", "points.tasks.points_expire", 24 * 60 * 60),
    ]

    def ready(self) -> None:
        from lucun import files
        from lucun.navigation import POINTS, NavItem, register

        from . import roles
        from .home import register_panels
        from .models import ServiceClaim
        from .selectors import claim_photos_visible

        register(
            NavItem(
                label=_("志愿者积分"), url_name="points:volunteer_list", order=60, roles=roles.VIEW_ROLES, group=POINTS
            ),
            NavItem(
                label=_("积分审核"), url_name="points:claim_list", order=61, roles=roles.APPROVE_ROLES, group=POINTS
            ),
            NavItem(
                label=_("积分兑换"), url_name="points:redeem_start", order=62, roles=roles.REDEEM_ROLES, group=POINTS
            ),
            NavItem(label=_("积分统计"), url_name="points:figures", order=63, roles=roles.VIEW_ROLES, group=POINTS),
        )
        files.register(files.PrivateFile("claim-photo", ServiceClaim, "photo", claim_photos_visible))
        register_panels()
