"""The access log keeps the page, never the query (patient names and member IDs live there)."""

from __future__ import annotations

import logging

from ui.access_log import ACCESS_LOGGER, DropQueryStrings, install


def _record(path: str) -> logging.LogRecord:
    return logging.LogRecord(
        ACCESS_LOGGER,
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", path, "1.1", 200),
        None,
    )


def test_the_query_string_is_cut_from_the_logged_path() -> None:
    record = _record("/claims?patient=Thompson%2C+Av&member_id=PT100000101")
    assert DropQueryStrings().filter(record)
    message = record.getMessage()
    assert "Thompson" not in message and "PT100000101" not in message
    assert message == '127.0.0.1:5000 - "GET /claims?… HTTP/1.1" 200'


def test_a_path_without_a_query_is_logged_as_it_is() -> None:
    record = _record("/claims/42")
    DropQueryStrings().filter(record)
    assert record.getMessage() == '127.0.0.1:5000 - "GET /claims/42 HTTP/1.1" 200'


def test_install_adds_the_filter_once() -> None:
    install()
    install()
    filters = logging.getLogger(ACCESS_LOGGER).filters
    assert sum(isinstance(existing, DropQueryStrings) for existing in filters) == 1
