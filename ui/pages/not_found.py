"""A 404 in Portico's own look for addresses that match no page (APIs keep their JSON 404)."""

from __future__ import annotations

from fastapi import Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import Response
from nicegui import Client, app, ui
from starlette.exceptions import HTTPException

from ui.theme import apply_theme, message_panel

PAGE_NOT_FOUND = "Page not found"


def register() -> None:
    app.add_exception_handler(404, not_found)


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
