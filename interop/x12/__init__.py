"""X12 005010 codecs: the envelope and segment plumbing, and the transaction sets Portico reads
and writes (270/271 eligibility today; 837P, 835, 277CA and 999 reuse the same plumbing)."""

from interop.x12.eligibility import (
    PORTICO_PAYER,
    Batch270,
    InquiryItem,
    Party,
    PersonName,
    RejectedProcedure,
    Trace,
    Transaction270,
    parse_270,
    write_270,
    write_271,
)
from interop.x12.segments import X12Error

__all__ = [
    "PORTICO_PAYER",
    "Batch270",
    "InquiryItem",
    "Party",
    "PersonName",
    "RejectedProcedure",
    "Trace",
    "Transaction270",
    "X12Error",
    "parse_270",
    "write_270",
    "write_271",
]
