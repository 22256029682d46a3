"""The cases app's kinds in the site search (lucun.search): cases and anonymous messages (registered in ready()).

A case's resident phone is masked, as on the case page; a message's reply phone is shown as on the message's
page, in full to those who triage it. A lookup code finds its message but is never shown: whoever holds it
answers for the sender on the status page.
"""

from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lucun.search import Hit, Provider, Query
from lucun.text import mask_phone

from .selectors.search import case_search, feedback_search


def find_cases(*, user, query: Query):
    return case_search(user=user, text=query.text, whole_phone=query.whole_phone)


def case_hits(rows, *, user) -> list[Hit]:
    return [
        Hit(
            kind="case",
            title=f"{case.number} {case.title}",
            url=case.get_absolute_url(),
            community=case.community.name,
            detail=" · ".join(p for p in (case.get_state_display(), case.tier.display_name, case.contact_name) if p),
            phone=mask_phone(case.contact_phone),
        )
        for case in rows
    ]


def find_feedback(*, user, query: Query):
    return feedback_search(user=user, text=query.text, digits=query.digits)


def feedback_hits(rows, *, user) -> list[Hit]:
    return [
        Hit(
            kind="feedback",
            title=Truncator(item.shareable_text).chars(40),
            url=item.get_absolute_url(),
            community=item.community.name,
            detail=" · ".join(
                p
                for p in (
                    str(item),
                    item.get_state_display(),
                    item.case.number if item.case_id else "",
                    _("收到于 %(when)s") % {"when": f"{timezone.localtime(item.received_at):%Y-%m-%d}"},
                )
                if p
            ),
            phone=item.reply_phone,
        )
        for item in rows
    ]


PROVIDERS = (
    Provider(key="case", label=gettext_lazy("诉求"), order=10, find=find_cases, hits=case_hits),
    Provider(key="feedback", label=gettext_lazy("群众反馈"), order=20, find=find_feedback, hits=feedback_hits),
)
