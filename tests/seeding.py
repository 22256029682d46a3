"""The configuration rows the data migrations seed (tiers, categories, tags, steps, service types, red lines,
callback pool, approval rules).

A test that runs against committed data (a live server, a backup read by another process) empties the database
when it ends; the next such test puts the seeded configuration back first with ``configuration_seed()``.
"""

import importlib

SEEDED_CONFIGURATION = [
    ("cases.migrations.0002_default_configuration", "seed"),
    ("cases.migrations.0016_tier_is_default", "mark_assigned"),
    ("cases.migrations.0018_bulletin", "seed"),
    ("cases.migrations.0019_hotline", "seed"),
    ("cases.migrations.0025_approval_rules", "seed"),
    ("visits.migrations.0002_default_tags", "add_tags"),
    ("deliberation.migrations.0002_default_configuration", "seed"),
    ("points.migrations.0002_ledger_append_only_and_defaults", "seed_configuration"),
    ("outcomes.migrations.0002_default_red_lines", "seed"),
    ("outcomes.migrations.0004_callback_pool", "seed"),
    # the English names of the rows above
    ("cases.migrations.0024_english_names", "seed"),
    ("visits.migrations.0006_english_names", "seed"),
    ("deliberation.migrations.0004_english_names", "seed"),
    ("points.migrations.0006_english_names", "seed"),
    ("outcomes.migrations.0005_english_names", "seed"),
]


def configuration_seed() -> None:
    """Put the seeded configuration rows back (each seeding function is idempotent)."""
    from django.apps import apps

    for module, function in SEEDED_CONFIGURATION:
        getattr(importlib.import_module(module), function)(apps, None)
