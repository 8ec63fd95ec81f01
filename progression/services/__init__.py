"""Writes for progression: one module per subject.

- ``frameworks``: import, versions, structured editing of a draft, publishing and retiring.
- ``cases``: opening a case, marks and evidence, the sign-off chain and its separation of duties.
- ``delegations``: a Head of Service's decisions delegated for a period.
- ``letters``: letter templates and evidence packs.

Callers use ``progression.services.<function>``; every public name of the modules is here.
"""

from preceptorship.errors import TransitionError
from progression.services.cases import (
    DUTY_PHRASES,
    StaleCaseError,
    competency_mark,
    competency_worker_comment,
    duties_taken,
    evidence_add,
    evidence_delete,
    missing_for_submission,
    progression_case_confirm,
    progression_case_hos_decide,
    progression_case_hr_record,
    progression_case_od_decide,
    progression_case_open,
    progression_case_record_told,
    progression_case_submit,
    progression_case_take_up,
    separation_refusal,
)
from progression.services.delegations import (
    DELEGATION_MAX_DAYS,
    delegation_create,
    delegation_withdraw,
)
from progression.services.frameworks import (
    MODELS,
    framework_competency_delete,
    framework_competency_save,
    framework_content_move,
    framework_import,
    framework_new_version,
    framework_publish,
    framework_retire,
    framework_section_delete,
    framework_section_save,
    framework_update,
)
from progression.services.letters import (
    EVIDENCE_PACK_TIME_LIMIT,
    LETTER_PLACEHOLDERS,
    PACK_WAITING,
    PLACEHOLDER,
    evidence_pack_build,
    evidence_pack_fail_if_stale,
    evidence_pack_request,
    letter_template_check,
    letter_template_save,
)

__all__ = [
    "DELEGATION_MAX_DAYS",
    "DUTY_PHRASES",
    "EVIDENCE_PACK_TIME_LIMIT",
    "LETTER_PLACEHOLDERS",
    "MODELS",
    "PACK_WAITING",
    "PLACEHOLDER",
    "StaleCaseError",
    "TransitionError",
    "competency_mark",
    "competency_worker_comment",
    "delegation_create",
    "delegation_withdraw",
    "duties_taken",
    "evidence_add",
    "evidence_delete",
    "evidence_pack_build",
    "evidence_pack_fail_if_stale",
    "evidence_pack_request",
    "framework_competency_delete",
    "framework_competency_save",
    "framework_content_move",
    "framework_import",
    "framework_new_version",
    "framework_publish",
    "framework_retire",
    "framework_section_delete",
    "framework_section_save",
    "framework_update",
    "letter_template_check",
    "letter_template_save",
    "missing_for_submission",
    "progression_case_confirm",
    "progression_case_hos_decide",
    "progression_case_hr_record",
    "progression_case_od_decide",
    "progression_case_open",
    "progression_case_record_told",
    "progression_case_submit",
    "progression_case_take_up",
    "separation_refusal",
]
