from celery import shared_task

from . import services


@shared_task(name="cases.tasks.case_colours_sweep", ignore_result=True, soft_time_limit=50, time_limit=60)
def case_colours_sweep() -> dict:
    result = services.case_colours_sweep()
    return {"yellow": result.yellow, "red": result.red, "noticed": result.noticed}


@shared_task(
    name="cases.tasks.case_events_notify",
    ignore_result=True,
    autoretry_for=(OSError,),
    max_retries=5,
    retry_backoff=True,
)
def case_events_notify(kind: str, at: str) -> int:
    return services.case_events_notify(kind=kind, at=at)


@shared_task(name="cases.tasks.cases_auto_close", ignore_result=True, soft_time_limit=240, time_limit=300)
def cases_auto_close() -> int:
    from datetime import timedelta

    from django.conf import settings

    return services.cases_auto_close(after=timedelta(days=settings.LUCUN_CASE_AUTO_CLOSE_DAYS))


@shared_task(name="cases.tasks.feedback_digest_notify", ignore_result=True, soft_time_limit=240, time_limit=300)
def feedback_digest_notify() -> int:
    return services.feedback_digest_notify()


@shared_task(name="cases.tasks.approvals_escalate", ignore_result=True, soft_time_limit=240, time_limit=300)
def approvals_escalate() -> int:
    """Send the extension and return requests nobody decided in time to the next approver."""
    return services.approvals_escalate()


@shared_task(name="cases.tasks.dashboard_resolved_refresh", ignore_result=True, soft_time_limit=120, time_limit=150)
def dashboard_resolved_refresh(user_id: int, query: str) -> None:
    """Recompute the dashboard's figures on resolved cases for one viewer and their filters."""
    from django.http import QueryDict

    from lucun.models import User

    from . import forms, selectors

    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return
    form = forms.case_filter_form(user=user, data=QueryDict(query) or None)
    selectors.dashboard_resolved_refresh(user=user, filters=form.filters())


@shared_task(
    name="cases.tasks.hotline_delivery_send",
    ignore_result=True,
    autoretry_for=(services.hotline.HotlineDeliveryFailed,),
    max_retries=5,
    retry_backoff=60,
    soft_time_limit=60,
    time_limit=90,
)
def hotline_delivery_send(delivery_id: int) -> bool:
    return services.hotline_delivery_send(delivery_id=delivery_id)


@shared_task(name="cases.tasks.hotline_deliveries_retry", ignore_result=True, soft_time_limit=240, time_limit=300)
def hotline_deliveries_retry() -> int:
    return services.hotline_deliveries_retry()
