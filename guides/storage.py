"""Where guides' attachments are kept: outside the web root, never served by URL."""

from __future__ import annotations

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.functional import cached_property


class PrivateFileStorage(FileSystemStorage):
    """Uploads under MEDIA_ROOT/private: never served by URL, only through a view
    that checks who is asking."""

    @cached_property
    def base_location(self) -> str:
        return os.path.join(settings.MEDIA_ROOT, "private")

    def url(self, name: str | None) -> str:
        raise ValueError("Private files have no URL; serve them through a view.")


private_storage = PrivateFileStorage()
