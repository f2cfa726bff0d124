#include "api/channels_api.h"

#include "billing/meter.h"

#include "channels/meta/oauth_state.h"
#include "core/log.h"
#include "core/time.h"
#include "http/form.h"

#include <boost/json/array.hpp>

#include <algorithm>
#include <charconv>

namespace parley::api {
namespace {

namespace json = boost::json;
namespace meta = channels::meta;
using Verb = http::Verb;

constexpr size_t kMaxTokenBytes = 4096;
constexpr size_t kMaxAccountIdBytes = 64;
constexpr size_t kMaxDisplayNameBytes = 100;
constexpr const char* kTag = "channels";

std::optional<int64_t> PathId(const http::RouteContext& route) {
  auto raw = route.Param("id").value_or("");
  int64_t id = 0;
  auto [end, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), id);
  if (ec != std::errc() || end != raw.data() + raw.size() || id <= 0) return std::nullopt;
  return id;
}

// The string field `name` of `body`: nullopt when absent or null, an error when not a string.
Result<std::optional<std::string>> OptionalString(const json::object& body, std::string_view name) {
  const auto* value = body.if_contains(name);
  if (value == nullptr || value->is_null()) return std::optional<std::string>();
  if (!value->is_string()) return Error::InvalidArgument(std::string(name) + " must be a string");
  return std::optional<std::string>(std::string(value->as_string()));
}

// Meta's ids are decimal numbers; anything else could not be an account and must not reach a Graph URL path.
Result<void> CheckAccountId(std::string_view id) {
  if (id.empty() || id.size() > kMaxAccountIdBytes ||
      !std::all_of(id.begin(), id.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return Error::InvalidArgument("account_id must be the platform's numeric id (phone_number_id or Instagram id)");
  }
  return Ok();
}

// A token goes into an Authorization header: printable ASCII without spaces only.
Result<void> CheckToken(std::string_view token) {
  if (token.empty() || token.size() > kMaxTokenBytes ||
      !std::all_of(token.begin(), token.end(), [](char c) { return c > ' ' && c < 0x7f; })) {
    return Error::InvalidArgument("access_token must be a non-empty token of printable characters");
  }
  return Ok();
}

// The WhatsApp Business Account id goes into a Graph URL path too; empty clears it.
Result<void> CheckWabaId(std::string_view id) {
  if (id.size() > kMaxAccountIdBytes ||
      !std::all_of(id.begin(), id.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return Error::InvalidArgument("waba_id must be the numeric id of the WhatsApp Business Account");
  }
  return Ok();
}

// A business account id only on a platform whose channels have one (WhatsApp's waba_id, where templates live).
Result<void> CheckWabaFor(const Platform& platform, std::string_view id) {
  const channels::PlatformPlugin* plugin = channels::FindPlatform(platform);
  if (!id.empty() &&
      (plugin == nullptr || plugin->Field(channels::ChannelField::Target::kBusinessAccountId) == nullptr)) {
    return Error::InvalidArgument("waba_id is for WhatsApp channels only");
  }
  return CheckWabaId(id);
}

// The registered platform named `name`; kInvalidArgument listing the platforms otherwise.
Result<const channels::PlatformPlugin*> FindPlugin(std::string_view name) {
  const channels::PlatformPlugin* plugin = channels::FindPlatform(name);
  if (plugin == nullptr) return Error::InvalidArgument("platform must be " + channels::PlatformNames());
  return plugin;
}

Result<void> CheckDisplayName(std::string_view name) {
  if (name.size() > kMaxDisplayNameBytes ||
      std::any_of(name.begin(), name.end(), [](char c) { return static_cast<unsigned char>(c) < ' '; })) {
    return Error::InvalidArgument("display_name must be at most 100 bytes, without control characters");
  }
  return Ok();
}

// A platform whose accounts connect with Meta's login.
Result<const channels::PlatformPlugin*> PathPlatform(const http::RouteContext& route) {
  const channels::PlatformPlugin* plugin = channels::FindPlatform(route.Param("platform").value_or(""));
  if (plugin == nullptr || !plugin->meta_login) {
    std::string names;
    for (const channels::PlatformPlugin* p : channels::Platforms()) {
      if (p->meta_login) names += (names.empty() ? "" : ", ") + std::string(p->name);
    }
    return Error::NotFound("no such platform connecting with Meta's login: " + names);
  }
  return plugin;
}

// The platform's settings a body gives (its kSetting fields and extra_settings), as given: nullopt when it gives
// none of them.
std::optional<json::object> SettingsIn(const channels::PlatformPlugin& plugin, const json::object& body) {
  json::object settings;
  auto take = [&](std::string_view key) {
    if (const json::value* value = body.if_contains(key)) settings[key] = *value;
  };
  for (const channels::ChannelField& field : plugin.fields) {
    if (field.target == channels::ChannelField::Target::kSetting) take(field.key);
  }
  for (std::string_view key : plugin.extra_settings) take(key);
  if (settings.empty()) return std::nullopt;
  return settings;
}

// Whether `key` is one of the platform's settings, which only its own channels take.
bool IsPlatformSetting(const channels::PlatformPlugin& plugin, std::string_view key) {
  for (const channels::ChannelField& field : plugin.fields) {
    if (field.target == channels::ChannelField::Target::kSetting && field.key == key) return true;
  }
  return std::find(plugin.extra_settings.begin(), plugin.extra_settings.end(), key) != plugin.extra_settings.end();
}

// The fields every channel's body may hold, and the platform's settings of `plugin` (any platform's when null: the
// platform is not known yet), else kInvalidArgument naming the field.
Result<void> OnlyChannelFields(const json::object& body, std::initializer_list<std::string_view> common,
                               const channels::PlatformPlugin* plugin) {
  for (const auto& [key, value] : body) {
    if (std::find(common.begin(), common.end(), std::string_view(key)) != common.end()) continue;
    bool known = false;
    for (const channels::PlatformPlugin* p : channels::Platforms()) {
      if ((plugin == nullptr || p == plugin) && IsPlatformSetting(*p, key)) known = true;
    }
    if (!known) return Error::InvalidArgument("unknown field " + std::string(key));
  }
  return Ok();
}

json::value OrNull(const std::string& text) { return text.empty() ? json::value(nullptr) : json::value(text); }

// A browser's navigation asks for HTML; a program calling the callback (or a test) gets JSON.
bool WantsPage(const http::Request& request) {
  return request[boost::beast::http::field::accept].find("text/html") != std::string_view::npos;
}

// How a person's file reaches the platform's customers, as the dashboard reads it.
std::string_view MediaRepliesName(channels::PlatformTraits::MediaReplies how) {
  switch (how) {
    case channels::PlatformTraits::MediaReplies::kUpload:
      return "upload";
    case channels::PlatformTraits::MediaReplies::kLink:
      return "link";
    case channels::PlatformTraits::MediaReplies::kServed:
      return "served";
    case channels::PlatformTraits::MediaReplies::kNone:
      break;
  }
  return "none";
}

}  // namespace

std::string TokenHint(std::string_view token) {
  constexpr size_t kShown = 4;
  constexpr size_t kShortest = 12;  // Below this, four characters would be too large a share of the secret.
  if (token.size() < kShortest) return "…";
  return "…" + std::string(token.substr(token.size() - kShown));
}

json::object PlatformJson(const channels::PlatformPlugin& plugin) {
  constexpr int64_t kHourMs = int64_t{3600} * 1000;
  const channels::PlatformTraits& traits = plugin.traits;
  const MessagingWindow& window = traits.window;
  json::array fields;
  for (const channels::ChannelField& f : plugin.fields) {
    fields.push_back(json::object{{"key", f.key},
                                  {"flag", f.flag},
                                  {"label", f.label},
                                  {"help", f.help},
                                  {"required", f.required},
                                  {"secret", f.secret},
                                  {"multiple", f.multiple}});
  }
  auto hours_or_null = [](int64_t ms, int64_t unit) { return ms == 0 ? json::value(nullptr) : json::value(ms / unit); };
  return json::object{
      {"name", plugin.name},
      {"display_name", plugin.display_name},
      {"webhook_path", plugin.webhook_path()},
      {"fields", std::move(fields)},
      {"connect_with_meta", plugin.meta_login.has_value()},
      {"traits", json::object{{"max_message_length", traits.text.max_length},
                              {"markup", traits.text.markup == Markup::kChatMarkers ? "chat_markers" : "plain"},
                              {"free_form_window_hours", hours_or_null(window.free_form_ms, kHourMs)},
                              {"human_agent_window_days", hours_or_null(window.human_agent_ms, 24 * kHourMs)},
                              {"templates", window.templates},
                              {"read_receipts", traits.read_receipts},
                              {"typing_indicator", traits.typing_indicator},
                              {"media", traits.media},
                              {"media_replies", MediaRepliesName(traits.media_replies)}}}};
}

json::object ChannelJson(const store::Channel& channel, std::string_view public_url) {
  json::object o{{"id", channel.id},
                 {"public_id", channel.public_id},
                 {"platform", ToString(channel.platform)},
                 {"account_id", channel.account_id},
                 {"display_name", OrNull(channel.display_name)},
                 {"enabled", channel.enabled},
                 {"access_token_hint", TokenHint(channel.access_token)}};
  if (const channels::PlatformPlugin* plugin = channels::FindPlatform(channel.platform)) {
    for (std::string_view field : plugin->profile_fields) {
      if (field == "display_phone_number") o[field] = OrNull(channel.profile.display_phone_number);
      if (field == "verified_name") o[field] = OrNull(channel.profile.verified_name);
      if (field == "username") o[field] = OrNull(channel.profile.username);
    }
    if (const auto* business = plugin->Field(channels::ChannelField::Target::kBusinessAccountId)) {
      o[business->key] = OrNull(channel.waba_id);
    }
    if (plugin->channel_details != nullptr) {
      for (auto& [key, detail] : plugin->channel_details(channel.public_id, channel.settings, public_url)) {
        o[key] = std::move(detail);
      }
    }
  }
  o["created_at"] = FormatTimestamp(channel.created_at_ms);
  o["updated_at"] = FormatTimestamp(channel.updated_at_ms);
  return o;
}

ChannelsApi::ChannelsApi(const Config& config, store::Store& store, BlockingPool& pool, const crypto::SecretBox& box,
                         http::Client& client, const channels::ChannelSet& channels)
    : store_(store),
      pool_(pool),
      default_plan_(config.default_plan),
      dashboard_url_(config.public_url),
      box_(box),
      channels_(channels),
      graph_(client, config.graph_api_base_url),
      app_{config.meta_client_id, config.meta_client_secret, config.meta_redirect_uri, config.meta_oauth_dialog_url} {}

Result<void> ChannelsApi::CheckChannelRoom(int64_t tenant_id) {
  auto plan = billing::PlanOf(store_.billing(), tenant_id, default_plan_);
  if (!plan) return plan.error();
  auto channels = store_.ListChannels(tenant_id);
  if (!channels) return channels.error();
  return billing::CheckChannelRoom(*plan, static_cast<int64_t>(channels->size()));
}

void ChannelsApi::RegisterRoutes(RouteTable& routes) {
  auto add = [&](Verb verb, const char* pattern, const Roles& roles, RouteDoc doc, Handler handler) {
    routes.Tenant(
        verb, pattern, roles, std::move(doc),
        [this, handler](const Principal& caller, const http::Request& request, const http::RouteContext& route) {
          return (this->*handler)(caller, request, route);
        });
  };
  add(Verb::get, "/api/platforms", kAnyRole,
      {.summary = "The platforms this server serves: each one's channel settings (the dashboard's forms) and traits",
       .tag = kTag,
       .response_schema = "PlatformList"},
      &ChannelsApi::ListPlatforms);
  add(Verb::get, "/api/social-accounts", kAnyRole,
      {.summary = "List the tenant's WhatsApp and Instagram channels (tokens never shown)",
       .tag = kTag,
       .response_schema = "ChannelList"},
      &ChannelsApi::List);
  add(Verb::post, "/api/social-accounts", kAdmins,
      {.summary = "Add a channel; the platform checks the token first",
       .tag = kTag,
       .body = BodyKind::kJson,
       .success_status = 201,
       .schema = "ChannelCreateRequest",
       .response_schema = "Channel",
       .errors = {409, 503}},
      &ChannelsApi::Add);
  add(Verb::get, "/api/social-accounts/{id}", kAnyRole,
      {.summary = "One channel", .tag = kTag, .response_schema = "Channel"}, &ChannelsApi::Get);
  for (Verb verb : {Verb::patch, Verb::put}) {
    add(verb, "/api/social-accounts/{id}", kAdmins,
        {.summary = "Change a channel's access_token (checked by the platform), display_name, enabled or waba_id",
         .tag = kTag,
         .body = BodyKind::kJson,
         .schema = "ChannelUpdateRequest",
         .response_schema = "Channel",
         .errors = {503}},
        &ChannelsApi::Update);
  }
  add(Verb::delete_, "/api/social-accounts/{id}", kAdmins,
      {.summary = "Remove a channel: it stops receiving and sending; its conversations are kept",
       .tag = kTag,
       .success_status = 204},
      &ChannelsApi::Remove);
  add(Verb::get, "/api/social-accounts/connect/{platform}", kAdmins,
      {.summary = "Start connecting accounts with Meta's login: the authorization URL to send the browser to",
       .tag = kTag,
       .response_schema = "ConnectStart",
       .errors = {503}},
      &ChannelsApi::Connect);
  routes.Public(
      Verb::get, "/api/social-accounts/connect/{platform}/callback",
      {.summary = "Meta's OAuth redirect: exchanges the code and saves the accounts it grants (the signed state "
                  "authenticates). A browser (Accept: text/html) gets 303 to PARLEY_PUBLIC_URL/channels?connect="
                  "ok|error&platform=…&saved=N&skipped=N&reason=…, the dashboard's page that shows the outcome; "
                  "other callers this JSON",
       .tag = kTag,
       .query = {{"code", R"({"type": "string"})", "The authorization code, when the person granted access."},
                 {"state", R"({"type": "string"})", "The signed state GET …/connect/{platform} issued.", true},
                 {"error", R"({"type": "string"})", "Set by Meta when the person declined."},
                 {"error_description", R"({"type": "string"})", "Meta's explanation of error."}},
       .response_schema = "ConnectResult",
       .errors = {403, 503}},
      [this](const http::Request& request, const http::RouteContext& route) { return Callback(request, route); });
}

boost::asio::awaitable<http::Response> ChannelsApi::ListPlatforms(const Principal&, const http::Request&,
                                                                  const http::RouteContext&) {
  json::array data;
  for (const channels::PlatformPlugin* plugin : channels::Platforms()) data.push_back(PlatformJson(*plugin));
  co_return http::JsonResponse(http::Status::ok, json::object{{"data", std::move(data)}});
}

boost::asio::awaitable<http::Response> ChannelsApi::List(const Principal& caller, const http::Request&,
                                                         const http::RouteContext&) {
  auto list = [this, tenant = caller.tenant_id] { return store_.ListChannels(tenant); };
  auto channels = co_await pool_.Run(list);
  if (!channels) co_return http::ErrorResponse(channels.error());
  json::array data;
  for (const auto& channel : *channels) data.push_back(ChannelJson(channel, dashboard_url_));
  json::object answer{{"data", std::move(data)}};
  co_return http::JsonResponse(http::Status::ok, answer);
}

boost::asio::awaitable<http::Response> ChannelsApi::Get(const Principal& caller, const http::Request&,
                                                        const http::RouteContext& route) {
  auto id = PathId(route);
  if (!id) co_return http::ErrorResponse(Error::NotFound("no such channel"));
  auto get = [this, tenant = caller.tenant_id, id = *id] { return store_.GetChannel(tenant, id); };
  auto channel = co_await pool_.Run(get);
  if (!channel) co_return http::ErrorResponse(channel.error());
  co_return http::JsonResponse(http::Status::ok, ChannelJson(*channel, dashboard_url_));
}

boost::asio::awaitable<http::Response> ChannelsApi::Add(const Principal& caller, const http::Request& request,
                                                        const http::RouteContext&) {
  auto body = http::ParseJsonObject(request);
  if (!body) co_return http::ErrorResponse(body.error());
  auto platform_name = OptionalString(*body, "platform");
  auto account_id = OptionalString(*body, "account_id");
  auto token = OptionalString(*body, "access_token");
  auto display_name = OptionalString(*body, "display_name");
  auto waba_id = OptionalString(*body, "waba_id");
  if (!platform_name) co_return http::ErrorResponse(platform_name.error());
  if (!account_id) co_return http::ErrorResponse(account_id.error());
  if (!token) co_return http::ErrorResponse(token.error());
  if (!display_name) co_return http::ErrorResponse(display_name.error());
  if (!waba_id) co_return http::ErrorResponse(waba_id.error());
  auto plugin = FindPlugin(platform_name->value_or(""));
  if (!plugin) co_return http::ErrorResponse(plugin.error());
  if (auto only =
          OnlyChannelFields(*body, {"platform", "account_id", "access_token", "display_name", "waba_id"}, *plugin);
      !only) {
    co_return http::ErrorResponse(only.error());
  }
  const Platform platform = (*plugin)->platform();
  std::string account = account_id->value_or("");
  std::string access_token = token->value_or("");
  std::string label = display_name->value_or("");
  // A platform without an account id field names the account from the token (Telegram's getMe).
  const bool token_names_account = (*plugin)->Field(channels::ChannelField::Target::kAccountId) == nullptr;
  const bool per_channel_webhook =
      (*plugin)->webhook.verification == channels::WebhookSpec::Verification::kChannelSecret;
  if (!token_names_account) {
    if (auto valid = CheckAccountId(account); !valid) co_return http::ErrorResponse(valid.error());
  }
  // A platform without a token (the web chat) is added without one.
  if ((*plugin)->Field(channels::ChannelField::Target::kAccessToken) != nullptr) {
    if (auto valid = CheckToken(access_token); !valid) co_return http::ErrorResponse(valid.error());
  } else if (!access_token.empty()) {
    co_return http::ErrorResponse(
        Error::InvalidArgument(std::string((*plugin)->display_name) + " channels have no access_token"));
  }
  if (auto valid = CheckDisplayName(label); !valid) co_return http::ErrorResponse(valid.error());
  if (const auto* name = (*plugin)->Field(channels::ChannelField::Target::kDisplayName);
      name != nullptr && name->required && label.empty()) {
    co_return http::ErrorResponse(Error::InvalidArgument("display_name is required: " + std::string(name->help)));
  }
  json::object settings;
  if ((*plugin)->check_settings != nullptr) {
    auto checked = (*plugin)->check_settings(SettingsIn(**plugin, *body).value_or(json::object()));
    if (!checked) co_return http::ErrorResponse(checked.error());
    settings = std::move(*checked);
  }
  std::string waba = waba_id->value_or("");
  if (auto valid = CheckWabaFor(platform, waba); !valid) co_return http::ErrorResponse(valid.error());
  if (per_channel_webhook && dashboard_url_.empty()) {
    co_return http::ErrorResponse(Error::InvalidArgument(
        "PARLEY_PUBLIC_URL is not set: " + std::string((*plugin)->display_name) + " could not reach this server"));
  }

  channels::Channel* live = channels_.Get(platform);
  auto checked = co_await live->CheckAccount(account, access_token);
  if (!checked) co_return http::ErrorResponse(checked.error());
  if (token_names_account) account = checked->account_id;
  store::NewChannel channel{caller.tenant_id, platform, account, access_token, label, *checked, waba, settings};
  auto save = [this, &channel]() -> Result<store::Channel> {
    auto room = CheckChannelRoom(channel.tenant_id);
    if (!room) return room.error();
    return store_.AddChannel(channel);
  };
  auto added = co_await pool_.Run(save);
  if (!added) co_return http::ErrorResponse(added.error());
  if (per_channel_webhook) {
    const channels::SendAccount send_account{added->account_id, added->access_token};
    auto registered = co_await live->RegisterWebhook(
        send_account, (*plugin)->ChannelWebhookUrl(dashboard_url_, added->public_id), added->public_id);
    if (!registered) {
      auto undo = [this, tenant = caller.tenant_id, id = added->id] { return store_.RemoveChannel(tenant, id); };
      if (auto undone = co_await pool_.Run(undo); !undone) {
        log::Warn("channel_add_not_undone", {{"channel_id", added->id}, {"detail", undone.error().detail}});
      }
      co_return http::ErrorResponse(registered.error());
    }
  }
  json::object details{{"platform", ToString(added->platform)}, {"account_id", added->account_id}};
  auto entry = AuditOf(caller, "channel.create", "channel", std::to_string(added->id), details);
  co_await RecordAudit(store_, pool_, std::move(entry));
  co_return http::JsonResponse(http::Status::created, ChannelJson(*added, dashboard_url_));
}

boost::asio::awaitable<http::Response> ChannelsApi::Update(const Principal& caller, const http::Request& request,
                                                           const http::RouteContext& route) {
  auto id = PathId(route);
  if (!id) co_return http::ErrorResponse(Error::NotFound("no such channel"));
  auto body = http::ParseJsonObject(request);
  if (!body) co_return http::ErrorResponse(body.error());
  if (auto only = OnlyChannelFields(*body, {"access_token", "display_name", "enabled", "waba_id"}, nullptr); !only) {
    co_return http::ErrorResponse(only.error());
  }
  auto token = OptionalString(*body, "access_token");
  auto display_name = OptionalString(*body, "display_name");
  auto waba_id = OptionalString(*body, "waba_id");
  if (!token) co_return http::ErrorResponse(token.error());
  if (!display_name) co_return http::ErrorResponse(display_name.error());
  if (!waba_id) co_return http::ErrorResponse(waba_id.error());
  store::ChannelUpdate update;
  json::array fields;
  if (*token) {
    if (auto valid = CheckToken(**token); !valid) co_return http::ErrorResponse(valid.error());
    update.access_token = **token;
    fields.push_back("access_token");
  }
  if (*display_name) {
    if (auto valid = CheckDisplayName(**display_name); !valid) co_return http::ErrorResponse(valid.error());
    update.display_name = **display_name;
    fields.push_back("display_name");
  }
  if (const auto* enabled = body->if_contains("enabled"); enabled != nullptr && !enabled->is_null()) {
    if (!enabled->is_bool()) co_return http::ErrorResponse(Error::InvalidArgument("enabled must be a boolean"));
    update.enabled = enabled->as_bool();
    fields.push_back("enabled");
  }
  if (*waba_id) {
    if (auto valid = CheckWabaId(**waba_id); !valid) co_return http::ErrorResponse(valid.error());
    update.waba_id = **waba_id;
    fields.push_back("waba_id");
  }
  const bool changes_settings = std::any_of(body->begin(), body->end(), [](const auto& entry) {
    return std::any_of(channels::Platforms().begin(), channels::Platforms().end(),
                       [&entry](const channels::PlatformPlugin* p) { return IsPlatformSetting(*p, entry.key()); });
  });
  if (fields.empty() && !changes_settings) {
    co_return http::ErrorResponse(Error::InvalidArgument(
        "nothing to change: access_token, display_name, enabled, waba_id or the platform's settings"));
  }

  const int64_t tenant = caller.tenant_id;
  const int64_t channel_id = *id;
  if (update.access_token || update.waba_id || changes_settings) {
    auto get = [this, tenant, channel_id] { return store_.GetChannel(tenant, channel_id); };
    auto current = co_await pool_.Run(get);
    if (!current) co_return http::ErrorResponse(current.error());
    if (changes_settings) {
      // The given settings over the stored ones, checked as a whole by the channel's platform.
      const channels::PlatformPlugin* plugin = channels::FindPlatform(current->platform);
      if (plugin == nullptr || plugin->check_settings == nullptr) {
        co_return http::ErrorResponse(Error::InvalidArgument("this channel's platform has no such settings"));
      }
      if (auto only = OnlyChannelFields(*body, {"access_token", "display_name", "enabled", "waba_id"}, plugin); !only) {
        co_return http::ErrorResponse(only.error());
      }
      json::object merged = current->settings;
      const std::optional<json::object> given = SettingsIn(*plugin, *body);
      for (const auto& [key, value] : *given) merged[key] = value;
      auto checked = plugin->check_settings(merged);
      if (!checked) co_return http::ErrorResponse(checked.error());
      update.settings = std::move(*checked);
      for (const auto& [key, value] : *body) {
        if (IsPlatformSetting(*plugin, key)) fields.push_back(json::string(key));
      }
    }
    if (update.waba_id) {
      if (auto valid = CheckWabaFor(current->platform, *update.waba_id); !valid) {
        co_return http::ErrorResponse(valid.error());
      }
    }
    if (update.access_token) {
      channels::Channel* channel = channels_.Get(current->platform);
      if (channel == nullptr) co_return http::ErrorResponse(Error::Conflict("the channel's platform is not served"));
      auto checked = co_await channel->CheckAccount(current->account_id, *update.access_token);
      if (!checked) co_return http::ErrorResponse(checked.error());
      update.profile = *checked;
      // A per-channel webhook's secret goes with the token: the platform is told the new one before it is saved.
      const channels::PlatformPlugin* plugin = channels::FindPlatform(current->platform);
      if (plugin->webhook.verification == channels::WebhookSpec::Verification::kChannelSecret) {
        const channels::SendAccount account{current->account_id, *update.access_token};
        auto registered = co_await channel->RegisterWebhook(
            account, plugin->ChannelWebhookUrl(dashboard_url_, current->public_id), current->public_id);
        if (!registered) co_return http::ErrorResponse(registered.error());
      }
    }
  }
  auto change = [this, tenant, channel_id, &update] { return store_.UpdateChannel(tenant, channel_id, update); };
  auto updated = co_await pool_.Run(change);
  if (!updated) co_return http::ErrorResponse(updated.error());
  json::object details{
      {"platform", ToString(updated->platform)}, {"account_id", updated->account_id}, {"fields", std::move(fields)}};
  if (update.enabled) details["enabled"] = *update.enabled;
  auto entry = AuditOf(caller, "channel.update", "channel", std::to_string(updated->id), details);
  co_await RecordAudit(store_, pool_, std::move(entry));
  co_return http::JsonResponse(http::Status::ok, ChannelJson(*updated, dashboard_url_));
}

boost::asio::awaitable<http::Response> ChannelsApi::Remove(const Principal& caller, const http::Request& request,
                                                           const http::RouteContext& route) {
  auto id = PathId(route);
  if (!id) co_return http::ErrorResponse(Error::NotFound("no such channel"));
  auto remove = [this, tenant = caller.tenant_id, id = *id] { return store_.RemoveChannel(tenant, id); };
  auto removed = co_await pool_.Run(remove);
  if (!removed) co_return http::ErrorResponse(removed.error());
  json::object details{{"platform", ToString(removed->platform)}, {"account_id", removed->account_id}};
  auto entry = AuditOf(caller, "channel.delete", "channel", std::to_string(removed->id), details);
  co_await RecordAudit(store_, pool_, std::move(entry));
  co_return http::Response(http::Status::no_content, request.version());
}

boost::asio::awaitable<http::Response> ChannelsApi::Connect(const Principal& caller, const http::Request&,
                                                            const http::RouteContext& route) {
  auto found = PathPlatform(route);
  if (!found) co_return http::ErrorResponse(found.error());
  const channels::PlatformPlugin& plugin = **found;
  const Platform platform = plugin.platform();
  if (!app_.configured()) {
    co_return http::ErrorResponse(Error::Unavailable(
        "connecting with Meta is not configured: set META_CLIENT_ID, META_CLIENT_SECRET and META_REDIRECT_URI"));
  }
  const int64_t now = NowMs();
  const store::OAuthFlow flow{.id = crypto::RandomToken(16),
                              .tenant_id = caller.tenant_id,
                              .platform = platform,
                              .user_id = caller.user_id,
                              .api_key_id = caller.api_key_id,
                              .created_at_ms = now,
                              .expires_at_ms = now + meta::kOAuthStateLifetimeMs};
  auto begin = [this, &flow, now] { return store_.oauth_flows().BeginFlow(flow, now); };
  if (auto begun = co_await pool_.Run(begin); !begun) co_return http::ErrorResponse(begun.error());
  const meta::OAuthState state{.tenant_id = flow.tenant_id,
                               .platform = platform,
                               .role = std::string(ToString(caller.role)),
                               .user_id = flow.user_id,
                               .api_key_id = flow.api_key_id,
                               .expires_at_ms = flow.expires_at_ms,
                               .flow = flow.id};
  const std::string sealed = meta::SealOAuthState(state, box_);
  json::object answer{{"platform", ToString(platform)},
                      {"authorization_url", meta::AuthorizationUrl(app_, platform, *plugin.meta_login, sealed)},
                      {"redirect_uri", app_.RedirectUri(platform)},
                      {"expires_at", FormatTimestamp(state.expires_at_ms)}};
  co_return http::JsonResponse(http::Status::ok, answer);
}

boost::asio::awaitable<http::Response> ChannelsApi::Callback(const http::Request& request,
                                                             const http::RouteContext& route) {
  auto answer = co_await CompleteConnect(route);
  if (!WantsPage(request)) {
    co_return answer ? http::JsonResponse(http::Status::ok, *answer) : http::ErrorResponse(answer.error());
  }
  // A person's browser, back from Meta's dialog: to the dashboard's Channels page, which tells the outcome.
  http::FormFields outcome{{"connect", answer ? "ok" : "error"},
                           {"platform", std::string(route.Param("platform").value_or(""))}};
  if (answer) {
    const auto& skipped = answer->at("skipped").as_array();
    outcome.emplace_back("saved", std::to_string(answer->at("data").as_array().size()));
    outcome.emplace_back("skipped", std::to_string(skipped.size()));
    if (!skipped.empty()) outcome.emplace_back("reason", std::string(skipped[0].at("error").as_string()));
  } else {
    log::Warn("oauth_connect_failed", {{"reason", answer.error().message}});
    outcome.emplace_back("reason", answer.error().message);
  }
  http::Response redirect(http::Status::see_other, request.version());
  redirect.set(boost::beast::http::field::location, dashboard_url_ + "/channels?" + http::FormEncode(outcome));
  redirect.set(boost::beast::http::field::cache_control, "no-store");
  redirect.prepare_payload();
  co_return redirect;
}

boost::asio::awaitable<Result<json::object>> ChannelsApi::CompleteConnect(const http::RouteContext& route) {
  auto found = PathPlatform(route);
  if (!found) co_return found.error();
  const channels::PlatformPlugin& plugin = **found;
  const Platform platform = plugin.platform();
  auto state = meta::OpenOAuthState(route.Query("state").value_or(""), box_, NowMs());
  if (!state) {
    log::Warn("oauth_state_refused", {{"platform", ToString(platform)}, {"reason", state.error().message}});
    co_return state.error();
  }
  if (state->platform != platform) {
    co_return Error::InvalidArgument("the state was issued for another platform");
  }
  // From here the flow is spent, whatever the outcome: a state that leaked (a log, a Referer) is worth nothing. The
  // store hands it to one callback only, whichever process the browser reached.
  auto take = [this, id = state->flow, now = NowMs()] { return store_.oauth_flows().TakeFlow(id, now); };
  auto flow = co_await pool_.Run(take);
  if (!flow) {
    log::Warn("oauth_state_refused", {{"platform", ToString(platform)}, {"reason", flow.error().message}});
    if (flow.error().code != ErrorCode::kNotFound) co_return flow.error();
    co_return Error::InvalidArgument("this connection was already completed or is unknown; connect the account again");
  }
  if (auto declined = route.Query("error")) {
    std::string why(route.Query("error_description").value_or(*declined));
    co_return Error::InvalidArgument("the authorization was not granted: " + why);
  }
  std::string code(route.Query("code").value_or(""));
  if (code.empty()) co_return Error::InvalidArgument("the code parameter is missing");
  if (!app_.configured()) {
    co_return Error::Unavailable("connecting with Meta is not configured");
  }

  // Whoever started the flow acts with the role they hold now: a user demoted or removed meanwhile, or a key
  // revoked, cannot finish it.
  auto current = co_await CurrentCaller(*flow);
  if (!current) {
    log::Warn("oauth_state_refused", {{"platform", ToString(platform)}, {"reason", current.error().message}});
    co_return current.error();
  }
  const Principal caller = *current;

  auto user_token = co_await graph_.ExchangeCode(app_, platform, code);
  if (!user_token) co_return user_token.error();
  auto accounts = co_await graph_.Discover(app_, plugin.meta_login->discovery, *user_token);
  if (!accounts) co_return accounts.error();
  if (accounts->empty()) {
    co_return Error::InvalidArgument("the login gave access to no " + std::string(plugin.display_name) + " account");
  }

  json::array saved;
  json::array skipped;
  for (const meta::DiscoveredAccount& account : *accounts) {
    auto checked = co_await channels_.Get(platform)->CheckAccount(account.info.id, account.access_token);
    Result<store::Channel> channel = store::Channel{};
    if (checked) {
      channel = co_await SaveConnected(caller, platform, account, *checked);
    } else {
      channel = checked.error();
    }
    if (!channel) {
      json::object reason{{"account_id", account.info.id}, {"error", channel.error().message}};
      skipped.push_back(std::move(reason));
      continue;
    }
    saved.push_back(ChannelJson(*channel, dashboard_url_));
  }
  log::Info("channels_connected", {{"platform", ToString(platform)},
                                   {"tenant_id", caller.tenant_id},
                                   {"saved", static_cast<int64_t>(saved.size())},
                                   {"skipped", static_cast<int64_t>(skipped.size())}});
  co_return json::object{{"platform", ToString(platform)}, {"data", std::move(saved)}, {"skipped", std::move(skipped)}};
}

boost::asio::awaitable<Result<Principal>> ChannelsApi::CurrentCaller(const store::OAuthFlow& flow) {
  auto find = [this, &flow]() -> Result<Principal> {
    Principal caller;
    caller.tenant_id = flow.tenant_id;
    std::string role;
    if (flow.user_id) {
      auto user = store_.access().GetUser(flow.tenant_id, *flow.user_id);
      if (!user && user.error().code == ErrorCode::kNotFound) {
        return Error{ErrorCode::kPermissionDenied, "the user who started connecting no longer has access", {}};
      }
      if (!user) return user.error();
      role = user->role;
      caller.user_id = user->id;
    } else if (flow.api_key_id) {
      auto key = store_.access().GetApiKey(flow.tenant_id, *flow.api_key_id);
      if (!key && key.error().code == ErrorCode::kNotFound) {
        return Error{ErrorCode::kPermissionDenied, "the API key that started connecting was revoked", {}};
      }
      if (!key) return key.error();
      role = key->role;
      caller.api_key_id = key->id;
    }
    auto parsed = ParseRole(role);
    if (!parsed || !AtLeast(*parsed, Role::kAdmin)) {
      return Error{
          ErrorCode::kPermissionDenied, "the role of whoever started connecting may no longer connect channels", {}};
    }
    caller.role = *parsed;
    return caller;
  };
  co_return co_await pool_.Run(find);
}

boost::asio::awaitable<Result<store::Channel>> ChannelsApi::SaveConnected(const Principal& caller, Platform platform,
                                                                          const meta::DiscoveredAccount& account,
                                                                          const AccountProfile& checked) {
  store::NewChannel fresh{caller.tenant_id, platform, account.info.id, account.access_token, {}, checked};
  fresh.waba_id = account.waba_id;
  store::ChannelUpdate renewal;
  renewal.access_token = account.access_token;
  renewal.profile = fresh.profile;
  if (!account.waba_id.empty()) renewal.waba_id = account.waba_id;
  // Connecting an account the tenant already has renews its token instead of failing.
  auto save = [this, &fresh, &renewal]() -> Result<std::pair<store::Channel, bool>> {
    auto channels = store_.ListChannels(fresh.tenant_id);
    if (!channels) return channels.error();
    for (const store::Channel& existing : *channels) {
      if (existing.platform == fresh.platform && existing.account_id == fresh.account_id) {
        auto updated = store_.UpdateChannel(fresh.tenant_id, existing.id, renewal);
        if (!updated) return updated.error();
        return std::pair{std::move(*updated), false};
      }
    }
    auto room = CheckChannelRoom(fresh.tenant_id);
    if (!room) return room.error();
    auto added = store_.AddChannel(fresh);
    if (!added) return added.error();
    return std::pair{std::move(*added), true};
  };
  auto saved = co_await pool_.Run(save);
  if (!saved) co_return saved.error();
  const auto& [channel, created] = *saved;
  json::object details{
      {"platform", ToString(platform)}, {"account_id", channel.account_id}, {"via", "oauth"}, {"created", created}};
  auto entry = AuditOf(caller, "channel.connect", "channel", std::to_string(channel.id), details);
  co_await RecordAudit(store_, pool_, std::move(entry));
  co_return channel;
}

}  // namespace parley::api
