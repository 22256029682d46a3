"""Private files: every uploaded file is served by one view, after the scope check of the object that owns it.

Each app registers, in its ``AppConfig.ready()``, the model and file field that hold uploads and a selector that
returns the rows a user may see (the owner's scoping rule). The view looks the row up among those rows only, so an
anonymous visitor, an official of another community and a wrong id all get the same 404. The bytes go out through
django-sendfile2: in production nginx sends them (``X-Accel-Redirect`` to an internal location), on the embedded
default the application streams them. Nothing under MEDIA_ROOT has a public address, and every new upload gets a
random name: no date, no id, no original file name. A registered field's files answer ``url`` with that view's
address too, so whatever asks a file for its link (the admin's file links and widgets, a template) gets the scoped
address, never one under MEDIA_URL.
"""

import mimetypes
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import Storage, default_storage
from django.db.models import Model, QuerySet
from django.db.models.fields.files import FieldFile, ImageFieldFile
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_safe
from django_sendfile import sendfile
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

# Shown in the page; anything else is offered as a download, so no uploaded file can run as a page of this site.
INLINE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "image/gif"})
CACHE_CONTROL = "private, max-age=3600"
THUMBNAIL_SUFFIX = "-thumb.jpg"  # written by lucun.images beside each photo it stores


@dataclass(frozen=True)
class PrivateFile:
    """One kind of uploaded file: where it is stored and who may fetch it."""

    kind: str  # the address segment: /files/<kind>/<pk>/
    model: type[Model]
    field: str
    visible: Callable[..., QuerySet]  # visible(user=...) -> the rows of ``model`` the user may see
    download_name: Callable[[Model], str] | None = None  # given: always an attachment under this name


_kinds: dict[str, PrivateFile] = {}
_fields: dict[tuple[type[Model], str], PrivateFile] = {}


class _ScopedUrl:
    """A stored file whose ``url`` is the scoped file view (/files/<kind>/<pk>/), not a public media address."""

    @property
    def url(self) -> str:
        self._require_file()
        return url_for(self)


class PrivateFieldFile(_ScopedUrl, FieldFile):
    pass


class PrivateImageFieldFile(_ScopedUrl, ImageFieldFile):
    pass


def register(*entries: PrivateFile) -> None:
    """Serve these fields' files through the scoped view, and make their files' ``url`` that view's address."""
    for entry in entries:
        _kinds[entry.kind] = entry
        _fields[(entry.model, entry.field)] = entry
        field = entry.model._meta.get_field(entry.field)
        field.attr_class = PrivateImageFieldFile if issubclass(field.attr_class, ImageFieldFile) else PrivateFieldFile


def registered() -> list[PrivateFile]:
    return list(_kinds.values())


def url_for(file: FieldFile, *, thumbnail: bool = False) -> str:
    """Return the address of a stored file, or of its thumbnail (blank when the field is empty or its row is not
    saved yet)."""
    if not file or file.instance.pk is None:
        return ""
    entry = _fields[(file.instance._meta.concrete_model, file.field.name)]
    view = "private_file_thumbnail" if thumbnail else "private_file"
    return reverse(view, kwargs={"kind": entry.kind, "pk": file.instance.pk})


def folder_of(entry: PrivateFile) -> str:
    """The one folder a kind's files are stored in (``random_name``'s first part), as its field names it."""
    field = entry.model._meta.get_field(entry.field)
    upload_to = field.upload_to
    name = upload_to(entry.model(), "x.bin") if callable(upload_to) else os.path.join(upload_to, "x.bin")
    return os.path.dirname(name)


def unowned_files(entry: PrivateFile, *, written_before: datetime) -> list[str]:
    """Return the stored names in ``entry``'s folder that no row names (a photo's thumbnail goes with its photo),
    written before ``written_before``: what a transaction rolled back after its files were stored left behind.

    Files written since are left alone, as a transaction still open may be about to name them. Rows are read
    through the base manager, so a row any manager hides still keeps its file.
    """
    field = entry.model._meta.get_field(entry.field)
    storage = field.storage
    folder = folder_of(entry)
    try:
        _folders, names = storage.listdir(folder)
    except FileNotFoundError:
        return []
    owned = set(
        entry.model._base_manager.exclude(**{entry.field: ""})
        .exclude(**{f"{entry.field}__isnull": True})
        .values_list(entry.field, flat=True)
    )
    owned |= {thumbnail_name(name) for name in owned}
    unowned = []
    for base in sorted(names):
        name = f"{folder}/{base}"
        if name not in owned and storage.get_modified_time(name) < written_before:
            unowned.append(name)
    return unowned


def random_name(folder: str, extension: str) -> str:
    """Return a storage name that says nothing: a folder per kind, then 32 random hex digits."""
    return f"{folder}/{uuid.uuid4().hex}{extension}"


def thumbnail_name(name: str) -> str:
    """Return the storage name of a stored photo's thumbnail: beside it, under the same random name."""
    return f"{name.rsplit('.', 1)[0]}{THUMBNAIL_SUFFIX}"


def file_times_set(name: str, moment: datetime, storage: Storage = default_storage) -> None:
    """Set a stored file's access and modification times, and its folder's, to ``moment`` (not the upload time).

    A storage without local paths keeps no such times for anyone to read, so there is nothing to do.
    """
    try:
        path = storage.path(name)
    except NotImplementedError:
        return
    stamp = moment.timestamp()
    os.utime(path, (stamp, stamp))
    os.utime(os.path.dirname(path), (stamp, stamp))


def _user(request: HttpRequest):
    """The signed-in user, or the API client whose token came with the request (the API hands out these links)."""
    if request.user.is_authenticated or "HTTP_AUTHORIZATION" not in request.META:
        return request.user
    try:
        found = TokenAuthentication().authenticate(request)
    except AuthenticationFailed:
        found = None
    return found[0] if found else request.user


@require_safe
def serve(request: HttpRequest, kind: str, pk: int, thumbnail: bool = False) -> HttpResponse:
    """Send one uploaded file to a user who may see its owner; 404 for everyone else, signed in or not.

    ``thumbnail``: the small copy stored beside a photo, for galleries; the file itself when there is none (a
    photo stored before thumbnails were made, a file that is no photo).
    """
    entry = _kinds.get(kind)
    if entry is None:
        raise Http404
    try:
        obj = entry.visible(user=_user(request)).exclude(**{entry.field: ""}).get(pk=pk)
        file = getattr(obj, entry.field)
        path = file.path
        if thumbnail and file.storage.exists(thumbnail_name(file.name)):
            path = file.storage.path(thumbnail_name(file.name))
    except (entry.model.DoesNotExist, SuspiciousFileOperation) as exc:
        raise Http404 from exc
    guessed = mimetypes.guess_type(path)[0]
    if entry.download_name is not None:
        response = sendfile(
            request, path, attachment=True, attachment_filename=entry.download_name(obj), mimetype=guessed
        )
    elif guessed in INLINE_TYPES:
        response = sendfile(request, path, attachment_filename=False, mimetype=guessed)
    else:
        response = sendfile(request, path, attachment=True, mimetype="application/octet-stream")
    response["Cache-Control"] = CACHE_CONTROL
    response["X-Content-Type-Options"] = "nosniff"
    return response
