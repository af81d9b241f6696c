"""How a stored photo or video is served: as a download-safe, sandboxed file.

``nosniff`` keeps a browser from reading the bytes as anything but the stored type; the
sandboxing policy keeps a file that still renders as a document (a crafted container)
from running script or reaching our origin; ``Content-Disposition`` names the file.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

from fastapi.responses import FileResponse, Response

MEDIA_CSP = "default-src 'none'; img-src 'self'; media-src 'self'; frame-ancestors 'none'; sandbox"
_HEADERS = {
    "Cache-Control": "private",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": MEDIA_CSP,
}


def media_response(path: Path, mime: str) -> FileResponse:
    """The stored original (the insurer's evidence)."""
    return FileResponse(
        path,
        media_type=mime,
        content_disposition_type="inline",
        filename=path.name,
        headers=_HEADERS,
    )


def media_copy_response(data: bytes, mime: str, media_id: int) -> Response:
    """A copy made for owners and shops (without the recorded location), with the same
    headers as the original."""
    name = f"media-{media_id}{mimetypes.guess_extension(mime) or ''}"
    headers = {**_HEADERS, "Content-Disposition": f'inline; filename="{name}"'}
    return Response(data, media_type=mime, headers=headers)
