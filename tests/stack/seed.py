"""The stack tests' own data, made inside the running stack: ``deploy/ci-stack.sh manage shell -c
"from tests.stack.seed import create; create()"`` prints it as JSON. A street of its own for each run (whatever
the stack holds besides, demo or restored backup), two communities, a cadre in each, a member of the street staff
who may use the back office, a batch of contact cards."""

import json
import secrets
import string


def create() -> None:
    from django.db import transaction

    with transaction.atomic():
        data = _create()
    print(json.dumps(data))


def _create() -> dict:
    from django.contrib.auth import get_user_model

    from cases.selectors import feedback_channel_public_url
    from lucun.models import Community, Position, Role, Street
    from visits import services
    from visits.models import VisitTeam

    run = secrets.token_hex(3)
    street = Street.objects.create(
        name=f"试运行街道{run}",
        code="ZZ" + "".join(secrets.choice(string.ascii_uppercase) for _ in range(6)),
        hotline="0531-88880000",
    )
    community = Community.objects.create(street=street, name="青石村")
    other = Community.objects.create(street=street, name="白沙社区")
    password = secrets.token_urlsafe(16)
    users = {}
    for key, place, name in (("cadre", community, "陈书记"), ("other_cadre", other, "周书记")):
        user = get_user_model().objects.create_user(username=f"stack_{key}_{run}", password=password, real_name=name)
        Position.objects.create(user=user, role=Role.COMMUNITY_CADRE, community=place)
        users[key] = user.username
    # A member of the street staff who may use the configuration back office (its own sign-in page).
    staff = get_user_model().objects.create_user(
        username=f"stack_staff_{run}", password=password, real_name="刘干事", is_staff=True
    )
    Position.objects.create(user=staff, role=Role.STREET_STAFF, street=street)
    users["staff"] = staff.username
    team = VisitTeam.objects.create(street=street, name="青石村走访队")
    batch = services.card_batch_create(
        actor=None, community=community, team=team, quantity=10, contact_name="陈书记", contact_phone="13812345678"
    )
    return {
        "run": run,
        "community": community.name,
        "card_url": feedback_channel_public_url(channel=batch.channel),
        "password": password,
        **users,
    }
