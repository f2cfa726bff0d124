#include "eval/agent_eval.h"

#include "agent/agent.h"
#include "agent/service.h"
#include "core/blocking_pool.h"
#include "core/config.h"
#include "core/crypto.h"
#include "core/json.h"
#include "http/client.h"
#include "knowledge/retriever.h"
#include "knowledge/text.h"
#include "store/knowledge_store.h"
#include "store/store.h"
#include "support/temp_dir.h"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <exception>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <utility>

namespace parley::eval {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;

constexpr char kUnanswerable[] = "unanswerable";
constexpr char kOtherTenant[] = "other_tenant";
constexpr char kUrgent[] = "urgent_safety";
// The kinds in the order the tables print them; "all" sums the answerable ones.
constexpr const char* kAnswerableKinds[] = {"direct",         "paraphrase",   "typo",
                                            "other_language", "table_lookup", "multi_question"};
constexpr const char* kAbstainKinds[] = {kUnanswerable, kOtherTenant};
constexpr const char* kTriageCategories[] = {
    "urgent_safety", "scam",  "spam",  "billing_dispute", "account_access", "human_requested",
    "complaint",     "legal", "abuse", "acknowledgement", "greeting",       "question"};
// Reasons the answering stages give: triage had passed the burst on as a question (AUTO_REPLY), whatever became of
// it after. Today's "model_abstained" is among them until the reason codes of core/decision.h replace it.
const std::set<std::string> kAnsweringReasons = {
    "answered", "faq", "low_relevance", "model_failed", "model_abstained", "unsupported_answer", "leak_blocked"};

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::stringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

json::value ParseFile(const std::filesystem::path& path) {
  boost::system::error_code error;
  json::value parsed = json::parse(ReadFile(path), error);
  if (error) throw std::runtime_error(path.string() + ": " + error.message());
  return parsed;
}

std::string StringField(const json::object& object, std::string_view key, const std::string& where) {
  const json::value* value = object.if_contains(key);
  if (value == nullptr || !value->is_string())
    throw std::runtime_error(where + ": \"" + std::string(key) + "\" missing");
  return std::string(value->as_string());
}

ExpectedPassage ReadPassage(const json::value& value, const std::string& where) {
  if (!value.is_object()) throw std::runtime_error(where + ": an expected passage is not an object");
  return {StringField(value.as_object(), "document", where),
          knowledge::Fold(StringField(value.as_object(), "contains", where))};
}

// A passage is the expected one when it comes from the expected document and holds the expected phrase, so the
// verdict depends neither on chunk ids nor on where the chunker cuts.
bool Matches(const ExpectedPassage& expected, const std::string& document, const std::string& text) {
  return document == expected.document && knowledge::Fold(text).find(expected.contains) != std::string::npos;
}

struct Cited {
  std::string document;
  std::string text;
};

// Whether the part is among the first `depth` of `cited`.
bool Within(const ExpectedPassage& part, const std::vector<Cited>& cited, size_t depth) {
  for (size_t i = 0; i < cited.size() && i < depth; ++i) {
    if (Matches(part, cited[i].document, cited[i].text)) return true;
  }
  return false;
}

// Hit@1 and hit@3 of one question's parts: with n parts, a part is a hit@1 when it is among the first n cited
// passages (one per question asked) and a hit@3 among the first 3n.
void ScoreHits(const DevQuestion& question, const std::vector<Cited>& cited, KindFigures& figures,
               std::vector<std::string>* missed) {
  const size_t n = question.parts.size();
  for (const auto& part : question.parts) {
    ++figures.parts;
    bool hit1 = Within(part, cited, n);
    bool hit3 = Within(part, cited, 3 * n);
    figures.hit1 += hit1;
    figures.hit3 += hit3;
    if (!hit3 && missed != nullptr) missed->push_back(part.document + ": " + part.contains);
  }
}

void Add(KindFigures& into, const KindFigures& from) {
  into.questions += from.questions;
  into.parts += from.parts;
  into.hit1 += from.hit1;
  into.hit3 += from.hit3;
  into.abstained += from.abstained;
  into.wrong_facts += from.wrong_facts;
}

struct Tenant {
  int64_t id = 0;
  int64_t knowledge_base = 0;
  std::string language;  //!< Of its documents (ISO 639-1).
  std::vector<store::ChunkRecord> chunks;
};

// Runs `body` on `io` to completion; rethrows what it throws.
void RunOn(asio::io_context& io, std::function<asio::awaitable<void>()> body) {
  std::exception_ptr failure;
  asio::co_spawn(io, std::move(body), [&failure](std::exception_ptr e) { failure = e; });
  io.restart();
  io.run();
  if (failure) std::rethrow_exception(failure);
}

// The numbers of the passages a question expects, joined and split ("1 650" gives "1650", "1" and "650"), so a
// number passes in either form.
std::set<std::string> PassageNumbers(const DevQuestion& question, const Tenant& owner_chunks) {
  std::set<std::string> numbers;
  for (const auto& chunk : owner_chunks.chunks) {
    bool expected = std::any_of(question.parts.begin(), question.parts.end(), [&](const ExpectedPassage& part) {
      return Matches(part, chunk.document_name, chunk.text);
    });
    if (!expected) continue;
    for (auto& number : NumbersIn(chunk.text)) numbers.insert(std::move(number));
    std::string split = chunk.text;
    std::replace_if(
        split.begin(), split.end(), [](char c) { return c == ',' || c == '.'; }, ' ');
    for (auto& number : NumbersIn(split)) numbers.insert(std::move(number));
  }
  return numbers;
}

std::string Shorten(std::string text, size_t limit = 90) {
  std::replace(text.begin(), text.end(), '\n', ' ');
  if (text.size() > limit) {
    size_t cut = limit;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;  // Not inside a UTF-8 sequence.
    text = text.substr(0, cut) + "…";
  }
  return text;
}

}  // namespace

std::vector<std::string> NumbersIn(const std::string& text) {
  std::vector<std::string> numbers;
  auto digit = [&](size_t i) { return i < text.size() && text[i] >= '0' && text[i] <= '9'; };
  size_t i = 0;
  while (i < text.size()) {
    if (!digit(i)) {
      ++i;
      continue;
    }
    std::vector<std::string> groups{""};
    while (true) {
      while (digit(i)) groups.back() += text[i++];
      // A separator between digit groups: "," or "." before a digit, or a space before exactly three digits
      // ("1 650"), which is how French writes thousands.
      bool punct = i + 1 < text.size() && (text[i] == ',' || text[i] == '.') && digit(i + 1);
      bool thousands_space =
          i < text.size() && text[i] == ' ' && digit(i + 1) && digit(i + 2) && digit(i + 3) && !digit(i + 4);
      if (!punct && !thousands_space) break;
      ++i;
      groups.emplace_back();
    }
    if (groups.size() > 1 && groups.back().find_first_not_of('0') == std::string::npos && groups.back().size() == 2) {
      groups.pop_back();  // "12.00" is "12".
    }
    std::string joined;
    for (const auto& group : groups) joined += group;
    size_t first = joined.find_first_not_of('0');
    joined = first == std::string::npos ? "0" : joined.substr(first);
    if (joined != "0") numbers.push_back(std::move(joined));
  }
  return numbers;
}

DevSet LoadDevSet(const std::filesystem::path& dir) {
  DevSet set;
  const auto tenants_file = dir / "tenants.json";
  const json::value tenants = ParseFile(tenants_file);
  set.triage_tenant = StringField(tenants.as_object(), "triage_tenant", tenants_file.string());
  for (const auto& [name, tenant] : tenants.at("tenants").as_object()) {
    const std::string where = tenants_file.filename().string() + " tenant " + std::string(name);
    const auto& object = tenant.as_object();
    auto& list = set.documents_by_tenant[std::string(name)];
    for (const auto& document : object.at("documents").as_array()) list.emplace_back(document.as_string());
    set.language_by_tenant[std::string(name)] =
        object.contains("language") ? StringField(object, "language", where) : std::string("en");
  }
  if (!set.documents_by_tenant.count(set.triage_tenant))
    throw std::runtime_error("tenants.json: unknown triage_tenant");
  const auto questions_file = dir / "questions.json";
  int line = 0;
  const json::value questions = ParseFile(questions_file);  // Named: a range-for would not keep a temporary alive.
  for (const auto& value : questions.as_array()) {
    ++line;
    const std::string where = questions_file.filename().string() + " entry " + std::to_string(line);
    const auto& object = value.as_object();
    DevQuestion question;
    question.tenant = StringField(object, "tenant", where);
    question.kind = StringField(object, "kind", where);
    question.language = StringField(object, "language", where);
    question.text = StringField(object, "question", where);
    if (const auto* parts = object.if_contains("parts")) {
      for (const auto& part : parts->as_array()) question.parts.push_back(ReadPassage(part, where));
    } else if (const auto* expected = object.if_contains("expected"); expected != nullptr && !expected->is_null()) {
      question.parts.push_back(ReadPassage(*expected, where));
    }
    bool abstain_kind = question.kind == kUnanswerable || question.kind == kOtherTenant;
    bool known = abstain_kind || std::count(std::begin(kAnswerableKinds), std::end(kAnswerableKinds), question.kind);
    if (!known) throw std::runtime_error(where + ": unknown kind " + question.kind);
    if (abstain_kind != question.parts.empty())
      throw std::runtime_error(where + ": expected passages do not fit the kind");
    if (!set.documents_by_tenant.count(question.tenant)) throw std::runtime_error(where + ": unknown tenant");
    set.questions.push_back(std::move(question));
  }
  const auto triage_file = dir / "triage.json";
  line = 0;
  const json::value cases = ParseFile(triage_file);
  for (const auto& value : cases.as_array()) {
    ++line;
    const std::string where = triage_file.filename().string() + " entry " + std::to_string(line);
    const auto& object = value.as_object();
    TriageCase triage;
    triage.text = StringField(object, "text", where);
    triage.category = StringField(object, "category", where);
    triage.decision = StringField(object, "decision", where);
    triage.language = StringField(object, "language", where);
    if (const auto* reason = object.if_contains("reason"); reason != nullptr && reason->is_string()) {
      triage.reason = std::string(reason->as_string());
    }
    if (!std::count(std::begin(kTriageCategories), std::end(kTriageCategories), triage.category)) {
      throw std::runtime_error(where + ": unknown category " + triage.category);
    }
    set.triage.push_back(std::move(triage));
  }
  return set;
}

RunFigures RunEvaluation(const DevSet& set, const RunOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  RunFigures figures;
  testing::TempDir dir{"parley-agent-eval"};
  auto box = crypto::SecretBox::Create(std::string(32, 'k'));
  store::StoreOptions store_options;
  store_options.database_url = "sqlite://" + (dir.path() / "eval.db").string();
  store_options.sqlite_synchronous = "off";  // A throw-away database: durability buys nothing here.
  auto opened = store::OpenStore(store_options, *box);
  if (!opened) throw std::runtime_error("open store: " + opened.error().message);
  std::unique_ptr<store::Store> db = std::move(*opened);
  if (auto migrated = db->Migrate(); !migrated) throw std::runtime_error("migrate: " + migrated.error().message);
  store::KnowledgeStore& knowledge = db->knowledge();

  // The server's composition: the operator's defaults (a model only when its URL is given) and AgentService.
  Config config;
  config.data_dir = dir.path().string();  // Index files: a stale one from another run would answer for this one.
  config.llm_base_url = options.llm_base_url;
  config.dictionary_dir = options.dictionary_dir;
  config.llm_api_key = options.llm_base_url.empty() ? "" : "sk-eval";
  asio::io_context io;
  BlockingPool pool(2);
  std::unique_ptr<http::Client> client;
  if (!options.llm_base_url.empty()) client = std::make_unique<http::Client>(io.get_executor(), http::ClientOptions{});
  agent::AgentService service(io.get_executor(), config, *db, *box, pool, client.get());

  std::map<std::string, Tenant> tenants;
  std::map<std::string, std::string> owner;  // Document → tenant.
  for (const auto& [name, documents] : set.documents_by_tenant) {
    auto tenant = db->CreateTenant(name, crypto::Sha256Hex("eval-key-" + name));
    if (!tenant) throw std::runtime_error("tenant " + name + ": " + tenant.error().message);
    auto base = knowledge.EnsureKnowledgeBase(tenant->id, "main");
    if (!base) throw std::runtime_error("knowledge base: " + base.error().message);
    // The business's language is set before its documents arrive, as a new user would: they are indexed once.
    const std::string& language = set.language_by_tenant.at(name);
    if (auto set_language = service.UpdateSettings(tenant->id, json::object{{"language", language}}); !set_language) {
      throw std::runtime_error("language of " + name + ": " + set_language.error().message);
    }
    tenants[name] = {tenant->id, base->id, language, {}};
    for (const auto& file : documents) {
      owner[file] = name;
      store::NewDocument document{tenant->id, base->id, file, "", "", ReadFile(options.corpus_dir / file)};
      if (auto created = knowledge.CreateDocument(document); !created) {
        throw std::runtime_error("create " + file + ": " + created.error().message);
      }
    }
  }
  RunOn(io, [&]() -> asio::awaitable<void> { co_await service.ingestor().RunDue(); });

  for (auto& [name, tenant] : tenants) {
    auto listed = knowledge.ListDocuments(tenant.id, std::nullopt, 100);
    if (!listed) throw std::runtime_error("list documents: " + listed.error().message);
    for (const auto& document : listed->data) {
      if (document.status != store::DocumentStatus::kReady) {
        throw std::runtime_error(document.name + " was not ingested: " + document.error);
      }
    }
    auto texts = knowledge.ChunkTextsAfter(tenant.knowledge_base, 0, 1000000);
    if (!texts) throw std::runtime_error("chunks: " + texts.error().message);
    std::vector<int64_t> ids;
    for (const auto& text : *texts) ids.push_back(text.chunk_id);
    auto records = knowledge.GetChunks(tenant.id, ids);
    if (!records) throw std::runtime_error("get chunks: " + records.error().message);
    tenant.chunks = std::move(*records);
  }
  // Every expected passage must exist, in the tenant asked: otherwise the set is wrong, not the agent.
  for (const auto& question : set.questions) {
    for (const auto& part : question.parts) {
      auto found = owner.find(part.document);
      if (found == owner.end() || found->second != question.tenant) {
        throw std::runtime_error("\"" + question.text + "\": " + part.document + " is not " + question.tenant + "'s");
      }
      const auto& chunks = tenants[question.tenant].chunks;
      bool exists = std::any_of(chunks.begin(), chunks.end(), [&](const store::ChunkRecord& chunk) {
        return Matches(part, chunk.document_name, chunk.text);
      });
      if (!exists) throw std::runtime_error("no chunk of " + part.document + " holds \"" + part.contains + "\"");
    }
  }

  auto ask = [&](int64_t tenant_id, const std::string& text) -> std::optional<json::object> {
    std::optional<json::object> answer;
    RunOn(io, [&]() -> asio::awaitable<void> {
      agent::AgentRequest request;
      request.tenant_id = tenant_id;
      request.text = {4096, Markup::kChatMarkers};  // WhatsApp's rules, which the corpus's answers were written for.
      request.question = text;
      auto answered = co_await service.Ask(request);
      if (answered) answer = agent::ToJson(*answered);
    });
    return answer;
  };
  auto verdict = [&](bool right, const std::string& line) {
    if (!right || options.verbose) figures.verdicts.push_back((right ? "  ok    " : "  MISS  ") + line);
  };

  std::ofstream traces;
  if (!options.traces.empty()) traces.open(options.traces, std::ios::app);
  auto record = [&](const DevQuestion& question, bool right, const std::optional<json::object>& answer) {
    if (!traces.is_open()) return;
    json::object line{{"run", options.llm_base_url.empty() ? "offline" : "scripted"},
                      {"tenant", question.tenant},
                      {"kind", question.kind},
                      {"question", question.text},
                      {"right", right}};
    line["answer"] = answer ? json::value(*answer) : json::value(nullptr);
    traces << SerializeJson(line) << '\n';
  };

  knowledge::Retriever bm25(knowledge, service.indexes());
  for (const auto& question : set.questions) {
    const Tenant& tenant = tenants.at(question.tenant);
    KindFigures& kind = figures.agent[question.kind];
    ++kind.questions;
    std::optional<json::object> answer = ask(tenant.id, question.text);
    std::string decision = answer ? std::string(answer->at("decision").as_string()) : "ERROR";
    std::string reason = answer ? std::string(answer->at("reason").as_string()) : "";
    std::string text = answer ? std::string(answer->at("answer").as_string()) : "";
    // A burst partly answered is escalated for the rest, but the customer is sent the parts answered, with their
    // sources: those count (and their facts are checked) like any answer. Only that path escalates with sources for
    // low relevance; an answer that failed validation is escalated with another reason and never sent.
    const bool partial = decision == "ESCALATE" && reason == "low_relevance" && answer &&
                         !answer->at("sources").as_array().empty() && !text.empty();
    bool answered = (decision == "AUTO_REPLY" && reason != "greeting" && !text.empty()) || partial;
    std::vector<Cited> cited;
    if (answered) {
      for (const auto& source : answer->at("sources").as_array()) {
        cited.push_back({std::string(source.at("name").as_string()), std::string(source.at("text").as_string())});
      }
    }
    if (!answered) ++kind.abstained;
    // None of the set's questions is an emergency: each one triage escalates as urgent is a false alarm.
    figures.questions_urgent += reason == kUrgent;

    std::string detail = decision + "/" + reason;
    if (question.parts.empty()) {
      // Any answer to what the tenant's documents do not answer states something the business never said.
      kind.wrong_facts += answered;
      if (answered) detail += " answered: " + Shorten(text);
      verdict(!answered, question.kind + "  " + question.text + "  → " + detail);
      record(question, !answered, answer);
      continue;
    }
    std::vector<std::string> missed;
    ScoreHits(question, cited, kind, &missed);
    std::string wrong;
    if (answered) {
      std::set<std::string> allowed = PassageNumbers(question, tenant);
      for (const auto& number : NumbersIn(text)) {
        if (!allowed.count(number)) wrong += (wrong.empty() ? "" : ", ") + number;
      }
      kind.wrong_facts += !wrong.empty();
    }
    if (!wrong.empty()) detail += " WRONG FACT (" + wrong + "): " + Shorten(text);
    if (!missed.empty()) detail += answered ? " cited " + (cited.empty() ? "nothing" : cited[0].document) : "";
    verdict(missed.empty() && wrong.empty(), question.kind + "  " + question.text + "  → " + detail);
    record(question, missed.empty() && wrong.empty(), answer);

    if (options.bm25) {
      knowledge::RetrievalOptions retrieval;
      retrieval.top_k = static_cast<int>(3 * question.parts.size());
      retrieval.correct_spelling = false;  // Plain BM25: the words as written.
      retrieval.language = tenant.language;
      auto ranked = bm25.Retrieve(tenant.id, {tenant.knowledge_base}, question.text, {}, "", retrieval);
      if (!ranked) throw std::runtime_error("bm25: " + ranked.error().message);
      std::vector<Cited> top;
      for (const auto& passage : *ranked) top.push_back({passage.chunk.document_name, passage.chunk.text});
      KindFigures& baseline = figures.bm25[question.kind];
      ++baseline.questions;
      ScoreHits(question, top, baseline, nullptr);
    }
  }
  for (auto* table : {&figures.agent, &figures.bm25}) {
    KindFigures all;
    for (const char* kind : kAnswerableKinds) {
      if (table->count(kind)) Add(all, table->at(kind));
    }
    (*table)["all"] = all;
  }

  // Triage: asked to the tenant the set names. The decision triage took is read from the final answer: a reason from
  // the answering stages means triage passed the burst on as a question.
  const int64_t triage_tenant = tenants.at(set.triage_tenant).id;
  for (const auto& triage : set.triage) {
    std::optional<json::object> answer = ask(triage_tenant, triage.text);
    std::string decision = answer ? std::string(answer->at("decision").as_string()) : "ERROR";
    std::string reason = answer ? std::string(answer->at("reason").as_string()) : "";
    std::string triage_decision = kAnsweringReasons.count(reason) ? "AUTO_REPLY" : decision;
    bool decision_right = triage_decision == triage.decision;
    bool right = decision_right && (triage.reason.empty() || reason == triage.reason);
    for (const std::string& key : {triage.category, std::string("all")}) {
      TriageFigures& category = figures.triage[key];
      ++category.cases;
      category.decision_right += decision_right;
      category.right += right;
    }
    if (triage.reason == kUrgent) {
      ++figures.urgent_cases;
      figures.urgent_escalated += triage_decision == "ESCALATE";
      figures.urgent_escalated_any += decision == "ESCALATE";
    }
    verdict(right, "triage " + triage.category + " [" + triage.language + "]  " + triage.text + "  → " + decision +
                       "/" + reason + " (expected " + triage.decision + "/" +
                       (triage.reason.empty() ? "any" : triage.reason) + ")");
  }

  if (client) client->Shutdown();
  pool.Stop();
  db->Close();
  figures.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return figures;
}

std::string FormatRun(const std::string& title, const RunFigures& figures, bool with_bm25) {
  std::string out;
  char line[256];
  auto add = [&](const char* format, auto... args) {
    std::snprintf(line, sizeof line, format, args...);
    out += line;
  };
  add("\n== %s (%.1f s)\n", title.c_str(), figures.seconds);
  add("%-15s %4s %5s | %-6s %-6s %-9s %-6s|", "kind", "n", "parts", "hit@1", "hit@3", "abstained", "wrong");
  if (with_bm25) add(" BM25 hit@1 hit@3");
  add("\n");
  auto row = [&](const std::string& kind) {
    auto found = figures.agent.find(kind);
    if (found == figures.agent.end()) return;
    const KindFigures& f = found->second;
    bool answerable = kind != kUnanswerable && kind != kOtherTenant;
    if (answerable) {
      add("%-15s %4d %5d | %.2f   %.2f   %-9s %-6d|", kind.c_str(), f.questions, f.parts, f.Hit1(), f.Hit3(),
          ("(" + std::to_string(f.abstained) + ")").c_str(), f.wrong_facts);
    } else {
      add("%-15s %4d %5s | %-6s %-6s %.2f      %-6d|", kind.c_str(), f.questions, "", "", "", f.Abstention(),
          f.wrong_facts);
    }
    if (with_bm25 && answerable && figures.bm25.count(kind)) {
      const KindFigures& b = figures.bm25.at(kind);
      add("       %.2f  %.2f", b.Hit1(), b.Hit3());
    }
    add("\n");
  };
  for (const char* kind : kAnswerableKinds) row(kind);
  row("all");
  for (const char* kind : kAbstainKinds) row(kind);
  int wrong = 0;
  for (const auto& [kind, f] : figures.agent) wrong += kind == "all" ? 0 : f.wrong_facts;
  add("answers with a wrong fact: %d\n", wrong);
  add("questions escalated as urgent_safety (false alarms): %d\n", figures.questions_urgent);

  add("\n%-16s %4s | %-8s %-8s\n", "triage", "n", "decision", "+reason");
  for (const char* category : kTriageCategories) {
    if (!figures.triage.count(category)) continue;
    const TriageFigures& t = figures.triage.at(category);
    add("%-16s %4d | %.2f     %.2f\n", category, t.cases, t.DecisionAccuracy(), t.Accuracy());
  }
  if (figures.triage.count("all")) {
    const TriageFigures& t = figures.triage.at("all");
    add("%-16s %4d | %.2f     %.2f\n", "all", t.cases, t.DecisionAccuracy(), t.Accuracy());
  }
  add("every urgent case escalated by triage: %s (%d of %d; escalated for any reason: %d)\n",
      figures.urgent_escalated == figures.urgent_cases ? "yes" : "no", figures.urgent_escalated, figures.urgent_cases,
      figures.urgent_escalated_any);
  return out;
}

std::map<std::string, double> FlatFigures(const std::string& prefix, const RunFigures& figures) {
  std::map<std::string, double> flat;
  int wrong = 0;
  for (const auto& [kind, f] : figures.agent) {
    if (kind != "all") wrong += f.wrong_facts;
    if (kind == kUnanswerable || kind == kOtherTenant) {
      flat[prefix + "." + kind + ".abstention"] = f.Abstention();
    } else {
      flat[prefix + "." + kind + ".hit1"] = f.Hit1();
      flat[prefix + "." + kind + ".hit3"] = f.Hit3();
    }
  }
  flat[prefix + ".wrong_facts"] = wrong;
  flat[prefix + ".questions_urgent"] = figures.questions_urgent;
  for (const auto& [kind, f] : figures.bm25) {
    flat["bm25." + kind + ".hit1"] = f.Hit1();
    flat["bm25." + kind + ".hit3"] = f.Hit3();
  }
  for (const auto& [category, t] : figures.triage) flat[prefix + ".triage." + category + ".accuracy"] = t.Accuracy();
  flat[prefix + ".triage.urgent_escalated"] =
      figures.urgent_cases == 0 ? 0 : static_cast<double>(figures.urgent_escalated) / figures.urgent_cases;
  return flat;
}

bool LowerIsBetter(const std::string& key) {
  return key.ends_with(".wrong_facts") || key.ends_with(".questions_urgent");
}

}  // namespace parley::eval
