// The API reference's shapes of invitations and forgotten passwords (api/team_api.h).
#include "api/openapi_schema_shapes.h"

namespace parley::api {

extern const std::string_view kTeamSchemaShapes = R"json({
  "InvitationCreateRequest": {
    "type": "object",
    "required": ["email"],
    "additionalProperties": false,
    "properties": {
      "email": {"type": "string", "format": "email", "maxLength": 254},
      "role": {"$ref": "#/components/schemas/Role", "description": "Default agent; at most the inviter's own role."},
      "language": {"type": "string", "pattern": "^[a-z]{2}$", "description": "Of the e-mail and of the new user's e-mails (default en)."}
    }
  },
  "MailDelivery": {
    "type": "object",
    "description": "The state of the newest e-mail of an invitation.",
    "required": ["status", "attempts", "last_error", "sent_at"],
    "properties": {
      "status": {"type": "string", "enum": ["queued", "sent", "failed"], "description": "queued: waiting or retried after a temporary failure; failed: refused for good or given up after 24 hours."},
      "attempts": {"type": "integer", "minimum": 0},
      "last_error": {"type": ["string", "null"], "description": "The mail server's answer to the last failed attempt."},
      "sent_at": {"type": ["string", "null"], "format": "date-time"}
    }
  },
  "Invitation": {
    "type": "object",
    "required": ["id", "email", "role", "language", "status", "invited_by", "created_at", "sent_at", "expires_at",
                 "accepted_at", "revoked_at", "email_delivery"],
    "properties": {
      "id": {"type": "integer"},
      "email": {"type": "string", "format": "email"},
      "role": {"$ref": "#/components/schemas/Role"},
      "language": {"type": "string"},
      "status": {"type": "string", "enum": ["pending", "accepted", "revoked", "expired"]},
      "invited_by": {"type": "string", "description": "The audit log's actor: user:12, api_key:3."},
      "created_at": {"type": "string", "format": "date-time"},
      "sent_at": {"type": "string", "format": "date-time", "description": "When the current link was made."},
      "expires_at": {"type": "string", "format": "date-time"},
      "accepted_at": {"type": ["string", "null"], "format": "date-time"},
      "revoked_at": {"type": ["string", "null"], "format": "date-time"},
      "email_delivery": {"oneOf": [{"$ref": "#/components/schemas/MailDelivery"}, {"type": "null"}], "description": "null when no e-mail was sent (no SMTP: the link was handed over)."},
      "link": {"type": "string", "format": "uri", "description": "The link to accept, in the answers to create and resend only, and only when Parley sends no e-mail: hand it over yourself."}
    }
  },
  "InvitationList": {
    "type": "object",
    "required": ["data", "email_enabled"],
    "properties": {
      "data": {"type": "array", "items": {"$ref": "#/components/schemas/Invitation"}},
      "email_enabled": {"type": "boolean", "description": "Parley sends e-mail (PARLEY_SMTP_URL is set)."}
    }
  },
  "InvitationTokenRequest": {
    "type": "object",
    "required": ["token"],
    "properties": {"token": {"type": "string", "minLength": 1}}
  },
  "InvitationLookup": {
    "type": "object",
    "required": ["email", "role", "language", "tenant_name", "status", "email_taken", "expires_at"],
    "properties": {
      "email": {"type": "string", "format": "email"},
      "role": {"$ref": "#/components/schemas/Role"},
      "language": {"type": "string"},
      "tenant_name": {"type": "string"},
      "status": {"type": "string", "enum": ["pending", "accepted", "revoked", "expired"]},
      "email_taken": {"type": "boolean", "description": "A user already has this address: accepting would fail."},
      "expires_at": {"type": "string", "format": "date-time"}
    }
  },
  "InvitationAcceptRequest": {
    "type": "object",
    "required": ["token", "password"],
    "additionalProperties": false,
    "properties": {
      "token": {"type": "string", "minLength": 1},
      "name": {"type": ["string", "null"], "maxLength": 200},
      "password": {"type": "string", "minLength": 8}
    }
  },
  "ForgotPasswordAnswer": {
    "type": "object",
    "description": "The same whether or not the address has an account.",
    "required": ["message"],
    "properties": {"message": {"type": "string"}}
  },
  "ForgotPasswordRequest": {
    "type": "object",
    "required": ["email"],
    "additionalProperties": false,
    "properties": {"email": {"type": "string", "minLength": 1}}
  }
})json";

}  // namespace parley::api
