#include "api/inbox_api.h"

#include "api/api.h"
#include "api/auth.h"
#include "api/knowledge_api.h"
#include "api/params.h"
#include "core/time.h"

#include <cctype>

namespace parley::api {
namespace {

using Verb = http::Verb;

Result<std::string> StringField(const boost::json::object& body, std::string_view name) {
  const auto* value = body.if_contains(name);
  if (value == nullptr || !value->is_string() || value->as_string().empty()) {
    return Error::InvalidArgument(std::string(name) + " must be a non-empty string");
  }
  return std::string(value->as_string());
}

// Shortcuts are typed after a '/' in the composer; the slash and the case do not matter.
std::string NormalizeShortcut(std::string_view shortcut) {
  if (!shortcut.empty() && shortcut.front() == '/') shortcut.remove_prefix(1);
  std::string lower(shortcut);
  for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return lower;
}

struct CannedBody {
  std::string shortcut;
  std::string text;
};

Result<CannedBody> ReadCannedBody(const http::Request& request) {
  auto body = http::ParseJsonObject(request);
  if (!body) return body.error();
  auto shortcut = StringField(*body, "shortcut");
  if (!shortcut) return shortcut.error();
  auto text = StringField(*body, "text");
  if (!text) return text.error();
  return CannedBody{NormalizeShortcut(*shortcut), std::move(*text)};
}

}  // namespace

boost::json::object SummaryJson(const store::ConversationSummary& summary) {
  boost::json::value last = nullptr;
  if (summary.last_message) {
    const store::MessagePreview& m = *summary.last_message;
    last = boost::json::object{{"id", m.id},
                               {"text", m.text},
                               {"type", ToString(m.type)},
                               {"direction", ToString(m.direction)},
                               {"created_at", FormatTimestamp(m.created_at_ms)}};
  }
  return {{"unread_count", summary.unread_count}, {"last_message", std::move(last)}};
}

boost::json::object CannedReplyJson(const store::CannedReply& reply) {
  return {{"id", reply.id},
          {"shortcut", reply.shortcut},
          {"text", reply.text},
          {"created_at", FormatTimestamp(reply.created_at_ms)},
          {"updated_at", FormatTimestamp(reply.updated_at_ms)}};
}

void InboxApi::RegisterRoutes(RouteTable& routes) {
  auto add = [&](Verb verb, const char* pattern, const Roles& roles, RouteDoc doc, Handler handler) {
    routes.Tenant(
        verb, pattern, roles, std::move(doc),
        [this, handler](const Principal& caller, const http::Request& request, const http::RouteContext& route) {
          return (this->*handler)(caller, request, route);
        });
  };
  add(Verb::post, "/api/conversations/{id}/read", kAnyRole,
      {.summary = "Mark a conversation read for the whole team: its unread count drops to 0",
       .tag = "conversations",
       .response_schema = "ReadSummary"},
      &InboxApi::MarkRead);
  add(Verb::post, "/api/conversations/{id}/notes", kAnyRole,
      {.summary = "Add a private note to the thread: shown to the team, never sent to the customer nor read by the "
                  "agent",
       .tag = "conversations",
       .body = BodyKind::kJson,
       .success_status = 201,
       .schema = "NoteRequest",
       .response_schema = "Message"},
      &InboxApi::AddNote);
  add(Verb::post, "/api/conversations/{id}/messages/{message_id}/save-as-qa", kAdmins,
      {.summary = "Save a reply of the conversation as the answer of a new Q&A pair ({\"question\"})",
       .tag = "conversations",
       .body = BodyKind::kJson,
       .success_status = 201,
       .schema = "SaveAsQaRequest",
       .response_schema = "Faq"},
      &InboxApi::SaveAsQa);
  add(Verb::get, "/api/canned-replies", kAnyRole,
      {.summary = "Canned replies by shortcut; ?q= keeps the shortcuts starting with it",
       .tag = "canned-replies",
       .query = {{"q", R"({"type": "string"})", "Only the shortcuts starting with this (a leading / is ignored)."}},
       .response_schema = "CannedReplyList"},
      &InboxApi::ListCanned);
  add(Verb::post, "/api/canned-replies", kAdmins,
      {.summary = "Add a canned reply {\"shortcut\", \"text\"} (shortcuts are unique per tenant)",
       .tag = "canned-replies",
       .body = BodyKind::kJson,
       .success_status = 201,
       .schema = "CannedReplyRequest",
       .response_schema = "CannedReply",
       .errors = {409}},
      &InboxApi::CreateCanned);
  add(Verb::put, "/api/canned-replies/{id}", kAdmins,
      {.summary = "Change a canned reply's shortcut and text",
       .tag = "canned-replies",
       .body = BodyKind::kJson,
       .schema = "CannedReplyRequest",
       .response_schema = "CannedReply",
       .errors = {409}},
      &InboxApi::UpdateCanned);
  add(Verb::delete_, "/api/canned-replies/{id}", kAdmins,
      {.summary = "Remove a canned reply", .tag = "canned-replies", .response_schema = "Deleted"},
      &InboxApi::DeleteCanned);
}

boost::asio::awaitable<http::Response> InboxApi::MarkRead(const Principal& caller, const http::Request&,
                                                          const http::RouteContext& route) {
  auto id = PathId(route);
  if (!id) co_return http::ErrorResponse(Error::NotFound("no such conversation"));
  auto mark = [this, tenant = caller.tenant_id, id = *id] { return store_.inbox().MarkRead(tenant, id, NowMs()); };
  auto summary = co_await pool_.Run(mark);
  if (!summary) co_return http::ErrorResponse(summary.error());
  boost::json::object body = SummaryJson(*summary);
  body["conversation_id"] = *id;
  co_return http::JsonResponse(http::Status::ok, body);
}

boost::asio::awaitable<http::Response> InboxApi::AddNote(const Principal& caller, const http::Request& request,
                                                         const http::RouteContext& route) {
  auto id = PathId(route);
  if (!id) co_return http::ErrorResponse(Error::NotFound("no such conversation"));
  auto body = http::ParseJsonObject(request);
  if (!body) co_return http::ErrorResponse(body.error());
  auto text = StringField(*body, "text");
  if (!text) co_return http::ErrorResponse(text.error());
  auto add = [this, &caller, id = *id, &text] {
    return store_.inbox().AddNote(caller.tenant_id, id, *text, caller.Actor(), caller.user_id, NowMs());
  };
  auto note = co_await pool_.Run(add);
  if (!note) co_return http::ErrorResponse(note.error());
  co_return http::JsonResponse(http::Status::created, MessageJson(*note));
}

boost::asio::awaitable<http::Response> InboxApi::SaveAsQa(const Principal& caller, const http::Request& request,
                                                          const http::RouteContext& route) {
  auto id = PathId(route);
  if (!id) co_return http::ErrorResponse(Error::NotFound("no such conversation"));
  auto message_id = PathId(route, "message_id");
  if (!message_id) co_return http::ErrorResponse(Error::NotFound("no such message"));
  auto body = http::ParseJsonObject(request);
  if (!body) co_return http::ErrorResponse(body.error());
  auto question = StringField(*body, "question");
  if (!question) co_return http::ErrorResponse(question.error());
  auto get = [this, tenant = caller.tenant_id, id = *id, message = *message_id] {
    return store_.inbox().GetMessage(tenant, id, message);
  };
  auto message = co_await pool_.Run(get);
  if (!message) co_return http::ErrorResponse(message.error());
  // The answer is what the customer was told: a reply with text, not a note nor the customer's own words.
  if (message->direction != Direction::kOut || message->type != MessageType::kText || !message->text ||
      message->text->empty()) {
    co_return http::ErrorResponse(
        Error::InvalidArgument("only a text reply sent to the customer can be saved as a Q&A pair"));
  }
  boost::json::object faq{{"question", *question}, {"answer", *message->text}};
  co_return co_await AddFaq(store_, pool_, caller, faq);
}

boost::asio::awaitable<http::Response> InboxApi::ListCanned(const Principal& caller, const http::Request&,
                                                            const http::RouteContext& route) {
  std::string prefix = NormalizeShortcut(route.Query("q").value_or(""));
  auto list = [this, tenant = caller.tenant_id, &prefix] { return store_.inbox().ListCannedReplies(tenant, prefix); };
  auto replies = co_await pool_.Run(list);
  if (!replies) co_return http::ErrorResponse(replies.error());
  boost::json::array data;
  for (const auto& reply : *replies) data.push_back(CannedReplyJson(reply));
  co_return http::JsonResponse(http::Status::ok, boost::json::object{{"data", std::move(data)}});
}

boost::asio::awaitable<http::Response> InboxApi::CreateCanned(const Principal& caller, const http::Request& request,
                                                              const http::RouteContext&) {
  auto body = ReadCannedBody(request);
  if (!body) co_return http::ErrorResponse(body.error());
  auto create = [this, tenant = caller.tenant_id, &body] {
    return store_.inbox().CreateCannedReply(tenant, body->shortcut, body->text, NowMs());
  };
  auto created = co_await pool_.Run(create);
  if (!created) co_return http::ErrorResponse(created.error());
  auto audit = AuditOf(caller, "canned_reply.create", "canned_reply", std::to_string(created->id),
                       {{"shortcut", created->shortcut}});
  co_await RecordAudit(store_, pool_, audit);
  co_return http::JsonResponse(http::Status::created, CannedReplyJson(*created));
}

boost::asio::awaitable<http::Response> InboxApi::UpdateCanned(const Principal& caller, const http::Request& request,
                                                              const http::RouteContext& route) {
  auto id = PathId(route);
  if (!id) co_return http::ErrorResponse(Error::NotFound("no such canned reply"));
  auto body = ReadCannedBody(request);
  if (!body) co_return http::ErrorResponse(body.error());
  auto update = [this, tenant = caller.tenant_id, id = *id, &body] {
    return store_.inbox().UpdateCannedReply(tenant, id, body->shortcut, body->text, NowMs());
  };
  auto updated = co_await pool_.Run(update);
  if (!updated) co_return http::ErrorResponse(updated.error());
  auto audit =
      AuditOf(caller, "canned_reply.update", "canned_reply", std::to_string(*id), {{"shortcut", updated->shortcut}});
  co_await RecordAudit(store_, pool_, audit);
  co_return http::JsonResponse(http::Status::ok, CannedReplyJson(*updated));
}

boost::asio::awaitable<http::Response> InboxApi::DeleteCanned(const Principal& caller, const http::Request&,
                                                              const http::RouteContext& route) {
  auto id = PathId(route);
  if (!id) co_return http::ErrorResponse(Error::NotFound("no such canned reply"));
  auto remove = [this, tenant = caller.tenant_id, id = *id] { return store_.inbox().DeleteCannedReply(tenant, id); };
  auto removed = co_await pool_.Run(remove);
  if (!removed) co_return http::ErrorResponse(removed.error());
  auto audit = AuditOf(caller, "canned_reply.delete", "canned_reply", std::to_string(*id));
  co_await RecordAudit(store_, pool_, audit);
  co_return http::JsonResponse(http::Status::ok, boost::json::object{{"deleted", true}, {"id", *id}});
}

}  // namespace parley::api
