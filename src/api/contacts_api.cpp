#include "api/contacts_api.h"

#include "api/api.h"
#include "api/auth.h"
#include "api/conversations_api.h"
#include "api/openapi_schemas.h"
#include "api/params.h"
#include "channels/registry.h"
#include "core/time.h"

#include <charconv>

namespace parley::api {
namespace {

using Verb = http::Verb;

Result<store::ContactFilter> ParseContactFilter(const http::RouteContext& route) {
  store::ContactFilter filter;
  if (auto q = route.Query("q"); q && !q->empty()) {
    if (q->size() > 200) return Error::InvalidArgument("q must be at most 200 bytes");
    filter.text = std::string(*q);
  }
  if (auto raw = route.Query("channel_id"); raw && !raw->empty()) {
    int64_t id = 0;
    auto [end, ec] = std::from_chars(raw->data(), raw->data() + raw->size(), id);
    if (ec != std::errc() || end != raw->data() + raw->size() || id < 0) {
      return Error::InvalidArgument("channel_id must be a non-negative integer");
    }
    filter.channel_id = id;
  }
  if (auto raw = route.Query("platform"); raw && !raw->empty()) {
    if (channels::FindPlatform(*raw) == nullptr) {
      return Error::InvalidArgument("platform must be " + channels::PlatformNames());
    }
    filter.platform = Platform(*raw);
  }
  return filter;
}

boost::json::object TraceJson(const store::ReplyTrace& trace) {
  boost::system::error_code error;
  boost::json::value detail = boost::json::parse(trace.trace, error);
  return {{"id", trace.id},
          {"conversation_id", trace.conversation_id},
          {"message_id", OrNull(trace.message_id)},
          {"decision", trace.decision},
          {"reason", trace.reason},
          {"detail", error ? boost::json::value(nullptr) : std::move(detail)},
          {"created_at", FormatTimestamp(trace.created_at_ms)}};
}

template <class T, class ToJson>
boost::json::array JsonArray(const std::vector<T>& items, ToJson to_json) {
  boost::json::array array;
  array.reserve(items.size());
  for (const T& item : items) array.push_back(to_json(item));
  return array;
}

}  // namespace

boost::json::object ContactJson(const store::ContactInfo& contact) {
  return {{"id", contact.id},
          {"channel_id", contact.channel_id},
          {"platform", ToString(contact.platform)},
          {"platform_id", contact.platform_id},
          {"name", contact.name},
          {"email", contact.email},
          {"created_at", FormatTimestamp(contact.created_at_ms)},
          {"last_activity_at", FormatTimestamp(contact.last_activity_ms)},
          {"conversations", contact.conversations}};
}

void ContactsApi::RegisterRoutes(RouteTable& routes) {
  auto add = [&](Verb verb, const char* pattern, const Roles& roles, RouteDoc doc, Handler handler) {
    routes.Tenant(
        verb, pattern, roles, std::move(doc),
        [this, handler](const Principal& caller, const http::Request& request, const http::RouteContext& route) {
          return (this->*handler)(caller, request, route);
        });
  };
  add(Verb::get, "/api/contacts", kAnyRole,
      {.summary = "List the people who wrote in, newest activity first (one contact per channel they wrote through)",
       .tag = "contacts",
       .query = {{"q", R"({"type": "string", "maxLength": 200})",
                  "Words of the contact's name or platform id (accents and case folded; the last word as a prefix)."},
                 {"channel_id", R"({"type": "integer", "minimum": 0})", "Only this channel's."},
                 {"platform", R"({"$ref": "#/components/schemas/Platform"})", "Only this platform's."},
                 CursorParam(),
                 LimitParam()},
       .response_schema = "ContactPage"},
      &ContactsApi::List);
  add(Verb::get, "/api/contacts/{id}", kAnyRole,
      {.summary = "A contact with its conversations, newest activity first",
       .tag = "contacts",
       .response_schema = "ContactDetail"},
      &ContactsApi::Get);
  add(Verb::get, "/api/contacts/{id}/export", kAdmins,
      {.summary = "Everything kept about a contact (GDPR access request), as a JSON download: the contact, its "
                  "conversations, messages and private notes, support items and the agent's traces",
       .tag = "contacts",
       .response_schema = "ContactExport"},
      &ContactsApi::Export);
  add(Verb::delete_, "/api/contacts/{id}", kAdmins,
      {.summary = "Erase a contact (GDPR erasure): its conversations, messages, notes, support items, traces, search "
                  "index rows, event log entries and webhook deliveries; the audit log keeps the counts only",
       .tag = "contacts",
       .response_schema = "ContactErasure"},
      &ContactsApi::Erase);
}

boost::asio::awaitable<http::Response> ContactsApi::List(const Principal& caller, const http::Request&,
                                                         const http::RouteContext& route) {
  auto filter = ParseContactFilter(route);
  if (!filter) co_return http::ErrorResponse(filter.error());
  auto limit = PageLimit(route);
  if (!limit) co_return http::ErrorResponse(limit.error());
  auto list = [this, tenant = caller.tenant_id, &filter, cursor = PageCursor(route), limit = *limit] {
    return store_.contacts().ListContacts(tenant, *filter, cursor, limit);
  };
  auto page = co_await pool_.Run(list);
  if (!page) co_return http::ErrorResponse(page.error());
  co_return http::JsonResponse(http::Status::ok, PageJson(*page, ContactJson));
}

boost::asio::awaitable<http::Response> ContactsApi::Get(const Principal& caller, const http::Request&,
                                                        const http::RouteContext& route) {
  auto id = PathId(route);
  if (!id) co_return http::ErrorResponse(Error::NotFound("no such contact"));
  auto load = [this, tenant = caller.tenant_id,
               id = *id]() -> Result<std::pair<store::ContactInfo, std::vector<store::Conversation>>> {
    auto contact = store_.contacts().GetContact(tenant, id);
    if (!contact) return contact.error();
    auto conversations = store_.contacts().ContactConversations(tenant, id);
    if (!conversations) return conversations.error();
    return std::pair{std::move(*contact), std::move(*conversations)};
  };
  auto loaded = co_await pool_.Run(load);
  if (!loaded) co_return http::ErrorResponse(loaded.error());
  co_return http::JsonResponse(http::Status::ok,
                               boost::json::object{{"contact", ContactJson(loaded->first)},
                                                   {"conversations", JsonArray(loaded->second, ConversationJson)}});
}

boost::asio::awaitable<http::Response> ContactsApi::Export(const Principal& caller, const http::Request&,
                                                           const http::RouteContext& route) {
  auto id = PathId(route);
  if (!id) co_return http::ErrorResponse(Error::NotFound("no such contact"));
  auto read = [this, tenant = caller.tenant_id, id = *id] { return store_.contacts().ExportContact(tenant, id); };
  auto exported = co_await pool_.Run(read);
  if (!exported) co_return http::ErrorResponse(exported.error());
  boost::json::object body{{"exported_at", FormatTimestamp(NowMs())},
                           {"contact", ContactJson(exported->contact)},
                           {"conversations", JsonArray(exported->conversations, ConversationJson)},
                           {"messages", JsonArray(exported->messages, MessageJson)},
                           {"support_items", JsonArray(exported->support_items, SupportItemJson)},
                           {"traces", JsonArray(exported->traces, TraceJson)}};
  auto audit = AuditOf(caller, "contact.export", "contact", std::to_string(*id),
                       {{"conversations", static_cast<int64_t>(exported->conversations.size())},
                        {"messages", static_cast<int64_t>(exported->messages.size())}});
  co_await RecordAudit(store_, pool_, audit);
  http::Response response = http::JsonResponse(http::Status::ok, body);
  // A download: the browser saves it rather than showing it.
  response.set(boost::beast::http::field::content_disposition,
               "attachment; filename=\"contact-" + std::to_string(*id) + ".json\"");
  co_return response;
}

boost::asio::awaitable<http::Response> ContactsApi::Erase(const Principal& caller, const http::Request&,
                                                          const http::RouteContext& route) {
  auto id = PathId(route);
  if (!id) co_return http::ErrorResponse(Error::NotFound("no such contact"));
  auto erase = [this, tenant = caller.tenant_id, id = *id, actor = caller.Actor()] {
    return store_.contacts().EraseContact(tenant, id, actor, NowMs());
  };
  auto erased = co_await pool_.Run(erase);
  if (!erased) co_return http::ErrorResponse(erased.error());
  co_return http::JsonResponse(http::Status::ok,
                               boost::json::object{{"contact_id", *id},
                                                   {"erased", true},
                                                   {"conversations", erased->conversations},
                                                   {"messages", erased->messages},
                                                   {"notes", erased->notes},
                                                   {"support_items", erased->support_items},
                                                   {"traces", erased->traces},
                                                   {"events", erased->events},
                                                   {"webhook_deliveries", erased->webhook_deliveries}});
}

}  // namespace parley::api
