"""Where private files live: evidence, letters, evidence packs, exports and staff imports.

Every one of them is read through Django's storage API (``open``, ``save``, ``delete``), never by
a path on disk, and reaches a browser only through a view that checks access first and streams it
with ``FileResponse``. ``STORAGES["default"]`` (settings.py) decides where they are:

- ``PrivateFileSystemStorage``: a folder outside the web root (``PRIVATE_MEDIA_ROOT``), with no URL;
- django-storages' ``S3Storage`` when ``AWS_STORAGE_BUCKET_NAME`` is set: a private bucket (private
  ACL on every object), shared by every web server and worker. Its URLs are never handed out.
"""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage, storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import FileResponse, Http404
from django.utils.functional import LazyObject, empty


class PrivateFileSystemStorage(FileSystemStorage):
    """A folder outside the web root, with no URL; its location is read from the settings on each use."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs["base_url"] = None
        super().__init__(**kwargs)

    @property
    def base_location(self) -> str:
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)


class PrivateStorage(LazyObject):
    """``STORAGES["default"]``, looked up when first used (the model fields' storage)."""

    def _setup(self) -> None:
        self._wrapped = storages["default"]


private_files = PrivateStorage()


@receiver(setting_changed)
def _storages_changed(*, setting: str, **kwargs: Any) -> None:
    # A test that points STORAGES elsewhere (an S3 bucket) is followed by every file field.
    if setting == "STORAGES":
        private_files._wrapped = empty


def private_file_response(stored: File, filename: str, content_type: str) -> FileResponse:
    """A private file streamed through Django, always as an attachment, for a view that has
    already checked access. A file missing from the folder or the bucket is a 404, not a 500."""
    try:
        handle = stored.open("rb")
    except FileNotFoundError:
        raise Http404("The file is no longer available.") from None
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
