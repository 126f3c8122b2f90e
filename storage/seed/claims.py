"""What a realistic professional claim looks like, written once for the demo and the bulk seed.

Visits by kind of clinician, ICD-10-CM diagnoses with pointers, charges, adjudication against
the plan's fee schedule, benefits and accumulators, 277 status timelines, 835 remittances and
patient payments - as row dicts in storage form (money in integer cents).
"""

from __future__ import annotations

import heapq
import random
from bisect import bisect
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from itertools import accumulate
from typing import TypeVar

from domain.claims import TRANSITIONS, ClaimStatus
from domain.codes import CARC, PROCEDURES_BY_CODE, ServiceCategory
from storage.seed.directory import (
    BEHAVIORAL,
    CARDIOLOGIST,
    CARDIOLOGY,
    CARDIOLOGY_APP,
    ELECTROPHYSIOLOGY,
    INTERVENTIONAL,
    PCP,
    PEDIATRIC,
    THERAPY,
    URGENT,
    Directory,
)
from storage.seed.loader import Row, RowBatch, new_batch
from storage.seed.people import Population
from storage.seed.reference import PLANS_BY_PK, Reference
from storage.seed.window import SeedWindow

# Status values as the plain strings the rows carry.
RECEIVED = ClaimStatus.RECEIVED.value
ACCEPTED = ClaimStatus.ACCEPTED.value
REJECTED = ClaimStatus.REJECTED.value
IN_PROCESS = ClaimStatus.IN_PROCESS.value
PENDED = ClaimStatus.PENDED.value
PAID = ClaimStatus.PAID.value
PARTIALLY_PAID = ClaimStatus.PARTIALLY_PAID.value
DENIED = ClaimStatus.DENIED.value
REMITTED = ClaimStatus.REMITTED.value

# The step sequences claims take (the prefix up to `as_of` is what a claim shows). Checked
# against domain.claims.TRANSITIONS at import, so the seed can never write an impossible history.
TIMELINES: tuple[tuple[str, ...], ...] = (
    (RECEIVED, REJECTED),
    *(
        (RECEIVED, ACCEPTED, IN_PROCESS, final, REMITTED)
        for final in (PAID, PARTIALLY_PAID, DENIED)
    ),
    *(
        (RECEIVED, ACCEPTED, IN_PROCESS, PENDED, final, REMITTED)
        for final in (PAID, PARTIALLY_PAID, DENIED)
    ),
    *((RECEIVED, ACCEPTED, PENDED, final, REMITTED) for final in (PAID, PARTIALLY_PAID, DENIED)),
)


def _check_timelines() -> None:
    for timeline in TIMELINES:
        current = ClaimStatus.DRAFT
        for step in timeline:
            target = ClaimStatus(step)
            if target not in TRANSITIONS[current]:
                raise AssertionError(f"seed timeline {timeline} breaks the transition table")
            current = target


_check_timelines()
# Every prefix of an allowed path: what a claim may show at the cutoff.
_TIMELINE_PREFIXES = frozenset(
    timeline[:length] for timeline in TIMELINES for length in range(1, len(timeline) + 1)
)

# 277 claim status category and status codes (code lists 507 and 508) per step.
STATUS_CODES: dict[str, tuple[str, str]] = {
    RECEIVED: ("A1", "20"),  # received; 20 = accepted for processing
    ACCEPTED: ("A2", "20"),  # accepted into adjudication
    IN_PROCESS: ("P1", "20"),  # in process
    PENDED: ("P2", "20"),  # suspended for payer review
    PAID: ("F1", "3"),  # adjudicated, awaiting the payment cycle
    PARTIALLY_PAID: ("F1", "3"),
    DENIED: ("F2", "1"),  # denied; detail in the remittance advice
}
REMITTED_PAID = ("F1", "65")  # claim/line has been paid
REMITTED_DENIED = ("F2", "1")

# Front-end rejections (277CA): status code and the plain-language reason the portal shows.
REJECTIONS: tuple[tuple[str, str], ...] = (
    ("21", "The member ID and date of birth do not match an enrolled member."),
    ("562", "The rendering provider's NPI is not on file for this practice."),
    ("21", "A diagnosis code is not a valid ICD-10-CM code for the date of service."),
    ("21", "The place of service code is missing or not valid."),
    ("21", "The billing provider's tax ID does not match the group NPI."),
)

PEND_REASONS = (
    "Pended for examiner review: medical records requested.",
    "Pended for coordination of benefits review.",
    "Pended for examiner review: itemized documentation requested.",
    "Pended for clinical review of the billed services.",
)

# Claim-level denials the model chooses at random, with relative weights (national mixes put
# missing information, medical necessity and coding mismatches on top).
_RANDOM_DENIALS: tuple[tuple[str, int], ...] = (
    ("16", 24),
    ("50", 12),
    ("11", 10),
    ("96", 9),
    ("204", 7),
)
_HMO_SPECIALIST_DENIAL = ("242", 8)  # HMO member seen by a specialist without a PCP referral
_COB_DENIAL = ("22", 8)  # another payer may be primary
RARC_FOR: dict[str, str] = {
    "16": "MA130",
    "96": "N130",
    "204": "N130",
    "119": "N362",
    "22": "N4",
    "97": "M15",
}
CORRECTABLE = frozenset({"16", "11"})  # denials practices fix and resubmit (frequency code 7)

P_REJECT = 0.011
P_DENY = 0.094
P_DUPLICATE = 0.012  # the practice sends the same claim again
P_LATE_FILING = 0.004
P_PEND = 0.05
P_MISSING_AUTH = 0.13
P_LINE_DENIAL = 0.05
P_CORRECTED = 0.5
CARDIOLOGY_SHARE = 0.22

_CATEGORY = {code: info.category.value for code, info in PROCEDURES_BY_CODE.items()}
_NEEDS_AUTH_CODE = {code: info.prior_auth_required for code, info in PROCEDURES_BY_CODE.items()}
_TYPICAL_CENTS = {code: int(info.typical_charge * 100) for code, info in PROCEDURES_BY_CODE.items()}
_PT = ServiceCategory.PHYSICAL_THERAPY.value

Line = tuple[str, int, str, str]  # procedure code, units, modifiers, diagnosis pointers
T = TypeVar("T")


class Draw:
    """Quick draws from one random.Random. Its random() is C, but randint, choice and choices
    each walk several Python frames, and a claim makes dozens of draws."""

    __slots__ = ("random",)

    def __init__(self, rng: random.Random) -> None:
        self.random = rng.random

    def between(self, low: int, high: int) -> int:
        """An integer in [low, high], like randint."""
        return low + int(self.random() * (high - low + 1))

    def pick(self, items: Sequence[T]) -> T:
        return items[int(self.random() * len(items))]

    def weighted(self, items: Sequence[T], cumulative: Sequence[float]) -> T:
        return items[bisect(cumulative, self.random() * cumulative[-1])]


@dataclass(slots=True)
class ClaimSpec:
    """One claim to write. The outcome fields left None are decided by the model, as for every
    random claim; the showcase members' claims set them to tell their story."""

    member: int  # index into the population
    practice: int  # index into directory.practices
    provider_pk: int
    location_pk: int
    place_of_service: str
    service_day: int  # date ordinal
    lines: tuple[Line, ...]
    diagnoses: tuple[str, ...]
    denial_carc: str | None = None
    pend: bool | None = None
    stuck: bool | None = None  # still pended at as_of
    submit_lag: int | None = None
    authorized: bool | None = None
    rejection: int | None = None  # index into REJECTIONS; -1 = never rejected
    frequency_code: str = "1"
    original_claim_pk: int | None = None
    pend_note: str | None = None
    clean: bool = False  # no random rejection, pend, denial or missing authorization


def _pointers(count: int) -> str:
    return ",".join(str(number) for number in range(1, min(count, 4) + 1))


# ICD-10-CM codes (no dot) by setting.
CHRONIC = ("I10", "E119", "E785", "E039", "K219", "G4733", "F411", "J449", "M1711", "E1165",
           "J45909", "F329", "E669")  # fmt: skip
ACUTE: tuple[tuple[str, str | None], ...] = (
    ("J069", None), ("J020", None), ("J189", "71046"), ("N390", "81002"), ("R059", "71046"),
    ("M5450", None), ("M25511", "73030"), ("R519", None), ("J0190", None), ("L03115", None),
    ("B349", None), ("R1084", None),
)  # fmt: skip
PEDIATRIC_ACUTE = ("J069", "H6690", "J020", "R509", "J45909", "L209", "B349", "R1084")
THERAPY_DX = ("M5450", "M542", "M25561", "M1711", "M25511", "M6281")
BEHAVIORAL_DX = ("F411", "F329", "F419", "F4310", "F331", "F902", "F4323")
CARDIAC_DX = ("I10", "I2510", "R0789", "I480", "I4891", "E785", "I5022", "I350", "R002",
              "R0602", "R011", "I119", "R55", "Z8249", "I495")  # fmt: skip
RHYTHM_DX = ("I480", "I4891", "R002", "R55", "I495")
ISCHEMIC_DX = ("I2510", "R0789", "R0602", "Z8249")
STRUCTURAL_DX = ("I5022", "I350", "R011", "R0602")


class VisitWriter:
    """Chooses what a visit contains for a kind of clinician: codes, units, modifiers,
    diagnoses and pointers (an E/M line points at every diagnosis, add-ons at theirs)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.draw = Draw(rng)

    def visit(
        self, role: str, age: int, month: int, hospital_pos: bool
    ) -> tuple[tuple[Line, ...], tuple[str, ...], str | None]:
        """(lines, diagnoses, place of service if not the location's own)."""
        if role == PCP:
            return self._primary_care(age, month)
        if role == PEDIATRIC:
            return self._pediatric(month)
        if role == URGENT:
            return self._urgent()
        if role == THERAPY:
            return self._therapy()
        if role == BEHAVIORAL:
            return self._behavioral()
        return self._cardiology(role, hospital_pos)

    def _chronic(self, age: int, how_many: int) -> list[str]:
        draw = self.draw
        pool = CHRONIC if age >= 40 else CHRONIC[5:]
        chosen: list[str] = []
        while len(chosen) < how_many:
            code = draw.pick(pool)
            if code not in chosen:
                chosen.append(code)
        return chosen

    def _primary_care(
        self, age: int, month: int
    ) -> tuple[tuple[Line, ...], tuple[str, ...], str | None]:
        rng = self.rng
        draw = self.draw
        roll = rng.random()
        if roll < 0.42:  # established patient, chronic conditions
            diagnoses = self._chronic(age, draw.pick((1, 1, 2, 2, 3)))
            level = rng.random()
            code = "99213" if level < 0.52 else "99214" if level < 0.87 else (
                "99212" if level < 0.95 else "99215")  # fmt: skip
            if rng.random() < 0.06:  # a telehealth follow-up from home (POS 10, modifier 95)
                return ((code, 1, "95", _pointers(len(diagnoses))),), tuple(diagnoses), "10"
            lines: list[Line] = [(code, 1, "", _pointers(len(diagnoses)))]
            if rng.random() < 0.3:
                lines.append(("36415", 1, "", "1"))
                if "E119" in diagnoses or "E1165" in diagnoses:
                    lines.append(("83036", 1, "", str(1 + max(
                        diagnoses.index(c) for c in ("E119", "E1165") if c in diagnoses)))
                    )  # fmt: skip
                if "E785" in diagnoses:
                    lines.append(("80061", 1, "", str(1 + diagnoses.index("E785"))))
                lines.append(("80053", 1, "", "1"))
            if age >= 50 and rng.random() < 0.06:
                lines.append(("93000", 1, "", "1"))
            if rng.random() < 0.05:
                diagnoses.append("Z1331")  # depression screening
                lines.append(("96127", 1, "", str(len(diagnoses))))
            return tuple(lines), tuple(diagnoses), None
        if roll < 0.64:  # acute problem
            diagnosis, imaging = draw.pick(ACUTE)
            code = "99213" if rng.random() < 0.6 else ("99212" if rng.random() < 0.5 else "99214")
            lines = [(code, 1, "", "1")]
            if imaging and rng.random() < 0.35:
                lines.append((imaging, 1, "RT" if imaging == "73030" else "", "1"))
            elif diagnosis == "N390":
                lines.append(("81002", 1, "", "1"))
            return tuple(lines), (diagnosis,), None
        if roll < 0.71:  # new patient
            diagnoses = self._chronic(age, draw.pick((1, 2)))
            code = "99203" if rng.random() < 0.5 else ("99204" if rng.random() < 0.7 else "99202")
            return ((code, 1, "", _pointers(len(diagnoses))),), tuple(diagnoses), None
        if roll < 0.90 and age >= 18:  # preventive visit
            if age >= 65 and rng.random() < 0.4:
                code = "G0438"
            else:
                code = "99385" if age < 40 and rng.random() < 0.15 else (
                    "99395" if age < 40 else "99396" if age < 65 else "99397")  # fmt: skip
            diagnoses = ["Z0000" if rng.random() < 0.85 else "Z0001"]
            lines = [(code, 1, "", "1")]
            if month in (9, 10, 11, 12, 1) and rng.random() < 0.55:
                diagnoses.append("Z23")
                lines += [("90686", 1, "", "2"), ("90471", 1, "", "2")]
            if rng.random() < 0.35:
                lines += [("36415", 1, "", "1"), ("80061", 1, "", "1"), ("85025", 1, "", "1")]
            return tuple(lines), tuple(diagnoses), None
        if roll < 0.995:  # an office procedure, often with a separately identifiable visit (-25)
            kind = rng.random()
            if kind < 0.4:
                diagnosis = "D485" if rng.random() < 0.5 else "L821"
                lines = [("11102", 1, "", "1")]
            elif kind < 0.65:
                diagnosis, lines = "B079", [("17110", 1, "", "1")]
            else:
                diagnosis = "M1711"
                lines = [("20610", 1, "RT", "1")]
                if rng.random() < 0.6:
                    lines.append(("J1100", draw.between(4, 10), "", "1"))
            if rng.random() < 0.45:
                lines.insert(0, ("99213", 1, "25", "1"))
            return tuple(lines), (diagnosis,), None
        # An unlisted procedure: no fee on file, so it pends for an examiner to price.
        return (("99999", 1, "", "1"),), ("R69",), None

    def _pediatric(self, month: int) -> tuple[tuple[Line, ...], tuple[str, ...], str | None]:
        rng = self.rng
        draw = self.draw
        diagnosis = draw.pick(PEDIATRIC_ACUTE)
        code = "99213" if rng.random() < 0.6 else ("99214" if rng.random() < 0.6 else "99212")
        lines: list[Line] = [(code, 1, "", "1")]
        diagnoses = [diagnosis]
        if month in (9, 10, 11, 12, 1) and rng.random() < 0.35:
            diagnoses.append("Z23")
            lines += [("90686", 1, "", "2"), ("90471", 1, "", "2")]
        return tuple(lines), tuple(diagnoses), None

    def _urgent(self) -> tuple[tuple[Line, ...], tuple[str, ...], str | None]:
        rng = self.rng
        draw = self.draw
        diagnosis, imaging = draw.pick(ACUTE)
        if rng.random() < 0.6:
            lines: list[Line] = [("S9083", 1, "", "1")]  # the urgent-care global fee
        else:
            lines = [("99213" if rng.random() < 0.6 else "99214", 1, "", "1")]
        if imaging and rng.random() < 0.3:
            lines.append((imaging, 1, "RT" if imaging == "73030" else "", "1"))
        if diagnosis == "N390":
            lines.append(("81002", 1, "", "1"))
        return tuple(lines), (diagnosis,), None

    def _therapy(self) -> tuple[tuple[Line, ...], tuple[str, ...], str | None]:
        rng = self.rng
        draw = self.draw
        diagnosis = draw.pick(THERAPY_DX)
        if rng.random() < 0.15:
            return (("97161", 1, "", "1"),), (diagnosis,), None
        lines: tuple[Line, ...] = (("97110", draw.between(2, 3), "", "1"),)
        if rng.random() < 0.7:
            lines += (("97140", draw.between(1, 2), "", "1"),)
        return lines, (diagnosis,), None

    def _behavioral(self) -> tuple[tuple[Line, ...], tuple[str, ...], str | None]:
        rng = self.rng
        draw = self.draw
        diagnoses = [draw.pick(BEHAVIORAL_DX)]
        if rng.random() < 0.25:
            second = draw.pick(BEHAVIORAL_DX)
            if second not in diagnoses:
                diagnoses.append(second)
        lines: list[Line] = [
            ("90834" if rng.random() < 0.6 else "90837", 1, "", _pointers(len(diagnoses)))
        ]
        if rng.random() < 0.1:
            lines.append(("96127", 1, "", "1"))
        return tuple(lines), tuple(diagnoses), None

    def _cardiology(
        self, role: str, hospital_pos: bool
    ) -> tuple[tuple[Line, ...], tuple[str, ...], str | None]:
        rng = self.rng
        draw = self.draw
        roll = rng.random()
        diagnoses: tuple[str, ...]
        if role == INTERVENTIONAL and roll < 0.3:
            # Catheterisation happens in the hospital: the cardiologist bills the professional
            # component (-26) at POS 22.
            diagnoses = ("I2510", draw.pick(("R0789", "E785", "I10")))
            return (("93458", 1, "26", "1,2"),), diagnoses, "22"
        if role == ELECTROPHYSIOLOGY:
            diagnoses = (draw.pick(RHYTHM_DX),)
            if roll < 0.4:
                return (("93224", 1, "", "1"),), diagnoses, None
            return (("99214", 1, "", "1"), ("93000", 1, "", "1")), diagnoses, None
        if role in (CARDIOLOGIST, INTERVENTIONAL) and roll < 0.25:  # new consultation
            diagnoses = (draw.pick(("R0789", "R002", "R0602", "R011", "I10")),
                         draw.pick(("I10", "E785", "Z8249")))  # fmt: skip
            code = "99244" if rng.random() < 0.6 else "99243"
            lines: tuple[Line, ...] = ((code, 1, "", "1,2"),)
            if rng.random() < 0.7:
                lines += (("93000", 1, "", "1"),)
            return lines, diagnoses, None
        if role == CARDIOLOGIST and roll < 0.52:  # testing
            test = rng.random()
            if test < 0.45:
                diagnoses = (draw.pick(STRUCTURAL_DX),)
                if hospital_pos:
                    return (("93306", 1, "26", "1"),), diagnoses, None
                return (("93306", 1, "", "1"),), diagnoses, None
            if test < 0.8:
                diagnoses = (draw.pick(ISCHEMIC_DX),)
                return (("93015", 1, "", "1"),), diagnoses, None
            if test < 0.93:
                return (("93224", 1, "", "1"),), (draw.pick(RHYTHM_DX),), None
            return (("36415", 1, "", "1"), ("80061", 1, "", "1")), ("E785",), None
        # Follow-up visit.
        first = draw.pick(CARDIAC_DX)
        second = draw.pick(CARDIAC_DX)
        diagnoses = (first,) if second == first else (first, second)
        level = rng.random()
        code = "99214" if level < 0.55 else "99213" if level < 0.9 else "99215"
        lines = ((code, 1, "", _pointers(len(diagnoses))),)
        if rng.random() < 0.35:
            lines += (("93000", 1, "", "1"),)
        return lines, diagnoses, None


# How each kind of practice's visits split across its clinicians, (role, weight).
_FAMILY_ADULT_ROLES = ((PCP, 68), (URGENT, 12), (THERAPY, 9), (BEHAVIORAL, 11))
_FAMILY_CHILD_ROLES = ((PEDIATRIC, 80), (URGENT, 15), (BEHAVIORAL, 5))
_CARDIOLOGY_ROLES = ((CARDIOLOGIST, 70), (INTERVENTIONAL, 10), (ELECTROPHYSIOLOGY, 9),
                     (CARDIOLOGY_APP, 11))  # fmt: skip


@dataclass
class _Panel:
    """The members a practice sees, with cumulative weights for drawing a patient."""

    members: list[int]
    cumulative: list[float]

    @property
    def total(self) -> float:
        return self.cumulative[-1] if self.cumulative else 0.0


class ClaimModel:
    """Builds claims one at a time into row buffers, keeping the state real adjudication
    keeps (accumulators, visit counts, remittances), so later claims see earlier ones."""

    def __init__(
        self,
        rng: random.Random,
        *,
        reference: Reference,
        directory: Directory,
        population: Population,
        window: SeedWindow,
        first_ids: Mapping[str, int] | None = None,
    ) -> None:
        self.rng = rng
        self.reference = reference
        self.directory = directory
        self.population = population
        self.window = window
        self.visits_writer = VisitWriter(rng)
        self.draw = Draw(rng)
        self.batch = new_batch()
        first = dict(first_ids or {})
        self.first_ids = first
        self.next_claim_pk = first.get("claim", 1)
        self.next_line_pk = first.get("claimline", 1)
        self.next_adjustment_pk = first.get("claimlineadjustment", 1)
        self.next_diagnosis_pk = first.get("claimdiagnosis", 1)
        self.next_event_pk = first.get("claimstatusevent", 1)
        self.next_remittance_pk = first.get("remittance", 1)
        # (member index, plan pk, plan year) -> [deductible met, out-of-pocket met] in cents
        self.deductibles: dict[tuple[int, int, int], list[int]] = {}
        # (member index, plan pk, plan year, category) -> visits used
        self.visits: dict[tuple[int, int, int, str], int] = {}
        self.remittance_totals: dict[int, int] = {}
        self._remittance_pks: dict[tuple[int, int], tuple[int, str]] = {}
        self._replacements: list[tuple[int, int, ClaimSpec]] = []  # (due day, seq, spec)
        self._replacement_seq = 0
        self._last_spec: ClaimSpec | None = None
        self._aging_counters = [0, 0, 0, 0, 0]
        self._epoch_ordinal = window.start.toordinal()
        self._epoch = datetime(window.start.year, window.start.month, window.start.day, tzinfo=UTC)
        self._as_of_ordinal = window.as_of.toordinal()
        self._cutoff = (self._as_of_ordinal - self._epoch_ordinal) * 86400
        self._day_labels: dict[int, tuple[str, str]] = {}  # ordinal -> (yymmdd, yyddd)
        self._charges = [
            {
                code: typical * practice.spec.charge_factor_percent // 100
                for code, typical in _TYPICAL_CENTS.items()
            }
            for practice in directory.practices
        ]
        self._panels: list[_Panel] | None = None
        self._kinds: tuple[list[int], list[float], list[int], list[float]] | None = None
        self._roles: dict[tuple[int, str], tuple[list[str], list[float]]] = {}

    # ------------------------------------------------------------------ rows and state

    def take_rows(self) -> RowBatch:
        batch, self.batch = self.batch, new_batch()
        return batch

    def carry_over_deductible(
        self, member: int, plan_pk: int, plan_year: int, *, deductible: int, out_of_pocket: int
    ) -> None:
        """Amounts met through claims outside the seeded practices (a hospital stay, say)."""
        state = self.deductibles.setdefault((member, plan_pk, plan_year), [0, 0])
        state[0] += deductible
        state[1] += out_of_pocket

    def carry_over_visits(
        self, member: int, plan_pk: int, plan_year: int, category: str, visits: int
    ) -> None:
        key = (member, plan_pk, plan_year, category)
        self.visits[key] = self.visits.get(key, 0) + visits

    def accumulator_rows(self) -> RowBatch:
        """Benefit accumulators as adjudication left them, plus a zero row for the current
        plan year of every member covered on as_of (plans open them at the year's start)."""
        batch = new_batch()
        population = self.population
        plan_year = self.window.plan_year
        as_of = self._as_of_ordinal
        deductibles = dict(self.deductibles)
        for index in range(len(population)):
            if population.effective[index] <= as_of <= population.terminated[index]:
                deductibles.setdefault((index, population.plan[index], plan_year), [0, 0])
        for pk, ((member, plan_pk, year), (deductible, out_of_pocket)) in enumerate(
            sorted(deductibles.items()), start=self.first_ids.get("benefitaccumulator", 1)
        ):
            batch["benefitaccumulator"].append(
                {
                    "id": pk,
                    "member_fk": population.member_pk[member],
                    "plan_id": plan_pk,
                    "plan_year": year,
                    "deductible_met": deductible,
                    "out_of_pocket_met": out_of_pocket,
                }
            )
        for pk, ((member, plan_pk, year, category), used) in enumerate(
            sorted(self.visits.items()), start=self.first_ids.get("visitaccumulator", 1)
        ):
            batch["visitaccumulator"].append(
                {
                    "id": pk,
                    "member_fk": population.member_pk[member],
                    "plan_id": plan_pk,
                    "plan_year": year,
                    "service_category": category,
                    "visits_used": used,
                }
            )
        return batch

    # ------------------------------------------------------------------ random claims

    def random_claims(self, count: int, *, batch_claims: int) -> Iterator[RowBatch]:
        """`count` claims over the window's days (weekdays busy, Sundays nearly empty, volume
        growing a little), yielded in batches of about `batch_claims` claims."""
        rng = self.rng
        per_day = self._claims_per_day(count)
        pending_in_batch = 0
        for offset, todays in enumerate(per_day):
            day = self._epoch_ordinal + offset
            for _ in range(todays):
                replacements = self._replacements
                if replacements and replacements[0][0] <= day:
                    _, _, spec = heapq.heappop(replacements)
                    spec.submit_lag = day - spec.service_day
                elif self._last_spec is not None and rng.random() < P_DUPLICATE:
                    # Sent again because no answer came fast enough: denied CARC 18.
                    spec = replace(
                        self._last_spec,
                        denial_carc="18",
                        submit_lag=self.draw.between(10, 40),
                        rejection=-1,
                        stuck=False,
                        pend=None,
                        frequency_code="1",
                        original_claim_pk=None,
                    )
                else:
                    spec = self.random_spec(day)
                self.build(spec)
                pending_in_batch += 1
                if pending_in_batch >= batch_claims:
                    pending_in_batch = 0
                    yield self.take_rows()
        yield self.take_rows()

    def _claims_per_day(self, count: int) -> list[int]:
        days = self.window.days
        weights = []
        for offset in range(days):
            weekday = (self._epoch_ordinal + offset) % 7  # date.toordinal() % 7: 0 = Sunday
            base = 0.06 if weekday == 0 else 0.3 if weekday == 6 else 1.0
            weights.append(base * (0.92 + 0.16 * offset / max(days - 1, 1)))
        total = sum(weights)
        exact = [count * weight / total for weight in weights]
        per_day = [int(value) for value in exact]
        # The days with the largest remainders get the claims rounding left over: exact total.
        short = count - sum(per_day)
        by_remainder = sorted(range(days), key=lambda d: (per_day[d] - exact[d], d))
        for offset in by_remainder[:short]:
            per_day[offset] += 1
        return per_day

    def _build_panels(self) -> list[_Panel]:
        population = self.population
        members: list[list[int]] = [[] for _ in self.directory.practices]
        weights: list[list[float]] = [[] for _ in self.directory.practices]
        for index in range(len(population)):
            if population.scripted[index]:
                continue
            for practice in (
                population.home_practice[index],
                population.cardiology_practice[index],
            ):
                if practice >= 0:
                    members[practice].append(index)
                    weights[practice].append(population.weight[index])
        return [
            _Panel(panel, list(accumulate(panel_weights)))
            for panel, panel_weights in zip(members, weights, strict=True)
        ]

    def _practice_kinds(self) -> tuple[list[int], list[float], list[int], list[float]]:
        """(cardiology practices, their cumulative panel weights, the same for the rest)."""
        if self._panels is None:
            self._panels = self._build_panels()
        panels = self._panels
        practices = self.directory.practices
        cardiology = [
            i for i, p in enumerate(practices) if p.kind == CARDIOLOGY and panels[i].total
        ]
        family = [i for i, p in enumerate(practices) if p.kind != CARDIOLOGY and panels[i].total]
        return (
            cardiology,
            list(accumulate(panels[i].total for i in cardiology)),
            family,
            list(accumulate(panels[i].total for i in family)),
        )

    def random_spec(self, day: int) -> ClaimSpec:
        rng = self.rng
        draw = self.draw
        if self._kinds is None:
            self._kinds = self._practice_kinds()
        cardiology, cardiology_weights, family, family_weights = self._kinds
        panels = self._panels or []
        practices = self.directory.practices
        if cardiology and rng.random() < CARDIOLOGY_SHARE:
            practice_index = draw.weighted(cardiology, cardiology_weights)
        else:
            practice_index = draw.weighted(family, family_weights)
        panel = panels[practice_index]
        member = self._patient(panel, day)
        population = self.population
        age = population.age_on(member, day)
        practice = practices[practice_index]
        if practice.kind == CARDIOLOGY:
            roles_key = (practice_index, CARDIOLOGY)
        else:
            roles_key = (practice_index, "child" if age < 18 else "adult")
        roles = self._roles.get(roles_key)
        if roles is None:
            table = (
                _CARDIOLOGY_ROLES
                if roles_key[1] == CARDIOLOGY
                else _FAMILY_CHILD_ROLES
                if age < 18
                else _FAMILY_ADULT_ROLES
            )
            available = [(r, w) for r, w in table if r in practice.providers_by_role]
            roles = self._roles[roles_key] = (
                [r for r, _ in available],
                list(accumulate(w for _, w in available)),
            )
        role = draw.weighted(*roles)
        provider_pk = draw.pick(practice.providers_by_role[role])
        location_pk = practice.provider_location[provider_pk]
        location_pos = practice.location_place[location_pk]
        month = date.fromordinal(day).month
        lines, diagnoses, pos = self.visits_writer.visit(role, age, month, location_pos == "22")
        return ClaimSpec(
            member=member,
            practice=practice_index,
            provider_pk=provider_pk,
            location_pk=location_pk,
            place_of_service=pos or location_pos,
            service_day=day,
            lines=lines,
            diagnoses=diagnoses,
        )

    def _patient(self, panel: _Panel, day: int) -> int:
        """A member of the panel covered on `day`; now and then one whose coverage ended a few
        weeks before (the practice did not check eligibility: CARC 27)."""
        rng = self.rng
        population = self.population
        effective, terminated = population.effective, population.terminated
        members, cumulative, total = panel.members, panel.cumulative, panel.total
        for _ in range(16):
            member = members[min(bisect(cumulative, rng.random() * total), len(members) - 1)]
            if effective[member] <= day <= terminated[member]:
                return member
            if terminated[member] < day <= terminated[member] + 45 and rng.random() < 0.2:
                return member
        start = self.draw.pick(range(len(members)))
        for step in range(len(members)):
            member = members[(start + step) % len(members)]
            if effective[member] <= day <= terminated[member]:
                return member
        return members[start]  # nobody covered that day: a claim for a lapsed member

    # ------------------------------------------------------------------ one claim

    def _labels(self, day: int) -> tuple[str, str]:
        labels = self._day_labels.get(day)
        if labels is None:
            when = datetime.fromordinal(day)
            labels = self._day_labels[day] = (f"{when:%y%m%d}", f"{when:%y%j}")
        return labels

    def _remittance(self, practice_index: int, pay_day: int) -> tuple[int, str]:
        key = (practice_index, pay_day)
        found = self._remittance_pks.get(key)
        if found is not None:
            return found
        practice = self.directory.practices[practice_index]
        remittance_pk = self.next_remittance_pk
        # An EFT trace number (835 TRN02); the id keeps it unique when seeds are appended.
        payment_number = f"EFT{self._labels(pay_day)[0]}{remittance_pk:07d}"
        self._remittance_pks[key] = (remittance_pk, payment_number)
        self.next_remittance_pk += 1
        self.remittance_totals[remittance_pk] = 0
        self.batch["remittance"].append(
            {
                "id": remittance_pk,
                "practice_id": practice.practice_pk,
                "payment_number": payment_number,
                "payment_method": "ACH",
                "payment_date": date.fromordinal(pay_day),
                "total_paid": 0,  # set once every claim is built (loader.set_remittance_totals)
                "recovered_amount": 0,
                "recovered_reference": "",
                "created_at": self._time((pay_day - self._epoch_ordinal) * 86400 + 13 * 3600),
            }
        )
        return remittance_pk, payment_number

    def _time(self, seconds: int) -> datetime:
        return self._epoch + timedelta(seconds=seconds)

    def build(self, spec: ClaimSpec) -> int:
        """Write one claim with its diagnoses, lines, adjustments and timeline; return its pk."""
        rng = self.rng
        random_ = rng.random
        randint = self.draw.between
        population = self.population
        member = spec.member
        plan_pk = population.plan[member]
        plan = PLANS_BY_PK[plan_pk]
        practice = self.directory.practices[spec.practice]
        day = spec.service_day
        epoch_ordinal = self._epoch_ordinal
        cutoff = self._cutoff
        claim_pk = self.next_claim_pk
        self.next_claim_pk += 1
        if not spec.clean:
            self._last_spec = spec  # what a duplicate copies; never a showcase member's claim
        charges = self._charges[spec.practice]
        line_charges = [charges[code] * units for code, units, _, _ in spec.lines]
        total_charge = sum(line_charges)

        # When the claim reaches the plan.
        lag = spec.submit_lag
        if lag is None:
            draw = random_()
            # Most claims go out within days of the visit; a few wait weeks (coding backlog).
            if draw < 0.3:
                lag = 0
            elif draw < 0.55:
                lag = randint(1, 2)
            elif draw < 0.88:
                lag = randint(3, 7)
            elif draw < 0.985:
                lag = randint(8, 30)
            else:
                lag = randint(31, 80)
        late_filing = spec.denial_carc == "29"
        if spec.denial_carc is None and not spec.clean and random_() < P_LATE_FILING:
            late_lag = plan.timely_filing_days + randint(5, 60)
            if day + late_lag < self._as_of_ordinal:
                lag, late_filing = late_lag, True
        received_day = min(day + lag, self._as_of_ordinal - 1)
        t_received = (received_day - epoch_ordinal) * 86400 + randint(13 * 3600, 23 * 3600)
        yymmdd, yyddd = self._labels(received_day)
        claim_number = f"{yyddd}{claim_pk:08d}"
        batch_id = f"837P{yymmdd}{practice.practice_pk:03d}"
        acknowledgement_id = f"277CA{yymmdd}{practice.practice_pk:03d}"
        source = "portal" if random_() < 0.55 else "import"

        # Its path through the pipeline and the times of each step.
        rejection = spec.rejection
        if rejection is None:
            rejection = -1
            if not spec.clean and random_() < P_REJECT:
                rejection = randint(0, len(REJECTIONS) - 1)
        steps: list[tuple[str, int]] = [(RECEIVED, t_received)]
        t_final = t_remit = -1
        pend_note = ""
        pay_day = 0
        if rejection >= 0:
            steps.append((REJECTED, t_received + randint(60, 3600)))
        else:
            t_accepted = t_received + randint(120, 5400)
            if random_() < 0.2:  # caught by the nightly batch of front-end edits instead
                t_accepted = (t_received // 86400 + 1) * 86400 + randint(9 * 3600, 14 * 3600)
            steps.append((ACCEPTED, t_accepted))
            stuck = spec.stuck
            if stuck is None:
                stuck = self._stays_open(day)
            pend = spec.pend
            if pend is None:
                pend = (
                    stuck
                    or (not spec.clean and random_() < P_PEND)
                    or total_charge > 1_000_000  # the plan's pend threshold, $10,000
                    or any(code == "99999" for code, _, _, _ in spec.lines)
                )
            t_step = t_accepted
            if not (pend and random_() < 0.25):  # a quarter of pends happen at intake
                t_step += randint(3600, 2 * 86400)
                steps.append((IN_PROCESS, t_step))
            if pend or stuck:
                t_step += randint(3600, 3 * 86400)
                steps.append((PENDED, t_step))
                pend_note = spec.pend_note or self.draw.pick(PEND_REASONS)
                if not stuck:
                    t_final = t_step + randint(4, 25) * 86400 + randint(0, 8 * 3600)
            else:
                t_final = t_step + randint(2, 14) * 86400 + randint(0, 10 * 3600)
            if t_final >= 0:
                final_day = epoch_ordinal + t_final // 86400
                # The practice's weekly EFT day strictly after the claim was finalized.
                weekday = final_day % 7  # 0 = Sunday
                target = (practice.spec.payment_weekday + 1) % 7
                pay_day = final_day + ((target - weekday - 1) % 7) + 1
                t_remit = (pay_day - epoch_ordinal) * 86400 + 14 * 3600

        finalized = 0 <= t_final < cutoff
        allowed_total = paid_total = patient_total = copay_total = deductible_total = 0
        contractual_total = 0
        final_status = ""
        denial = None
        batch = self.batch
        line_rows = batch["claimline"]
        adjustment_rows = batch["claimlineadjustment"]
        service_date = date.fromordinal(day)

        if finalized:
            plan_year = service_date.year
            category_of = _CATEGORY
            denial = spec.denial_carc
            visit_key = None
            if any(category_of[code] == _PT for code, _, _, _ in spec.lines):
                visit_key = (member, plan_pk, plan_year, _PT)
            if denial is None:
                if day > population.terminated[member]:
                    denial = "27"
                elif late_filing:
                    denial = "29"
                elif visit_key is not None and self.visits.get(visit_key, 0) >= (
                    self.reference.benefits[(plan_pk, _PT)].visit_limit or 10**9
                ):
                    denial = "119"
                elif not spec.clean and random_() < P_DENY:
                    denial = self._random_denial(spec, plan.product)
            authorized = spec.authorized
            if authorized is None:
                authorized = spec.clean or random_() >= P_MISSING_AUTH
            line_denials: list[tuple[str, str | None] | None] = []
            for code, _, _, _ in spec.lines:
                if denial is not None:
                    line_denials.append((denial, RARC_FOR.get(denial)))
                elif not authorized and (
                    _NEEDS_AUTH_CODE[code]
                    or self.reference.benefits[(plan_pk, category_of[code])].prior_auth_required
                ):
                    line_denials.append(("197", None))
                else:
                    line_denials.append(None)
            if (
                denial is None
                and not spec.clean
                and len(spec.lines) > 1
                and random_() < P_LINE_DENIAL
            ):
                victim = randint(1, len(spec.lines) - 1)
                if line_denials[victim] is None:
                    carc = "97" if random_() < 0.6 else ("16" if random_() < 0.5 else "50")
                    line_denials[victim] = (carc, RARC_FOR.get(carc))
            denied_lines = sum(1 for outcome in line_denials if outcome is not None)
            if denied_lines == len(spec.lines):
                final_status = DENIED
                denial = next(o for o in line_denials if o is not None)[0]
            elif denied_lines:
                final_status = PARTIALLY_PAID
            else:
                final_status = PAID
            state = self.deductibles.setdefault((member, plan_pk, plan_year), [0, 0])
            deductible_left = max(plan.deductible_cents - state[0], 0)
            oop_left = max(plan.oop_max_cents - state[1], 0)
            fees = self.reference.fees
            benefits = self.reference.benefits
            schedule = plan.fee_schedule_pk
            pos = spec.place_of_service
            copay_charged = False
        else:
            line_denials = [None] * len(spec.lines)

        for line_number, ((code, units, modifiers, pointers), charge) in enumerate(
            zip(spec.lines, line_charges, strict=True), start=1
        ):
            line_pk = self.next_line_pk
            self.next_line_pk += 1
            allowed = deductible = coinsurance = copay = paid = 0
            if finalized:
                outcome = line_denials[line_number - 1]
                if outcome is not None:
                    adjustment_rows.append(
                        self._adjustment(line_pk, "CO", outcome[0], outcome[1], charge)
                    )
                else:
                    per_unit = fees.get((schedule, code, pos))
                    if per_unit is None:
                        per_unit = fees.get((schedule, code, None))
                    if per_unit is None:  # unlisted: the examiner prices it at half the charge
                        per_unit = charges[code] // 2
                    allowed = min(per_unit * units, charge)
                    terms = benefits[(plan_pk, category_of[code])]
                    if terms.copay_cents and not copay_charged:
                        copay = min(terms.copay_cents, allowed)
                        copay_charged = True
                    if terms.deductible_applies and deductible_left:
                        deductible = min(deductible_left, allowed - copay)
                        deductible_left -= deductible
                    if terms.coinsurance_percent:
                        rest = allowed - copay - deductible
                        coinsurance = (rest * terms.coinsurance_percent + 50) // 100
                    # Past the out-of-pocket maximum the plan pays everything: coinsurance
                    # goes first, then the copay, then the deductible.
                    excess = deductible + coinsurance + copay - oop_left
                    if excess > 0:
                        cut = min(excess, coinsurance)
                        coinsurance -= cut
                        excess -= cut
                        cut = min(excess, copay)
                        copay -= cut
                        excess -= cut
                        deductible -= excess
                        deductible_left += excess
                    oop_left -= deductible + coinsurance + copay
                    paid = allowed - deductible - coinsurance - copay
                    if charge > allowed:
                        adjustment_rows.append(
                            self._adjustment(line_pk, "CO", "45", None, charge - allowed)
                        )
                        contractual_total += charge - allowed
                    if deductible:
                        adjustment_rows.append(
                            self._adjustment(line_pk, "PR", "1", None, deductible)
                        )
                    if coinsurance:
                        adjustment_rows.append(
                            self._adjustment(line_pk, "PR", "2", None, coinsurance)
                        )
                    if copay:
                        adjustment_rows.append(self._adjustment(line_pk, "PR", "3", None, copay))
                    allowed_total += allowed
                    paid_total += paid
                    deductible_total += deductible
                    patient_total += deductible + coinsurance + copay
                    copay_total += copay
            line_rows.append(
                {
                    "id": line_pk,
                    "claim_id": claim_pk,
                    "line_number": line_number,
                    "procedure_code": code,
                    "modifiers": modifiers,
                    "units": units,
                    "charge_amount": charge,
                    "diagnosis_pointers": pointers,
                    "service_date": service_date,
                    "allowed_amount": allowed,
                    "deductible_amount": deductible,
                    "coinsurance_amount": coinsurance,
                    "copay_amount": copay,
                    "paid_amount": paid,
                }
            )

        if finalized:
            state[0] += deductible_total
            state[1] += patient_total
            if visit_key is not None and final_status != DENIED:
                self.visits[visit_key] = self.visits.get(visit_key, 0) + 1
            steps.append((final_status, t_final))
            if t_remit < cutoff:
                steps.append((REMITTED, t_remit))

        diagnosis_rows = batch["claimdiagnosis"]
        for sequence, icd10_code in enumerate(spec.diagnoses, start=1):
            diagnosis_rows.append(
                {
                    "id": self.next_diagnosis_pk,
                    "claim_id": claim_pk,
                    "sequence": sequence,
                    "icd10_code": icd10_code,
                }
            )
            self.next_diagnosis_pk += 1

        if tuple(step for step, _ in steps) not in _TIMELINE_PREFIXES:
            raise AssertionError(f"claim {claim_pk} would take an unlisted path: {steps}")

        # The timeline as of the cutoff.
        event_rows = batch["claimstatusevent"]
        status = RECEIVED
        changed_at = t_received
        remittance_pk = None
        reached: set[str] = set()
        for sequence, (step, at) in enumerate(steps):
            if at >= cutoff:
                break
            status, changed_at = step, at
            reached.add(step)
            note = ""
            if step == RECEIVED:
                transaction_id, event_source = batch_id, source
            elif step in (ACCEPTED, REJECTED):
                transaction_id, event_source = acknowledgement_id, "status-refresh"
                if step == REJECTED:
                    note = REJECTIONS[rejection][1]
            else:
                transaction_id = f"277R{claim_pk:09d}{sequence:02d}"
                event_source = "status-refresh"
                if step == PENDED:
                    note = pend_note
                elif step in (PAID, PARTIALLY_PAID, DENIED) and pend_note:
                    event_source = "examiner"
            if step == REJECTED:
                category_code, status_code = "A7", REJECTIONS[rejection][0]
            elif step == REMITTED:
                remittance_pk, transaction_id = self._remittance(spec.practice, pay_day)
                category_code, status_code = (
                    REMITTED_DENIED if final_status == DENIED else REMITTED_PAID
                )
                self.remittance_totals[remittance_pk] += paid_total
            else:
                category_code, status_code = STATUS_CODES[step]
            if step == DENIED:
                note = f"CARC {denial}: {CARC[denial or '']}"
            event_rows.append(
                {
                    "id": self.next_event_pk,
                    "claim_id": claim_pk,
                    "status": step,
                    "category_code": category_code,
                    "status_code": status_code,
                    "occurred_at": self._time(at),
                    "source": event_source,
                    "transaction_id": transaction_id,
                    "note": note,
                }
            )
            self.next_event_pk += 1

        patient_paid = 0
        if finalized and patient_total:
            # Copays are collected at the front desk; the rest is billed after the EOB, and
            # the longer ago that was, the likelier it is paid.
            if random_() < 0.9:
                patient_paid = copay_total
            balance = patient_total - copay_total
            if balance:
                days_since = (cutoff - t_final) // 86400
                chance = 0.1 if days_since < 21 else 0.45 if days_since < 45 else (
                    0.65 if days_since < 90 else 0.8)  # fmt: skip
                draw = random_()
                if draw < chance:
                    patient_paid += balance
                elif draw < chance + 0.1:
                    patient_paid += balance // 2

        initially_denied = final_status == DENIED
        batch["claim"].append(
            {
                "id": claim_pk,
                "practice_id": practice.practice_pk,
                "claim_number": claim_number,
                "patient_control_number": f"{practice.spec.account_prefix}{claim_pk:09d}",
                "member_fk": population.member_pk[member],
                "coverage_id": population.coverage_pk[member],
                "billing_provider_id": spec.provider_pk,
                "rendering_provider_id": spec.provider_pk,
                "location_id": spec.location_pk,
                "place_of_service": spec.place_of_service,
                "principal_procedure": spec.lines[0][0],
                "frequency_code": spec.frequency_code,
                "original_claim_id": spec.original_claim_pk,
                "service_date_from": service_date,
                "service_date_to": service_date,
                "status": status,
                "status_changed_at": self._time(changed_at),
                "submitted_at": self._time(t_received),
                "finalized_at": self._time(t_final) if finalized else None,
                "finalized_as": final_status or None,
                "transaction_id": batch_id,
                "total_charge": total_charge,
                "allowed_amount": allowed_total,
                "paid_amount": paid_total,
                "patient_responsibility": patient_total,
                "patient_paid_amount": patient_paid,
                "initially_denied": initially_denied,
                "denial_carc": denial if initially_denied else None,
                "rejection_reason": REJECTIONS[rejection][1] if rejection >= 0 else None,
                "remittance_id": remittance_pk,
                "remitted_on": date.fromordinal(pay_day) if remittance_pk is not None else None,
                "ever_rejected": REJECTED in reached,
                "ever_pended": PENDED in reached,
                "contractual_amount": contractual_total,
                "claim_import_id": None,
                "reversed_in_remittance_id": None,
            }
        )

        if (
            initially_denied
            and denial in CORRECTABLE
            and spec.frequency_code == "1"
            and remittance_pk is not None
            and random_() < P_CORRECTED
        ):
            # The practice fixes the claim and sends a replacement (CLM05-3 = 7).
            due = pay_day + randint(5, 25)
            if due < self._as_of_ordinal:
                self._replacement_seq += 1
                heapq.heappush(
                    self._replacements,
                    (
                        due,
                        self._replacement_seq,
                        replace(
                            spec,
                            denial_carc=None,
                            rejection=-1,
                            stuck=False,
                            pend=None,
                            authorized=True,
                            frequency_code="7",
                            original_claim_pk=claim_pk,
                        ),
                    ),
                )
        return claim_pk

    def _adjustment(
        self, line_pk: int, group: str, carc: str, rarc: str | None, amount: int
    ) -> Row:
        adjustment_pk = self.next_adjustment_pk
        self.next_adjustment_pk += 1
        return {
            "id": adjustment_pk,
            "claim_line_id": line_pk,
            "group_code": group,
            "carc": carc,
            "rarc": rarc,
            "amount": amount,
        }

    def _random_denial(self, spec: ClaimSpec, product: str) -> str:
        choices = list(_RANDOM_DENIALS)
        if product == "HMO" and self.directory.practices[spec.practice].kind == CARDIOLOGY:
            choices.append(_HMO_SPECIALIST_DENIAL)
        if self.population.dual[spec.member]:
            choices.append(_COB_DENIAL)
        return self.rng.choices([carc for carc, _ in choices], [w for _, w in choices])[0]

    def _stays_open(self, day: int) -> bool:
        """A steady few claims in every A/R bucket past 30 days are still pended at as_of
        (records never sent, COB never answered), so aging reports have something in each."""
        age = self._as_of_ordinal - day
        bucket = 0 if age <= 30 else 1 if age <= 60 else 2 if age <= 90 else 3 if age <= 120 else 4
        if bucket == 0:
            return False
        self._aging_counters[bucket] += 1
        period = 40 if bucket < 4 else 200
        return self._aging_counters[bucket] % period == period // 2
