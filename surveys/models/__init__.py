from .announcement import Announcement
from .calls import Answer, AnsweredBy, CallAttempt, CallStatus, InterviewCode, Response, ResponseMode, ResponseStatus
from .campaign import AnnouncementChannel, Campaign, CampaignStatus, CampaignStatusChange, LaunchChecklist
from .consent import ConsentChannel, ConsentEvent, ConsentKind
from .contacts import (
    Contact,
    ContactImport,
    ContactImportChunk,
    ContactImportStatus,
    ContactNumber,
    ContactStatus,
    DoNotCall,
)
from .links import SurveyLink
from .messages import SmsLinkRequest, SmsMessage, SmsStatus
from .predictions import CampaignPrediction, PredictionStatus
from .publication import ReportFile, ReportFileStatus, ReportFormat, ResultSummary
from .results import CampaignFixedCost, CampaignResultSettings, PopulationTarget, TargetDimension
from .section import Section
from .survey import SCALE_ANSWERS, Demographic, Question, QuestionKind, QuestionOption, Survey, SurveyVersion

__all__ = [
    "SCALE_ANSWERS",
    "Announcement",
    "AnnouncementChannel",
    "Answer",
    "AnsweredBy",
    "CallAttempt",
    "CallStatus",
    "Campaign",
    "CampaignFixedCost",
    "CampaignPrediction",
    "CampaignResultSettings",
    "CampaignStatus",
    "CampaignStatusChange",
    "ConsentChannel",
    "ConsentEvent",
    "ConsentKind",
    "Contact",
    "ContactImport",
    "ContactImportChunk",
    "ContactImportStatus",
    "ContactNumber",
    "ContactStatus",
    "Demographic",
    "DoNotCall",
    "InterviewCode",
    "LaunchChecklist",
    "PopulationTarget",
    "PredictionStatus",
    "Question",
    "QuestionKind",
    "QuestionOption",
    "ReportFile",
    "ReportFileStatus",
    "ReportFormat",
    "Response",
    "ResponseMode",
    "ResponseStatus",
    "ResultSummary",
    "Section",
    "SmsLinkRequest",
    "SmsMessage",
    "SmsStatus",
    "Survey",
    "SurveyLink",
    "SurveyVersion",
    "TargetDimension",
]
