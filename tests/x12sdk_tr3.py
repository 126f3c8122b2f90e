"""x12sdk as an independent 271 reader, with its one known departure from the TR3 corrected.

x12sdk 2.2.0 gives loops 2100C and 2100D of the 271 the AAA03 code list of loop 2100B (provider
errors), so it refuses the subscriber and patient codes 005010X279A1 defines there: 75
Subscriber/Insured Not Found, 67 Patient Not Found, 58 Invalid/Missing Date of Birth, 72
Invalid/Missing Subscriber/Insured ID... `tr3_reject_reasons()` widens those two loops' AAA03
to the TR3's list while it is active; everything else x12sdk checks stays as it is.
test_x12sdk_still_refuses_tr3_subscriber_reject_reasons fails once x12sdk fixes this, and then
this module can go.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from enum import Enum
from typing import Any

from x12sdk.io import X12ModelReader
from x12sdk.v5010.segments import AaaSegment
from x12sdk.v5010.x12_271_005010X279A1 import loops, transaction_set
from x12sdk.v5010.x12_271_005010X279A1.segments import Loop2100BAaaSegment

# AAA03 in loops 2100C/2100D of the 005010X279A1 271.
# fmt: off
TR3_SUBSCRIBER_REJECT_REASONS = (
    "15", "35", "42", "43", "45", "47", "48", "49", "51", "52", "56", "57", "58", "60", "61",
    "62", "63", "64", "65", "66", "67", "68", "69", "70", "71", "72", "73", "74", "75", "76",
    "77", "78",
)
# fmt: on

_Reason = Enum(  # type: ignore[misc]
    "_Reason", {f"CODE_{code}": code for code in TR3_SUBSCRIBER_REJECT_REASONS}, type=str
)


class _Tr3SubscriberAaa(AaaSegment):
    reject_reason_code: _Reason  # type: ignore[valid-type]
    follow_up_action_code: Loop2100BAaaSegment.FollowUpActionCode


_NAME_LOOPS = (loops.Loop2100C, loops.Loop2100D)
# Rebuilt after the name loops, innermost first, so each picks up its children's new schema.
_OUTER = (
    loops.Loop2000D,
    loops.Loop2000C,
    loops.Loop2000B,
    loops.Loop2000A,
    transaction_set.EligibilityBenefit,
)


def _rebuild(annotation: Any) -> None:
    for model in _NAME_LOOPS:
        model.model_fields["aaa_segment"].annotation = annotation
        model.model_rebuild(force=True)
    for model in _OUTER:
        model.model_rebuild(force=True)


@contextmanager
def tr3_reject_reasons() -> Iterator[None]:
    original = loops.Loop2100C.model_fields["aaa_segment"].annotation
    _rebuild(list[_Tr3SubscriberAaa] | None)
    try:
        yield
    finally:
        _rebuild(original)


def read_with_x12sdk(text: str, *, tr3_codes: bool = True) -> list[Any]:
    """Every transaction set of `text` as x12sdk's validated models."""
    if not tr3_codes:
        with X12ModelReader(text) as reader:
            return list(reader.models())
    with tr3_reject_reasons(), X12ModelReader(text) as reader:
        return list(reader.models())
