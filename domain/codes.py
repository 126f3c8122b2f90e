"""Reference code sets the portal ships: service categories, places of service, CARC/RARC, 277,
and a curated list of CPT/HCPCS codes with Portico's own short descriptions (CPT's are licensed)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum


class ServiceCategory(StrEnum):
    PREVENTIVE = "preventive"
    PRIMARY_CARE = "primary_care"
    SPECIALIST = "specialist"
    URGENT_CARE = "urgent_care"
    EMERGENCY = "emergency"
    LAB = "lab"
    IMAGING = "imaging"
    ADVANCED_IMAGING = "advanced_imaging"
    PHYSICAL_THERAPY = "physical_therapy"
    MENTAL_HEALTH = "mental_health"
    CARDIAC_TESTING = "cardiac_testing"
    PROCEDURE = "procedure"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


# CMS place-of-service codes (public), the ones professional claims here use.
PLACES_OF_SERVICE: dict[str, str] = {
    "02": "Telehealth other than patient's home",
    "10": "Telehealth in patient's home",
    "11": "Office",
    "12": "Home",
    "19": "Off campus outpatient hospital",
    "20": "Urgent care facility",
    "21": "Inpatient hospital",
    "22": "On campus outpatient hospital",
    "23": "Emergency room - hospital",
    "24": "Ambulatory surgical center",
    "31": "Skilled nursing facility",
    "81": "Independent laboratory",
}

# Claim adjustment reason codes (X12 external code list 139), the subset adjudication uses.
CARC: dict[str, str] = {
    "1": "Deductible amount",
    "2": "Coinsurance amount",
    "3": "Co-payment amount",
    "4": "Procedure code inconsistent with the modifier used",
    "11": "Diagnosis inconsistent with the procedure",
    "16": "Claim lacks information needed for adjudication",
    "18": "Exact duplicate claim or service",
    "22": "Care may be covered by another payer (coordination of benefits)",
    "26": "Expenses incurred prior to coverage",
    "27": "Expenses incurred after coverage terminated",
    "29": "The time limit for filing has expired",
    "45": "Charge exceeds fee schedule or maximum allowable amount",
    "50": "Not deemed a medical necessity by the payer",
    "96": "Non-covered charge(s)",
    "97": "Payment included in the allowance for another service",
    "119": "Benefit maximum for this time period has been reached",
    "197": "Precertification/authorization absent",
    "204": "Service not covered under the patient's current benefit plan",
    "242": "Services not provided by network/primary care providers",
}

# Remittance advice remark codes (code list 411), a few that explain denials.
RARC: dict[str, str] = {
    "N130": "Consult plan benefit documents for information about restrictions for this service",
    "N362": "The number of days or units of service exceeds the acceptable maximum",
    "N640": "Exceeds number/frequency approved/allowed within time period",
    "M15": "Separately billed services have been bundled",
    "N4": "Missing or incomplete prior insurance carrier EOB",
    "MA130": "Claim contains incomplete or invalid information; resubmit as a new claim",
    "N54": "Claim information is inconsistent with pre-certified/authorized services",
}

# 277 claim status category codes (code list 507) by pipeline step.
STATUS_CATEGORY: dict[str, str] = {
    "A1": "Acknowledgement: receipt - the claim has been received",
    "A2": "Acknowledgement: acceptance into adjudication",
    "A3": "Acknowledgement: returned as unprocessable",
    "A7": "Acknowledgement: rejected for invalid information",
    "P1": "Pending: in process",
    "P2": "Pending: payer review",
    "F1": "Finalized: payment",
    "F2": "Finalized: denial",
    "F3": "Finalized: revised",
    "F4": "Finalized: adjudication complete, no payment forthcoming",
}


@dataclass(frozen=True)
class ProcedureInfo:
    code: str
    description: str  # Portico's own short description, not the AMA's licensed text
    category: ServiceCategory
    typical_charge: Decimal
    prior_auth_required: bool = False


def _p(code: str, desc: str, cat: ServiceCategory, charge: str, pa: bool = False) -> ProcedureInfo:
    return ProcedureInfo(code, desc, cat, Decimal(charge), pa)


_C = ServiceCategory
PROCEDURES: tuple[ProcedureInfo, ...] = (
    _p("99202", "New patient office visit, straightforward", _C.PRIMARY_CARE, "120.00"),
    _p("99203", "New patient office visit, low complexity", _C.PRIMARY_CARE, "175.00"),
    _p("99204", "New patient office visit, moderate complexity", _C.PRIMARY_CARE, "260.00"),
    _p("99212", "Established patient visit, straightforward", _C.PRIMARY_CARE, "95.00"),
    _p("99213", "Established patient visit, low complexity", _C.PRIMARY_CARE, "140.00"),
    _p("99214", "Established patient visit, moderate complexity", _C.PRIMARY_CARE, "205.00"),
    _p("99215", "Established patient visit, high complexity", _C.PRIMARY_CARE, "285.00"),
    _p("99385", "Preventive visit, new patient 18-39", _C.PREVENTIVE, "230.00"),
    _p("99395", "Preventive visit, established 18-39", _C.PREVENTIVE, "210.00"),
    _p("99396", "Preventive visit, established 40-64", _C.PREVENTIVE, "225.00"),
    _p("99397", "Preventive visit, established 65+", _C.PREVENTIVE, "240.00"),
    _p("G0438", "Annual wellness visit, initial", _C.PREVENTIVE, "250.00"),
    _p("90686", "Influenza vaccine, quadrivalent, preservative free", _C.PREVENTIVE, "35.00"),
    _p("90471", "Immunization administration, first", _C.PREVENTIVE, "30.00"),
    _p("36415", "Routine venipuncture", _C.LAB, "15.00"),
    _p("80053", "Comprehensive metabolic panel", _C.LAB, "45.00"),
    _p("80061", "Lipid panel", _C.LAB, "40.00"),
    _p("83036", "Hemoglobin A1c", _C.LAB, "30.00"),
    _p("85025", "Complete blood count with differential", _C.LAB, "28.00"),
    _p("81002", "Urinalysis, non-automated, without microscopy", _C.LAB, "12.00"),
    _p("71046", "Chest X-ray, 2 views", _C.IMAGING, "95.00"),
    _p("73030", "Shoulder X-ray, 2+ views", _C.IMAGING, "85.00"),
    _p("70553", "MRI brain without and with contrast", _C.ADVANCED_IMAGING, "1850.00", True),
    _p("72148", "MRI lumbar spine without contrast", _C.ADVANCED_IMAGING, "1350.00", True),
    _p("74177", "CT abdomen and pelvis with contrast", _C.ADVANCED_IMAGING, "1200.00", True),
    _p("97110", "Therapeutic exercise, each 15 minutes", _C.PHYSICAL_THERAPY, "55.00"),
    _p("97140", "Manual therapy, each 15 minutes", _C.PHYSICAL_THERAPY, "50.00"),
    _p("97161", "Physical therapy evaluation, low complexity", _C.PHYSICAL_THERAPY, "140.00"),
    _p("90834", "Psychotherapy, 45 minutes", _C.MENTAL_HEALTH, "150.00"),
    _p("90837", "Psychotherapy, 60 minutes", _C.MENTAL_HEALTH, "195.00"),
    _p("96127", "Brief emotional/behavioral assessment", _C.MENTAL_HEALTH, "20.00"),
    _p("93000", "Electrocardiogram, complete", _C.CARDIAC_TESTING, "60.00"),
    _p("93306", "Echocardiogram, complete with Doppler", _C.CARDIAC_TESTING, "650.00", True),
    _p("93015", "Cardiovascular stress test, complete", _C.CARDIAC_TESTING, "420.00", True),
    _p("93224", "Holter monitor, 48 hours", _C.CARDIAC_TESTING, "310.00"),
    _p("93458", "Left heart catheterization with angiography", _C.PROCEDURE, "4200.00", True),
    _p("99243", "Office consultation, low complexity", _C.SPECIALIST, "230.00"),
    _p("99244", "Office consultation, moderate complexity", _C.SPECIALIST, "320.00"),
    _p("11102", "Tangential skin biopsy, single lesion", _C.PROCEDURE, "160.00"),
    _p("17110", "Destruction of benign lesions, up to 14", _C.PROCEDURE, "150.00"),
    _p("20610", "Arthrocentesis, major joint", _C.PROCEDURE, "180.00"),
    _p("J1100", "Injection, dexamethasone sodium phosphate, 1 mg", _C.PROCEDURE, "8.00"),
    _p("99283", "Emergency department visit, moderate", _C.EMERGENCY, "480.00"),
    _p("S9083", "Urgent care center, global fee", _C.URGENT_CARE, "175.00"),
    _p("99999", "Unlisted procedure (manual review)", _C.PROCEDURE, "500.00"),
)

PROCEDURES_BY_CODE: dict[str, ProcedureInfo] = {p.code: p for p in PROCEDURES}
