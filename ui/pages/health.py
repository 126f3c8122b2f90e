"""/healthz for load balancers and orchestrators: 200 when the database answers, 503 when not."""

from __future__ import annotations

from fastapi.responses import JSONResponse
from nicegui import app, run

from storage.db import database_is_reachable


def register() -> None:
    app.get("/healthz", include_in_schema=False)(healthz)


async def healthz() -> JSONResponse:
    if await run.io_bound(database_is_reachable):
        return JSONResponse({"status": "ok"})
    return JSONResponse({"status": "unavailable", "database": "unreachable"}, status_code=503)
