// Analytics benchmark (issue 17: figures "served from aggregates the server keeps up to date, not a scan of every
// message per request"). Three measurements on one SQLite database:
//
//   1. Backfill: a tenant's history of `--conversations` conversations (default 100,000 over 90 days, about six
//      messages each: the customer, the bot, and for a quarter an escalation answered by a person and mostly resolved)
//      is written with plain SQL, then rolled up from zero the way `parley serve` does after migration 0025
//      (Rollup(500) until caught up): total time, rows per second, and the longest single rollup write, which is
//      how long the store's writer (and so a webhook) may wait behind it.
//   2. Queries, as GET /api/analytics reads them in the tenant's zone (Europe/Paris): 90 days by day, 13 weeks by week,
//      30 days by day for one channel, and a year by week; each with the catch-up rollup the API runs first (nothing to
//      do here). p50/p95 over `--rounds`.
//   3. Ingest: `--webhooks` single-message webhooks through Store::Ingest (64 in flight), alone and then with a rollup
//      running beside it as fast as the server's backlog loop does (a write, a 20 ms pause, again): webhooks per
//      second both ways.
//
//   build/bench/bench_analytics --conversations 100000

#include "core/crypto.h"
#include "core/time.h"
#include "core/time_zone.h"
#include "store/analytics_store.h"
#include "store/store.h"

#include <sqlite3.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

namespace store = parley::store;
namespace tz = parley::tz;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int64_t kDayMs = 24 * 3600 * 1000;
constexpr int kRollupRows = 500;  // As app/analytics_rollup.h's kAnalyticsRollupRows.
const char* kReasons[] = {"human_requested", "low_relevance", "complaint", "billing_dispute", "send_failed"};

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

void Exec(sqlite3* db, const char* sql) {
  char* error = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &error) != SQLITE_OK) {
    std::fprintf(stderr, "%s: %s\n", sql, error);
    std::exit(1);
  }
}

struct Inserter {
  sqlite3_stmt* stmt = nullptr;
  Inserter(sqlite3* db, const char* sql) { sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr); }
  ~Inserter() { sqlite3_finalize(stmt); }
  template <class... Args>
  int64_t Run(Args... args) {
    int i = 0;
    (Bind(++i, args), ...);
    if (sqlite3_step(stmt) != SQLITE_DONE) {
      std::fprintf(stderr, "insert: %s\n", sqlite3_errmsg(sqlite3_db_handle(stmt)));
      std::exit(1);
    }
    sqlite3_reset(stmt);
    return sqlite3_last_insert_rowid(sqlite3_db_handle(stmt));
  }
  void Bind(int i, int64_t v) { sqlite3_bind_int64(stmt, i, v); }
  void Bind(int i, const char* v) { sqlite3_bind_text(stmt, i, v, -1, SQLITE_STATIC); }
};

// The tenant's history, written directly (the rollup reads the tables, whatever wrote them).
int64_t WriteHistory(const std::string& path, int64_t tenant, const std::vector<int64_t>& channels, int conversations,
                     int64_t end_ms) {
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  Exec(db, "BEGIN");
  Inserter contact(db,
                   "INSERT INTO contacts (tenant_id, channel_id, platform_id, name, created_at) VALUES (?,?,?,'',?)");
  Inserter conversation(db,
                        "INSERT INTO conversations (tenant_id, channel_id, contact_id, created_at, last_message_at,"
                        " status) VALUES (?,?,?,?,?,'closed')");
  Inserter message(db,
                   "INSERT INTO messages (tenant_id, conversation_id, channel_id, direction, type, text, status,"
                   " created_at, details) VALUES (?,?,?,?,'text','Hello','sent',?,?)");
  Inserter support(db,
                   "INSERT INTO support_items (tenant_id, conversation_id, reason, status, created_at, resolved_at)"
                   " VALUES (?,?,?,?,?,?)");
  std::mt19937_64 random(17);
  std::uniform_int_distribution<int64_t> when(end_ms - 90 * kDayMs, end_ms - 3600 * 1000);
  std::vector<int64_t> starts(conversations);
  for (auto& start : starts) start = when(random);
  std::sort(starts.begin(), starts.end());
  int64_t messages = 0;
  for (int i = 0; i < conversations; ++i) {
    const int64_t channel = channels[i % channels.size()], t = starts[i];
    const std::string platform_id = "c" + std::to_string(i);
    const int64_t c = contact.Run(tenant, channel, platform_id.c_str(), t);
    const int64_t id = conversation.Run(tenant, channel, c, t, t);
    auto add = [&](const char* direction, int64_t at, const char* details) {
      message.Run(tenant, id, channel, direction, at, details);
      ++messages;
    };
    add("in", t, nullptr);
    const bool escalated = random() % 4 == 0;
    int64_t now = t + 1000 + static_cast<int64_t>(random() % 20000);
    if (random() % 10 < 9) add("out", now, nullptr);  // The bot's answer (or its hand-off message).
    if (escalated) {
      const int64_t person = now + 60'000 + static_cast<int64_t>(random() % (3 * 3600 * 1000));
      const bool resolved = random() % 5 != 0;
      if (resolved) {
        support.Run(tenant, id, kReasons[random() % 5], "resolved", now,
                    person + 600'000 + static_cast<int64_t>(random() % (2 * kDayMs)));
      } else {
        sqlite3_bind_null(support.stmt, 6);
        support.Run(tenant, id, kReasons[random() % 5], "open", now);
      }
      add("out", person, R"({"sent_by":"person"})");
      now = person;
    }
    for (int extra = static_cast<int>(random() % 4); extra > 0; --extra) {
      now += 30'000;
      add("in", now, nullptr);
      now += 5'000;
      add("out", now, escalated ? R"({"sent_by":"person"})" : nullptr);
    }
  }
  Exec(db, "COMMIT");
  sqlite3_close(db);
  return messages;
}

struct Stats {
  double p50 = 0, p95 = 0;
};
Stats Percentiles(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return {v[v.size() / 2], v[std::min(v.size() - 1, v.size() * 95 / 100)]};
}

// Slot bounds of consecutive periods of `step` days from `first`, in `zone`.
std::vector<int64_t> Bounds(const std::string& zone, tz::LocalDate first, int periods, int step) {
  std::vector<int64_t> bounds;
  for (int i = 0; i <= periods; ++i) {
    bounds.push_back(store::AnalyticsSlotOf(tz::StartOfDay(zone, tz::AddDays(first, i * step)).value()));
  }
  return bounds;
}

double IngestRate(store::Store& db, int webhooks, const std::string& account, int offset) {
  std::mutex mutex;
  std::condition_variable cv;
  int in_flight = 0, done = 0;
  const auto start = Clock::now();
  for (int i = 0; i < webhooks; ++i) {
    {
      std::unique_lock lock(mutex);
      cv.wait(lock, [&] { return in_flight < 64; });
      ++in_flight;
    }
    store::IngestRequest request;
    request.platform = parley::Platform("whatsapp");
    request.received_at_ms = parley::NowMs();
    store::InboundItem item;
    item.message.platform = parley::Platform("whatsapp");
    item.message.account_id = account;
    item.message.platform_message_id = "wamid.bench." + std::to_string(offset + i);
    item.message.contact_id = "+33" + std::to_string(600000000 + (offset + i) % 5000);
    item.message.timestamp_ms = request.received_at_ms;
    item.message.text = "Is the shop open on Sunday?";
    request.messages.push_back(std::move(item));
    db.Ingest(std::move(request), [&](parley::Result<store::IngestOutcome> r) {
      if (!r) std::fprintf(stderr, "ingest: %s\n", r.error().message.c_str());
      std::lock_guard lock(mutex);
      --in_flight;
      ++done;
      cv.notify_all();
    });
  }
  std::unique_lock lock(mutex);
  cv.wait(lock, [&] { return done == webhooks; });
  return webhooks / std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Analytics: backfill rollup, GET /api/analytics queries, ingest beside the rollup"};
  int conversations = 100000, rounds = 30, webhooks = 20000;
  app.add_option("--conversations", conversations);
  app.add_option("--rounds", rounds);
  app.add_option("--webhooks", webhooks);
  CLI11_PARSE(app, argc, argv);

  const auto dir = std::filesystem::temp_directory_path() / ("parley-bench-analytics-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "parley.db").string();
  auto box = parley::crypto::SecretBox::Create(std::string(32, 'k')).value();
  const int64_t end_ms = parley::NowMs();
  int64_t tenant = 0;
  std::vector<int64_t> channels;
  {
    auto db = store::OpenStore({.database_url = "sqlite://" + path, .sqlite_synchronous = "normal"}, box).value();
    if (!db->Migrate()) return 1;
    tenant = db->CreateTenant("Bench", parley::crypto::Sha256Hex("bench-key")).value().id;
    channels.push_back(db->AddChannel({tenant, parley::Platform("whatsapp"), "wa-bench", "t"}).value().id);
    channels.push_back(db->AddChannel({tenant, parley::Platform("instagram"), "ig-bench", "t"}).value().id);
    db->Close();
  }
  const auto written = Clock::now();
  const int64_t messages = WriteHistory(path, tenant, channels, conversations, end_ms);
  std::printf("history: %d conversations, %lld messages over 90 days, written in %.1f s\n", conversations,
              static_cast<long long>(messages), std::chrono::duration<double>(Clock::now() - written).count());

  auto db = store::OpenStore({.database_url = "sqlite://" + path, .sqlite_synchronous = "normal"}, box).value();
  // 1. Backfill.
  int64_t rows = 0;
  std::vector<double> writes;
  const auto backfill = Clock::now();
  for (;;) {
    const auto one = Clock::now();
    const int64_t read = db->analytics().Rollup(kRollupRows).value();
    writes.push_back(Ms(Clock::now() - one));
    rows += read;
    if (read == 0) break;
  }
  const double backfill_s = std::chrono::duration<double>(Clock::now() - backfill).count();
  const Stats w = Percentiles(writes);
  std::printf(
      "backfill: %lld rows in %zu writes of %d rows per source, %.1f s (%.0f rows/s); a write p50 %.1f ms, "
      "p95 %.1f ms, max %.1f ms\n",
      static_cast<long long>(rows), writes.size(), kRollupRows, backfill_s, rows / backfill_s, w.p50, w.p95,
      *std::max_element(writes.begin(), writes.end()));

  // 2. Queries.
  const std::string zone = "Europe/Paris";
  const tz::LocalDate today = tz::DateAt(zone, end_ms).value();
  struct Case {
    const char* name;
    std::vector<int64_t> bounds;
    std::optional<int64_t> channel;
  };
  const tz::LocalDate monday = tz::AddDays(today, 1 - tz::Weekday(today));
  std::vector<Case> cases = {
      {"90 days by day", Bounds(zone, tz::AddDays(today, -89), 90, 1), std::nullopt},
      {"13 weeks by week", Bounds(zone, tz::AddDays(monday, -12 * 7), 13, 7), std::nullopt},
      {"30 days by day, one channel", Bounds(zone, tz::AddDays(today, -29), 30, 1), channels[0]},
      {"52 weeks by week", Bounds(zone, tz::AddDays(monday, -51 * 7), 52, 7), std::nullopt},
  };
  for (const auto& c : cases) {
    std::vector<double> times;
    int64_t started = 0;
    for (int i = 0; i <= rounds; ++i) {
      const auto start = Clock::now();
      db->analytics().Rollup(5000).value();  // What the API does first.
      auto periods = db->analytics().Query({tenant, c.bounds, c.channel}).value();
      if (i > 0) times.push_back(Ms(Clock::now() - start));
      started = 0;
      for (const auto& p : periods) started += p.counts.conversations_started;
    }
    const Stats s = Percentiles(times);
    std::printf("query %-28s p50 %6.2f ms  p95 %6.2f ms  (%lld conversations)\n", c.name, s.p50, s.p95,
                static_cast<long long>(started));
  }

  // 3. Ingest alone, then beside a rollup loop that always has work (the webhooks themselves).
  const double alone = IngestRate(*db, webhooks, "wa-bench", 0);
  std::atomic<bool> stop = false;
  std::atomic<int64_t> rolled = 0;
  std::thread rollup([&] {
    while (!stop) {
      rolled += db->analytics().Rollup(kRollupRows).value();
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  const double beside = IngestRate(*db, webhooks, "wa-bench", webhooks);
  stop = true;
  rollup.join();
  std::printf("ingest: %.0f webhooks/s alone, %.0f webhooks/s beside the rollup (%lld rows rolled up meanwhile)\n",
              alone, beside, static_cast<long long>(rolled.load()));
  db->Close();
  std::filesystem::remove_all(dir);
  return 0;
}
