"""pyx12 as an independent X12 validator for tests: any 005010 text in, its error list out.

pyx12 chooses its map from GS01/GS08 (999: 005010X231A1, 835: 005010X221A1, 837P:
005010X222A1) and checks envelopes, loops, segment order, element syntax and code sets. It
reports through an error tree (written here as JSON) rather than an exit status, so the tree is
walked and every error at every level (interchange, group, transaction, segment, element) is
returned as one readable line; an empty list means pyx12 found the file valid.
"""

from __future__ import annotations

import io
import json
import logging
from typing import Any

import pyx12.params
import pyx12.x12n_document


def pyx12_errors(text: str) -> list[str]:
    """Every problem pyx12 finds in `text`, e.g. 'segment 14 (CLM) CLM05: Invalid code value'."""
    errors_json = io.StringIO()
    params = pyx12.params.params()
    # pyx12 logs what it finds at ERROR level too; the returned list is the record.
    logger = logging.getLogger("pyx12")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        valid = pyx12.x12n_document.x12n_document(
            params, io.StringIO(text), None, None, fd_json=errors_json
        )
    finally:
        logger.setLevel(level)
    document = json.loads(errors_json.getvalue() or '{"interchanges": []}')
    found = list(_errors(document))
    if not valid and not found:
        found.append("pyx12 rejected the file without saying where (not X12, or no map)")
    if not document["interchanges"]:
        found.append("pyx12 found no interchange")
    return found


def _errors(document: dict[str, Any]) -> list[str]:
    found: list[str] = []
    for isa in document["interchanges"]:
        found += [f"ISA: {_text(error)}" for error in isa["errors"]]
        for group in isa["groups"]:
            found += [f"GS {group['gs_control_num']}: {_text(e)}" for e in group["errors"]]
            if group.get("ack_code") not in (None, "A"):
                found.append(f"GS {group['gs_control_num']}: acknowledged {group['ack_code']}")
            for transaction in group["transactions"]:
                where = f"ST {transaction['trn_set_control_num']}"
                found += [f"{where}: {_text(error)}" for error in transaction["errors"]]
                for segment in transaction["segments"]:
                    place = f"{where} segment {segment['seg_count']} ({segment['seg_id']})"
                    found += [f"{place}: {_text(error)}" for error in segment["errors"]]
                    for element in segment["elements"]:
                        name = f"{segment['seg_id']}{element['ele_pos']:02d}"
                        found += [f"{place} {name}: {_text(e)}" for e in element["errors"]]
    return found


def _text(error: dict[str, Any]) -> str:
    value = error.get("err_val")
    suffix = f" ({value!r})" if value else ""
    return f"{error['err_str']} [code {error['err_cde']}]{suffix}"
