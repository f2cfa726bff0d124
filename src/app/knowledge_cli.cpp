#include "app/knowledge_cli.h"

#include "agent/service.h"
#include "app/setup.h"
#include "channels/registry.h"
#include "core/blocking_pool.h"
#include "core/json.h"
#include "core/log.h"
#include "core/time.h"
#include "http/client.h"
#include "store/knowledge_store.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

namespace parley::app {
namespace {

constexpr int kCliBlockingThreads = 2;

// The process-wide pieces a knowledge command needs, torn down in order.
struct Runtime {
  explicit Runtime(const Config& config) : config(config), pool(kCliBlockingThreads) {}
  const Config& config;
  boost::asio::io_context io;
  BlockingPool pool;
  std::optional<crypto::SecretBox> box;
  std::unique_ptr<store::Store> store;
  std::unique_ptr<http::Client> client;
  std::unique_ptr<agent::AgentService> service;

  // The store alone, for the commands that only read or remove rows.
  Result<void> Store() {
    auto key = LoadMasterKey(config);
    if (!key) return key.error();
    box = *key;
    auto opened = OpenMigratedStore(config, *box);
    if (!opened) return opened.error();
    store = std::move(*opened);
    return Ok();
  }

  // The store and the agent's service (ingestion, indexes, the agent).
  Result<void> Open() {
    if (auto opened = Store(); !opened) return opened;
    // The same policy as the server's: these commands also fetch the pages tenants queued.
    auto client_options = OutboundClientOptions(config);
    if (!client_options) return client_options.error();
    client = std::make_unique<http::Client>(io.get_executor(), *client_options);
    service = std::make_unique<agent::AgentService>(io.get_executor(), config, *store, *box, pool, client.get());
    return Ok();
  }

  // Runs `body` to completion on the io_context; rethrows what it throws.
  void RunToCompletion(std::function<boost::asio::awaitable<void>()> body) {
    boost::asio::co_spawn(io, std::move(body), [](std::exception_ptr e) {
      if (e) std::rethrow_exception(e);
    });
    io.run();
  }

  ~Runtime() {
    if (client) client->Shutdown();
    pool.Stop();
    if (store) store->Close();
  }
};

bool Finished(store::DocumentStatus status) {
  return status == store::DocumentStatus::kReady || status == store::DocumentStatus::kFailed;
}

}  // namespace

int KnowledgeAdd(const Config& config, int64_t tenant_id, const std::string& knowledge_base,
                 const std::vector<std::string>& files) {
  Runtime runtime(config);
  if (auto opened = runtime.Open(); !opened) return PrintError(opened.error());
  auto& knowledge = runtime.store->knowledge();
  auto base = knowledge.EnsureKnowledgeBase(tenant_id, knowledge_base);
  if (!base) return PrintError(base.error());

  struct Entry {
    std::string name;
    std::optional<store::Document> document;
    std::string error;  // Set when the file could not even be read.
    bool replaced = false;
  };
  std::vector<Entry> entries;
  for (const auto& file : files) {
    Entry entry{std::filesystem::path(file).filename().string(), std::nullopt, {}, false};
    std::ifstream in(file, std::ios::binary);
    if (!in) {
      entry.error = "cannot read " + file;
      entries.push_back(std::move(entry));
      continue;
    }
    std::stringstream bytes;
    bytes << in.rdbuf();
    store::NewDocument document{tenant_id, base->id, entry.name, "", "", bytes.str()};
    auto created = knowledge.CreateDocument(document);
    if (!created) return PrintError(created.error());
    entry.replaced = created->version > 1;
    entry.document = *created;
    entries.push_back(std::move(entry));
  }

  runtime.RunToCompletion([&]() -> boost::asio::awaitable<void> {
    boost::asio::steady_timer timer(runtime.io);
    while (true) {
      co_await runtime.service->ingestor().RunDue();
      bool all_done = true;
      for (auto& entry : entries) {
        if (!entry.document || Finished(entry.document->status)) continue;
        int64_t id = entry.document->id;
        auto read = [&] { return knowledge.GetDocument(tenant_id, id); };
        Result<store::Document> current = co_await runtime.pool.Run(read);
        if (current) entry.document = *current;
        if (!current || !Finished(entry.document->status)) all_done = false;
      }
      if (all_done) break;
      // Another process (a running server) may hold a document, or a retry is scheduled: look again shortly.
      timer.expires_after(std::chrono::milliseconds(200));
      co_await timer.async_wait(boost::asio::use_awaitable);
    }
    runtime.client->Shutdown();
  });
  // The new vectors are searchable at once but linked into the HNSW graph in the background: wait for that, so
  // that the saved files are complete and the next process (a server starting) need not link them again.
  auto& indexes = runtime.service->indexes();
  if (auto linked = indexes.vectors.WaitIndexed(); !linked) {
    log::Warn("index_not_linked", {{"detail", linked.error().detail}});
  }
  if (auto flushed = indexes.Flush(); !flushed) {
    log::Warn("index_not_saved", {{"detail", flushed.error().detail}});
  }

  bool all_ready = true;
  for (const auto& entry : entries) {
    boost::json::object line{
        {"document_id", nullptr}, {"name", entry.name}, {"status", "failed"}, {"chunks", 0},
        {"qa_pairs", 0},          {"version", nullptr}, {"replaced", false},  {"error", entry.error}};
    if (entry.document) {
      line["document_id"] = entry.document->id;
      line["status"] = store::ToString(entry.document->status);
      line["chunks"] = entry.document->chunks;
      line["qa_pairs"] = entry.document->qa_pairs;
      line["version"] = entry.document->version;
      line["replaced"] = entry.replaced;
      line["error"] =
          entry.document->error.empty() ? boost::json::value(nullptr) : boost::json::value(entry.document->error);
    }
    all_ready = all_ready && entry.document && entry.document->status == store::DocumentStatus::kReady;
    std::cout << SerializeJson(line) << std::endl;
  }
  return all_ready ? 0 : 1;
}

int KnowledgeList(const Config& config, int64_t tenant_id, const std::string& knowledge_base) {
  Runtime runtime(config);
  if (auto opened = runtime.Store(); !opened) return PrintError(opened.error());
  auto& knowledge = runtime.store->knowledge();
  auto bases = knowledge.ListKnowledgeBases(tenant_id);
  if (!bases) return PrintError(bases.error());
  std::map<int64_t, std::vector<store::Document>> documents;
  std::optional<std::string> cursor;
  do {
    auto page = knowledge.ListDocuments(tenant_id, cursor, 100);
    if (!page) return PrintError(page.error());
    for (auto& document : page->data) documents[document.knowledge_base_id].push_back(std::move(document));
    cursor = page->next_cursor;
  } while (cursor);
  bool found = knowledge_base.empty();
  for (const auto& base : *bases) {
    if (!knowledge_base.empty() && base.name != knowledge_base) continue;
    found = true;
    const auto& listed = documents[base.id];
    int64_t chunks = 0;
    for (const auto& document : listed) chunks += document.chunks;
    std::cout << SerializeJson(boost::json::object{{"knowledge_base_id", base.id},
                                                   {"knowledge_base", base.name},
                                                   {"documents", listed.size()},
                                                   {"chunks", chunks}})
              << "\n";
    for (const auto& d : listed) {
      std::cout << SerializeJson(boost::json::object{
                       {"document_id", d.id},
                       {"knowledge_base_id", d.knowledge_base_id},
                       {"name", d.name},
                       {"status", store::ToString(d.status)},
                       {"chunks", d.chunks},
                       {"qa_pairs", d.qa_pairs},
                       {"version", d.version},
                       {"size_bytes", d.size_bytes},
                       {"error", d.error.empty() ? boost::json::value(nullptr) : boost::json::value(d.error)},
                       {"updated_at", FormatTimestamp(d.updated_at_ms)}})
                << "\n";
    }
  }
  std::cout.flush();
  if (!found) return PrintError(Error::NotFound("no knowledge base called " + knowledge_base));
  return 0;
}

int KnowledgeRemove(const Config& config, int64_t tenant_id, std::optional<int64_t> document_id,
                    const std::string& knowledge_base, const std::string& name) {
  Runtime runtime(config);
  if (auto opened = runtime.Store(); !opened) return PrintError(opened.error());
  auto& knowledge = runtime.store->knowledge();
  Result<store::Document> document = Error::NotFound("no such document");
  if (document_id) {
    document = knowledge.GetDocument(tenant_id, *document_id);
  } else {
    auto bases = knowledge.ListKnowledgeBases(tenant_id);
    if (!bases) return PrintError(bases.error());
    for (const auto& base : *bases) {
      if (base.name != knowledge_base) continue;
      auto named = knowledge.FindDocument(tenant_id, base.id, name);
      if (!named) return PrintError(named.error());
      if (*named) document = std::move(**named);
    }
  }
  if (!document) return PrintError(document.error());
  // The deletion log takes its chunks out of every process's indexes: a running server's at its next search, the
  // index files at the next start.
  if (auto removed = knowledge.DeleteDocument(tenant_id, document->id); !removed) return PrintError(removed.error());
  std::cout << SerializeJson(
                   boost::json::object{{"removed", true}, {"document_id", document->id}, {"name", document->name}})
            << std::endl;
  return 0;
}

int Ask(const Config& config, int64_t tenant_id, const std::string& question, const std::string& platform) {
  const channels::PlatformPlugin* plugin = channels::FindPlatform(platform);
  if (plugin == nullptr) return PrintError(Error::InvalidArgument("platform must be " + channels::PlatformNames()));
  Runtime runtime(config);
  if (auto opened = runtime.Open(); !opened) return PrintError(opened.error());
  int exit_code = 1;
  runtime.RunToCompletion([&]() -> boost::asio::awaitable<void> {
    agent::AgentRequest request{tenant_id, plugin->traits.text, question, {}};
    Result<agent::AgentAnswer> answer = co_await runtime.service->Ask(request);
    runtime.client->Shutdown();
    if (!answer) {
      PrintError(answer.error());
      co_return;
    }
    std::cout << SerializeJson(agent::ToJson(*answer)) << std::endl;
    exit_code = 0;
  });
  return exit_code;
}

}  // namespace parley::app
