"""Backups: one dated archive holds a consistent copy of the database and every uploaded file; a restore fills an
empty stack from it and proves it did.

An archive ``lucun-<UTC date and time>.tar`` holds:

- ``database.pgdump`` (PostgreSQL: ``pg_dump --format=custom``) or ``database.sqlite3`` (SQLite: an online copy
  made with SQLite's backup API, consistent while the site keeps writing);
- ``media/<path>``, each uploaded file with its modification time;
- ``manifest.json``: the engine, the row count of every table, read in the very snapshot the dump was taken from,
  and the size and SHA-256 of the database copy and of every file.

The database is copied first, the files after it: a file uploaded in between is in the archive without a row that
points to it, which is harmless. Archives hold personal data: they are written readable by their owner only, and
the directory keeps the newest ``LUCUN_BACKUP_KEEP``.

A restore checks every checksum before it changes anything, refuses a database that holds accounts or a media
folder that holds files unless told to replace them, loads the database in one transaction, and afterwards counts
the rows of every table and re-reads every file against the manifest.
"""

from .base import FORMAT, MANIFEST, BackupError, BackupSummary, table_row_counts
from .create import backup_create, backup_list, backup_prune
from .restore import backup_restore

__all__ = [
    "FORMAT",
    "MANIFEST",
    "BackupError",
    "BackupSummary",
    "backup_create",
    "backup_list",
    "backup_prune",
    "backup_restore",
    "table_row_counts",
]
