"""Every write in a preceptorship: one service per change, inside a transaction, audited; one module
per subject (programmes, enrolments, reviews, goals, reflections, protected time, completion).

Services raise ``ValidationError`` (with field names where a form can show the message beside
the field) or ``TransitionError`` for a change the record's state does not allow. They assume
the caller has already checked access (views use ``preceptorship.access``). Callers use
``programmes.services.<function>``; every public name of the modules is here.
"""

from preceptorship.errors import TransitionError
from programmes.services.common import (
    COMPLETION_WINDOW_DAYS,
    MAX_PAUSE_DAYS,
    MAX_PROGRAMME_MONTHS,
    CapacityWarning,
    OverCapacity,
    lock_enrolment,
    service_today,
)
from programmes.services.completion import (
    EVALUATION_FIELDS,
    completion_confirm,
    completion_confirm_told,
    completion_open,
    completion_outcome_told,
    completion_outstanding,
    completion_record_outcome,
    evaluation_submit,
    required_confirmations,
)
from programmes.services.enrolments import (
    capacity_warning,
    default_return_date,
    enrolment_change_people,
    enrolment_cohort_create,
    enrolment_create,
    enrolment_extend,
    enrolment_pause,
    enrolment_pauses_begin,
    enrolment_resume,
    enrolment_schedule,
    enrolment_withdraw,
    mentor_permitted,
    preceptee_organisation,
    refresh_dates,
    transition_start_too_early,
)
from programmes.services.goals import (
    GOAL_FIELDS,
    framework_competencies,
    goal_add_progress,
    goal_create,
    goal_update,
)
from programmes.services.offer import (
    offer_decline,
    offer_decline_undo,
    transition_mark_record,
    transition_mark_remove,
)
from programmes.services.programmes import (
    PROGRAMME_FIELDS,
    programme_close,
    programme_create,
    programme_delete,
    programme_update,
)
from programmes.services.protected_time import (
    NEEDS_FIELDS,
    needs_assessment_save,
    protected_time_correct,
    protected_time_delete,
    protected_time_log,
)
from programmes.services.reflections import (
    reflection_add_feedback,
    reflection_save,
    reflection_share,
)
from programmes.services.reviews import (
    REVIEW_FIELDS,
    ActionItem,
    default_next_meeting,
    review_acknowledge,
    review_add_addendum,
    review_correct,
    review_draft_discard,
    review_draft_save,
    review_mark_not_held,
    review_record,
)

__all__ = [
    "offer_decline",
    "offer_decline_undo",
    "transition_mark_record",
    "transition_mark_remove",
    "ActionItem",
    "COMPLETION_WINDOW_DAYS",
    "CapacityWarning",
    "EVALUATION_FIELDS",
    "GOAL_FIELDS",
    "MAX_PAUSE_DAYS",
    "MAX_PROGRAMME_MONTHS",
    "NEEDS_FIELDS",
    "OverCapacity",
    "PROGRAMME_FIELDS",
    "REVIEW_FIELDS",
    "TransitionError",
    "capacity_warning",
    "completion_confirm",
    "completion_confirm_told",
    "completion_open",
    "completion_outcome_told",
    "completion_outstanding",
    "completion_record_outcome",
    "default_next_meeting",
    "default_return_date",
    "enrolment_change_people",
    "enrolment_cohort_create",
    "enrolment_create",
    "enrolment_extend",
    "enrolment_pause",
    "enrolment_pauses_begin",
    "enrolment_resume",
    "enrolment_schedule",
    "enrolment_withdraw",
    "evaluation_submit",
    "framework_competencies",
    "goal_add_progress",
    "goal_create",
    "goal_update",
    "lock_enrolment",
    "mentor_permitted",
    "needs_assessment_save",
    "preceptee_organisation",
    "programme_close",
    "programme_create",
    "programme_delete",
    "programme_update",
    "protected_time_correct",
    "protected_time_delete",
    "protected_time_log",
    "reflection_add_feedback",
    "reflection_save",
    "reflection_share",
    "refresh_dates",
    "required_confirmations",
    "review_acknowledge",
    "review_add_addendum",
    "review_correct",
    "review_draft_discard",
    "review_draft_save",
    "review_mark_not_held",
    "review_record",
    "service_today",
    "transition_start_too_early",
]
