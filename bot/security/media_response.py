"""How a stored photo or video is served: as a download-safe, sandboxed file.

``nosniff`` keeps a browser from reading the bytes as anything but the stored type; the
sandboxing policy keeps a file that still renders as a document (a crafted container)
from running script or reaching our origin; ``Content-Disposition`` names the file.
"""

from __future__ import annotations

from pathlib import Path

from fastapi.responses import FileResponse

MEDIA_CSP = "default-src 'none'; img-src 'self'; media-src 'self'; frame-ancestors 'none'; sandbox"


def media_response(path: Path, mime: str) -> FileResponse:
    return FileResponse(
        path,
        media_type=mime,
        content_disposition_type="inline",
        filename=path.name,
        headers={
            "Cache-Control": "private",
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": MEDIA_CSP,
        },
    )
