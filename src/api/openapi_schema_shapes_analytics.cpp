#include "api/openapi_schema_shapes.h"

namespace parley::api {

// The shapes of the tenant's settings and of its analytics. AnalyticsPeriod, a period of the series, is
// AnalyticsFigures with its first day: openapi_schemas.cpp derives it.
extern const std::string_view kAnalyticsSchemaShapes = R"json({
  "Tenant": {
    "type": "object",
    "required": ["id", "name", "time_zone", "message_retention_days"],
    "properties": {
      "id": {"type": "integer"},
      "name": {"type": "string"},
      "time_zone": {"type": "string", "description": "IANA time zone the tenant's days are counted in (Europe/Paris)."},
      "message_retention_days": {"type": ["integer", "null"], "minimum": 1, "maximum": 3650,
                                 "description": "Messages older than this are deleted; null: kept for ever."}
    }
  },
  "TenantUpdateRequest": {
    "type": "object",
    "additionalProperties": false,
    "properties": {
      "name": {"type": "string", "minLength": 1, "maxLength": 200},
      "time_zone": {"type": "string", "description": "An IANA time zone name the server's tzdata knows."},
      "message_retention_days": {"type": ["integer", "null"], "minimum": 1, "maximum": 3650}
    }
  },
  "AnalyticsFigures": {
    "type": "object",
    "description": "What a period (or the whole range) counts; docs/analytics.md defines each figure.",
    "required": ["conversations_started", "conversations_answered_by_bot", "conversations_handed_off",
                 "conversations_automated", "automation_rate", "messages_in", "messages_out_bot",
                 "messages_out_person", "escalations", "escalations_by_reason", "first_response_bot_median_s",
                 "first_response_person_median_s", "resolution_median_s", "credits"],
    "properties": {
      "conversations_started": {"type": "integer", "minimum": 0},
      "conversations_answered_by_bot": {"type": "integer",
                                        "description": "Of the conversations started in the period: the bot answered."},
      "conversations_handed_off": {"type": "integer",
                                   "description": "Of the conversations started in the period: a person took part."},
      "conversations_automated": {"type": "integer",
                                  "description": "Of the conversations started in the period: the bot alone."},
      "automation_rate": {"type": ["number", "null"], "minimum": 0, "maximum": 1,
                          "description": "automated / (automated + handed off); null when neither."},
      "messages_in": {"type": "integer", "minimum": 0},
      "messages_out_bot": {"type": "integer", "minimum": 0},
      "messages_out_person": {"type": "integer", "minimum": 0},
      "escalations": {"type": "integer", "minimum": 0},
      "escalations_by_reason": {"type": "object", "additionalProperties": {"type": "integer"},
                                "description": "Escalations per reason code (see Reason)."},
      "first_response_bot_median_s": {"type": ["number", "null"]},
      "first_response_person_median_s": {"type": ["number", "null"]},
      "resolution_median_s": {"type": ["number", "null"]},
      "credits": {"type": "integer"}
    }
  },
  "Analytics": {
    "type": "object",
    "required": ["time_zone", "granularity", "from", "to", "channel_id", "complete", "series", "totals"],
    "properties": {
      "time_zone": {"type": "string"},
      "granularity": {"type": "string", "enum": ["day", "week"]},
      "from": {"type": "string", "format": "date"},
      "to": {"type": "string", "format": "date"},
      "channel_id": {"type": ["integer", "null"]},
      "complete": {"type": "boolean",
                   "description": "False while the server is still rolling up a backlog (the first start after an upgrade)."},
      "series": {"type": "array", "items": {"$ref": "#/components/schemas/AnalyticsPeriod"}},
      "totals": {"$ref": "#/components/schemas/AnalyticsFigures"}
    }
  }
})json";

}  // namespace parley::api
