#include "api/conversations_api.h"

#include "agent/message_text.h"
#include "api/api.h"
#include "api/auth.h"
#include "api/media_api.h"
#include "api/openapi_schemas.h"
#include "api/params.h"
#include "api/reply_file.h"
#include "channels/registry.h"
#include "core/decision.h"
#include "core/time.h"
#include "store/media_records.h"

#include <boost/json/parse.hpp>

#include <algorithm>
#include <charconv>

namespace parley::api {
namespace {

using Verb = http::Verb;

// Adds the inbox's fields (SummaryJson) to a conversation's JSON; a conversation gone between the conversation's read
// and its summary's (nullptr) gets an empty summary.
void AddSummary(boost::json::object& conversation, const store::ConversationSummary* summary) {
  for (auto& [key, value] : SummaryJson(summary ? *summary : store::ConversationSummary{})) conversation[key] = value;
}

Result<std::optional<int64_t>> QueryInt(const http::RouteContext& route, std::string_view name) {
  auto raw = route.Query(name);
  if (!raw || raw->empty()) return std::optional<int64_t>();
  int64_t value = 0;
  auto [end, ec] = std::from_chars(raw->data(), raw->data() + raw->size(), value);
  if (ec != std::errc() || end != raw->data() + raw->size() || value < 0) {
    return Error::InvalidArgument(std::string(name) + " must be a non-negative integer");
  }
  return std::optional<int64_t>(value);
}

Result<std::optional<std::string>> QueryOneOf(const http::RouteContext& route, std::string_view name,
                                              std::initializer_list<std::string_view> allowed) {
  auto raw = route.Query(name);
  if (!raw || raw->empty()) return std::optional<std::string>();
  for (auto value : allowed) {
    if (*raw == value) return std::optional<std::string>(std::string(value));
  }
  std::string list;
  for (auto value : allowed) list += (list.empty() ? "" : ", ") + std::string(value);
  return Error::InvalidArgument(std::string(name) + " must be one of: " + list);
}

Result<std::optional<int64_t>> QueryTime(const http::RouteContext& route, std::string_view name) {
  auto raw = route.Query(name);
  if (!raw || raw->empty()) return std::optional<int64_t>();
  auto parsed = ParseTimestamp(*raw);
  if (!parsed) {
    return Error::InvalidArgument(std::string(name) +
                                  " must be a date (2026-11-22) or a UTC time (2026-11-22T08:00:00Z)");
  }
  return parsed;
}

// Refused before anything is queued: the platform would refuse it after, and the person would learn it late.
// `what` names the text ("messages", "captions") and `this_one` the one refused ("this reply", "this caption").
Result<void> FitsPlatform(const std::string& text, const Platform& platform, size_t limit, std::string_view what,
                          std::string_view this_one) {
  if (const size_t length = agent::CodePoints(text); length > limit) {
    return Error::InvalidArgument(std::string(what) + " on " + std::string(ToString(platform)) + " are at most " +
                                  std::to_string(limit) + " characters; " + std::string(this_one) + " has " +
                                  std::to_string(length));
  }
  return Ok();
}

// Whether a person's file can reach a customer on the platform (PlatformTraits::media_replies).
Result<void> TakesFiles(const Platform& platform, const channels::PlatformTraits& traits, const Config& config) {
  using MediaReplies = channels::PlatformTraits::MediaReplies;
  const channels::PlatformPlugin* plugin = channels::FindPlatform(platform);
  const std::string name = plugin != nullptr ? std::string(plugin->display_name) : std::string(ToString(platform));
  if (traits.media_replies == MediaReplies::kNone) {
    return Error::InvalidArgument(name + " conversations take no files from people yet; send text");
  }
  if (traits.media_replies == MediaReplies::kLink && config.public_url.empty()) {
    return Error::InvalidArgument(name +
                                  " fetches files from Parley by link: set PARLEY_PUBLIC_URL to the address "
                                  "at which " +
                                  name + " can reach this server");
  }
  return Ok();
}

// Captions are at most the platform's text length and WhatsApp's and Telegram's caption limit.
constexpr size_t kMaxCaption = 1024;

}  // namespace

Result<store::ConversationFilter> ParseConversationFilter(const http::RouteContext& route, const Principal& caller) {
  store::ConversationFilter filter;
  auto channel = QueryInt(route, "channel_id");
  if (!channel) return channel.error();
  filter.channel_id = *channel;
  auto status = QueryOneOf(route, "status", {"open", "closed"});
  if (!status) return status.error();
  filter.status = *status;
  auto mode = QueryOneOf(route, "mode", {"bot", "human"});
  if (!mode) return mode.error();
  filter.mode = *mode;
  if (auto assignee = route.Query("assignee"); assignee && (*assignee == "none" || *assignee == "unassigned")) {
    filter.assignee_user_id = 0;
  } else if (assignee && *assignee == "me") {
    if (!caller.user_id) return Error::InvalidArgument("assignee=me needs a person's session, not an API key");
    filter.assignee_user_id = *caller.user_id;
  } else {
    auto id = QueryInt(route, "assignee");
    if (!id) return Error::InvalidArgument("assignee must be a user id, \"me\", \"unassigned\" or \"none\"");
    filter.assignee_user_id = *id;
  }
  if (auto raw = route.Query("platform"); raw && !raw->empty()) {
    if (channels::FindPlatform(*raw) == nullptr) {
      return Error::InvalidArgument("platform must be " + channels::PlatformNames());
    }
    filter.platform = Platform(*raw);
  }
  auto waiting = QueryOneOf(route, "waiting", {"true", "false"});
  if (!waiting) return waiting.error();
  if (*waiting) filter.waiting = **waiting == "true";
  auto since = QueryTime(route, "since");
  if (!since) return since.error();
  filter.active_since_ms = *since;
  auto until = QueryTime(route, "until");
  if (!until) return until.error();
  filter.active_before_ms = *until;
  if (auto q = route.Query("q"); q && !q->empty()) {
    if (q->size() > 200) return Error::InvalidArgument("q must be at most 200 bytes");
    filter.text = std::string(*q);
  }
  return filter;
}

boost::json::object SupportItemJson(const store::SupportItem& item) {
  // A draft that no longer parses (written by hand, or by an older version) is shown as none rather than failing
  // the whole queue.
  boost::json::value draft = nullptr;
  if (item.draft) {
    boost::system::error_code error;
    boost::json::value parsed = boost::json::parse(*item.draft, error);
    if (!error && parsed.is_object()) draft = std::move(parsed);
  }
  return {{"id", item.id},
          {"conversation_id", item.conversation_id},
          {"reason", item.reason},
          {"priority", ToString(item.priority)},
          {"draft", std::move(draft)},
          {"status", item.status},
          {"resolved_by", OrNull(item.resolved_by)},
          {"created_at", FormatTimestamp(item.created_at_ms)},
          {"resolved_at", item.resolved_at_ms ? boost::json::value(FormatTimestamp(*item.resolved_at_ms))
                                              : boost::json::value(nullptr)}};
}

boost::json::object SupportItemSchema() {
  boost::json::array reasons;
  for (Reason reason : kAllReasons) reasons.emplace_back(ToString(reason));
  boost::json::object nullable_string{{"type", boost::json::array{"string", "null"}}};
  boost::json::object source{{"type", "object"},
                             {"properties",
                              {{"document_id", {{"type", "integer"}}},
                               {"name", {{"type", "string"}}},
                               {"chunk_id", {{"type", "integer"}}},
                               {"text", {{"type", "string"}}},
                               {"score", {{"type", "number"}}}}}};
  boost::json::object draft{
      {"type", boost::json::array{"object", "null"}},
      {"description", "A reply the agent proposes, to send or edit; null when it had nothing worth proposing."},
      {"properties", {{"text", {{"type", "string"}}}, {"sources", {{"type", "array"}, {"items", std::move(source)}}}}}};
  return {{"type", "object"},
          {"required", boost::json::array{"id", "conversation_id", "reason", "priority", "draft", "status"}},
          {"properties",
           {{"id", {{"type", "integer"}}},
            {"conversation_id", {{"type", "integer"}}},
            {"reason", {{"type", "string"}, {"enum", std::move(reasons)}}},
            {"priority", {{"type", "string"}, {"enum", boost::json::array{"urgent", "high", "normal"}}}},
            {"draft", std::move(draft)},
            {"status", {{"type", "string"}, {"enum", boost::json::array{"open", "resolved"}}}},
            {"resolved_by", nullable_string},
            {"created_at", {{"type", "string"}, {"format", "date-time"}}},
            {"resolved_at", {{"type", boost::json::array{"string", "null"}}, {"format", "date-time"}}}}}};
}

void ConversationsApi::RegisterRoutes(RouteTable& routes) {
  inbox_.RegisterRoutes(routes);
  auto add = [&](Verb verb, const char* pattern, RouteDoc doc, Handler handler) {
    routes.Tenant(
        verb, pattern, kAnyRole, std::move(doc),
        [this, handler](const Principal& caller, const http::Request& request, const http::RouteContext& route) {
          return (this->*handler)(caller, request, route);
        });
  };
  add(Verb::get, "/api/conversations",
      {.summary = "List conversations, newest activity first, with filters",
       .tag = "conversations",
       .query =
           {{"channel_id", R"({"type": "integer", "minimum": 0})", "Only this channel's."},
            {"status", R"({"$ref": "#/components/schemas/ConversationStatus"})", "Only open or closed ones."},
            {"mode", R"({"$ref": "#/components/schemas/ConversationMode"})", "Only those the bot or people hold."},
            {"assignee",
             R"({"oneOf": [{"type": "integer", "minimum": 0}, {"type": "string", "enum": ["me", "unassigned", "none"]}]})",
             "Only those assigned to this user id, to the caller (me), or to nobody (unassigned, none)."},
            {"since", R"({"type": "string", "examples": ["2026-11-22", "2026-11-22T08:00:00Z"]})",
             "Active at or after this time: a date (2026-11-22) or a UTC time (2026-11-22T08:00:00Z)."},
            {"until", R"({"type": "string", "examples": ["2026-11-22", "2026-11-22T08:00:00Z"]})",
             "Active before this time: a date or a UTC time."},
            {"q", R"({"type": "string", "maxLength": 200})", "Text in the contact's name, id or messages."},
            {"platform", R"({"$ref": "#/components/schemas/Platform"})", "Only this platform's."},
            {"waiting", R"({"type": "string", "enum": ["true", "false"]})",
             "true: only those waiting on a person (open, human mode, the customer spoke last)."},
            CursorParam(),
            LimitParam()},
       .response_schema = "ConversationPage"},
      &ConversationsApi::List);
  add(Verb::get, "/api/conversations/{id}",
      {.summary = "A conversation, with its unread count and last message as the list shows them",
       .tag = "conversations",
       .response_schema = "ConversationSummary"},
      &ConversationsApi::Get);
  add(Verb::get, "/api/conversations/{id}/messages",
      {.summary = "A conversation's messages: oldest first by default; newest first with ?before=latest, which is "
                  "how a long thread opens on its latest messages",
       .tag = "conversations",
       .query = {{"before", R"({"type": "string", "minLength": 1, "examples": ["latest"]})",
                  "Newest first: `latest` for the newest messages, then the next_cursor of the page before to page "
                  "further back (not with cursor)."},
                 CursorParam(),
                 LimitParam()},
       .response_schema = "MessagePage"},
      &ConversationsApi::Messages);
  add(Verb::post, "/api/conversations/{id}/messages",
      {.summary = "Reply as a person, with text, (WhatsApp, past 24 hours) an approved template, or a multipart "
                  "file with its caption; the bot stays silent while people handle the conversation",
       .tag = "conversations",
       .body = BodyKind::kMultipart,
       .success_status = 202,
       .schema = "ReplyRequest",
       .form_schema = "ReplyFileUpload",
       .response_schema = "QueuedReply",
       .errors = {409, 415, 503}},
      &ConversationsApi::Reply);
  add(Verb::post, "/api/conversations/{id}/assign",
      {.summary = "Put a user in charge ({\"user_id\": null} to unassign); agents may only take or drop it themselves",
       .tag = "conversations",
       .body = BodyKind::kJson,
       .schema = "AssignRequest",
       .response_schema = "Conversation"},
      &ConversationsApi::Assign);
  add(Verb::put, "/api/conversations/{id}/mode",
      {.summary = "Hand a conversation to people (human) or back to the bot",
       .tag = "conversations",
       .body = BodyKind::kJson,
       .schema = "ModeRequest",
       .response_schema = "Conversation"},
      &ConversationsApi::SetMode);
  add(Verb::post, "/api/conversations/{id}/close",
      {.summary = "Close: nothing stays pending; the contact's next message opens a new conversation",
       .tag = "conversations",
       .response_schema = "Conversation"},
      &ConversationsApi::Close);
  add(Verb::get, "/api/conversations/{id}/traces",
      {.summary = "The agent's decisions for a conversation, oldest first",
       .tag = "conversations",
       .response_schema = "TraceList"},
      &ConversationsApi::Traces);
  add(Verb::get, "/api/support",
      {.summary = "Escalated conversations waiting for a person, with the reply the agent proposes",
       .tag = "support",
       .query = {{"status", R"({"type": "string", "enum": ["open", "resolved"]})", "Only open or resolved ones."},
                 {"priority", R"({"$ref": "#/components/schemas/Priority"})", "Only this priority."},
                 CursorParam(),
                 LimitParam()},
       .response_schema = "SupportItemPage"},
      &ConversationsApi::ListSupport);
  add(Verb::post, "/api/support/{id}/resolve",
      {.summary = "Resolve an escalation ({\"hand_back\": true} also returns the conversation to the bot)",
       .tag = "support",
       .body = BodyKind::kJson,
       .schema = "ResolveRequest",
       .response_schema = "SupportItem",
       .errors = {409}},
      &ConversationsApi::Resolve);
}

boost::asio::awaitable<http::Response> ConversationsApi::List(const Principal& caller, const http::Request&,
                                                              const http::RouteContext& route) {
  auto limit = PageLimit(route);
  if (!limit) co_return http::ErrorResponse(limit.error());
  auto filter = ParseConversationFilter(route, caller);
  if (!filter) co_return http::ErrorResponse(filter.error());
  struct Listed {
    store::Page<store::Conversation> page;
    std::vector<store::ConversationSummary> summaries;
  };
  // Both reads in one trip to the pool.
  auto list = [this, tenant = caller.tenant_id, &filter, cursor = PageCursor(route),
               limit = *limit]() -> Result<Listed> {
    auto page = store_.ListConversations(tenant, *filter, cursor, limit);
    if (!page) return page.error();
    std::vector<int64_t> ids;
    for (const auto& conversation : page->data) ids.push_back(conversation.id);
    auto summaries = store_.inbox().Summaries(tenant, ids);
    if (!summaries) return summaries.error();
    return Listed{std::move(*page), std::move(*summaries)};
  };
  auto listed = co_await pool_.Run(list);
  if (!listed) co_return http::ErrorResponse(listed.error());
  boost::json::object body = PageJson(listed->page, ConversationJson);
  // Both lists are in page order; a conversation gone between the two reads keeps no summary.
  const std::vector<store::ConversationSummary>& summaries = listed->summaries;
  size_t next = 0;
  for (auto& item : body["data"].as_array()) {
    auto& object = item.as_object();
    const store::ConversationSummary* summary = nullptr;
    if (next < summaries.size() && summaries[next].conversation_id == object["id"].as_int64()) {
      summary = &summaries[next++];
    }
    AddSummary(object, summary);
  }
  co_return http::JsonResponse(http::Status::ok, body);
}

boost::asio::awaitable<http::Response> ConversationsApi::Get(const Principal& caller, const http::Request&,
                                                             const http::RouteContext& route) {
  auto id = PathId(route);
  if (!id) co_return http::ErrorResponse(Error::NotFound("no such conversation"));
  // Both reads in one trip to the pool.
  auto get = [this, tenant = caller.tenant_id, id = *id]() -> Result<boost::json::object> {
    auto conversation = store_.GetConversation(tenant, id);
    if (!conversation) return conversation.error();
    auto summaries = store_.inbox().Summaries(tenant, {id});
    if (!summaries) return summaries.error();
    boost::json::object body = ConversationJson(*conversation);
    AddSummary(body, summaries->empty() ? nullptr : &summaries->front());  // Like a list item.
    return body;
  };
  auto body = co_await pool_.Run(get);
  if (!body) co_return http::ErrorResponse(body.error());
  co_return http::JsonResponse(http::Status::ok, *body);
}

boost::asio::awaitable<http::Response> ConversationsApi::Messages(const Principal& caller, const http::Request&,
                                                                  const http::RouteContext& route) {
  auto id = PathId(route);
  if (!id) co_return http::ErrorResponse(Error::NotFound("no such conversation"));
  auto limit = PageLimit(route);
  if (!limit) co_return http::ErrorResponse(limit.error());
  std::optional<std::string> before;
  if (auto raw = route.Query("before"); raw && !raw->empty()) before = std::string(*raw);
  if (before && PageCursor(route))
    co_return http::ErrorResponse(Error::InvalidArgument("before and cursor exclude each other"));
  // The page and its messages' media records in one trip to the pool.
  struct Listed {
    store::Page<store::StoredMessage> page;
    std::vector<store::MediaRecord> media;
  };
  auto list = [this, tenant = caller.tenant_id, id = *id, cursor = PageCursor(route), before,
               limit = *limit]() -> Result<Listed> {
    auto page = before ? store_.ListMessagesNewestFirst(tenant, id, *before == "latest" ? std::nullopt : before, limit)
                       : store_.ListMessages(tenant, id, cursor, limit);
    if (!page) return page.error();
    std::vector<int64_t> with_media;
    for (const auto& m : page->data) {
      if (m.details.contains("media")) with_media.push_back(m.id);
    }
    auto media = store_.media().ForMessages(tenant, with_media);
    if (!media) return media.error();
    return Listed{std::move(*page), std::move(*media)};
  };
  auto listed = co_await pool_.Run(list);
  if (!listed) co_return http::ErrorResponse(listed.error());
  boost::json::object body = PageJson(listed->page, MessageJson);
  AttachMedia(body["data"].as_array(), listed->media, {media_signer_, config_.public_url, clock_.NowMs() / 1000});
  co_return http::JsonResponse(http::Status::ok, body);
}

boost::asio::awaitable<http::Response> ConversationsApi::Reply(const Principal& caller, const http::Request& request,
                                                               const http::RouteContext& route) {
  auto id = PathId(route);
  if (!id) co_return http::ErrorResponse(Error::NotFound("no such conversation"));
  if (request[boost::beast::http::field::content_type].starts_with("multipart/")) {
    co_return co_await ReplyWithFile(caller, request, route, *id);
  }
  auto body = http::ParseJsonObject(request);
  if (!body) co_return http::ErrorResponse(body.error());
  if (body->contains("template")) co_return co_await templates_.Reply(caller, *id, *body);
  const auto* text = body->if_contains("text");
  if (text == nullptr || !text->is_string() || text->as_string().empty()) {
    co_return http::ErrorResponse(Error::InvalidArgument("text must be a non-empty string"));
  }
  std::string reply(text->as_string());
  auto get = [this, tenant = caller.tenant_id, id = *id] { return store_.GetConversation(tenant, id); };
  auto conversation = co_await pool_.Run(get);
  if (!conversation) co_return http::ErrorResponse(conversation.error());
  const channels::PlatformTraits& traits = channels::TraitsOf(conversation->platform);
  if (auto fits = FitsPlatform(reply, conversation->platform, traits.text.max_length, "messages", "this reply");
      !fits) {
    co_return http::ErrorResponse(fits.error());
  }
  int64_t idle_ms = config_.human_idle_minutes * 60 * 1000;
  auto queue = [this, tenant = caller.tenant_id, id = *id, &reply, actor = caller.Actor(), idle_ms, &traits] {
    return store_.QueuePersonReply(tenant, id, reply, actor, idle_ms, NowMs(), traits.window);
  };
  auto queued = co_await pool_.Run(queue);
  if (!queued) co_return http::ErrorResponse(queued.error());
  deliver_(queued->conversation_id);
  co_return http::JsonResponse(http::Status::accepted, QueuedReplyJson(*queued, caller.Actor()));
}

boost::asio::awaitable<http::Response> ConversationsApi::ReplyWithFile(const Principal& caller,
                                                                       const http::Request& request,
                                                                       const http::RouteContext& route,
                                                                       int64_t conversation_id) {
  auto upload = ReadReplyUpload(request, route);
  if (!upload) co_return http::ErrorResponse(upload.error());
  auto file = AdmitReplyFile(*upload);
  if (!file) co_return http::ErrorResponse(file.error());
  auto get = [this, tenant = caller.tenant_id, conversation_id] {
    return store_.GetConversation(tenant, conversation_id);
  };
  auto conversation = co_await pool_.Run(get);
  if (!conversation) co_return http::ErrorResponse(conversation.error());
  const channels::PlatformTraits& traits = channels::TraitsOf(conversation->platform);
  if (auto takes = TakesFiles(conversation->platform, traits, config_); !takes) {
    co_return http::ErrorResponse(takes.error());
  }
  const size_t limit = std::min<size_t>(traits.text.max_length, kMaxCaption);
  if (auto fits = FitsPlatform(upload->caption, conversation->platform, limit, "captions", "this caption"); !fits) {
    co_return http::ErrorResponse(fits.error());
  }
  const int64_t idle_ms = config_.human_idle_minutes * 60 * 1000;
  // Kept, then queued: a reply the store refuses (the conversation closed meanwhile) leaves a file nothing names,
  // which the retention sweep removes (docs/media.md, "Deletion").
  auto keep_and_queue = [this, tenant = caller.tenant_id, conversation_id, &upload, &file, actor = caller.Actor(),
                         idle_ms, &traits]() -> Result<store::OutboundMessage> {
    const imaging::ImageOptions image{.max_pixels = config_.media_max_pixels};
    if (auto kept = KeepReplyFile(tenant, *upload, media_files_, image, *file); !kept) return kept.error();
    return store_.QueuePersonReply(tenant, conversation_id, upload->caption, actor, idle_ms, NowMs(), traits.window,
                                   std::nullopt, *file);
  };
  auto queued = co_await pool_.Run(keep_and_queue);
  if (!queued) co_return http::ErrorResponse(queued.error());
  if (!queued->draft.file) co_return http::ErrorResponse(Error::Internal("the queued reply lost its file"));
  const store::OutboundFile& sent = *queued->draft.file;
  store::MediaRecord record;
  record.tenant_id = caller.tenant_id;
  record.public_id = sent.public_id;
  record.type = sent.type;
  record.status = store::MediaStatus::kReady;
  record.mime_type = sent.mime_type;
  record.bytes = sent.bytes;
  record.file_key = sent.file_key;
  record.thumbnail_key = file->thumbnail_key;
  boost::json::object answer = QueuedReplyJson(*queued, caller.Actor());
  answer["media"] =
      MediaJson(&record, store::PersonFileJson(sent), {media_signer_, config_.public_url, clock_.NowMs() / 1000});
  deliver_(conversation_id);
  co_return http::JsonResponse(http::Status::accepted, answer);
}

boost::asio::awaitable<http::Response> ConversationsApi::Assign(const Principal& caller, const http::Request& request,
                                                                const http::RouteContext& route) {
  auto id = PathId(route);
  if (!id) co_return http::ErrorResponse(Error::NotFound("no such conversation"));
  auto body = http::ParseJsonObject(request);
  if (!body) co_return http::ErrorResponse(body.error());
  const auto* user = body->if_contains("user_id");
  if (user == nullptr || !(user->is_null() || user->is_int64())) {
    co_return http::ErrorResponse(Error::InvalidArgument("user_id must be a user id or null"));
  }
  std::optional<int64_t> assignee;
  if (user->is_int64()) assignee = user->as_int64();
  if (caller.role == Role::kAgent) {
    if (!caller.user_id) {
      co_return http::ErrorResponse({ErrorCode::kPermissionDenied, "an agent key cannot assign conversations", {}});
    }
    if (assignee && *assignee != *caller.user_id) {
      co_return http::ErrorResponse(
          {ErrorCode::kPermissionDenied, "an agent may only assign conversations to themselves", {}});
    }
  }
  auto assign = [this, tenant = caller.tenant_id, id = *id, assignee] {
    return store_.AssignConversation(tenant, id, assignee);
  };
  auto conversation = co_await pool_.Run(assign);
  if (!conversation) co_return http::ErrorResponse(conversation.error());
  auto audit =
      AuditOf(caller, "conversation.assign", "conversation", std::to_string(*id), {{"user_id", OrNull(assignee)}});
  co_await RecordAudit(store_, pool_, audit);
  co_return http::JsonResponse(http::Status::ok, ConversationJson(*conversation));
}

boost::asio::awaitable<http::Response> ConversationsApi::SetMode(const Principal& caller, const http::Request& request,
                                                                 const http::RouteContext& route) {
  auto id = PathId(route);
  if (!id) co_return http::ErrorResponse(Error::NotFound("no such conversation"));
  auto body = http::ParseJsonObject(request);
  if (!body) co_return http::ErrorResponse(body.error());
  auto* mode = body->if_contains("mode");
  if (mode == nullptr || !mode->is_string()) {
    co_return http::ErrorResponse(Error::InvalidArgument("mode must be \"bot\" or \"human\""));
  }
  std::string wanted(mode->as_string());
  int64_t idle_ms = config_.human_idle_minutes * 60 * 1000;
  auto set = [this, tenant = caller.tenant_id, id = *id, wanted, idle_ms] {
    return store_.SetConversationMode(tenant, id, wanted, "manual", idle_ms, NowMs());
  };
  auto conversation = co_await pool_.Run(set);
  if (!conversation) co_return http::ErrorResponse(conversation.error());
  auto audit = AuditOf(caller, "conversation.mode", "conversation", std::to_string(*id), {{"mode", wanted}});
  co_await RecordAudit(store_, pool_, audit);
  co_return http::JsonResponse(http::Status::ok, ConversationJson(*conversation));
}

boost::asio::awaitable<http::Response> ConversationsApi::Close(const Principal& caller, const http::Request&,
                                                               const http::RouteContext& route) {
  auto id = PathId(route);
  if (!id) co_return http::ErrorResponse(Error::NotFound("no such conversation"));
  auto close = [this, tenant = caller.tenant_id, id = *id] { return store_.CloseConversation(tenant, id, NowMs()); };
  auto conversation = co_await pool_.Run(close);
  if (!conversation) co_return http::ErrorResponse(conversation.error());
  auto audit = AuditOf(caller, "conversation.close", "conversation", std::to_string(*id));
  co_await RecordAudit(store_, pool_, audit);
  co_return http::JsonResponse(http::Status::ok, ConversationJson(*conversation));
}

boost::asio::awaitable<http::Response> ConversationsApi::Traces(const Principal& caller, const http::Request&,
                                                                const http::RouteContext& route) {
  auto id = PathId(route);
  if (!id) co_return http::ErrorResponse(Error::NotFound("no such conversation"));
  auto list = [this, tenant = caller.tenant_id, id = *id] { return store_.ListReplyTraces(tenant, id); };
  auto traces = co_await pool_.Run(list);
  if (!traces) co_return http::ErrorResponse(traces.error());
  boost::json::array data;
  for (const auto& trace : *traces) {
    boost::system::error_code error;
    boost::json::value detail = boost::json::parse(trace.trace, error);
    data.push_back({{"id", trace.id},
                    {"message_id", OrNull(trace.message_id)},
                    {"decision", trace.decision},
                    {"reason", trace.reason},
                    {"detail", error ? boost::json::value(nullptr) : std::move(detail)},
                    {"created_at", FormatTimestamp(trace.created_at_ms)}});
  }
  co_return http::JsonResponse(http::Status::ok, boost::json::object{{"data", std::move(data)}});
}

boost::asio::awaitable<http::Response> ConversationsApi::ListSupport(const Principal& caller, const http::Request&,
                                                                     const http::RouteContext& route) {
  auto limit = PageLimit(route);
  if (!limit) co_return http::ErrorResponse(limit.error());
  auto status = QueryOneOf(route, "status", {"open", "resolved"});
  if (!status) co_return http::ErrorResponse(status.error());
  auto priority = QueryOneOf(route, "priority", {"urgent", "high", "normal"});
  if (!priority) co_return http::ErrorResponse(priority.error());
  store::SupportFilter filter{*status, *priority ? ParsePriority(**priority) : std::nullopt};
  auto list = [this, tenant = caller.tenant_id, &filter, cursor = PageCursor(route), limit = *limit] {
    return store_.ListSupportItems(tenant, filter, cursor, limit);
  };
  auto page = co_await pool_.Run(list);
  if (!page) co_return http::ErrorResponse(page.error());
  co_return http::JsonResponse(http::Status::ok, PageJson(*page, SupportItemJson));
}

boost::asio::awaitable<http::Response> ConversationsApi::Resolve(const Principal& caller, const http::Request& request,
                                                                 const http::RouteContext& route) {
  auto id = PathId(route);
  if (!id) co_return http::ErrorResponse(Error::NotFound("no such support item"));
  bool hand_back = false;
  if (!request.body().empty()) {
    auto body = http::ParseJsonObject(request);
    if (!body) co_return http::ErrorResponse(body.error());
    if (const auto* flag = body->if_contains("hand_back")) {
      if (!flag->is_bool()) co_return http::ErrorResponse(Error::InvalidArgument("hand_back must be a boolean"));
      hand_back = flag->as_bool();
    }
  }
  auto resolve = [this, tenant = caller.tenant_id, id = *id, actor = caller.Actor(), hand_back] {
    return store_.ResolveSupportItem(tenant, id, actor, hand_back, NowMs());
  };
  auto item = co_await pool_.Run(resolve);
  if (!item) co_return http::ErrorResponse(item.error());
  auto audit = AuditOf(caller, "support.resolve", "support_item", std::to_string(*id), {{"hand_back", hand_back}});
  co_await RecordAudit(store_, pool_, audit);
  co_return http::JsonResponse(http::Status::ok, SupportItemJson(*item));
}

}  // namespace parley::api
