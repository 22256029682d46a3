"""Beat schedules: each app lists its periodic tasks; missing ones are created after migrate.

Existing rows are never overwritten, so an interval edited in the admin stays as edited.
"""

from django.apps import apps


def ensure_periodic_tasks(sender=None, **kwargs) -> None:
    if sender is not None and sender.name != "lucun":
        return
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    for config in apps.get_app_configs():
        for name, task, every_seconds in getattr(config, "periodic_tasks", []):
            if PeriodicTask.objects.filter(name=name).exists():
                continue
            interval, _ = IntervalSchedule.objects.get_or_create(every=every_seconds, period=IntervalSchedule.SECONDS)
            PeriodicTask.objects.create(name=name, task=task, interval=interval)
