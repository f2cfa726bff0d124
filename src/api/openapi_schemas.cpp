#include "api/openapi_schemas.h"

#include "agent/settings.h"
#include "api/conversations_api.h"
#include "api/openapi_schema_shapes.h"
#include "channels/registry.h"
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

// One period of the analytics series: its first day, then the figures of AnalyticsFigures.
json::object AnalyticsPeriodSchema(const json::object& figures) {
  json::array required{"period"};
  for (const json::value& name : figures.at("required").as_array()) required.push_back(name);
  json::object properties{
      {"period",
       {{"type", "string"}, {"format", "date"}, {"description", "The period's first day (a Monday for weeks)."}}}};
  for (const auto& [name, property] : figures.at("properties").as_object()) properties[name] = property;
  return {{"type", "object"},
          {"description", "One period of the series: its first day and its figures (as AnalyticsFigures)."},
          {"required", std::move(required)},
          {"properties", std::move(properties)}};
}

}  // namespace

QueryParam CursorParam() {
  return {"cursor", R"({"type": "string"})", "The next_cursor of the previous page; absent for the first page."};
}

QueryParam LimitParam() {
  return {"limit", R"({"type": "integer", "minimum": 1, "maximum": 500, "default": 50})", "Items per page."};
}

std::vector<QueryParam> PagingParams() { return {CursorParam(), LimitParam()}; }

boost::json::object ComponentSchemas() {
  json::object schemas;
  for (std::string_view area : {kInboxSchemaShapes, kAdminSchemaShapes, kWebhookSchemaShapes, kContactSchemaShapes,
                                kBillingLinkSchemaShapes, kTeamSchemaShapes, kAnalyticsSchemaShapes}) {
    // Parsed into a named value: a range-for over json::parse(…).as_object() would walk a destroyed temporary.
    json::value shapes = json::parse(area);
    for (auto& [name, shape] : shapes.as_object()) schemas[name] = std::move(shape);
  }
  for (const channels::PlatformPlugin* plugin : channels::Platforms()) {
    if (plugin->api_schemas.empty()) continue;
    json::value shapes = json::parse(plugin->api_schemas);
    for (auto& [name, shape] : shapes.as_object()) schemas[name] = std::move(shape);
  }
  schemas["AnalyticsPeriod"] = AnalyticsPeriodSchema(schemas.at("AnalyticsFigures").as_object());
  json::array reasons;
  for (Reason reason : kAllReasons) reasons.emplace_back(ToString(reason));
  schemas["Reason"] = StringEnum(std::move(reasons), "Why the agent decided what it did (core/decision.h).");
  schemas["Decision"] = StringEnum(EnumNames<Decision>(ParseDecision), "What the agent did with a burst.");
  schemas["Priority"] = StringEnum(EnumNames<Priority>(ParsePriority), "How urgently a person should look.");
  json::array platforms;
  for (const channels::PlatformPlugin* plugin : channels::Platforms()) platforms.emplace_back(plugin->name);
  schemas["Platform"] = StringEnum(std::move(platforms), "The messaging platform (channels/platforms.inc lists them).");
  schemas["Role"] = StringEnum(EnumNames<Role>(ParseRole), "owner ≥ admin ≥ agent.");
  schemas["MessageType"] = StringEnum(EnumNames<MessageType>(ParseMessageType), "The kind of message.");
  schemas["MessageStatus"] = StringEnum(EnumNames<MessageStatus>(ParseMessageStatus),
                                        "Received (in); queued, sent, delivered, read or failed (out); deleted.");
  json::array error_codes = EnumNamesUpTo(ErrorCode::kInternal);
  for (const channels::PlatformPlugin* plugin : channels::Platforms()) {
    for (std::string_view code : plugin->error_codes) error_codes.emplace_back(code);
  }
  schemas["ErrorCode"] = StringEnum(std::move(error_codes),
                                    "The error's kind; the HTTP status follows it. The platforms' public routes add "
                                    "their own (the web chat's origin_not_allowed, channel_not_found, invalid_token).");
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
  // A conversation in a list (and GET /api/conversations/{id}) carries what the inbox shows of it besides.
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
