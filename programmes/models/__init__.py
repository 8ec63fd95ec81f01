"""Preceptorship programmes and each preceptee's journey through one, one module per subject:
``enrolments`` (programmes, enrolments, pauses, extensions, needs assessment), ``practice`` (reviews,
goals, reflections, protected time, evidence links), ``completion`` (confirmations, evaluation) and
``figures`` (list exports, the dashboards' summary tables). Callers use ``programmes.models.<Name>``.
"""

from programmes.models.completion import (
    CompletionConfirmation,
    Evaluation,
)
from programmes.models.enrolments import (
    Enrolment,
    Extension,
    NeedsAssessment,
    Pause,
    Programme,
    Transition,
)
from programmes.models.figures import (
    CaseFigures,
    CompletionLengths,
    CurrentFigures,
    EventFigures,
    ExportJob,
    MonthFigures,
    OfferFigures,
    PreparedDashboard,
    SummaryBuild,
    SummaryRow,
    export_upload_to,
)
from programmes.models.offer import (
    OfferDecline,
    OfferPerson,
    TransitionMark,
)
from programmes.models.practice import (
    CORRECTION_DAYS,
    REFLECTIVE_MODELS,
    SCORE,
    EvidenceLink,
    Goal,
    GoalUpdate,
    ProtectedTime,
    Reflection,
    ReflectionFeedback,
    ReviewAction,
    ReviewAddendum,
    ReviewDraft,
    ReviewMeeting,
)

__all__ = [
    "OfferDecline",
    "OfferPerson",
    "TransitionMark",
    "CaseFigures",
    "REFLECTIVE_MODELS",
    "CORRECTION_DAYS",
    "CompletionConfirmation",
    "CompletionLengths",
    "CurrentFigures",
    "Enrolment",
    "Evaluation",
    "EventFigures",
    "EvidenceLink",
    "ExportJob",
    "Extension",
    "Goal",
    "GoalUpdate",
    "MonthFigures",
    "NeedsAssessment",
    "OfferFigures",
    "Pause",
    "PreparedDashboard",
    "Programme",
    "ProtectedTime",
    "Reflection",
    "ReflectionFeedback",
    "ReviewAction",
    "ReviewAddendum",
    "ReviewDraft",
    "ReviewMeeting",
    "SCORE",
    "SummaryBuild",
    "SummaryRow",
    "Transition",
    "export_upload_to",
]
