#include "api/knowledge_api.h"

#include "api/auth.h"
#include "api/knowledge_page.h"
#include "api/openapi_schemas.h"
#include "api/params.h"
#include "billing/meter.h"
#include "channels/registry.h"
#include "core/time.h"
#include "http/multipart.h"
#include "knowledge/faq.h"
#include "store/knowledge_store.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <charconv>

namespace parley::api {
namespace {

using Verb = http::Verb;

constexpr const char* kDefaultKnowledgeBase = "default";
constexpr size_t kMaxUrlBytes = 2048;

// {"questions": [...], "answer": "..."} (or one "question") into a keyed NewFaq.
Result<store::NewFaq> ReadFaq(const boost::json::object& body) {
  std::vector<std::string> questions;
  if (auto* many = body.if_contains("questions")) {
    if (!many->is_array()) return Error::InvalidArgument("questions must be an array of strings");
    for (const auto& q : many->as_array()) {
      if (!q.is_string()) return Error::InvalidArgument("questions must be an array of strings");
      questions.emplace_back(q.as_string());
    }
  }
  if (auto* one = body.if_contains("question")) {
    if (!one->is_string()) return Error::InvalidArgument("question must be a string");
    questions.emplace_back(one->as_string());
  }
  auto* answer = body.if_contains("answer");
  if (answer == nullptr || !answer->is_string()) return Error::InvalidArgument("answer must be a string");
  for (const auto& [key, value] : body) {
    if (key != "questions" && key != "question" && key != "answer") {
      return Error::InvalidArgument("unknown field " + std::string(key));
    }
  }
  store::NewFaq faq = knowledge::MakeFaq(questions, std::string(answer->as_string()));
  if (faq.questions.empty()) return Error::InvalidArgument("at least one non-empty question is required");
  if (faq.answer.empty()) return Error::InvalidArgument("answer must not be empty");
  if (faq.answer.size() > 4096) return Error::InvalidArgument("answer must be at most 4096 bytes");
  return faq;
}

}  // namespace

boost::json::object DocumentJson(const store::Document& d) {
  return {{"id", d.id},
          {"knowledge_base_id", d.knowledge_base_id},
          {"name", d.name},
          {"content_type", OrNull(d.content_type)},
          {"source_url", OrNull(d.source_url)},
          {"size_bytes", d.size_bytes},
          {"status", store::ToString(d.status)},
          {"progress", d.progress},
          {"error", OrNull(d.error)},
          {"chunks", d.chunks},
          {"qa_pairs", d.qa_pairs},
          {"version", d.version},
          {"attempts", d.attempts},
          {"created_at", FormatTimestamp(d.created_at_ms)},
          {"updated_at", FormatTimestamp(d.updated_at_ms)}};
}

boost::json::object FaqJson(const store::FaqEntry& e) {
  boost::json::array questions;
  for (const auto& q : e.questions) questions.push_back(boost::json::string(q));
  return {{"id", e.id},
          {"questions", std::move(questions)},
          {"answer", e.answer},
          {"document_id", e.document_id ? boost::json::value(*e.document_id) : boost::json::value(nullptr)},
          {"created_at", FormatTimestamp(e.created_at_ms)},
          {"updated_at", FormatTimestamp(e.updated_at_ms)}};
}

void KnowledgeApi::RegisterRoutes(RouteTable& routes) {
  auto add = [&](Verb verb, const char* pattern, const Roles& roles, RouteDoc doc, Handler handler) {
    routes.Tenant(
        verb, pattern, roles, std::move(doc),
        [this, handler](const Principal& caller, const http::Request& request, const http::RouteContext& route) {
          return (this->*handler)(caller, request, route);
        });
  };
  add(Verb::get, "/api/knowledge-bases", kAnyRole,
      {.summary = "List the knowledge bases", .tag = "knowledge", .response_schema = "KnowledgeBaseList"},
      &KnowledgeApi::ListKnowledgeBases);
  add(Verb::post, "/api/knowledge-documents", kAdmins,
      {.summary = "Add a document: a multipart file, or JSON {\"url\"} for a web page, fetched now (redirects "
                  "followed, at most 5, each checked like the URL; HTML, text, Markdown or PDF) and refused with the "
                  "reason before anything is stored. One named like a document of the knowledge base (a file's name, "
                  "a page's URL as given) replaces it (same id, \"replaced\": true)",
       .tag = "knowledge",
       .body = BodyKind::kMultipart,
       .success_status = 202,
       .schema = "DocumentUrlRequest",
       .form_schema = "DocumentUpload",
       .response_schema = "DocumentAccepted",
       .errors = {403, 503}},
      &KnowledgeApi::CreateDocument);
  add(Verb::get, "/api/knowledge-documents", kAnyRole,
      {.summary = "List documents with their ingestion status",
       .tag = "knowledge",
       .query = PagingParams(),
       .response_schema = "DocumentPage"},
      &KnowledgeApi::ListDocuments);
  add(Verb::get, "/api/knowledge-documents/{id}", kAnyRole,
      {.summary = "A document and its ingestion progress", .tag = "knowledge", .response_schema = "Document"},
      &KnowledgeApi::GetDocument);
  add(Verb::delete_, "/api/knowledge-documents/{id}", kAdmins,
      {.summary = "Remove a document and its chunks from every index",
       .tag = "knowledge",
       .response_schema = "Deleted"},
      &KnowledgeApi::DeleteDocument);
  add(Verb::get, "/api/faq-qa", kAnyRole,
      {.summary = "List Q&A pairs", .tag = "knowledge", .query = PagingParams(), .response_schema = "FaqPage"},
      &KnowledgeApi::ListFaqs);
  add(Verb::post, "/api/faq-qa", kAdmins,
      {.summary = "Add a Q&A pair",
       .tag = "knowledge",
       .body = BodyKind::kJson,
       .success_status = 201,
       .schema = "FaqRequest",
       .response_schema = "Faq"},
      &KnowledgeApi::CreateFaq);
  add(Verb::get, "/api/faq-qa/{id}", kAnyRole, {.summary = "A Q&A pair", .tag = "knowledge", .response_schema = "Faq"},
      &KnowledgeApi::GetFaq);
  add(Verb::put, "/api/faq-qa/{id}", kAdmins,
      {.summary = "Replace a Q&A pair",
       .tag = "knowledge",
       .body = BodyKind::kJson,
       .schema = "FaqRequest",
       .response_schema = "Faq"},
      &KnowledgeApi::UpdateFaq);
  add(Verb::delete_, "/api/faq-qa/{id}", kAdmins,
      {.summary = "Remove a Q&A pair", .tag = "knowledge", .response_schema = "Deleted"}, &KnowledgeApi::DeleteFaq);
  add(Verb::get, "/api/ai-settings", kAdmins,
      {.summary = "The assistant's settings (keys never shown)", .tag = "ai", .response_schema = "AiSettings"},
      &KnowledgeApi::GetSettings);
  add(Verb::put, "/api/ai-settings", kAdmins,
      {.summary = "Change the assistant's settings (only the fields sent)",
       .tag = "ai",
       .body = BodyKind::kJson,
       .schema = "AiSettings"},
      &KnowledgeApi::PutSettings);
  add(Verb::post, "/api/playground/ask", kAnyRole,
      {.summary = "Ask the assistant a question, with sources and trace",
       .tag = "ai",
       .body = BodyKind::kJson,
       .schema = "PlaygroundRequest",
       .response_schema = "AgentAnswer",
       .errors = {503}},
      &KnowledgeApi::Ask);
}

boost::asio::awaitable<http::Response> KnowledgeApi::ListKnowledgeBases(const Principal& caller, const http::Request&,
                                                                        const http::RouteContext&) {
  const int64_t tenant = caller.tenant_id;
  auto list = [this, tenant] { return store_.knowledge().ListKnowledgeBases(tenant); };
  auto bases = co_await pool_.Run(list);
  if (!bases) co_return http::ErrorResponse(bases.error());
  boost::json::array data;
  for (const auto& base : *bases) {
    data.push_back({{"id", base.id}, {"name", base.name}, {"created_at", FormatTimestamp(base.created_at_ms)}});
  }
  co_return http::JsonResponse(http::Status::ok, boost::json::object{{"data", std::move(data)}});
}

boost::asio::awaitable<http::Response> KnowledgeApi::CreateDocument(const Principal& caller,
                                                                    const http::Request& request,
                                                                    const http::RouteContext& route) {
  const int64_t tenant = caller.tenant_id;
  store::NewDocument document;
  document.tenant_id = tenant;
  std::string knowledge_base = kDefaultKnowledgeBase;
  auto content_type = request[boost::beast::http::field::content_type];
  if (content_type.starts_with("multipart/")) {
    auto form = http::ReadForm(request, route);
    if (!form) co_return http::ErrorResponse(form.error());
    bool has_file = false;
    for (const auto& part : form->parts) {
      if (part.name == "file") {
        if (part.file_name.empty())
          co_return http::ErrorResponse(Error::InvalidArgument("the file part needs a filename"));
        document.name = part.file_name;
        document.content_type = part.content_type;
        document.content = std::string(part.data);
        has_file = true;
      } else if (part.name == "knowledge_base") {
        knowledge_base = std::string(part.data);
      }
    }
    if (!has_file) co_return http::ErrorResponse(Error::InvalidArgument("multipart body needs a \"file\" part"));
    if (document.content.empty()) co_return http::ErrorResponse(Error::InvalidArgument("the file is empty"));
  } else {
    auto body = http::ParseJsonObject(request);
    if (!body) co_return http::ErrorResponse(body.error());
    auto* url = body->if_contains("url");
    if (url == nullptr || !url->is_string()) {
      co_return http::ErrorResponse(
          Error::InvalidArgument("send a multipart/form-data upload with a \"file\" part, or JSON {\"url\": …}"));
    }
    if (auto known = OnlyFields(*body, {"url", "knowledge_base"}); !known) co_return http::ErrorResponse(known.error());
    std::string given(url->as_string());
    if (!given.starts_with("http://") && !given.starts_with("https://")) {
      co_return http::ErrorResponse(Error::InvalidArgument("url must be an http:// or https:// URL"));
    }
    if (given.size() > kMaxUrlBytes) co_return http::ErrorResponse(Error::InvalidArgument("url is too long"));
    if (const auto* name = body->if_contains("knowledge_base")) {
      if (!name->is_string()) co_return http::ErrorResponse(Error::InvalidArgument("knowledge_base must be a string"));
      knowledge_base = std::string(name->as_string());
    }
    // Fetched now, so that a page that cannot be added is refused with the reason before anything is stored.
    Result<WebPage> page = co_await FetchWebPage(client_, given);
    if (!page) co_return http::ErrorResponse(Error::InvalidArgument("url: " + page.error().message));
    document.name = given;  // The name a second fetch of the same URL replaces.
    document.source_url = std::move(page->url);
    document.content_type = std::move(page->content_type);
    document.content = std::move(page->body);
  }
  if (knowledge_base.empty() || knowledge_base.size() > 200) {
    co_return http::ErrorResponse(Error::InvalidArgument("knowledge_base must be a name of 1 to 200 bytes"));
  }
  auto create = [this, &document, &knowledge_base]() -> Result<store::Document> {
    auto base = store_.knowledge().EnsureKnowledgeBase(document.tenant_id, knowledge_base);
    if (!base) return base.error();
    document.knowledge_base_id = base->id;
    // Against the plan's room before storing: a new version takes the place of the document it replaces.
    auto plan = billing::PlanOf(store_.billing(), document.tenant_id, config_.default_plan);
    if (!plan) return plan.error();
    auto totals = store_.knowledge().Totals(document.tenant_id);
    if (!totals) return totals.error();
    auto replaced = store_.knowledge().FindDocument(document.tenant_id, base->id, document.name);
    if (!replaced) return replaced.error();
    if (*replaced) {
      totals->documents -= 1;
      totals->bytes -= (*replaced)->size_bytes;
    }
    auto room = billing::CheckKnowledgeRoom(*plan, *totals, static_cast<int64_t>(document.content.size()));
    if (!room) return room.error();
    return store_.knowledge().CreateDocument(document);
  };
  auto created = co_await pool_.Run(create);
  if (!created) co_return http::ErrorResponse(created.error());
  agent_.ingestor().Wake();
  const bool replaced = created->version > 1;
  boost::json::object details{
      {"name", created->name}, {"knowledge_base_id", created->knowledge_base_id}, {"version", created->version}};
  if (!created->source_url.empty()) details["source_url"] = created->source_url;
  auto audit = AuditOf(caller, replaced ? "document.replace" : "document.create", "document",
                       std::to_string(created->id), std::move(details));
  co_await RecordAudit(store_, pool_, audit);
  boost::json::object body = DocumentJson(*created);
  body["replaced"] = replaced;
  co_return http::JsonResponse(http::Status::accepted, std::move(body));
}

boost::asio::awaitable<http::Response> KnowledgeApi::ListDocuments(const Principal& caller, const http::Request&,
                                                                   const http::RouteContext& route) {
  const int64_t tenant = caller.tenant_id;
  auto limit = PageLimit(route);
  if (!limit) co_return http::ErrorResponse(limit.error());
  auto list = [this, tenant, cursor = PageCursor(route), limit = *limit] {
    return store_.knowledge().ListDocuments(tenant, cursor, limit);
  };
  auto page = co_await pool_.Run(list);
  if (!page) co_return http::ErrorResponse(page.error());
  co_return http::JsonResponse(http::Status::ok, PageJson(*page, DocumentJson));
}

boost::asio::awaitable<http::Response> KnowledgeApi::GetDocument(const Principal& caller, const http::Request&,
                                                                 const http::RouteContext& route) {
  const int64_t tenant = caller.tenant_id;
  auto id = PathId(route);
  if (!id) co_return http::ErrorResponse(Error::NotFound("no such document"));
  auto get = [this, tenant, id = *id] { return store_.knowledge().GetDocument(tenant, id); };
  auto document = co_await pool_.Run(get);
  if (!document) co_return http::ErrorResponse(document.error());
  co_return http::JsonResponse(http::Status::ok, DocumentJson(*document));
}

boost::asio::awaitable<http::Response> KnowledgeApi::DeleteDocument(const Principal& caller, const http::Request&,
                                                                    const http::RouteContext& route) {
  const int64_t tenant = caller.tenant_id;
  auto id = PathId(route);
  if (!id) co_return http::ErrorResponse(Error::NotFound("no such document"));
  auto remove = [this, tenant, id = *id] { return store_.knowledge().DeleteDocument(tenant, id); };
  auto removed = co_await pool_.Run(remove);
  if (!removed) co_return http::ErrorResponse(removed.error());
  auto audit = AuditOf(caller, "document.delete", "document", std::to_string(*id));
  co_await RecordAudit(store_, pool_, audit);
  co_return http::JsonResponse(http::Status::ok, boost::json::object{{"deleted", true}, {"id", *id}});
}

boost::asio::awaitable<http::Response> KnowledgeApi::ListFaqs(const Principal& caller, const http::Request&,
                                                              const http::RouteContext& route) {
  const int64_t tenant = caller.tenant_id;
  auto limit = PageLimit(route);
  if (!limit) co_return http::ErrorResponse(limit.error());
  auto list = [this, tenant, cursor = PageCursor(route), limit = *limit] {
    return store_.knowledge().ListFaqs(tenant, cursor, limit);
  };
  auto page = co_await pool_.Run(list);
  if (!page) co_return http::ErrorResponse(page.error());
  co_return http::JsonResponse(http::Status::ok, PageJson(*page, FaqJson));
}

boost::asio::awaitable<http::Response> KnowledgeApi::CreateFaq(const Principal& caller, const http::Request& request,
                                                               const http::RouteContext&) {
  auto body = http::ParseJsonObject(request);
  if (!body) co_return http::ErrorResponse(body.error());
  co_return co_await AddFaq(store_, pool_, caller, *body);
}

boost::asio::awaitable<http::Response> AddFaq(store::Store& store, BlockingPool& pool, const Principal& caller,
                                              const boost::json::object& body) {
  const int64_t tenant = caller.tenant_id;
  auto faq = ReadFaq(body);
  if (!faq) co_return http::ErrorResponse(faq.error());
  auto create = [&store, tenant, &faq] { return store.knowledge().CreateFaq(tenant, *faq); };
  auto created = co_await pool.Run(create);
  if (!created) co_return http::ErrorResponse(created.error());
  auto audit = AuditOf(caller, "faq.create", "faq", std::to_string(created->id));
  co_await RecordAudit(store, pool, audit);
  co_return http::JsonResponse(http::Status::created, FaqJson(*created));
}

boost::asio::awaitable<http::Response> KnowledgeApi::GetFaq(const Principal& caller, const http::Request&,
                                                            const http::RouteContext& route) {
  const int64_t tenant = caller.tenant_id;
  auto id = PathId(route);
  if (!id) co_return http::ErrorResponse(Error::NotFound("no such Q&A pair"));
  auto get = [this, tenant, id = *id] { return store_.knowledge().GetFaq(tenant, id); };
  auto entry = co_await pool_.Run(get);
  if (!entry) co_return http::ErrorResponse(entry.error());
  co_return http::JsonResponse(http::Status::ok, FaqJson(*entry));
}

boost::asio::awaitable<http::Response> KnowledgeApi::UpdateFaq(const Principal& caller, const http::Request& request,
                                                               const http::RouteContext& route) {
  const int64_t tenant = caller.tenant_id;
  auto id = PathId(route);
  if (!id) co_return http::ErrorResponse(Error::NotFound("no such Q&A pair"));
  auto body = http::ParseJsonObject(request);
  if (!body) co_return http::ErrorResponse(body.error());
  auto faq = ReadFaq(*body);
  if (!faq) co_return http::ErrorResponse(faq.error());
  auto update = [this, tenant, id = *id, &faq] { return store_.knowledge().UpdateFaq(tenant, id, *faq); };
  auto updated = co_await pool_.Run(update);
  if (!updated) co_return http::ErrorResponse(updated.error());
  auto audit = AuditOf(caller, "faq.update", "faq", std::to_string(updated->id));
  co_await RecordAudit(store_, pool_, audit);
  co_return http::JsonResponse(http::Status::ok, FaqJson(*updated));
}

boost::asio::awaitable<http::Response> KnowledgeApi::DeleteFaq(const Principal& caller, const http::Request&,
                                                               const http::RouteContext& route) {
  const int64_t tenant = caller.tenant_id;
  auto id = PathId(route);
  if (!id) co_return http::ErrorResponse(Error::NotFound("no such Q&A pair"));
  auto remove = [this, tenant, id = *id] { return store_.knowledge().DeleteFaq(tenant, id); };
  auto removed = co_await pool_.Run(remove);
  if (!removed) co_return http::ErrorResponse(removed.error());
  auto audit = AuditOf(caller, "faq.delete", "faq", std::to_string(*id));
  co_await RecordAudit(store_, pool_, audit);
  co_return http::JsonResponse(http::Status::ok, boost::json::object{{"deleted", true}, {"id", *id}});
}

boost::asio::awaitable<http::Response> KnowledgeApi::GetSettings(const Principal& caller, const http::Request&,
                                                                 const http::RouteContext&) {
  const int64_t tenant = caller.tenant_id;
  auto load = [this, tenant] { return agent_.LoadSettings(tenant); };
  auto settings = co_await pool_.Run(load);
  if (!settings) co_return http::ErrorResponse(settings.error());
  co_return http::JsonResponse(http::Status::ok, agent::ToPublicJson(*settings));
}

boost::asio::awaitable<http::Response> KnowledgeApi::PutSettings(const Principal& caller, const http::Request& request,
                                                                 const http::RouteContext&) {
  const int64_t tenant = caller.tenant_id;
  auto body = http::ParseJsonObject(request);
  if (!body) co_return http::ErrorResponse(body.error());
  if (auto reachable = co_await agent_.CheckProviderUrls(*body); !reachable) {
    co_return http::ErrorResponse(reachable.error());
  }
  auto update = [this, tenant, &body] { return agent_.UpdateSettings(tenant, *body); };
  auto settings = co_await pool_.Run(update);
  if (!settings) co_return http::ErrorResponse(settings.error());
  // Which settings changed, never their values: keys and prompts stay out of the log.
  boost::json::array changed;
  for (const auto& [key, value] : *body) changed.push_back(boost::json::string(key));
  auto audit =
      AuditOf(caller, "ai_settings.update", "ai_settings", std::to_string(tenant), {{"fields", std::move(changed)}});
  co_await RecordAudit(store_, pool_, audit);
  agent_.ingestor().Wake();  // A new embedder re-queues the documents.
  co_return http::JsonResponse(http::Status::ok, agent::ToPublicJson(*settings));
}

boost::asio::awaitable<http::Response> KnowledgeApi::Ask(const Principal& caller, const http::Request& request,
                                                         const http::RouteContext&) {
  const int64_t tenant = caller.tenant_id;
  auto body = http::ParseJsonObject(request);
  if (!body) co_return http::ErrorResponse(body.error());
  agent::AgentRequest ask;
  ask.tenant_id = tenant;
  auto* question = body->if_contains("question");
  if (question == nullptr || !question->is_string() || question->as_string().empty()) {
    co_return http::ErrorResponse(Error::InvalidArgument("question must be a non-empty string"));
  }
  if (question->as_string().size() > 4096) {
    co_return http::ErrorResponse(Error::InvalidArgument("question must be at most 4096 bytes"));
  }
  ask.question = std::string(question->as_string());
  // Answered as on the first platform registered unless the request names one.
  const channels::PlatformPlugin* answered_on = channels::Platforms().front();
  if (auto* platform = body->if_contains("platform")) {
    const boost::json::string* name = platform->if_string();
    answered_on = name != nullptr ? channels::FindPlatform(std::string_view(name->data(), name->size())) : nullptr;
    if (answered_on == nullptr) {
      co_return http::ErrorResponse(Error::InvalidArgument("platform must be " + channels::PlatformNames()));
    }
  }
  ask.text = answered_on->traits.text;
  if (auto* history = body->if_contains("history")) {
    if (!history->is_array()) co_return http::ErrorResponse(Error::InvalidArgument("history must be an array"));
    for (const auto& turn : history->as_array()) {
      const auto* object = turn.if_object();
      const auto* role = object ? object->if_contains("role") : nullptr;
      const auto* text = object ? object->if_contains("text") : nullptr;
      if (text == nullptr && object) text = object->if_contains("content");
      if (!role || !text || !role->is_string() || !text->is_string() ||
          (role->as_string() != "user" && role->as_string() != "assistant")) {
        co_return http::ErrorResponse(
            Error::InvalidArgument("each history turn needs \"role\" (user or assistant) and \"text\" strings"));
      }
      ask.history.push_back({std::string(role->as_string()), std::string(text->as_string())});
    }
  }
  auto answer = co_await agent_.Ask(ask);
  if (!answer) co_return http::ErrorResponse(answer.error());
  co_return http::JsonResponse(http::Status::ok, agent::ToJson(*answer));
}

}  // namespace parley::api
