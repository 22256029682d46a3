"""Password guessing: every password check is counted by django-axes, in the database.

Axes' backend comes first in AUTHENTICATION_BACKENDS, so every path that checks a password through
``django.contrib.auth.authenticate`` (the staff sign-in page, the admin sign-in page, any API token view) is
checked and counted in one place, and a lock applies on all of them. ``hooks`` tells axes whom to count: the
account a typed name resolves to, and the client's address as the trusted proxy saw it. Nothing here uses the
cache, so sign-in does not depend on Redis.
"""
