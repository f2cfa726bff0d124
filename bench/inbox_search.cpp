// Inbox search benchmark (issue 17's budget: p50 < 50 ms over 100,000 conversations): one tenant's inbox of
// synthetic customer conversations, searched the way GET /api/conversations?q= does it, through the store's
// ListConversations (the full-text indexes of migration 0017) and the summaries the list carries (unread counts,
// last message).
//
// The inbox is generated deterministically (fixed seed) and written through the real webhook path
// (Store::Ingest, so the search indexes are kept by the store's own triggers): conversations start at random
// times over 90 days, each with a log-normal number of messages (median 9, mean about 11, capped at 300)
// alternating between the customer and the business (the business's as Instagram echoes, i.e. people answering),
// drawn from English, French and Spanish customer-service sentences with order numbers, in time order across
// conversations. 80 % of the contacts have a profile name. A second tenant holds a fifth as many conversations
// with the same sentences, so that matches from other tenants are in the indexes as in a shared database.
//
// The queries are what people type in an inbox's search box: names and name prefixes, phone number prefixes,
// order numbers, common and rarer words of the messages (with and without accents), two-word searches, the prefix of
// a word being typed, and words that match nothing. Each runs once for warm-up, then `--rounds` times; latencies are
// wall-clock, per query, one at a time.
//
//   build/bench/bench_inbox_search --conversations 100000
//   build/bench/bench_inbox_search --conversations 2000 --like-baseline   (the LIKE scan this replaced, for scale)

#include "core/crypto.h"
#include "store/inbox_store.h"
#include "store/store.h"

#include <sqlite3.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <future>
#include <map>
#include <random>
#include <string>
#include <vector>

#include <unistd.h>

namespace store = parley::store;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int64_t kStart = 1'790'000'000'000;  // Milliseconds; 2026-09.
constexpr int64_t kDay = 24 * 3600 * 1000;

const std::vector<std::string> kFirst = {
    "Marie", "José",  "Zoé",      "Hélène", "Léa",   "Chloé",  "Camille", "Lucas",  "Hugo",   "Mathéo", "Noé",
    "Inès",  "Ana",   "Sofía",    "Lucía",  "Mateo", "Diego",  "John",    "Emma",   "Olivia", "Liam",   "Noah",
    "Ava",   "Mia",   "Aisha",    "Omar",   "Yusuf", "Fatima", "Kenji",   "Yuki",   "Priya",  "Arjun",  "Ravi",
    "Björn", "Søren", "François", "Cécile", "Agnès", "Amélie", "Benoît",  "Jérôme", "Gaëlle"};
const std::vector<std::string> kLast = {
    "Martin",   "Bernard", "Dubois",   "Thomas", "Robert",  "Richard",   "Petit",    "Durand",   "Leroy", "Moreau",
    "Simon",    "Laurent", "Lefèbvre", "Michel", "García",  "Fernández", "López",    "Martínez", "Smith", "Johnson",
    "Williams", "Brown",   "Jones",    "Müller", "Schmidt", "Schneider", "Fischer",  "Weber",    "Khan",  "Ali",
    "Tanaka",   "Suzuki",  "Patel",    "Sharma", "Nguyen",  "Tran",      "Kowalski", "Novák",    "Rossi", "Russo"};
const std::vector<std::string> kCustomer = {"Hello, are you open on Sunday?",
                                            "Bonjour, êtes-vous ouverts dimanche ?",
                                            "Hola, ¿están abiertos el domingo?",
                                            "I would like to order a birthday cake for Saturday",
                                            "Je voudrais commander un gâteau d'anniversaire pour samedi",
                                            "What time do you close today?",
                                            "À quelle heure fermez-vous aujourd'hui ?",
                                            "Do you deliver to the city centre?",
                                            "Est-ce que vous livrez au centre-ville ?",
                                            "My order #{n} has not arrived yet",
                                            "Ma commande n°{n} n'est pas arrivée",
                                            "Can I pay by card?",
                                            "Puis-je payer par carte bancaire ?",
                                            "I want a refund for order {n}",
                                            "Je souhaite un remboursement pour la commande {n}",
                                            "Thanks a lot!",
                                            "Merci beaucoup !",
                                            "Gracias",
                                            "Do you have gluten-free bread?",
                                            "Avez-vous du pain sans gluten ?",
                                            "The croissants were delicious",
                                            "Les croissants étaient délicieux",
                                            "Is there parking nearby?",
                                            "Y a-t-il un parking à proximité ?",
                                            "Can I speak to a person please",
                                            "Je veux parler à un conseiller",
                                            "How much is the chocolate éclair?",
                                            "Combien coûte l'éclair au chocolat ?",
                                            "Can I change the delivery address?",
                                            "Peut-on modifier l'adresse de livraison ?",
                                            "Do you cater for weddings?",
                                            "Faites-vous des pièces montées pour les mariages ?",
                                            "The app says payment failed",
                                            "Le paiement a échoué sur l'application",
                                            "Ok",
                                            "Perfect, see you tomorrow",
                                            "Parfait, à demain",
                                            "¿Tienen pasteles sin azúcar?",
                                            "Quiero cambiar mi pedido {n}"};
const std::vector<std::string> kBusiness = {"We are open every day from 7am to 7pm.",
                                            "Nous sommes ouverts tous les jours de 7h à 19h.",
                                            "Your order {n} is ready for pickup.",
                                            "Votre commande {n} est prête.",
                                            "Sorry for the delay, a colleague will answer shortly.",
                                            "Désolé pour l'attente, un collègue va vous répondre.",
                                            "Yes, we deliver within 5 km for 3 euros.",
                                            "Oui, nous livrons dans un rayon de 5 km pour 3 euros.",
                                            "Your refund has been processed.",
                                            "Votre remboursement a été effectué.",
                                            "Of course, which size would you like?",
                                            "Bien sûr, pour combien de personnes ?",
                                            "Sí, tenemos opciones sin gluten.",
                                            "You're welcome!",
                                            "Avec plaisir !"};

struct Query {
  std::string kind;
  std::string text;
};

double Percentile(std::vector<double> values, double q) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  return values[static_cast<size_t>(q * static_cast<double>(values.size() - 1) + 0.5)];
}

std::string Fill(const std::string& pattern, std::mt19937_64& rng) {
  std::string text = pattern;
  if (auto at = text.find("{n}"); at != std::string::npos) {
    text.replace(at, 3, std::to_string(std::uniform_int_distribution<int>(10000, 99999)(rng)));
  }
  return text;
}

struct Event {
  int64_t at_ms = 0;
  int conversation = 0;
  bool from_customer = true;
  std::string text;
};

// Writes `conversations` conversations for the tenant owning Instagram account `account` through Store::Ingest, in
// time order, a few thousand events per payload. Returns the messages written.
int64_t Populate(store::Store& db, const std::string& account, int conversations, std::mt19937_64& rng) {
  std::vector<std::string> contact_ids(conversations);
  std::vector<std::string> names(conversations);
  std::vector<Event> events;
  std::lognormal_distribution<double> length(2.2, 0.7);
  std::uniform_int_distribution<int64_t> start(0, 90 * kDay);
  std::uniform_int_distribution<int64_t> gap(5'000, 3'600'000);
  std::uniform_real_distribution<double> unit(0, 1);
  for (int c = 0; c < conversations; ++c) {
    contact_ids[c] = "336" + std::to_string(10'000'000 + std::uniform_int_distribution<int>(0, 89'999'999)(rng)) + "-" +
                     std::to_string(c);
    if (unit(rng) < 0.8) names[c] = kFirst[rng() % kFirst.size()] + " " + kLast[rng() % kLast.size()];
    const int messages = std::clamp(static_cast<int>(length(rng)), 1, 300);
    int64_t at = kStart + start(rng);
    for (int m = 0; m < messages; ++m) {
      const bool customer = m % 2 == 0;
      const auto& sentences = customer ? kCustomer : kBusiness;
      events.push_back({at, c, customer, Fill(sentences[rng() % sentences.size()], rng)});
      at += gap(rng);
    }
  }
  std::stable_sort(events.begin(), events.end(), [](const Event& a, const Event& b) { return a.at_ms < b.at_ms; });
  constexpr size_t kPerPayload = 4000;
  int64_t written = 0;
  for (size_t begin = 0; begin < events.size(); begin += kPerPayload) {
    store::IngestRequest request;
    request.platform = parley::Platform("instagram");
    const size_t end = std::min(events.size(), begin + kPerPayload);
    request.received_at_ms = events[end - 1].at_ms;
    for (size_t i = begin; i < end; ++i) {
      const Event& e = events[i];
      const std::string mid = account + ".m" + std::to_string(i);
      if (e.from_customer) {
        store::InboundItem item;
        item.message.platform = parley::Platform("instagram");
        item.message.account_id = account;
        item.message.platform_message_id = mid;
        item.message.contact_id = contact_ids[e.conversation];
        item.message.contact_name = names[e.conversation];
        item.message.timestamp_ms = e.at_ms;
        item.message.text = e.text;
        item.answerable = false;  // Nothing to answer: the batcher is not running.
        request.messages.push_back(std::move(item));
      } else {
        request.echoes.push_back(
            {parley::Platform("instagram"), account, contact_ids[e.conversation], mid, e.text, e.at_ms});
      }
    }
    std::promise<parley::Result<store::IngestOutcome>> done;
    db.Ingest(std::move(request), [&](parley::Result<store::IngestOutcome> r) { done.set_value(std::move(r)); });
    auto outcome = done.get_future().get();
    if (!outcome) throw std::runtime_error("ingest failed: " + outcome.error().message);
    written += static_cast<int64_t>(end - begin);
  }
  return written;
}

std::vector<Query> Queries() {
  return {{"name", "marie"},
          {"name", "Zoé"},
          {"name", "lefebvre"},
          {"name", "garcia"},
          {"name prefix", "mar"},
          {"name prefix", "Hél"},
          {"name prefix", "schn"},
          {"phone prefix", "33612"},
          {"phone prefix", "3369"},
          {"order number", "48213"},
          {"order number", "70001"},
          {"word", "order"},
          {"word", "commande"},
          {"word", "gateau"},
          {"word", "remboursement"},
          {"word", "refund"},
          {"word", "livraison"},
          {"word", "parking"},
          {"word", "mariages"},
          {"word", "azúcar"},
          {"two words", "gluten free"},
          {"two words", "pain sans"},
          {"two words", "payment failed"},
          {"typing", "deliv"},
          {"typing", "rembour"},
          {"typing", "croiss"},
          {"typing", "choc"},
          {"typing", "ann"},
          {"no match", "xylophone"},
          {"no match", "zzzz"}};
}

// The search before migration 0017: a LIKE scan of every message of the tenant's conversations, newest first.
constexpr char kLikeScan[] =
    "SELECT c.id FROM conversations c JOIN contacts ct ON ct.id = c.contact_id WHERE c.tenant_id = ?1"
    " AND (ct.name LIKE ?2 ESCAPE '\\' OR ct.platform_id LIKE ?2 ESCAPE '\\'"
    "   OR EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id AND m.text LIKE ?2 ESCAPE '\\'))"
    " ORDER BY c.last_message_at DESC, c.id DESC LIMIT 51";

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Inbox search over a synthetic inbox"};
  int conversations = 100000;
  int rounds = 20;
  uint64_t seed = 20261206;
  std::string data_dir;
  bool like_baseline = false;
  app.add_option("--conversations", conversations, "The searched tenant's conversations");
  app.add_option("--rounds", rounds, "Runs of each query after its warm-up");
  app.add_option("--seed", seed);
  app.add_option("--data-dir", data_dir, "Where the database goes (default: a fresh temporary directory, removed)");
  app.add_flag("--like-baseline", like_baseline, "Also time the LIKE scan the full-text search replaced");
  CLI11_PARSE(app, argc, argv);

  std::filesystem::path dir =
      data_dir.empty() ? std::filesystem::temp_directory_path() / ("parley-inbox-bench-" + std::to_string(::getpid()))
                       : std::filesystem::path(data_dir);
  std::filesystem::create_directories(dir);
  try {
    auto box = parley::crypto::SecretBox::Create(std::string(32, 'b')).value();
    const std::string path = (dir / "parley.db").string();
    auto db = store::OpenStore({.database_url = "sqlite://" + path, .sqlite_synchronous = "normal"}, box).value();
    if (auto migrated = db->Migrate(); !migrated) throw std::runtime_error(migrated.error().message);
    const int64_t tenant = db->CreateTenant("Searched", parley::crypto::Sha256Hex("bench-1")).value().id;
    const int64_t other = db->CreateTenant("Other", parley::crypto::Sha256Hex("bench-2")).value().id;
    db->AddChannel({tenant, parley::Platform("instagram"), "ig-searched", "t"}).value();
    db->AddChannel({other, parley::Platform("instagram"), "ig-other", "t"}).value();

    std::mt19937_64 rng(seed);
    auto started = Clock::now();
    int64_t messages = Populate(*db, "ig-searched", conversations, rng);
    messages += Populate(*db, "ig-other", conversations / 5, rng);
    const double load_s = std::chrono::duration<double>(Clock::now() - started).count();
    // What the background indexer has not done yet, before the searches.
    auto index_started = Clock::now();
    if (auto flushed = db->inbox().FlushSearchIndex(); !flushed) throw std::runtime_error(flushed.error().message);
    const double index_s = std::chrono::duration<double>(Clock::now() - index_started).count();
    std::printf(
        "inbox: %d conversations (+%d in another tenant), %lld messages written in %.1f s (%.0f messages/s "
        "through Store::Ingest, indexed in the background meanwhile), the rest indexed in %.1f s\n",
        conversations, conversations / 5, static_cast<long long>(messages), load_s, messages / load_s, index_s);

    std::map<std::string, std::vector<double>> by_kind;
    std::vector<double> all_ms;
    std::vector<double> list_only_ms;
    for (const Query& query : Queries()) {
      store::ConversationFilter filter;
      filter.text = query.text;
      size_t found = 0;
      for (int round = 0; round <= rounds; ++round) {
        auto t0 = Clock::now();
        auto page = db->ListConversations(tenant, filter, std::nullopt, 50).value();
        auto t1 = Clock::now();
        std::vector<int64_t> ids;
        for (const auto& c : page.data) ids.push_back(c.id);
        auto summaries = db->inbox().Summaries(tenant, ids).value();
        auto t2 = Clock::now();
        found = page.data.size();
        if (round == 0) continue;  // Warm-up.
        const double ms = std::chrono::duration<double, std::milli>(t2 - t0).count();
        all_ms.push_back(ms);
        by_kind[query.kind].push_back(ms);
        list_only_ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
      }
      std::printf("  %-13s %-16s %2zu found  p50 %7.2f ms\n", query.kind.c_str(), query.text.c_str(), found,
                  Percentile(std::vector<double>(by_kind[query.kind].end() - rounds, by_kind[query.kind].end()), 0.5));
    }
    std::printf("by kind (search + summaries of the page of 50): p50 / p95 ms\n");
    for (const auto& [kind, values] : by_kind) {
      std::printf("  %-13s %7.2f / %7.2f\n", kind.c_str(), Percentile(values, 0.5), Percentile(values, 0.95));
    }
    std::printf(
        "every query: p50 %.2f ms, p95 %.2f ms, p99 %.2f ms, max %.2f ms (the list alone: p50 %.2f, p95 %.2f)\n",
        Percentile(all_ms, 0.5), Percentile(all_ms, 0.95), Percentile(all_ms, 0.99), Percentile(all_ms, 1.0),
        Percentile(list_only_ms, 0.5), Percentile(list_only_ms, 0.95));
    std::printf("target: p50 < 50 ms over %d conversations: %s\n", conversations,
                Percentile(all_ms, 0.5) < 50 ? "yes" : "no");
    db->Close();

    if (like_baseline) {
      sqlite3* raw = nullptr;
      if (sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
        throw std::runtime_error("cannot open the database read-only");
      }
      sqlite3_stmt* statement = nullptr;
      sqlite3_prepare_v2(raw, kLikeScan, -1, &statement, nullptr);
      std::vector<double> like_ms;
      for (const Query& query : Queries()) {
        const std::string pattern = "%" + query.text + "%";
        for (int round = 0; round <= std::min(rounds, 3); ++round) {
          auto t0 = Clock::now();
          sqlite3_bind_int64(statement, 1, tenant);
          sqlite3_bind_text(statement, 2, pattern.c_str(), -1, SQLITE_TRANSIENT);
          while (sqlite3_step(statement) == SQLITE_ROW) {
          }
          sqlite3_reset(statement);
          if (round > 0) like_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
        }
      }
      sqlite3_finalize(statement);
      sqlite3_close(raw);
      std::printf("LIKE scan (before migration 0017), same queries: p50 %.2f ms, p95 %.2f ms\n",
                  Percentile(like_ms, 0.5), Percentile(like_ms, 0.95));
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_inbox_search: %s\n", e.what());
    if (data_dir.empty()) std::filesystem::remove_all(dir);
    return 1;
  }
  if (data_dir.empty()) std::filesystem::remove_all(dir);
  return 0;
}
