"""Error answers say what was wrong with the request, never how our parsers saw it.

FastAPI's default 422 echoes the rejected input and the parser's own message context
(``input``, ``ctx``, ``url``); ours keeps the place, a short message and the error type.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse


def _trimmed(exc: RequestValidationError) -> list[dict[str, object]]:
    return [
        {
            "loc": [part for part in error.get("loc", ()) if isinstance(part, (str, int))],
            "msg": error.get("msg", ""),
            "type": error.get("type", "value_error"),
        }
        for error in exc.errors()
    ]


async def _validation_failed(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return JSONResponse({"detail": _trimmed(exc)}, status_code=422)


def install(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation_failed)
