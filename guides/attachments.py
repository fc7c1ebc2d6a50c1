"""What a guide's attachments may be: their size, their type, and what their bytes
really are (read from the content, not from what the browser claimed)."""

from __future__ import annotations

import os
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import IO, cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

# Extension -> (kind read from the file's first bytes, type sent on download).
ATTACHMENT_TYPES: dict[str, tuple[str, str]] = {
    ".pdf": ("pdf", "application/pdf"),
    ".docx": (
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    ".pptx": (
        "pptx",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
    ".xlsx": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ".png": ("png", "image/png"),
    ".jpg": ("jpeg", "image/jpeg"),
    ".jpeg": ("jpeg", "image/jpeg"),
    ".txt": ("text", "text/plain"),
    ".md": ("text", "text/markdown"),
}
# Office files are ZIP archives; the part that only each kind has tells them apart.
OFFICE_MARKERS = {
    "docx": "word/document.xml",
    "pptx": "ppt/presentation.xml",
    "xlsx": "xl/workbook.xml",
}
# A text file is read whole to check it; larger ones are refused as text.
TEXT_SNIFF_LIMIT = 2 * 1024 * 1024


def attachment_allowed_extensions() -> list[str]:
    return sorted(ATTACHMENT_TYPES)


def _sniff(stream: IO[bytes]) -> str | None:
    """The kind of file these bytes are, judged by content alone, or None."""
    stream.seek(0)
    head = stream.read(8)
    stream.seek(0)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(stream) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return None
        finally:
            stream.seek(0)
        if "[Content_Types].xml" not in names:
            return None
        for kind, marker in OFFICE_MARKERS.items():
            if marker in names:
                return kind
        return None
    data = stream.read(TEXT_SNIFF_LIMIT + 1)
    stream.seek(0)
    if len(data) > TEXT_SNIFF_LIMIT:
        return None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if any(unicodedata.category(ch) == "Cc" and ch not in "\t\n\r\f" for ch in text):
        return None
    return "text"


def attachment_safe_name(name: str) -> str:
    """The name to show and to offer on download: no folders, no control characters,
    nothing a browser or a shell would treat specially; the extension kept."""
    name = os.path.basename(name.replace("\\", "/"))
    name = unicodedata.normalize("NFC", name)
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = re.sub(r'[<>:"/\\|?*;,%]+', "_", name)
    name = re.sub(r"\s+", " ", name).strip(" ").rstrip(" .")
    if name.startswith("."):
        # ".pdf" would be a hidden file with no extension; give it a stem instead.
        name = "attachment" + name
    stem, extension = os.path.splitext(name)
    stem = stem[: 150 - len(extension)] or "attachment"
    return f"{stem}{extension.lower()}"


@dataclass(frozen=True)
class CheckedUpload:
    upload: UploadedFile
    name: str
    content_type: str


def attachment_check(upload: UploadedFile) -> CheckedUpload:
    """Check one uploaded file: its size, its extension and what its bytes really are.

    Raises ValidationError with a message for the person uploading.
    """
    name = attachment_safe_name(upload.name or "")
    limit = settings.RESOURCE_ATTACHMENT_MAX_BYTES
    if upload.size is None or upload.size > limit:
        raise ValidationError(
            _("“%(name)s” is too large: files may be up to %(limit)s.")
            % {"name": name, "limit": filesizeformat(limit)},
            code="too_large",
        )
    if not upload.size:
        raise ValidationError(_("“%(name)s” is empty.") % {"name": name}, code="empty")
    extension = os.path.splitext(name)[1].lower()
    if extension not in ATTACHMENT_TYPES:
        raise ValidationError(
            _("“%(name)s” is not a type we accept. Upload one of: %(types)s.")
            % {"name": name, "types": ", ".join(attachment_allowed_extensions())},
            code="extension",
        )
    expected_kind, content_type = ATTACHMENT_TYPES[extension]
    if _sniff(cast(IO[bytes], upload.file)) != expected_kind:
        raise ValidationError(
            _(
                "“%(name)s” does not contain what its name says (%(extension)s). Save it "
                "again in that format and upload it once more."
            )
            % {"name": name, "extension": extension},
            code="content",
        )
    return CheckedUpload(upload, name, content_type)
