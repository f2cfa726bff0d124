#include "api/templates_api.h"

#include "api/api.h"
#include "api/params.h"
#include "channels/registry.h"
#include "core/time.h"

#include <boost/json/array.hpp>

namespace parley::api {
namespace {

namespace json = boost::json;
using channels::whatsapp::MessageTemplate;
using Verb = http::Verb;

// Meta's limits: template names up to 512 characters, language codes like "en_US" or "zh_Hant_HK".
constexpr size_t kMaxNameBytes = 512;
constexpr size_t kMaxLanguageBytes = 16;
constexpr size_t kMaxParameters = 100;

struct TemplateRequest {
  std::string name;
  std::string language;
  std::vector<std::string> parameters;
};

Result<TemplateRequest> ParseTemplateRequest(const json::object& body) {
  if (body.contains("text")) return Error::InvalidArgument("send either text or template, not both");
  const json::object* field = body.at("template").if_object();
  if (field == nullptr) {
    return Error::InvalidArgument("template must be an object: {\"name\", \"language\", \"parameters\": [\"…\"]}");
  }
  TemplateRequest request;
  const auto* name = field->if_contains("name");
  if (name == nullptr || !name->is_string() || name->as_string().empty() || name->as_string().size() > kMaxNameBytes) {
    return Error::InvalidArgument("template.name must be the template's name");
  }
  request.name = name->as_string();
  const auto* language = field->if_contains("language");
  if (language == nullptr || !language->is_string() || language->as_string().empty() ||
      language->as_string().size() > kMaxLanguageBytes) {
    return Error::InvalidArgument("template.language must be the template's language code, as listed (\"en_US\")");
  }
  request.language = language->as_string();
  if (const auto* parameters = field->if_contains("parameters"); parameters != nullptr && !parameters->is_null()) {
    const json::array* list = parameters->if_array();
    if (list == nullptr || list->size() > kMaxParameters) {
      return Error::InvalidArgument("template.parameters must be an array of strings, one per placeholder");
    }
    for (const json::value& p : *list) {
      if (!p.is_string()) {
        return Error::InvalidArgument("template.parameters must be an array of strings, one per placeholder");
      }
      request.parameters.emplace_back(p.as_string());
    }
  }
  return request;
}

// The approved template `request` names, or why there is none.
Result<const MessageTemplate*> FindTemplate(const std::vector<MessageTemplate>& templates,
                                            const TemplateRequest& request) {
  std::string languages;
  for (const MessageTemplate& t : templates) {
    if (t.name != request.name || !t.approved()) continue;
    if (t.language == request.language) return &t;
    languages += (languages.empty() ? "" : ", ") + t.language;
  }
  if (languages.empty()) {
    return Error::InvalidArgument("the channel has no approved template named \"" + request.name + "\"");
  }
  return Error::InvalidArgument("template \"" + request.name + "\" is not approved in " + request.language +
                                " (approved in: " + languages + ")");
}

}  // namespace

TemplatesApi::TemplatesApi(const Config& config, store::Store& store, BlockingPool& pool, http::Client& client,
                           Deliver deliver)
    : config_(config),
      store_(store),
      pool_(pool),
      deliver_(std::move(deliver)),
      catalog_(client, config.graph_api_base_url) {}

void TemplatesApi::RegisterRoutes(RouteTable& routes) {
  routes.Tenant(Verb::get, "/api/social-accounts/{id}/templates", kAnyRole,
                {.summary = "A WhatsApp channel's approved message templates, to answer past the 24-hour window",
                 .tag = "channels",
                 .response_schema = "MessageTemplateList",
                 .errors = {409, 503}},
                [this](const Principal& caller, const http::Request& request, const http::RouteContext& route) {
                  return List(caller, request, route);
                });
}

boost::asio::awaitable<Result<std::vector<MessageTemplate>>> TemplatesApi::TemplatesOf(const store::Channel& channel) {
  const std::string channel_name = "channel " + std::to_string(channel.id);
  if (channel.waba_id.empty()) {
    co_return Error::Conflict(channel_name +
                              " has no WhatsApp Business Account id (waba_id), which its templates are read from: "
                              "set it with PATCH /api/social-accounts/" +
                              std::to_string(channel.id) +
                              " {\"waba_id\": \"…\"} or `parley channel add whatsapp --waba-id`, or connect the "
                              "number with Meta's login");
  }
  auto templates = co_await catalog_.List(channel.id, channel.waba_id, channel.access_token);
  if (!templates && templates.error().code == ErrorCode::kInvalidArgument) {
    co_return Error::Conflict("WhatsApp refused to list the templates of " + channel_name + " (waba_id " +
                              channel.waba_id + "): " + templates.error().message +
                              "; check the channel's waba_id and access token");
  }
  co_return templates;
}

boost::asio::awaitable<http::Response> TemplatesApi::List(const Principal& caller, const http::Request&,
                                                          const http::RouteContext& route) {
  auto id = PathId(route);
  if (!id) co_return http::ErrorResponse(Error::NotFound("no such channel"));
  auto get = [this, tenant = caller.tenant_id, id = *id] { return store_.GetChannel(tenant, id); };
  auto channel = co_await pool_.Run(get);
  if (!channel) co_return http::ErrorResponse(channel.error());
  if (!channels::TraitsOf(channel->platform).window.templates) {
    co_return http::ErrorResponse(Error::Conflict("channel " + std::to_string(*id) + " is on " +
                                                  std::string(ToString(channel->platform)) +
                                                  ", which has no message templates: past its window a person's "
                                                  "reply is sent with the HUMAN_AGENT tag where it has one"));
  }
  auto templates = co_await TemplatesOf(*channel);
  if (!templates) co_return http::ErrorResponse(templates.error());
  json::array data;
  for (const MessageTemplate& t : *templates) {
    if (t.approved()) data.push_back(channels::whatsapp::TemplateListingJson(t));
  }
  co_return http::JsonResponse(http::Status::ok, json::object{{"data", std::move(data)}});
}

boost::asio::awaitable<http::Response> TemplatesApi::Reply(const Principal& caller, int64_t conversation_id,
                                                           const json::object& body) {
  auto request = ParseTemplateRequest(body);
  if (!request) co_return http::ErrorResponse(request.error());
  // The conversation's channel, read with the conversation in one trip to the blocking pool.
  auto get = [this, tenant = caller.tenant_id, conversation_id]() -> Result<store::Channel> {
    auto conversation = store_.GetConversation(tenant, conversation_id);
    if (!conversation) return conversation.error();
    if (!channels::TraitsOf(conversation->platform).window.templates) {
      return Error::InvalidArgument("message templates are WhatsApp's; on " +
                                    std::string(ToString(conversation->platform)) +
                                    " send text (past its window it goes with the HUMAN_AGENT tag)");
    }
    auto channel = store_.GetChannel(tenant, conversation->channel_id);
    if (!channel && channel.error().code == ErrorCode::kNotFound) {
      return Error::Conflict("the conversation's channel was removed");
    }
    return channel;
  };
  auto channel = co_await pool_.Run(get);
  if (!channel) co_return http::ErrorResponse(channel.error());
  auto templates = co_await TemplatesOf(*channel);
  if (!templates) co_return http::ErrorResponse(templates.error());
  auto found = FindTemplate(*templates, *request);
  if (!found) co_return http::ErrorResponse(found.error());
  auto message = channels::whatsapp::PrepareTemplate(**found, request->parameters);
  if (!message) co_return http::ErrorResponse(message.error());
  const std::string text = channels::whatsapp::RenderTemplate(**found, *message);

  const int64_t idle_ms = config_.human_idle_minutes * 60 * 1000;
  const MessagingWindow window = channels::TraitsOf(channel->platform).window;
  auto queue = [this, tenant = caller.tenant_id, conversation_id, &text, actor = caller.Actor(), idle_ms, &message,
                &window] {
    return store_.QueuePersonReply(tenant, conversation_id, text, actor, idle_ms, NowMs(), window, *message);
  };
  auto queued = co_await pool_.Run(queue);
  if (!queued) co_return http::ErrorResponse(queued.error());
  deliver_(queued->conversation_id);
  co_return http::JsonResponse(http::Status::accepted, QueuedReplyJson(*queued, caller.Actor()));
}

}  // namespace parley::api
