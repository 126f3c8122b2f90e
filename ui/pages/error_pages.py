"""Error pages in Portico's own look: a 404 for addresses that match no page (APIs keep their
JSON 404), and a 500 that says nothing of what failed. NiceGUI's own 500 page prints the
exception's text, and a database error's text can carry the statement it ran (ASVS 16.5.1)."""

from __future__ import annotations

import logging
import uuid

from fastapi import Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import Response
from nicegui import Client, app, ui
from starlette.exceptions import HTTPException

from ui.theme import apply_theme, message_panel

PAGE_NOT_FOUND = "Page not found"
SERVER_ERROR = "Something went wrong"

log = logging.getLogger("portico.errors")


def register() -> None:
    app.add_exception_handler(404, not_found)
    app.on_page_exception(server_error)


async def not_found(request: Request, exception: Exception) -> Response:
    # A route that exists but raised 404 itself (an API, /healthz) answers as FastAPI would.
    if request.scope.get("endpoint") is not None and isinstance(exception, HTTPException):
        return await http_exception_handler(request, exception)
    with Client(ui.page(""), request=request) as client:
        ui.page_title(f"{PAGE_NOT_FOUND} · Portico")
        apply_theme()
        with (
            ui.element("div").classes("portico-page"),
            message_panel("explore_off", PAGE_NOT_FOUND, marker="page-not-found"),
        ):
            ui.label("There is nothing at this address. It may have moved, or the link is wrong.")
            ui.link("Go to your home page", "/").classes("portico-link mt-2")
    return client.build_response(request, 404)


def server_error(exception: Exception) -> None:
    """Drawn by NiceGUI in place of a page that raised: a reference the person can quote, and
    not a word about the cause. NiceGUI logs the exception itself; this adds the reference."""
    reference = uuid.uuid4().hex[:12]
    request = ui.context.client.request
    # The path, never the query (it can name a patient); the engines hide SQL parameters
    # (storage/db.py), so a statement in a logged trace carries none.
    log.error("error %s on %s: %s", reference, request.url.path, type(exception).__name__)
    ui.page_title(f"{SERVER_ERROR} · Portico")
    apply_theme()
    with (
        ui.element("div").classes("portico-page"),
        message_panel("error_outline", SERVER_ERROR, marker="server-error"),
    ):
        ui.label(
            "The page could not be shown. Nothing you saved before is lost. Try again in a "
            f"moment; if it keeps happening, tell your administrator reference {reference}."
        )
        ui.link("Go to your home page", "/").classes("portico-link mt-2")
