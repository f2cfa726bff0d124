#include "api/openapi_schemas.h"

#include "agent/settings.h"
#include "api/conversations_api.h"
#include "core/decision.h"
#include "core/error.h"
#include "core/message.h"
#include "store/knowledge_store.h"

#include <boost/json/parse.hpp>

#include <string_view>

namespace parley::api {
namespace {

namespace json = boost::json;

// The names of an enum's values, from its first to the last one that reads back as itself: a value added to the
// enum (and to its ToString and Parse) joins the reference without anyone editing it.
template <class E, class Parse>
json::array EnumNames(Parse parse) {
  json::array names;
  for (int i = 0;; ++i) {
    const auto value = static_cast<E>(i);
    const std::string_view name = ToString(value);
    if (parse(name) != std::optional<E>(value)) break;
    names.emplace_back(name);
  }
  return names;
}

// For enums without a parser: their values up to `last`.
template <class E>
json::array EnumNamesUpTo(E last) {
  json::array names;
  for (int i = 0; i <= static_cast<int>(last); ++i) names.emplace_back(ToString(static_cast<E>(i)));
  return names;
}

json::object StringEnum(json::array names, std::string_view description) {
  return {{"type", "string"}, {"enum", std::move(names)}, {"description", description}};
}

// The object shapes, written as JSON Schema (2020-12, as OpenAPI 3.1 reads it). Conventions: every property the
// handler always writes is `required`; a property it writes only sometimes is not; `null` is in the type of a
// property that may be null. The enums they name are built below from the C++ enums.
constexpr std::string_view kObjectSchemas = R"json({
  "Error": {
    "type": "object",
    "description": "Every error answer: a stable code for programs and a message for people.",
    "required": ["error"],
    "properties": {
      "error": {
        "type": "object",
        "required": ["code", "message"],
        "properties": {
          "code": {"$ref": "#/components/schemas/ErrorCode"},
          "message": {"type": "string"}
        }
      }
    }
  },
  "Deleted": {
    "type": "object",
    "required": ["deleted", "id"],
    "properties": {"deleted": {"type": "boolean", "const": true}, "id": {"type": "integer"}}
  },

  "Contact": {
    "type": "object",
    "required": ["platform_id", "name"],
    "properties": {
      "platform_id": {"type": "string", "description": "The customer's id on the platform (WhatsApp number, Instagram-scoped id)."},
      "name": {"type": ["string", "null"], "description": "The profile name the platform gave, if any."}
    }
  },
  "Conversation": {
    "type": "object",
    "required": ["id", "platform", "channel_id", "contact", "status", "mode", "handoff_reason", "human_until",
                 "assignee_id", "created_at", "last_message_at", "window_closes_at"],
    "properties": {
      "id": {"type": "integer"},
      "platform": {"$ref": "#/components/schemas/Platform"},
      "channel_id": {"type": "integer"},
      "contact": {"$ref": "#/components/schemas/Contact"},
      "status": {"$ref": "#/components/schemas/ConversationStatus"},
      "mode": {"$ref": "#/components/schemas/ConversationMode"},
      "handoff_reason": {"type": ["string", "null"], "description": "Why people hold the conversation: a reason code, or \"manual\"."},
      "human_until": {"type": ["string", "null"], "format": "date-time", "description": "When an idle person hands the conversation back to the bot."},
      "assignee_id": {"type": ["integer", "null"], "description": "The user in charge."},
      "created_at": {"type": "string", "format": "date-time"},
      "last_message_at": {"type": "string", "format": "date-time"},
      "window_closes_at": {
        "type": ["string", "null"],
        "format": "date-time",
        "description": "Until then (24 hours after the customer's last message) free-form replies reach the customer; past it WhatsApp takes only templates, and Instagram a person's reply tagged HUMAN_AGENT for 6 more days. null before the customer has written."
      }
    }
  },
  "ConversationPage": {
    "type": "object",
    "required": ["data", "next_cursor"],
    "properties": {
      "data": {"type": "array", "items": {"$ref": "#/components/schemas/ConversationSummary"}},
      "next_cursor": {"$ref": "#/components/schemas/NextCursor"}
    }
  },
  "NextCursor": {
    "type": ["string", "null"],
    "description": "Pass as ?cursor= for the next page; null on the last page."
  },
  "MessageError": {
    "type": "object",
    "description": "Why the platform refused or could not show the message.",
    "required": ["code", "title", "detail"],
    "properties": {"code": {"type": "integer"}, "title": {"type": "string"}, "detail": {"type": "string"}}
  },
  "Media": {
    "type": "object",
    "properties": {
      "id": {"type": "string", "description": "The platform's media id (WhatsApp)."},
      "url": {"type": "string", "description": "A direct URL, when the platform gives one (Instagram)."},
      "mime_type": {"type": "string"},
      "sha256": {"type": "string"},
      "filename": {"type": "string"},
      "voice": {"type": "boolean"},
      "animated": {"type": "boolean"}
    }
  },
  "Location": {
    "type": "object",
    "required": ["latitude", "longitude"],
    "properties": {
      "latitude": {"type": "number"},
      "longitude": {"type": "number"},
      "name": {"type": "string"},
      "address": {"type": "string"},
      "url": {"type": "string"}
    }
  },
  "Message": {
    "type": "object",
    "description": "One message of a thread. The type-specific fields (media, location, …) appear only on messages of that type.",
    "required": ["id", "conversation_id", "direction", "type", "text", "platform_message_id", "status", "created_at", "error"],
    "properties": {
      "id": {"type": "integer"},
      "conversation_id": {"type": "integer"},
      "direction": {"type": "string", "enum": ["in", "out"]},
      "type": {"$ref": "#/components/schemas/MessageType"},
      "text": {"type": ["string", "null"]},
      "platform_message_id": {"type": ["string", "null"]},
      "status": {"$ref": "#/components/schemas/MessageStatus"},
      "created_at": {"type": "string", "format": "date-time"},
      "sent_at": {"type": "string", "format": "date-time", "description": "The platform's time of the message."},
      "error": {"oneOf": [{"$ref": "#/components/schemas/MessageError"}, {"type": "null"}]},
      "media": {"$ref": "#/components/schemas/Media"},
      "location": {"$ref": "#/components/schemas/Location"},
      "contacts": {
        "type": "array",
        "description": "Contact cards as the platform sent them (WhatsApp's contacts objects, passed through).",
        "items": {"type": "object", "additionalProperties": true, "description": "A WhatsApp contact card (name, phones, emails, …), as WhatsApp sent it."}
      },
      "interactive": {
        "type": "object",
        "required": ["kind"],
        "properties": {
          "kind": {"type": "string"},
          "id": {"type": "string"},
          "title": {"type": "string"},
          "description": {"type": "string"}
        }
      },
      "reaction": {
        "type": "object",
        "required": ["message_id", "emoji"],
        "properties": {"message_id": {"type": "string"}, "emoji": {"type": "string"}}
      },
      "referral": {
        "type": "object",
        "description": "The ad or post the customer came from.",
        "properties": {
          "source_type": {"type": "string"},
          "source_id": {"type": "string"},
          "source_url": {"type": "string"},
          "headline": {"type": "string"},
          "body": {"type": "string"},
          "ctwa_clid": {"type": "string"},
          "ref": {"type": "string"}
        }
      },
      "reply_to": {"type": "string", "description": "The platform id of the message this one answers."},
      "story_id": {"type": "string"},
      "story_url": {"type": "string"},
      "forwarded": {"type": "boolean"},
      "platform_notice": {"type": "boolean"},
      "sent_by": {"type": "string", "description": "\"person\" on a reply written by one of the business's people."},
      "author": {"type": "string", "description": "Who wrote a person's reply: \"user:12\" or \"api_key:3\"."},
      "human_agent": {"type": "boolean", "description": "Sent with Instagram's HUMAN_AGENT tag (past 24 hours)."},
      "template": {"$ref": "#/components/schemas/SentTemplate"}
    }
  },
  "MessagePage": {
    "type": "object",
    "required": ["data", "next_cursor"],
    "properties": {
      "data": {"type": "array", "items": {"$ref": "#/components/schemas/Message"}},
      "next_cursor": {"$ref": "#/components/schemas/NextCursor"}
    }
  },
  "SentTemplate": {
    "type": "object",
    "description": "The WhatsApp template a person's reply was sent as.",
    "required": ["name", "language", "parameters"],
    "properties": {
      "name": {"type": "string"},
      "language": {"type": "string"},
      "parameters": {"type": "array", "items": {"type": "string"}},
      "parameter_names": {"type": "array", "items": {"type": "string"}, "description": "For templates with named parameters."}
    }
  },
  "MessageTemplate": {
    "type": "object",
    "description": "An approved WhatsApp message template of the channel's WhatsApp Business Account.",
    "required": ["id", "name", "language", "status", "category", "parameter_format", "header", "body", "footer",
                 "buttons", "placeholders", "parameter_count", "sendable", "unsupported_reason"],
    "properties": {
      "id": {"type": "string"},
      "name": {"type": "string"},
      "language": {"type": "string", "description": "As WhatsApp names it (en_US)."},
      "status": {"type": "string"},
      "category": {"type": "string", "description": "MARKETING, UTILITY or AUTHENTICATION."},
      "parameter_format": {"type": "string", "enum": ["NAMED", "POSITIONAL"]},
      "header": {
        "oneOf": [
          {
            "type": "object",
            "required": ["format", "text"],
            "properties": {"format": {"type": "string"}, "text": {"type": ["string", "null"]}}
          },
          {"type": "null"}
        ]
      },
      "body": {"type": "string"},
      "footer": {"type": ["string", "null"]},
      "buttons": {
        "type": "array",
        "items": {
          "type": "object",
          "required": ["type", "text"],
          "properties": {"type": {"type": "string"}, "text": {"type": "string"}, "url": {"type": "string"}}
        }
      },
      "placeholders": {"type": "array", "items": {"type": "string"}},
      "parameter_count": {"type": "integer"},
      "sendable": {"type": "boolean", "description": "Whether Parley can send it (text parameters only)."},
      "unsupported_reason": {"type": ["string", "null"]}
    }
  },
  "MessageTemplateList": {
    "type": "object",
    "required": ["data"],
    "properties": {"data": {"type": "array", "items": {"$ref": "#/components/schemas/MessageTemplate"}}}
  },
  "ReplyRequest": {
    "type": "object",
    "description": "Either text, or (WhatsApp, past the 24-hour window) an approved template with its parameters.",
    "additionalProperties": false,
    "properties": {
      "text": {"type": "string", "minLength": 1, "description": "At most the platform's length (4096 characters on WhatsApp, 1000 on Instagram)."},
      "template": {
        "type": "object",
        "required": ["name", "language"],
        "additionalProperties": false,
        "properties": {
          "name": {"type": "string", "minLength": 1},
          "language": {"type": "string", "minLength": 1, "description": "The template's language code as listed (\"en_US\")."},
          "parameters": {"type": ["array", "null"], "items": {"type": "string"}, "description": "One per placeholder, in order."}
        }
      }
    }
  },
  "QueuedReply": {
    "type": "object",
    "description": "The person's reply, stored and queued for sending; its delivery shows on the thread's message.",
    "required": ["id", "conversation_id", "direction", "type", "text", "status", "sent_by"],
    "properties": {
      "id": {"type": "integer"},
      "conversation_id": {"type": "integer"},
      "direction": {"type": "string", "const": "out"},
      "type": {"type": "string", "const": "text"},
      "text": {"type": "string"},
      "status": {"type": "string", "const": "queued"},
      "sent_by": {"type": "string", "description": "\"user:12\" or \"api_key:3\"."},
      "template": {"$ref": "#/components/schemas/SentTemplate"}
    }
  },
  "AssignRequest": {
    "type": "object",
    "required": ["user_id"],
    "properties": {"user_id": {"type": ["integer", "null"], "description": "The user to put in charge; null unassigns."}}
  },
  "ModeRequest": {
    "type": "object",
    "required": ["mode"],
    "properties": {"mode": {"$ref": "#/components/schemas/ConversationMode"}}
  },
  "Trace": {
    "type": "object",
    "required": ["id", "message_id", "decision", "reason", "detail", "created_at"],
    "properties": {
      "id": {"type": "integer"},
      "message_id": {"type": ["integer", "null"], "description": "The reply sent, if one was."},
      "decision": {"$ref": "#/components/schemas/Decision"},
      "reason": {"$ref": "#/components/schemas/Reason"},
      "detail": {
        "description": "The agent's whole answer, or the stages that stopped the burst before the agent (the plan's gate); null when unreadable.",
        "oneOf": [
          {"$ref": "#/components/schemas/AgentAnswer"},
          {"type": "array", "items": {"$ref": "#/components/schemas/TraceStage"}},
          {"type": "null"}
        ]
      },
      "created_at": {"type": "string", "format": "date-time"}
    }
  },
  "TraceList": {
    "type": "object",
    "required": ["data"],
    "properties": {"data": {"type": "array", "items": {"$ref": "#/components/schemas/Trace"}}}
  },
  "ResolveRequest": {
    "type": "object",
    "description": "The body may also be empty.",
    "properties": {"hand_back": {"type": "boolean", "description": "Also return the conversation to the bot."}}
  },

  "MessagePreview": {
    "type": "object",
    "required": ["id", "text", "type", "direction", "created_at"],
    "properties": {
      "id": {"type": "integer"},
      "text": {"type": "string", "description": "The start of its text (empty for media)."},
      "type": {"$ref": "#/components/schemas/MessageType"},
      "direction": {"type": "string", "enum": ["in", "out"]},
      "created_at": {"type": "string", "format": "date-time"}
    }
  },
  "ReadSummary": {
    "type": "object",
    "required": ["conversation_id", "unread_count", "last_message"],
    "properties": {
      "conversation_id": {"type": "integer"},
      "unread_count": {"type": "integer", "minimum": 0},
      "last_message": {"oneOf": [{"$ref": "#/components/schemas/MessagePreview"}, {"type": "null"}]}
    }
  },
  "NoteRequest": {
    "type": "object",
    "required": ["text"],
    "properties": {"text": {"type": "string", "minLength": 1, "maxLength": 4096}}
  },
  "SaveAsQaRequest": {
    "type": "object",
    "required": ["question"],
    "properties": {"question": {"type": "string", "minLength": 1, "description": "The customer's question the reply answers."}}
  },
  "CannedReply": {
    "type": "object",
    "required": ["id", "shortcut", "text", "created_at", "updated_at"],
    "properties": {
      "id": {"type": "integer"},
      "shortcut": {"type": "string", "description": "Lower case, without the leading /."},
      "text": {"type": "string"},
      "created_at": {"type": "string", "format": "date-time"},
      "updated_at": {"type": "string", "format": "date-time"}
    }
  },
  "CannedReplyList": {
    "type": "object",
    "required": ["data"],
    "properties": {"data": {"type": "array", "items": {"$ref": "#/components/schemas/CannedReply"}}}
  },
  "CannedReplyRequest": {
    "type": "object",
    "required": ["shortcut", "text"],
    "properties": {
      "shortcut": {"type": "string", "minLength": 1, "description": "Typed after / in the composer; case and a leading / do not matter."},
      "text": {"type": "string", "minLength": 1}
    }
  },

  "Event": {
    "description": "One event of GET /api/events, the data: line of a server-sent event. Ids increase per tenant; the type says what data holds.",
    "oneOf": [
      {"$ref": "#/components/schemas/MessageCreatedEvent"},
      {"$ref": "#/components/schemas/MessageUpdatedEvent"},
      {"$ref": "#/components/schemas/ConversationEvent"},
      {"$ref": "#/components/schemas/SupportEvent"},
      {"$ref": "#/components/schemas/DocumentProgressEvent"},
      {"$ref": "#/components/schemas/StreamResetEvent"}
    ]
  },
  "MessageCreatedEvent": {
    "type": "object",
    "required": ["id", "type", "created_at", "data"],
    "properties": {
      "id": {"type": "integer"},
      "type": {"type": "string", "const": "message.created"},
      "created_at": {"type": "string", "format": "date-time"},
      "data": {
        "type": "object",
        "required": ["conversation_id", "message"],
        "properties": {"conversation_id": {"type": "integer"}, "message": {"$ref": "#/components/schemas/Message"}}
      }
    }
  },
  "MessageUpdatedEvent": {
    "type": "object",
    "required": ["id", "type", "created_at", "data"],
    "properties": {
      "id": {"type": "integer"},
      "type": {"type": "string", "const": "message.updated"},
      "created_at": {"type": "string", "format": "date-time"},
      "data": {
        "type": "object",
        "description": "A delivery tick: the status the message moved to, and the platform's error when it failed.",
        "required": ["conversation_id", "message_id", "status", "error"],
        "properties": {
          "conversation_id": {"type": "integer"},
          "message_id": {"type": "integer"},
          "status": {"$ref": "#/components/schemas/MessageStatus"},
          "error": {"oneOf": [{"$ref": "#/components/schemas/MessageError"}, {"type": "null"}]}
        }
      }
    }
  },
  "ConversationEvent": {
    "type": "object",
    "required": ["id", "type", "created_at", "data"],
    "properties": {
      "id": {"type": "integer"},
      "type": {"type": "string", "enum": ["conversation.created", "conversation.updated"]},
      "created_at": {"type": "string", "format": "date-time"},
      "data": {
        "type": "object",
        "required": ["conversation"],
        "properties": {"conversation": {"$ref": "#/components/schemas/Conversation"}}
      }
    }
  },
  "SupportEvent": {
    "type": "object",
    "required": ["id", "type", "created_at", "data"],
    "properties": {
      "id": {"type": "integer"},
      "type": {"type": "string", "enum": ["support.opened", "support.resolved"]},
      "created_at": {"type": "string", "format": "date-time"},
      "data": {"$ref": "#/components/schemas/SupportItem"}
    }
  },
  "DocumentProgressEvent": {
    "type": "object",
    "required": ["id", "type", "created_at", "data"],
    "properties": {
      "id": {"type": "integer"},
      "type": {"type": "string", "const": "document.progress"},
      "created_at": {"type": "string", "format": "date-time"},
      "data": {
        "type": "object",
        "required": ["document_id", "status", "progress", "error"],
        "properties": {
          "document_id": {"type": "integer"},
          "status": {"$ref": "#/components/schemas/DocumentStatus"},
          "progress": {"type": "number", "minimum": 0, "maximum": 1},
          "chunks": {"type": "integer", "description": "When ready."},
          "error": {"type": ["string", "null"]}
        }
      }
    }
  },
  "StreamResetEvent": {
    "type": "object",
    "description": "The events after the client's Last-Event-ID are no longer kept: refetch everything, then carry on from this id.",
    "required": ["id", "type"],
    "properties": {"id": {"type": "integer"}, "type": {"type": "string", "const": "stream.reset"}}
  },

  "Source": {
    "type": "object",
    "required": ["document_id", "name", "chunk_id", "text", "score"],
    "properties": {
      "document_id": {"type": "integer"},
      "name": {"type": "string"},
      "chunk_id": {"type": "integer"},
      "text": {"type": "string"},
      "score": {"type": "number"}
    }
  },
  "Draft": {
    "type": "object",
    "description": "A reply the agent proposes to a person, to send or edit.",
    "required": ["text", "sources"],
    "properties": {
      "text": {"type": "string"},
      "sources": {"type": "array", "items": {"$ref": "#/components/schemas/Source"}}
    }
  },
  "TraceStage": {
    "type": "object",
    "description": "One stage of the agent's pipeline: its name, its time and what it found. The other fields depend on the stage (triage's labels, retrieval's candidates and scores, …) and change as stages improve: read them, do not rely on them.",
    "required": ["stage"],
    "properties": {
      "stage": {"type": "string", "description": "triage, faq, retrieve, generate, validate, billing, …"},
      "us": {"type": "integer", "description": "Microseconds the stage took."}
    },
    "additionalProperties": true
  },
  "AgentAnswer": {
    "type": "object",
    "required": ["decision", "reason", "priority", "language", "answer", "parts", "sources", "usage", "trace", "draft"],
    "properties": {
      "decision": {"$ref": "#/components/schemas/Decision"},
      "reason": {"$ref": "#/components/schemas/Reason"},
      "priority": {"$ref": "#/components/schemas/Priority"},
      "language": {"type": "string", "description": "ISO 639-1 code of the customer's language."},
      "answer": {"type": "string", "description": "What the customer is sent (empty when nothing is)."},
      "parts": {"type": "array", "items": {"type": "string"}, "description": "The answer split into the messages sent."},
      "sources": {"type": "array", "items": {"$ref": "#/components/schemas/Source"}},
      "usage": {
        "type": "object",
        "required": ["prompt_tokens", "completion_tokens"],
        "properties": {"prompt_tokens": {"type": "integer"}, "completion_tokens": {"type": "integer"}}
      },
      "trace": {"type": "array", "items": {"$ref": "#/components/schemas/TraceStage"}},
      "draft": {"oneOf": [{"$ref": "#/components/schemas/Draft"}, {"type": "null"}]}
    }
  },
  "PlaygroundRequest": {
    "type": "object",
    "required": ["question"],
    "properties": {
      "question": {"type": "string", "minLength": 1, "maxLength": 4096},
      "platform": {"$ref": "#/components/schemas/Platform"},
      "history": {
        "type": "array",
        "description": "The conversation so far, oldest first.",
        "items": {
          "type": "object",
          "required": ["role"],
          "properties": {
            "role": {"type": "string", "enum": ["user", "assistant"]},
            "text": {"type": "string"},
            "content": {"type": "string", "description": "Read when text is absent."}
          }
        }
      }
    }
  },
  "KnowledgeBase": {
    "type": "object",
    "required": ["id", "name", "created_at"],
    "properties": {
      "id": {"type": "integer"},
      "name": {"type": "string"},
      "created_at": {"type": "string", "format": "date-time"}
    }
  },
  "KnowledgeBaseList": {
    "type": "object",
    "required": ["data"],
    "properties": {"data": {"type": "array", "items": {"$ref": "#/components/schemas/KnowledgeBase"}}}
  },
  "Document": {
    "type": "object",
    "required": ["id", "knowledge_base_id", "name", "content_type", "source_url", "size_bytes", "status", "progress",
                 "error", "chunks", "qa_pairs", "version", "attempts", "created_at", "updated_at"],
    "properties": {
      "id": {"type": "integer"},
      "knowledge_base_id": {"type": "integer"},
      "name": {"type": "string", "description": "The file name, or the page's URL."},
      "content_type": {"type": ["string", "null"]},
      "source_url": {"type": ["string", "null"]},
      "size_bytes": {"type": "integer"},
      "status": {"$ref": "#/components/schemas/DocumentStatus"},
      "progress": {"type": "number", "minimum": 0, "maximum": 1},
      "error": {"type": ["string", "null"], "description": "Why ingestion failed."},
      "chunks": {"type": "integer"},
      "qa_pairs": {"type": "integer"},
      "version": {"type": "integer", "minimum": 1, "description": "Goes up each time a file of the same name replaces it."},
      "attempts": {"type": "integer"},
      "created_at": {"type": "string", "format": "date-time"},
      "updated_at": {"type": "string", "format": "date-time"}
    }
  },
  "DocumentPage": {
    "type": "object",
    "required": ["data", "next_cursor"],
    "properties": {
      "data": {"type": "array", "items": {"$ref": "#/components/schemas/Document"}},
      "next_cursor": {"$ref": "#/components/schemas/NextCursor"}
    }
  },
  "DocumentUpload": {
    "type": "object",
    "required": ["file"],
    "properties": {
      "file": {"type": "string", "contentMediaType": "application/octet-stream", "description": "The file, with its file name: text, Markdown, HTML, PDF, DOCX or a CSV of Q&A pairs."},
      "knowledge_base": {"type": "string", "minLength": 1, "maxLength": 200, "default": "default", "description": "Created if missing."}
    }
  },
  "DocumentUrlRequest": {
    "type": "object",
    "required": ["url"],
    "properties": {
      "url": {"type": "string", "format": "uri", "description": "An http:// or https:// page at a public address."},
      "knowledge_base": {"type": "string", "minLength": 1, "maxLength": 200, "default": "default"}
    }
  },
  "Faq": {
    "type": "object",
    "required": ["id", "questions", "answer", "document_id", "created_at", "updated_at"],
    "properties": {
      "id": {"type": "integer"},
      "questions": {"type": "array", "items": {"type": "string"}},
      "answer": {"type": "string"},
      "document_id": {"type": ["integer", "null"], "description": "The CSV it came from; null when added through the API."},
      "created_at": {"type": "string", "format": "date-time"},
      "updated_at": {"type": "string", "format": "date-time"}
    }
  },
  "FaqPage": {
    "type": "object",
    "required": ["data", "next_cursor"],
    "properties": {
      "data": {"type": "array", "items": {"$ref": "#/components/schemas/Faq"}},
      "next_cursor": {"$ref": "#/components/schemas/NextCursor"}
    }
  },
  "FaqRequest": {
    "type": "object",
    "description": "At least one non-empty question, in questions or question.",
    "required": ["answer"],
    "additionalProperties": false,
    "properties": {
      "questions": {"type": "array", "items": {"type": "string"}},
      "question": {"type": "string"},
      "answer": {"type": "string", "minLength": 1, "maxLength": 4096}
    }
  },

  "User": {
    "type": "object",
    "required": ["id", "email", "name", "role", "created_at", "last_login_at"],
    "properties": {
      "id": {"type": "integer"},
      "email": {"type": "string", "format": "email"},
      "name": {"type": "string"},
      "role": {"$ref": "#/components/schemas/Role"},
      "created_at": {"type": "string", "format": "date-time"},
      "last_login_at": {"type": ["string", "null"], "format": "date-time"}
    }
  },
  "UserList": {
    "type": "object",
    "required": ["data"],
    "properties": {"data": {"type": "array", "items": {"$ref": "#/components/schemas/User"}}}
  },
  "UserCreateRequest": {
    "type": "object",
    "required": ["email", "password"],
    "additionalProperties": false,
    "properties": {
      "email": {"type": "string", "format": "email", "maxLength": 254},
      "name": {"type": ["string", "null"], "maxLength": 200},
      "role": {"$ref": "#/components/schemas/Role", "default": "agent"},
      "password": {"type": "string", "minLength": 8}
    }
  },
  "UserUpdateRequest": {
    "type": "object",
    "additionalProperties": false,
    "properties": {
      "name": {"type": ["string", "null"], "maxLength": 200},
      "role": {"$ref": "#/components/schemas/Role"},
      "password": {"type": ["string", "null"], "minLength": 8}
    }
  },
  "LoginRequest": {
    "type": "object",
    "required": ["email", "password"],
    "properties": {"email": {"type": "string"}, "password": {"type": "string"}}
  },
  "LoginResponse": {
    "type": "object",
    "description": "The session token; the answer also sets it in the parley_session cookie (HttpOnly) for browsers.",
    "required": ["token", "token_type", "expires_at", "csrf_token", "user"],
    "properties": {
      "token": {"type": "string"},
      "token_type": {"type": "string", "const": "Bearer"},
      "expires_at": {"type": "string", "format": "date-time"},
      "csrf_token": {"type": "string", "description": "Send as X-CSRF-Token on state-changing requests authenticated by the cookie."},
      "user": {"$ref": "#/components/schemas/User"}
    }
  },
  "PasswordResetRequest": {
    "type": "object",
    "required": ["token", "password"],
    "additionalProperties": false,
    "properties": {"token": {"type": "string", "minLength": 1}, "password": {"type": "string", "minLength": 8}}
  },
  "Me": {
    "type": "object",
    "required": ["tenant_id", "role", "user", "api_key"],
    "properties": {
      "tenant_id": {"type": "integer"},
      "role": {"$ref": "#/components/schemas/Role"},
      "user": {"oneOf": [{"$ref": "#/components/schemas/User"}, {"type": "null"}]},
      "api_key": {
        "oneOf": [
          {"type": "object", "required": ["id"], "properties": {"id": {"type": "integer"}}},
          {"type": "null"}
        ]
      },
      "csrf_token": {"type": "string", "description": "Present when the caller used the session cookie."}
    }
  },
  "ApiKey": {
    "type": "object",
    "required": ["id", "name", "prefix", "role", "created_at", "last_used_at"],
    "properties": {
      "id": {"type": "integer"},
      "name": {"type": "string"},
      "prefix": {"type": "string", "description": "The key's first characters, to recognise it."},
      "role": {"$ref": "#/components/schemas/Role"},
      "created_at": {"type": "string", "format": "date-time"},
      "last_used_at": {"type": ["string", "null"], "format": "date-time"}
    }
  },
  "ApiKeyList": {
    "type": "object",
    "required": ["data"],
    "properties": {"data": {"type": "array", "items": {"$ref": "#/components/schemas/ApiKey"}}}
  },
  "ApiKeyCreateRequest": {
    "type": "object",
    "required": ["name"],
    "additionalProperties": false,
    "properties": {
      "name": {"type": "string", "minLength": 1, "maxLength": 100},
      "role": {"$ref": "#/components/schemas/Role", "default": "admin", "description": "At most the creator's role."}
    }
  },
  "AuditEntry": {
    "type": "object",
    "required": ["id", "actor", "action", "target_type", "target_id", "details", "created_at"],
    "properties": {
      "id": {"type": "integer"},
      "actor": {"type": "string", "description": "\"user:12\", \"api_key:3\", \"cli\" or \"stripe\"."},
      "action": {"type": "string", "description": "user.create, conversation.assign, document.delete, …"},
      "target_type": {"type": "string"},
      "target_id": {"type": "string"},
      "details": {
        "type": "object",
        "description": "What the action changed; its fields depend on the action (never secrets).",
        "additionalProperties": true
      },
      "created_at": {"type": "string", "format": "date-time"}
    }
  },
  "AuditPage": {
    "type": "object",
    "required": ["data", "next_cursor"],
    "properties": {
      "data": {"type": "array", "items": {"$ref": "#/components/schemas/AuditEntry"}},
      "next_cursor": {"$ref": "#/components/schemas/NextCursor"}
    }
  },

  "Channel": {
    "type": "object",
    "description": "A WhatsApp number or Instagram account. The token is never shown, only its last characters.",
    "required": ["id", "platform", "account_id", "display_name", "enabled", "access_token_hint", "created_at", "updated_at"],
    "properties": {
      "id": {"type": "integer"},
      "platform": {"$ref": "#/components/schemas/Platform"},
      "account_id": {"type": "string", "description": "phone_number_id (WhatsApp) or the Instagram account id."},
      "display_name": {"type": ["string", "null"]},
      "enabled": {"type": "boolean"},
      "access_token_hint": {"type": "string", "description": "\"…\" and the token's last 4 characters."},
      "display_phone_number": {"type": ["string", "null"], "description": "WhatsApp only."},
      "verified_name": {"type": ["string", "null"], "description": "WhatsApp only."},
      "waba_id": {"type": ["string", "null"], "description": "WhatsApp only: the WhatsApp Business Account, where templates are."},
      "username": {"type": ["string", "null"], "description": "Instagram only."},
      "created_at": {"type": "string", "format": "date-time"},
      "updated_at": {"type": "string", "format": "date-time"}
    }
  },
  "ChannelList": {
    "type": "object",
    "required": ["data"],
    "properties": {"data": {"type": "array", "items": {"$ref": "#/components/schemas/Channel"}}}
  },
  "ChannelCreateRequest": {
    "type": "object",
    "required": ["platform", "account_id", "access_token"],
    "additionalProperties": false,
    "properties": {
      "platform": {"$ref": "#/components/schemas/Platform"},
      "account_id": {"type": "string", "pattern": "^[0-9]{1,64}$"},
      "access_token": {"type": "string", "minLength": 1, "maxLength": 4096},
      "display_name": {"type": ["string", "null"], "maxLength": 100},
      "waba_id": {"type": ["string", "null"], "pattern": "^[0-9]{0,64}$", "description": "WhatsApp only."}
    }
  },
  "ChannelUpdateRequest": {
    "type": "object",
    "description": "At least one field.",
    "additionalProperties": false,
    "properties": {
      "access_token": {"type": ["string", "null"], "minLength": 1, "maxLength": 4096},
      "display_name": {"type": ["string", "null"], "maxLength": 100},
      "enabled": {"type": ["boolean", "null"]},
      "waba_id": {"type": ["string", "null"], "pattern": "^[0-9]{0,64}$", "description": "WhatsApp only; empty clears it."}
    }
  },
  "ConnectStart": {
    "type": "object",
    "required": ["platform", "authorization_url", "redirect_uri", "expires_at"],
    "properties": {
      "platform": {"$ref": "#/components/schemas/Platform"},
      "authorization_url": {"type": "string", "format": "uri", "description": "Send the browser here."},
      "redirect_uri": {"type": "string", "format": "uri"},
      "expires_at": {"type": "string", "format": "date-time"}
    }
  },
  "ConnectResult": {
    "type": "object",
    "required": ["platform", "data", "skipped"],
    "properties": {
      "platform": {"$ref": "#/components/schemas/Platform"},
      "data": {"type": "array", "items": {"$ref": "#/components/schemas/Channel"}, "description": "The channels saved."},
      "skipped": {
        "type": "array",
        "items": {
          "type": "object",
          "required": ["account_id", "error"],
          "properties": {"account_id": {"type": "string"}, "error": {"type": "string"}}
        }
      }
    }
  },

  "Plan": {
    "type": "object",
    "required": ["name", "display_name", "monthly_price_cents", "features", "quotas"],
    "properties": {
      "name": {"type": "string"},
      "display_name": {"type": "string"},
      "monthly_price_cents": {"type": "integer"},
      "features": {
        "type": "object",
        "description": "Limits are null when unlimited.",
        "required": ["images", "audio", "max_channels", "max_knowledge_bytes", "max_knowledge_documents"],
        "properties": {
          "images": {"type": "boolean"},
          "audio": {"type": "boolean"},
          "max_channels": {"type": ["integer", "null"]},
          "max_knowledge_bytes": {"type": ["integer", "null"]},
          "max_knowledge_documents": {"type": ["integer", "null"]}
        }
      },
      "quotas": {
        "type": "object",
        "required": ["monthly_ai_replies", "monthly_credits"],
        "properties": {
          "monthly_ai_replies": {"type": ["integer", "null"]},
          "monthly_credits": {"type": ["integer", "null"]}
        }
      }
    }
  },
  "PlanCatalog": {
    "type": "object",
    "required": ["data", "current_plan", "billing_enabled"],
    "properties": {
      "data": {"type": "array", "items": {"$ref": "#/components/schemas/Plan"}},
      "current_plan": {"type": "string"},
      "billing_enabled": {"type": "boolean", "description": "Whether tenants pay through Stripe."}
    }
  },
  "UsageCounts": {
    "type": "object",
    "required": ["ai_replies", "credits", "prompt_tokens", "completion_tokens", "messages_in", "messages_out"],
    "properties": {
      "day": {"type": "string", "format": "date", "description": "The UTC day, on per-day figures."},
      "ai_replies": {"type": "integer"},
      "credits": {"type": "integer"},
      "prompt_tokens": {"type": "integer"},
      "completion_tokens": {"type": "integer"},
      "messages_in": {"type": "integer"},
      "messages_out": {"type": "integer"}
    }
  },
  "DayRange": {
    "type": "object",
    "required": ["from", "to"],
    "properties": {"from": {"type": "string", "format": "date"}, "to": {"type": "string", "format": "date"}}
  },
  "MonthlyFigures": {
    "type": "object",
    "description": "null where the plan sets no limit.",
    "required": ["ai_replies", "credits"],
    "properties": {"ai_replies": {"type": ["integer", "null"]}, "credits": {"type": ["integer", "null"]}}
  },
  "Usage": {
    "type": "object",
    "required": ["plan", "range", "days", "month", "quotas", "remaining"],
    "properties": {
      "plan": {"type": "string"},
      "range": {"$ref": "#/components/schemas/DayRange"},
      "days": {"type": "array", "items": {"$ref": "#/components/schemas/UsageCounts"}, "description": "Days with any use, in the range."},
      "month": {
        "type": "object",
        "required": ["from", "to", "totals"],
        "properties": {
          "from": {"type": "string", "format": "date"},
          "to": {"type": "string", "format": "date"},
          "totals": {"$ref": "#/components/schemas/UsageCounts"}
        }
      },
      "quotas": {"$ref": "#/components/schemas/MonthlyFigures"},
      "remaining": {"$ref": "#/components/schemas/MonthlyFigures"}
    }
  },
  "Subscription": {
    "type": "object",
    "required": ["plan", "status", "current_period_end", "stripe_customer_id", "stripe_subscription_id", "price_id"],
    "properties": {
      "plan": {"type": "string"},
      "status": {"type": "string", "description": "Stripe's subscription status (active, past_due, canceled, …), or none."},
      "current_period_end": {"type": ["string", "null"], "format": "date-time"},
      "stripe_customer_id": {"type": ["string", "null"]},
      "stripe_subscription_id": {"type": ["string", "null"]},
      "price_id": {"type": ["string", "null"]}
    }
  },
  "StripeEvent": {
    "type": "object",
    "description": "An event as Stripe sends it (https://docs.stripe.com/api/events/object); Parley reads the subscription and checkout events and acknowledges the others.",
    "required": ["id", "type"],
    "properties": {"id": {"type": "string"}, "type": {"type": "string"}, "data": {"type": "object", "additionalProperties": true, "description": "Stripe's object for the event."}},
    "additionalProperties": true
  },
  "StripeAck": {
    "type": "object",
    "required": ["received", "handled"],
    "properties": {
      "received": {"type": "boolean"},
      "handled": {"type": "boolean", "description": "false for events Parley does not act on."},
      "outcome": {"type": "string", "description": "What the event did, when handled."}
    }
  },

  "MetaWebhook": {
    "type": "object",
    "description": "A webhook as Meta sends it (WhatsApp Cloud API or Instagram Messaging), signed in X-Hub-Signature-256; its entries' shapes are Meta's.",
    "required": ["object", "entry"],
    "properties": {
      "object": {"type": "string"},
      "entry": {"type": "array", "items": {"type": "object", "additionalProperties": true, "description": "Meta's entry object."}}
    },
    "additionalProperties": true
  },
  "WebhookAck": {
    "type": "object",
    "required": ["stored", "duplicates", "unknown_account"],
    "properties": {
      "stored": {"type": "integer", "description": "Messages stored."},
      "duplicates": {"type": "integer", "description": "Messages already stored (Meta delivers at least once)."},
      "unknown_account": {"type": "integer", "description": "Events for accounts no channel has."}
    }
  },
  "Liveness": {
    "type": "object",
    "required": ["status"],
    "properties": {"status": {"type": "string", "const": "ok"}}
  },
  "Readiness": {
    "type": "object",
    "required": ["status", "uptime_s", "store", "batcher", "http", "pipeline"],
    "properties": {
      "status": {"type": "string", "enum": ["ok", "degraded"], "description": "degraded answers 503."},
      "uptime_s": {"type": "integer"},
      "store": {
        "type": "object",
        "required": ["ok", "backend", "detail", "pending_writes"],
        "properties": {
          "ok": {"type": "boolean"},
          "backend": {"type": "string"},
          "detail": {"type": "string"},
          "pending_writes": {"type": "integer"}
        }
      },
      "batcher": {
        "type": "object",
        "required": ["waiting_conversations"],
        "properties": {"waiting_conversations": {"type": "integer"}}
      },
      "http": {
        "type": "object",
        "required": ["active_connections"],
        "properties": {"active_connections": {"type": "integer"}}
      },
      "pipeline": {
        "type": "object",
        "description": "Counters since the process started.",
        "required": ["webhooks_received", "webhooks_rejected", "messages_stored", "messages_duplicate",
                     "conversations_processed", "conversations_failed", "conversations_timed_out",
                     "responses_generated", "sends", "replies_in_flight"],
        "properties": {
          "webhooks_received": {"type": "integer"},
          "webhooks_rejected": {"type": "integer"},
          "messages_stored": {"type": "integer"},
          "messages_duplicate": {"type": "integer"},
          "conversations_processed": {"type": "integer"},
          "conversations_failed": {"type": "integer"},
          "conversations_timed_out": {"type": "integer"},
          "responses_generated": {"type": "integer"},
          "sends": {"type": "integer"},
          "replies_in_flight": {"type": "integer"}
        }
      }
    }
  },
  "OpenApiDocument": {
    "type": "object",
    "description": "This document (OpenAPI 3.1); its schema is OpenAPI's own (https://spec.openapis.org/oas/3.1/schema).",
    "required": ["openapi", "info", "paths"],
    "properties": {
      "openapi": {"type": "string"},
      "info": {"type": "object", "additionalProperties": true, "description": "OpenAPI's Info Object."},
      "paths": {"type": "object", "additionalProperties": true, "description": "OpenAPI's Paths Object."}
    },
    "additionalProperties": true
  }
})json";

}  // namespace

QueryParam CursorParam() {
  return {"cursor", R"({"type": "string"})", "The next_cursor of the previous page; absent for the first page."};
}

QueryParam LimitParam() {
  return {"limit", R"({"type": "integer", "minimum": 1, "maximum": 500, "default": 50})", "Items per page."};
}

std::vector<QueryParam> PagingParams() { return {CursorParam(), LimitParam()}; }

boost::json::object ComponentSchemas() {
  json::object schemas = json::parse(kObjectSchemas).as_object();
  json::array reasons;
  for (Reason reason : kAllReasons) reasons.emplace_back(ToString(reason));
  schemas["Reason"] = StringEnum(std::move(reasons), "Why the agent decided what it did (core/decision.h).");
  schemas["Decision"] = StringEnum(EnumNames<Decision>(ParseDecision), "What the agent did with a burst.");
  schemas["Priority"] = StringEnum(EnumNames<Priority>(ParsePriority), "How urgently a person should look.");
  schemas["Platform"] = StringEnum(EnumNames<Platform>(ParsePlatform), "The messaging platform.");
  schemas["Role"] = StringEnum(EnumNames<Role>(ParseRole), "owner ≥ admin ≥ agent.");
  schemas["MessageType"] = StringEnum(EnumNames<MessageType>(ParseMessageType), "The kind of message.");
  schemas["MessageStatus"] = StringEnum(EnumNames<MessageStatus>(ParseMessageStatus),
                                        "Received (in); queued, sent, delivered, read or failed (out); deleted.");
  schemas["ErrorCode"] =
      StringEnum(EnumNamesUpTo(ErrorCode::kInternal), "The error's kind; the HTTP status follows it.");
  schemas["DocumentStatus"] =
      StringEnum(EnumNamesUpTo(store::DocumentStatus::kFailed), "Where the document is in its ingestion.");
  schemas["ConversationStatus"] = StringEnum({"open", "closed"}, "Closed: the contact's next message opens another.");
  schemas["ConversationMode"] = StringEnum({"bot", "human"}, "Who answers: the agent, or people.");
  schemas["AiSettings"] = agent::AiSettingsJsonSchema();
  schemas["SupportItem"] = SupportItemSchema();
  schemas["SupportItemPage"] = {
      {"type", "object"},
      {"required", json::array{"data", "next_cursor"}},
      {"properties",
       {{"data", {{"type", "array"}, {"items", {{"$ref", "#/components/schemas/SupportItem"}}}}},
        {"next_cursor", {{"$ref", "#/components/schemas/NextCursor"}}}}}};
  // An upload's answer is the document and whether it replaced one of the same name.
  json::object created = schemas.at("Document").as_object();
  created["properties"].as_object()["replaced"] = {{"type", "boolean"},
                                                   {"description", "It replaced a document of the same name."}};
  created["required"].as_array().emplace_back("replaced");
  schemas["DocumentAccepted"] = std::move(created);
  // A conversation in a list carries what the inbox shows of it besides.
  json::object summary = schemas.at("Conversation").as_object();
  summary["properties"].as_object()["unread_count"] = {{"type", "integer"}, {"minimum", 0}};
  summary["properties"].as_object()["last_message"] = {
      {"oneOf", json::array{{{"$ref", "#/components/schemas/MessagePreview"}}, {{"type", "null"}}}}};
  summary["required"].as_array().emplace_back("unread_count");
  summary["required"].as_array().emplace_back("last_message");
  schemas["ConversationSummary"] = std::move(summary);
  // A new API key's answer is the only one that carries the key itself.
  json::object key = schemas.at("ApiKey").as_object();
  key["properties"].as_object()["key"] = {{"type", "string"}, {"description", "The key; shown in this answer only."}};
  key["required"].as_array().emplace_back("key");
  schemas["ApiKeyCreated"] = std::move(key);
  return schemas;
}

}  // namespace parley::api
