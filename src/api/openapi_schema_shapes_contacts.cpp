#include "api/openapi_schema_shapes.h"

namespace parley::api {

// Contacts: the list, one contact with its conversations, the GDPR export and the erasure's report.
extern const std::string_view kContactSchemaShapes = R"json({
  "ContactRecord": {
    "type": "object",
    "description": "A person as seen through one channel (the same person on WhatsApp and Instagram is two contacts).",
    "required": ["id", "channel_id", "platform", "platform_id", "name", "email", "created_at", "last_activity_at", "conversations"],
    "properties": {
      "id": {"type": "integer"},
      "channel_id": {"type": "integer"},
      "platform": {"$ref": "#/components/schemas/Platform"},
      "platform_id": {"type": "string", "description": "The WhatsApp number or the Instagram-scoped user id."},
      "name": {"type": "string", "description": "The profile name the platform last gave; may be empty."},
      "email": {"type": "string", "description": "The e-mail the customer gave (a web chat visitor, before their first message); may be empty."},
      "created_at": {"type": "string", "format": "date-time"},
      "last_activity_at": {"type": "string", "format": "date-time", "description": "The latest activity of its conversations."},
      "conversations": {"type": "integer", "description": "How many conversations it has, open and closed."}
    }
  },
  "ContactPage": {
    "type": "object",
    "required": ["data", "next_cursor"],
    "properties": {
      "data": {"type": "array", "items": {"$ref": "#/components/schemas/ContactRecord"}},
      "next_cursor": {"$ref": "#/components/schemas/NextCursor"}
    }
  },
  "ContactDetail": {
    "type": "object",
    "required": ["contact", "conversations"],
    "properties": {
      "contact": {"$ref": "#/components/schemas/ContactRecord"},
      "conversations": {
        "type": "array",
        "description": "Newest activity first.",
        "items": {"$ref": "#/components/schemas/Conversation"}
      }
    }
  },
  "ContactTrace": {
    "type": "object",
    "description": "One of the agent's traces, as GET /api/conversations/{id}/traces lists them, with its conversation.",
    "required": ["id", "conversation_id", "message_id", "decision", "reason", "detail", "created_at"],
    "properties": {
      "id": {"type": "integer"},
      "conversation_id": {"type": "integer"},
      "message_id": {"type": ["integer", "null"]},
      "decision": {"$ref": "#/components/schemas/Decision"},
      "reason": {"$ref": "#/components/schemas/Reason"},
      "detail": {
        "oneOf": [
          {"$ref": "#/components/schemas/AgentAnswer"},
          {"type": "array", "items": {"$ref": "#/components/schemas/TraceStage"}},
          {"type": "null"}
        ]
      },
      "created_at": {"type": "string", "format": "date-time"}
    }
  },
  "ContactExport": {
    "type": "object",
    "description": "Everything Parley keeps about one contact (the GDPR's right of access), sent as a download (Content-Disposition: attachment).",
    "required": ["exported_at", "contact", "conversations", "messages", "support_items", "traces"],
    "properties": {
      "exported_at": {"type": "string", "format": "date-time"},
      "contact": {"$ref": "#/components/schemas/ContactRecord"},
      "conversations": {"type": "array", "items": {"$ref": "#/components/schemas/Conversation"}, "description": "Oldest first."},
      "messages": {"type": "array", "items": {"$ref": "#/components/schemas/Message"}, "description": "Of every conversation, private notes included, oldest first."},
      "support_items": {"type": "array", "items": {"$ref": "#/components/schemas/SupportItem"}},
      "traces": {"type": "array", "items": {"$ref": "#/components/schemas/ContactTrace"}}
    }
  },
  "ContactErasure": {
    "type": "object",
    "description": "What the erasure removed. The audit log keeps these counts (action contact.erase), nothing personal.",
    "required": ["contact_id", "erased", "conversations", "messages", "notes", "support_items", "traces", "events", "webhook_deliveries"],
    "properties": {
      "contact_id": {"type": "integer"},
      "erased": {"type": "boolean", "const": true},
      "conversations": {"type": "integer"},
      "messages": {"type": "integer", "description": "Private notes included."},
      "notes": {"type": "integer"},
      "support_items": {"type": "integer"},
      "traces": {"type": "integer"},
      "events": {"type": "integer", "description": "Entries of the live event log that named its conversations."},
      "webhook_deliveries": {"type": "integer", "description": "Outbound webhook deliveries about its conversations."}
    }
  }
})json";

}  // namespace parley::api
