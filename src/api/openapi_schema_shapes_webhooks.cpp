#include "api/openapi_schema_shapes.h"

namespace parley::api {

// Outbound webhook endpoints and their deliveries (api/webhooks_api.h, docs/webhooks.md).
extern const std::string_view kWebhookSchemaShapes = R"json({
  "WebhookEventType": {
    "type": "string",
    "enum": ["message.created", "message.updated", "conversation.created", "conversation.updated",
             "conversation.deleted", "support.opened", "support.resolved", "document.progress"],
    "description": "An event type of the tenant's event stream (GET /api/events) that an endpoint may receive."
  },
  "WebhookEndpoint": {
    "type": "object",
    "required": ["id", "url", "description", "events", "enabled", "created_at", "updated_at"],
    "properties": {
      "id": {"type": "integer"},
      "url": {"type": "string", "format": "uri"},
      "description": {"type": "string"},
      "events": {"type": "array", "items": {"$ref": "#/components/schemas/WebhookEventType"}},
      "enabled": {"type": "boolean", "description": "A disabled endpoint receives nothing; its pending deliveries wait."},
      "created_at": {"type": "string", "format": "date-time"},
      "updated_at": {"type": "string", "format": "date-time"}
    }
  },
  "WebhookEndpointCreated": {
    "type": "object",
    "required": ["id", "url", "description", "events", "enabled", "created_at", "updated_at", "secret"],
    "properties": {
      "id": {"type": "integer"},
      "url": {"type": "string", "format": "uri"},
      "description": {"type": "string"},
      "events": {"type": "array", "items": {"$ref": "#/components/schemas/WebhookEventType"}},
      "enabled": {"type": "boolean"},
      "created_at": {"type": "string", "format": "date-time"},
      "updated_at": {"type": "string", "format": "date-time"},
      "secret": {"type": "string", "description": "The signing secret (whsec_…); shown in this answer only."}
    }
  },
  "WebhookEndpointList": {
    "type": "object",
    "required": ["data"],
    "properties": {"data": {"type": "array", "items": {"$ref": "#/components/schemas/WebhookEndpoint"}}}
  },
  "WebhookEndpointRequest": {
    "type": "object",
    "required": ["url"],
    "additionalProperties": false,
    "properties": {
      "url": {"type": "string", "format": "uri", "maxLength": 2048, "description": "http(s); public addresses only unless PARLEY_OUTBOUND_ALLOW opens more."},
      "events": {"type": "array", "minItems": 1, "items": {"$ref": "#/components/schemas/WebhookEventType"}, "description": "Default: every type."},
      "enabled": {"type": "boolean", "description": "Default: true."},
      "description": {"type": "string", "maxLength": 500}
    }
  },
  "WebhookEndpointUpdate": {
    "type": "object",
    "additionalProperties": false,
    "properties": {
      "url": {"type": "string", "format": "uri", "maxLength": 2048},
      "events": {"type": "array", "minItems": 1, "items": {"$ref": "#/components/schemas/WebhookEventType"}},
      "enabled": {"type": "boolean"},
      "description": {"type": "string", "maxLength": 500}
    }
  },
  "WebhookDeliveryStatus": {
    "type": "string",
    "enum": ["pending", "succeeded", "failed"],
    "description": "pending: not sent yet or waiting to be retried; failed: no 2xx within the retry window."
  },
  "WebhookDelivery": {
    "type": "object",
    "required": ["id", "endpoint_id", "event_id", "event_type", "status", "attempts", "response_status", "last_error",
                 "next_attempt_at", "created_at", "updated_at"],
    "properties": {
      "id": {"type": "integer", "description": "Sent as X-Parley-Delivery."},
      "endpoint_id": {"type": "integer"},
      "event_id": {"type": "integer", "description": "The event's id in the tenant's stream; 0 for a ping."},
      "event_type": {"type": "string", "description": "An event type, or ping."},
      "status": {"$ref": "#/components/schemas/WebhookDeliveryStatus"},
      "attempts": {"type": "integer", "minimum": 0},
      "response_status": {"type": ["integer", "null"], "description": "The HTTP status of the last answer."},
      "last_error": {"type": ["string", "null"], "description": "Why the last attempt failed."},
      "next_attempt_at": {"type": ["string", "null"], "format": "date-time", "description": "Null once the delivery has ended."},
      "created_at": {"type": "string", "format": "date-time"},
      "updated_at": {"type": "string", "format": "date-time"}
    }
  },
  "WebhookDeliveryPage": {
    "type": "object",
    "required": ["data", "next_cursor"],
    "properties": {
      "data": {"type": "array", "items": {"$ref": "#/components/schemas/WebhookDelivery"}},
      "next_cursor": {"$ref": "#/components/schemas/NextCursor"}
    }
  }
})json";

}  // namespace parley::api
