// The API reference types everything, so that clients can be generated from it (the dashboard's types come from
// `parley openapi` through openapi-typescript): this sweeps every operation of the real document, built from the
// same route table the server uses, and fails on a request body, a success answer or a query parameter without a
// schema, an error answer that is not the shared Error shape, a reference to a schema that does not exist, or an
// object or array schema that says nothing of what it holds (free-form objects must say so, and why).

#include "api/openapi.h"
#include "app/routes.h"
#include "channels/registry.h"
#include "core/config.h"
#include "core/decision.h"
#include "core/error.h"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <set>
#include <string>
#include <vector>

namespace parley::app {
namespace {

namespace json = boost::json;

class TypingCheck {
 public:
  explicit TypingCheck(const json::object& document) : document_(document) {
    if (const auto* components = document.if_contains("components")) {
      if (const auto* schemas = components->as_object().if_contains("schemas")) schemas_ = &schemas->as_object();
    }
  }

  // Every problem found, one line each ("GET /api/x: 200 answer: no schema").
  std::vector<std::string> Run() {
    for (const auto& [path, item] : document_.at("paths").as_object()) {
      for (const auto& [method, operation] : item.as_object()) {
        CheckOperation(std::string(method) + " " + std::string(path), operation.as_object());
      }
    }
    if (schemas_ != nullptr) {
      for (const auto& [name, schema] : *schemas_) CheckSchema("components/schemas/" + std::string(name), schema);
    }
    return problems_;
  }

 private:
  void CheckOperation(const std::string& where, const json::object& operation) {
    if (const auto* parameters = operation.if_contains("parameters")) {
      for (const auto& parameter : parameters->as_array()) {
        const auto& p = parameter.as_object();
        CheckTyped(where + ": parameter " + std::string(p.at("name").as_string()), p.at("schema"));
      }
    }
    if (const auto* body = operation.if_contains("requestBody")) {
      for (const auto& [media, content] : body->at("content").as_object()) {
        CheckTyped(where + ": " + std::string(media) + " body", content.at("schema"));
      }
    }
    for (const auto& [status, response] : operation.at("responses").as_object()) {
      const auto* content = response.as_object().if_contains("content");
      const std::string answer = where + ": " + std::string(status) + " answer";
      if (status.starts_with("2")) {
        if (content == nullptr && status != "204") Problem(answer + " has no content");
        if (content != nullptr) {
          for (const auto& [media, part] : content->as_object()) CheckTyped(answer, part.at("schema"));
        }
      } else {
        const auto* schema = content ? content->at("application/json").as_object().if_contains("schema") : nullptr;
        if (schema == nullptr || *schema != json::value{{"$ref", "#/components/schemas/Error"}}) {
          Problem(answer + " is not the Error schema");
        }
      }
    }
  }

  // A schema that says what the value is: a known $ref, a type, or a choice of those.
  void CheckTyped(const std::string& where, const json::value& schema) {
    const auto* object = schema.if_object();
    if (object == nullptr || !(object->contains("$ref") || object->contains("type") || object->contains("oneOf") ||
                               object->contains("const") || object->contains("enum"))) {
      Problem(where + ": no schema (" + json::serialize(schema) + ")");
      return;
    }
    CheckSchema(where, schema);
  }

  void CheckSchema(const std::string& where, const json::value& value) {
    const auto* schema = value.if_object();
    if (schema == nullptr) return;
    if (const auto* ref = schema->if_contains("$ref")) {
      const std::string_view target = ref->as_string();
      constexpr std::string_view kPrefix = "#/components/schemas/";
      if (!target.starts_with(kPrefix) || schemas_ == nullptr || !schemas_->contains(target.substr(kPrefix.size()))) {
        Problem(where + ": $ref to a missing schema " + std::string(target));
      }
    }
    const auto* type = schema->if_contains("type");
    if (type != nullptr && Has(*type, "object") && !schema->contains("properties")) {
      const auto* extra = schema->if_contains("additionalProperties");
      if (extra == nullptr || !schema->contains("description")) {
        Problem(where +
                ": an object without properties must be declared free-form (additionalProperties) and say "
                "why (description)");
      }
    }
    if (type != nullptr && Has(*type, "array") && !schema->contains("items")) Problem(where + ": array without items");
    if (const auto* properties = schema->if_contains("properties")) {
      for (const auto& [name, property] : properties->as_object())
        CheckSchema(where + "." + std::string(name), property);
    }
    for (const char* nested : {"items", "additionalProperties"}) {
      if (const auto* inner = schema->if_contains(nested)) CheckSchema(where + "[]", *inner);
    }
    if (const auto* choices = schema->if_contains("oneOf")) {
      for (const auto& choice : choices->as_array()) CheckSchema(where + "|", choice);
    }
  }

  static bool Has(const json::value& type, std::string_view name) {
    if (type.is_string()) return type.as_string() == name;
    for (const auto& t : type.as_array()) {
      if (t.as_string() == name) return true;
    }
    return false;
  }

  void Problem(std::string text) { problems_.push_back(std::move(text)); }

  const json::object& document_;
  const json::object* schemas_ = nullptr;
  std::vector<std::string> problems_;
};

json::object RealDocument() {
  auto config = LoadConfig([](const std::string&) { return std::optional<std::string>(); });
  EXPECT_TRUE(config.has_value());
  auto text = RenderOpenApi(*config);
  EXPECT_TRUE(text.has_value()) << (text ? "" : text.error().message);
  return json::parse(*text).as_object();
}

TEST(OpenApiTypingTest, EveryOperationTypesItsBodyAnswersAndQueryParameters) {
  json::object document = RealDocument();
  size_t operations = 0;
  for (const auto& [path, item] : document.at("paths").as_object()) operations += item.as_object().size();
  EXPECT_GE(operations, 50u);
  for (const auto& problem : TypingCheck(document).Run()) ADD_FAILURE() << problem;
}

TEST(OpenApiTypingTest, TheCheckCatchesWhatItLooksFor) {
  std::vector<api::RouteEntry> routes{
      {http::Verb::post,
       "/api/things",
       {"Untyped body and answer", "test", {"q"}, api::BodyKind::kJson},
       api::kAnyRole},
      {http::Verb::get,
       "/api/things/{id}",
       {.summary = "Typed", .tag = "test", .response_schema = "Missing"},
       api::kAnyRole},
  };
  json::object document = api::OpenApiDocument(routes);
  std::set<std::string> found;
  for (const auto& problem : TypingCheck(document).Run()) found.insert(problem.substr(0, problem.find(" (")));
  EXPECT_TRUE(found.contains("post /api/things: parameter q: no schema")) << json::serialize(document);
  EXPECT_TRUE(found.contains("post /api/things: application/json body: no schema"));
  EXPECT_TRUE(found.contains("post /api/things: 200 answer: no schema"));
  EXPECT_TRUE(
      found.contains("get /api/things/{id}: 200 answer: $ref to a missing schema #/components/schemas/Missing"));
}

TEST(OpenApiTypingTest, EnumsComeFromTheCodesTheServerUses) {
  json::object document = RealDocument();
  const auto& schemas = document.at("components").at("schemas");
  json::array reasons;
  for (Reason reason : kAllReasons) reasons.emplace_back(ToString(reason));
  EXPECT_EQ(schemas.at("Reason").at("enum"), reasons);
  EXPECT_EQ(schemas.at("Decision").at("enum"), (json::array{"IGNORE", "GREETING", "AUTO_REPLY", "ESCALATE"}));
  json::array platforms;
  for (const channels::PlatformPlugin* plugin : channels::Platforms()) platforms.emplace_back(plugin->name);
  EXPECT_EQ(schemas.at("Platform").at("enum"), platforms);
  EXPECT_EQ(platforms.at(0), "whatsapp");
  EXPECT_EQ(platforms.at(1), "instagram");
  EXPECT_EQ(schemas.at("Role").at("enum"), (json::array{"owner", "admin", "agent"}));
  // core/error.h's codes, up to internal, then those the platforms' own routes answer.
  json::array codes;
  for (int i = 0; i <= static_cast<int>(ErrorCode::kInternal); ++i) codes.emplace_back(ToString(ErrorCode(i)));
  for (const channels::PlatformPlugin* plugin : channels::Platforms()) {
    for (std::string_view code : plugin->error_codes) codes.emplace_back(code);
  }
  EXPECT_EQ(schemas.at("ErrorCode").at("enum"), codes);
  EXPECT_EQ(codes.at(static_cast<size_t>(ErrorCode::kInternal)), "internal");
  EXPECT_EQ(schemas.at("DocumentStatus").at("enum"), (json::array{"pending", "processing", "ready", "failed"}));
}

}  // namespace
}  // namespace parley::app
