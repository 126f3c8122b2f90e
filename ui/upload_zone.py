"""The file drop zone of the bulk uploads (claims, eligibility schedules): a labelled drop zone,
a progress card fed by the worker thread, the refusal callout and the CSV layout help."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager
from html import escape

from nicegui import ui
from nicegui.events import UploadEventArguments

from ui.widgets import card

_CSS = """
.upload-add-trigger { position: relative; width: 0; height: 0; overflow: hidden; }
.upload-dropzone { display: flex; flex-direction: column; align-items: center; gap: 6px;
  padding: 22px 12px; border: 2px dashed #C9D3DD; border-radius: 8px; color: #4B5563;
  text-align: center; }
"""
# The uploader's own header hides a file input without a label inside an unnamed "+" button;
# these two slots replace it with a plain title and a drop zone whose named button opens the
# dialog from the click itself (browsers open it only from a user's gesture). The add trigger
# is the input pickFiles() clicks; it is out of the tab order, so hidden from assistive tech.
_HEADER = """
<div class="q-uploader__header-content column items-start q-pa-sm">
  <div class="q-uploader__title">{title}</div>
</div>
"""
_DROP_ZONE = """
<div class="upload-dropzone">
  <q-icon name="upload_file" size="40px" color="primary"></q-icon>
  <div class="text-body1 text-weight-medium">{prompt}</div>
  <q-btn unelevated no-caps color="primary" icon="folder_open" label="Choose a file"
    @click="props.pickFiles"></q-btn>
  <span aria-hidden="true" class="upload-add-trigger"><q-uploader-add-trigger /></span>
</div>
"""


class UploadProgress:
    """Written by the upload's worker thread, read by a UI timer on the event loop: two ints,
    so the GIL makes every read see a whole value and nothing needs a lock."""

    def __init__(self, total: int = 0) -> None:
        self.done = 0
        self.total = total

    def report(self, done: int, total: int) -> None:
        self.done, self.total = done, total

    @property
    def fraction(self) -> float:
        return self.done / self.total if self.total else 0.0


def file_drop(
    *,
    title: str,
    prompt: str,
    accept: str,
    max_bytes: int,
    on_upload: Callable[[UploadEventArguments], Awaitable[None]],
    on_rejected: Callable[[], None],
    marker: str,
) -> ui.upload:
    """One file at a time, uploaded as soon as it is dropped or chosen."""
    ui.add_css(_CSS)
    upload = (
        ui.upload(
            label=title,
            auto_upload=True,
            max_file_size=max_bytes,
            max_files=1,
            on_upload=on_upload,
            on_rejected=on_rejected,
        )
        .props(f'accept="{accept}" flat bordered color=primary')
        .classes("w-full")
        .mark(marker)
    )
    upload.add_slot("header", _HEADER.format(title=escape(title)))
    upload.add_slot("list", _DROP_ZONE.format(prompt=escape(prompt)))
    return upload


@contextmanager
def progress_shown(
    container: ui.element,
    upload: ui.upload,
    progress: UploadProgress,
    *,
    message: str,
    aria_label: str,
    marker: str,
) -> Iterator[None]:
    """A progress card at the end of `container` while the body runs, the uploader disabled;
    the card goes when the body finishes, and the uploader is ready for the next file."""
    with container:
        with card(marker=marker) as progress_card:
            ui.label(message).classes("font-medium")
            bar = ui.linear_progress(value=0, show_value=False, size="10px").props(
                f'rounded color=primary aria-label="{aria_label}"'
            )
        timer = ui.timer(0.15, lambda: bar.set_value(progress.fraction))
    upload.disable()
    try:
        yield
    finally:
        timer.cancel()
        upload.reset()
        upload.enable()
    progress_card.delete()


def refuse_upload(container: ui.element, headline: str, message: str) -> None:
    """Replaces what `container` shows with an alert saying why the file was not used."""
    container.clear()
    with (
        container,
        ui.element("div")
        .classes("portico-callout tone-alert w-full")
        .props('role="alert"')
        .mark("upload-refused"),
    ):
        ui.icon("error", size="22px")
        with ui.column().classes("gap-0"):
            ui.label(headline).classes("font-semibold")
            ui.label(message)


def column_help(
    columns: Mapping[str, str],
    *,
    template_label: str,
    template_name: str,
    template_text: str,
    dense: bool = False,
) -> None:
    """The CSV's columns with what each means, and a button that downloads the template."""
    with (
        ui.element("dl")
        .classes(f"grid gap-x-4 {'gap-y-1' if dense else 'gap-y-2'} text-sm")
        .style("grid-template-columns: max-content 1fr")
    ):
        for name, meaning in columns.items():
            with ui.element("dt").classes("font-mono font-medium text-slate-800"):
                ui.label(name)
            with ui.element("dd").classes("portico-muted"):
                ui.label(meaning)
    ui.button(
        template_label,
        icon="download",
        on_click=lambda: ui.download.content(template_text.encode(), template_name, "text/csv"),
    ).props("outline no-caps").classes("mt-4").mark("download-template")
