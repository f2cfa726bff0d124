#include "store/sqlite/knowledge_store.h"

#include "core/crypto.h"
#include "core/json.h"
#include "core/time.h"
#include "store/sqlite/cursor.h"
#include "store/sqlite/db.h"
#include "store/sqlite/event_log.h"
#include "store/sqlite/sqlite_store.h"

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>

#include <algorithm>
#include <charconv>
#include <unordered_map>
#include <unordered_set>

namespace parley::store::sqlite {
namespace {

constexpr const char* kTenantExists = "SELECT 1 FROM tenants WHERE id = ?1";
constexpr const char* kSelectKnowledgeBase =
    "SELECT id, tenant_id, name, created_at FROM knowledge_bases WHERE tenant_id = ?1 AND name = ?2";
constexpr const char* kInsertKnowledgeBase =
    "INSERT INTO knowledge_bases (tenant_id, name, created_at) VALUES (?1, ?2, ?3) RETURNING id";
constexpr const char* kListKnowledgeBases =
    "SELECT id, tenant_id, name, created_at FROM knowledge_bases WHERE tenant_id = ?1 ORDER BY id";
constexpr const char* kKnowledgeTotals =
    "SELECT COUNT(*), COALESCE(SUM(size_bytes), 0) FROM knowledge_documents WHERE tenant_id = ?1";
constexpr const char* kKnowledgeBaseOfTenant = "SELECT 1 FROM knowledge_bases WHERE id = ?1 AND tenant_id = ?2";

#define DOCUMENT_COLUMNS                                                                                    \
  "id, tenant_id, knowledge_base_id, name, content_type, source_url, size_bytes, status, progress, error, " \
  "chunks, attempts, created_at, updated_at, version"
// What a listing shows besides (column 15): the Q&A pairs the document brought.
#define DOCUMENT_SELECT \
  "SELECT " DOCUMENT_COLUMNS ", (SELECT COUNT(*) FROM faq_entries f WHERE f.document_id = knowledge_documents.id) "
constexpr const char* kInsertDocument =
    "INSERT INTO knowledge_documents (tenant_id, knowledge_base_id, name, content_type, source_url, size_bytes, "
    "content, status, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'pending', ?8, ?8) RETURNING id";
constexpr const char* kDocumentByName = "SELECT id FROM knowledge_documents WHERE knowledge_base_id = ?1 AND name = ?2";
// A new version: pending again from now, with a fresh count of attempts; the lease of a worker still processing the
// previous content is dropped, so that its completion conflicts instead of overwriting the new version.
constexpr const char* kReplaceDocument =
    "UPDATE knowledge_documents SET content_type = ?2, source_url = ?3, size_bytes = ?4, content = ?5, "
    "status = 'pending', progress = 0, error = '', attempts = 0, next_attempt_at = 0, lease_token = NULL, "
    "lease_until = NULL, version = version + 1, updated_at = ?6 WHERE id = ?1";
constexpr const char* kSelectDocument = DOCUMENT_SELECT "FROM knowledge_documents WHERE id = ?1 AND tenant_id = ?2";
constexpr const char* kSelectDocumentByName =
    DOCUMENT_SELECT "FROM knowledge_documents WHERE knowledge_base_id = ?1 AND name = ?2 AND tenant_id = ?3";
constexpr const char* kDocumentsFirstPage =
    DOCUMENT_SELECT "FROM knowledge_documents WHERE tenant_id = ?1 ORDER BY id DESC LIMIT ?2";
constexpr const char* kDocumentsAfter =
    DOCUMENT_SELECT "FROM knowledge_documents WHERE tenant_id = ?1 AND id < ?3 ORDER BY id DESC LIMIT ?2";
// Whose turn it is (migration 0011): among the tenants with a due document (pending and due, or in processing with
// its lease expired) outside the skipped knowledge bases (?2) and fewer than ?3 documents in processing, the one
// with the fewest, then the one served longest ago. The tenants with pending or processing documents are found
// by skipping through the indexes one tenant at a time, so a claim costs per tenant waiting, not per document.
constexpr const char* kNextTenant =
    "WITH RECURSIVE "
    "pending(tenant_id) AS (SELECT MIN(tenant_id) FROM knowledge_documents WHERE status = 'pending' "
    "  UNION ALL SELECT (SELECT MIN(tenant_id) FROM knowledge_documents WHERE status = 'pending' "
    "    AND tenant_id > pending.tenant_id) FROM pending WHERE pending.tenant_id IS NOT NULL), "
    "processing(tenant_id) AS (SELECT MIN(tenant_id) FROM knowledge_documents WHERE status = 'processing' "
    "  UNION ALL SELECT (SELECT MIN(tenant_id) FROM knowledge_documents WHERE status = 'processing' "
    "    AND tenant_id > processing.tenant_id) FROM processing WHERE processing.tenant_id IS NOT NULL), "
    "candidates(tenant_id) AS (SELECT tenant_id FROM pending WHERE tenant_id IS NOT NULL "
    "  UNION SELECT tenant_id FROM processing WHERE tenant_id IS NOT NULL), "
    "waiting(tenant_id, busy) AS (SELECT c.tenant_id, (SELECT COUNT(*) FROM knowledge_documents d "
    "    WHERE d.tenant_id = c.tenant_id AND d.status = 'processing' AND d.lease_until > ?1) FROM candidates c "
    "  WHERE EXISTS (SELECT 1 FROM knowledge_documents d WHERE d.tenant_id = c.tenant_id AND d.status = 'pending' "
    "      AND d.next_attempt_at <= ?1 AND d.knowledge_base_id NOT IN (SELECT value FROM json_each(?2))) "
    "    OR EXISTS (SELECT 1 FROM knowledge_documents d WHERE d.tenant_id = c.tenant_id "
    "      AND d.status = 'processing' AND d.lease_until <= ?1 "
    "      AND d.knowledge_base_id NOT IN (SELECT value FROM json_each(?2)))) "
    "SELECT w.tenant_id FROM waiting w LEFT JOIN knowledge_turns t ON t.tenant_id = w.tenant_id "
    "WHERE ?3 <= 0 OR w.busy < ?3 ORDER BY w.busy, COALESCE(t.turn, 0), w.tenant_id LIMIT 1";
// Within the tenant (?3): a document whose worker died first, then the oldest due.
constexpr const char* kExpiredLease =
    "SELECT id FROM knowledge_documents WHERE tenant_id = ?3 AND status = 'processing' AND lease_until <= ?1 "
    "AND knowledge_base_id NOT IN (SELECT value FROM json_each(?2)) ORDER BY lease_until, id LIMIT 1";
constexpr const char* kDueDocument =
    "SELECT id FROM knowledge_documents WHERE tenant_id = ?3 AND status = 'pending' AND next_attempt_at <= ?1 "
    "AND knowledge_base_id NOT IN (SELECT value FROM json_each(?2)) ORDER BY next_attempt_at, id LIMIT 1";
constexpr const char* kTakeTurn =
    "INSERT INTO knowledge_turns (tenant_id, turn) "
    "VALUES (?1, (SELECT COALESCE(MAX(turn), 0) + 1 FROM knowledge_turns)) "
    "ON CONFLICT (tenant_id) DO UPDATE SET turn = excluded.turn";
constexpr const char* kLeaseDocument =
    "UPDATE knowledge_documents SET status = 'processing', attempts = attempts + 1, lease_token = ?2, "
    "lease_until = ?3, progress = 0, updated_at = ?4 WHERE id = ?1 RETURNING " DOCUMENT_COLUMNS ", content";
constexpr const char* kNextDue =
    "SELECT MIN(t) FROM (SELECT MIN(next_attempt_at) AS t FROM knowledge_documents WHERE status = 'pending' "
    "UNION ALL SELECT MIN(lease_until) FROM knowledge_documents WHERE status = 'processing')";
constexpr const char* kSetProgress =
    "UPDATE knowledge_documents SET progress = ?3, lease_until = ?4, updated_at = ?5 "
    "WHERE id = ?1 AND lease_token = ?2 AND status = 'processing'";
// The progress a report replaces, to tell whether the dashboard hears of it (SetDocumentProgress).
constexpr const char* kLeasedProgress =
    "SELECT progress FROM knowledge_documents WHERE id = ?1 AND lease_token = ?2 AND status = 'processing'";
constexpr const char* kHoldsLease =
    "SELECT knowledge_base_id, tenant_id FROM knowledge_documents "
    "WHERE id = ?1 AND lease_token = ?2 AND status = 'processing'";
constexpr const char* kCompleteDocument =
    "UPDATE knowledge_documents SET status = 'ready', progress = 1, error = ?4, chunks = ?2, lease_token = NULL, "
    "lease_until = NULL, updated_at = ?3 WHERE id = ?1";
constexpr const char* kStoreFetchedContent =
    "UPDATE knowledge_documents SET content = ?2, size_bytes = ?3 WHERE id = ?1";
constexpr const char* kRetryDocument =
    "UPDATE knowledge_documents SET status = 'pending', error = ?3, next_attempt_at = ?4, lease_token = NULL, "
    "lease_until = NULL, updated_at = ?5 WHERE id = ?1 AND lease_token = ?2";
constexpr const char* kFailDocument =
    "UPDATE knowledge_documents SET status = 'failed', error = ?3, lease_token = NULL, lease_until = NULL, "
    "updated_at = ?4 WHERE id = ?1 AND lease_token = ?2";
constexpr const char* kRequeueDocuments =
    "UPDATE knowledge_documents SET status = 'pending', next_attempt_at = 0, attempts = 0, updated_at = ?2 "
    "WHERE knowledge_base_id = ?1 AND status IN ('ready', 'failed')";
constexpr const char* kDeleteDocument = "DELETE FROM knowledge_documents WHERE id = ?1 AND tenant_id = ?2";

constexpr const char* kDocumentChunks =
    "SELECT id FROM knowledge_chunks WHERE document_id = ?1 AND retired_at IS NULL ORDER BY id";
constexpr const char* kRecordChunkDeletion =
    "INSERT INTO knowledge_chunk_deletions (knowledge_base_id, chunk_id) VALUES (?1, ?2)";
constexpr const char* kDeleteDocumentChunks = "DELETE FROM knowledge_chunks WHERE document_id = ?1";
constexpr const char* kRetireDocumentChunks =
    "UPDATE knowledge_chunks SET retired_at = ?2 WHERE document_id = ?1 AND retired_at IS NULL";
constexpr const char* kPurgeRetiredChunks =
    "DELETE FROM knowledge_chunks WHERE retired_at IS NOT NULL AND retired_at < ?1";
constexpr const char* kInsertChunk =
    "INSERT INTO knowledge_chunks (tenant_id, knowledge_base_id, document_id, position, heading_path, page, text, "
    "lexical_text, embedder, embedding) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
constexpr const char* kChunkVectorsAfter =
    "SELECT id, embedding FROM knowledge_chunks WHERE knowledge_base_id = ?1 AND embedder = ?2 AND id > ?3 "
    "AND retired_at IS NULL ORDER BY id LIMIT ?4";
constexpr const char* kDeletionsAfter =
    "SELECT seq, chunk_id FROM knowledge_chunk_deletions WHERE knowledge_base_id = ?1 AND seq > ?2 ORDER BY seq";
constexpr const char* kChunkTextsAfter =
    "SELECT id, lexical_text FROM knowledge_chunks WHERE knowledge_base_id = ?1 AND id > ?2 AND retired_at IS NULL "
    "ORDER BY id LIMIT ?3";
constexpr const char* kSelectChunk =
    "SELECT c.id, c.tenant_id, c.knowledge_base_id, c.document_id, d.name, c.position, c.heading_path, c.page, "
    "c.text, c.lexical_text FROM knowledge_chunks c JOIN knowledge_documents d ON d.id = c.document_id "
    "WHERE c.id = ?1 AND c.tenant_id = ?2";

constexpr const char* kInsertFaq =
    "INSERT INTO faq_entries (tenant_id, document_id, answer, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?4) "
    "RETURNING id";
constexpr const char* kInsertFaqQuestion =
    "INSERT INTO faq_questions (faq_id, tenant_id, position, question, question_key) VALUES (?1, ?2, ?3, ?4, ?5)";
constexpr const char* kUpdateFaq =
    "UPDATE faq_entries SET answer = ?3, updated_at = ?4 WHERE id = ?1 AND tenant_id = ?2";
constexpr const char* kDeleteFaqQuestions = "DELETE FROM faq_questions WHERE faq_id = ?1";
constexpr const char* kDeleteFaq = "DELETE FROM faq_entries WHERE id = ?1 AND tenant_id = ?2";
constexpr const char* kDeleteDocumentFaqs = "DELETE FROM faq_entries WHERE document_id = ?1";
constexpr const char* kSelectFaq =
    "SELECT id, tenant_id, answer, document_id, created_at, updated_at FROM faq_entries WHERE id = ?1 AND "
    "tenant_id = ?2";
constexpr const char* kFaqsFirstPage =
    "SELECT id, tenant_id, answer, document_id, created_at, updated_at FROM faq_entries WHERE tenant_id = ?1 "
    "ORDER BY id LIMIT ?2";
constexpr const char* kFaqsAfter =
    "SELECT id, tenant_id, answer, document_id, created_at, updated_at FROM faq_entries WHERE tenant_id = ?1 "
    "AND id > ?3 ORDER BY id LIMIT ?2";
constexpr const char* kFaqQuestions = "SELECT question FROM faq_questions WHERE faq_id = ?1 ORDER BY position";
constexpr const char* kFaqByKey =
    "SELECT faq_id FROM faq_questions WHERE tenant_id = ?1 AND question_key = ?2 ORDER BY faq_id LIMIT 1";
constexpr const char* kBumpFaqRevision =
    "INSERT INTO faq_revisions (tenant_id, revision) VALUES (?1, 1) "
    "ON CONFLICT (tenant_id) DO UPDATE SET revision = revision + 1";
constexpr const char* kFaqRevision = "SELECT revision FROM faq_revisions WHERE tenant_id = ?1";
// Every pair with its questions, one row per question, in one statement (a snapshot on its own).
constexpr const char* kAllFaqs =
    "SELECT e.id, e.answer, e.document_id, e.created_at, e.updated_at, q.question FROM faq_entries e "
    "JOIN faq_questions q ON q.faq_id = e.id WHERE e.tenant_id = ?1 ORDER BY e.id, q.position";

constexpr const char* kSelectAiSettings = "SELECT settings FROM ai_settings WHERE tenant_id = ?1";
constexpr const char* kUpsertAiSettings =
    "INSERT INTO ai_settings (tenant_id, settings, updated_at) VALUES (?1, ?2, ?3) "
    "ON CONFLICT (tenant_id) DO UPDATE SET settings = excluded.settings, updated_at = excluded.updated_at";

// A read transaction: the statements in it see one snapshot of the database.
constexpr const char* kBeginRead = "BEGIN";
constexpr const char* kEndRead = "COMMIT";

// A chunk stays readable this long after a new version replaced it (migration 0015).
constexpr int64_t kRetiredChunkGraceMs = 60'000;

// Reads the document columns; `with_qa_pairs` when the statement is a DOCUMENT_SELECT.
Document ReadDocument(const Statement& row, bool with_qa_pairs) {
  Document d;
  d.id = row.Int(0);
  d.tenant_id = row.Int(1);
  d.knowledge_base_id = row.Int(2);
  d.name = row.String(3);
  d.content_type = row.String(4);
  d.source_url = row.String(5);
  d.size_bytes = row.Int(6);
  d.status = ParseDocumentStatus(row.Text(7)).value_or(DocumentStatus::kPending);
  d.progress = row.Double(8);
  d.error = row.String(9);
  d.chunks = static_cast<int>(row.Int(10));
  d.attempts = static_cast<int>(row.Int(11));
  d.created_at_ms = row.Int(12);
  d.updated_at_ms = row.Int(13);
  d.version = static_cast<int>(row.Int(14));
  if (with_qa_pairs) d.qa_pairs = static_cast<int>(row.Int(15));
  return d;
}

Document ReadListedDocument(const Statement& row) { return ReadDocument(row, /*with_qa_pairs=*/true); }

// Takes a document's chunks out of the vector and BM25 indexes through the deletion log, then deletes their rows,
// or with `retire_at`, marks them retired at that time instead (still readable by id for a grace period, no
// longer read by the indexes' catch-up) and purges the chunks retired longer ago than that period.
Result<void> RemoveChunksOf(Database& db, int64_t document_id, int64_t knowledge_base_id,
                            std::optional<int64_t> retire_at = std::nullopt) {
  std::vector<int64_t> ids;
  {
    STORE_ASSIGN_OR_RETURN(auto select, db.Prepare(kDocumentChunks));
    select.Bind(1, document_id);
    while (true) {
      STORE_ASSIGN_OR_RETURN(bool row, select.Step());
      if (!row) break;
      ids.push_back(select.Int(0));
    }
  }
  for (int64_t id : ids) {
    STORE_ASSIGN_OR_RETURN(auto log, db.Prepare(kRecordChunkDeletion));
    STORE_TRY(log.Bind(1, knowledge_base_id).Bind(2, id).Run());
  }
  if (!retire_at) {
    STORE_ASSIGN_OR_RETURN(auto remove, db.Prepare(kDeleteDocumentChunks));
    return remove.Bind(1, document_id).Run();
  }
  STORE_ASSIGN_OR_RETURN(auto purge, db.Prepare(kPurgeRetiredChunks));
  STORE_TRY(purge.Bind(1, *retire_at - kRetiredChunkGraceMs).Run());
  STORE_ASSIGN_OR_RETURN(auto retire, db.Prepare(kRetireDocumentChunks));
  return retire.Bind(1, document_id).Bind(2, *retire_at).Run();
}

Result<void> BumpFaqRevision(Database& db, int64_t tenant_id) {
  STORE_ASSIGN_OR_RETURN(auto bump, db.Prepare(kBumpFaqRevision));
  return bump.Bind(1, tenant_id).Run();
}

Result<void> InsertFaqQuestions(Database& db, int64_t tenant_id, int64_t faq_id, const NewFaq& faq) {
  for (size_t i = 0; i < faq.questions.size(); ++i) {
    STORE_ASSIGN_OR_RETURN(auto question, db.Prepare(kInsertFaqQuestion));
    STORE_TRY(question.Bind(1, faq_id)
                  .Bind(2, tenant_id)
                  .Bind(3, static_cast<int64_t>(i))
                  .Bind(4, faq.questions[i])
                  .Bind(5, faq.question_keys[i])
                  .Run());
  }
  return Ok();
}

Result<void> InsertFaq(Database& db, int64_t tenant_id, std::optional<int64_t> document_id, const NewFaq& faq,
                       int64_t now, int64_t* id) {
  STORE_ASSIGN_OR_RETURN(auto insert, db.Prepare(kInsertFaq));
  STORE_TRY(insert.Bind(1, tenant_id).Bind(2, document_id).Bind(3, faq.answer).Bind(4, now).Step());
  *id = insert.Int(0);
  return InsertFaqQuestions(db, tenant_id, *id, faq);
}

Result<FaqEntry> ReadFaq(Database& db, int64_t tenant_id, int64_t faq_id) {
  STORE_ASSIGN_OR_RETURN(auto select, db.Prepare(kSelectFaq));
  STORE_ASSIGN_OR_RETURN(bool found, select.Bind(1, faq_id).Bind(2, tenant_id).Step());
  if (!found) return Error::NotFound("no such Q&A pair");
  FaqEntry entry{select.Int(0),         select.Int(1), {},           select.String(2),
                 select.OptionalInt(3), select.Int(4), select.Int(5)};
  STORE_ASSIGN_OR_RETURN(auto questions, db.Prepare(kFaqQuestions));
  questions.Bind(1, faq_id);
  while (true) {
    STORE_ASSIGN_OR_RETURN(bool row, questions.Step());
    if (!row) break;
    entry.questions.push_back(questions.String(0));
  }
  return entry;
}

Result<void> ReadFaqRevision(Database& db, int64_t tenant_id, int64_t* revision) {
  STORE_ASSIGN_OR_RETURN(auto select, db.Prepare(kFaqRevision));
  STORE_ASSIGN_OR_RETURN(bool found, select.Bind(1, tenant_id).Step());
  *revision = found ? select.Int(0) : 0;
  return Ok();
}

// The revision and the pairs, inside the caller's read transaction.
Result<void> ReadAllFaqs(Database& db, int64_t tenant_id, FaqSnapshot& snapshot) {
  STORE_TRY(ReadFaqRevision(db, tenant_id, &snapshot.revision));
  STORE_ASSIGN_OR_RETURN(auto select, db.Prepare(kAllFaqs));
  select.Bind(1, tenant_id);
  while (true) {
    STORE_ASSIGN_OR_RETURN(bool row, select.Step());
    if (!row) return Ok();
    int64_t id = select.Int(0);
    if (snapshot.entries.empty() || snapshot.entries.back().id != id) {
      snapshot.entries.push_back(
          {id, tenant_id, {}, select.String(1), select.OptionalInt(2), select.Int(3), select.Int(4)});
    }
    snapshot.entries.back().questions.push_back(select.String(5));
  }
}

class SqliteKnowledgeStore final : public KnowledgeStore {
 public:
  explicit SqliteKnowledgeStore(SqliteStore& store) : store_(store) {}

  Result<KnowledgeBase> EnsureKnowledgeBase(int64_t tenant_id, const std::string& name) override {
    if (name.empty()) return Error::InvalidArgument("a knowledge base needs a name");
    KnowledgeBase kb;
    STORE_TRY(store_.Write([&](Database& db) -> Result<void> {
      STORE_ASSIGN_OR_RETURN(auto tenant, db.Prepare(kTenantExists));
      STORE_ASSIGN_OR_RETURN(bool exists, tenant.Bind(1, tenant_id).Step());
      if (!exists) return Error::NotFound("no such tenant");
      STORE_ASSIGN_OR_RETURN(auto select, db.Prepare(kSelectKnowledgeBase));
      STORE_ASSIGN_OR_RETURN(bool found, select.Bind(1, tenant_id).Bind(2, name).Step());
      if (found) {
        kb = {select.Int(0), select.Int(1), select.String(2), select.Int(3)};
        return Ok();
      }
      kb = {0, tenant_id, name, NowMs()};
      STORE_ASSIGN_OR_RETURN(auto insert, db.Prepare(kInsertKnowledgeBase));
      STORE_TRY(insert.Bind(1, tenant_id).Bind(2, name).Bind(3, kb.created_at_ms).Step());
      kb.id = insert.Int(0);
      return Ok();
    }));
    return kb;
  }

  Result<std::vector<KnowledgeBase>> ListKnowledgeBases(int64_t tenant_id) override {
    std::vector<KnowledgeBase> bases;
    STORE_TRY(store_.Read([&](Database& db) -> Result<void> {
      STORE_ASSIGN_OR_RETURN(auto select, db.Prepare(kListKnowledgeBases));
      select.Bind(1, tenant_id);
      while (true) {
        STORE_ASSIGN_OR_RETURN(bool row, select.Step());
        if (!row) return Ok();
        bases.push_back({select.Int(0), select.Int(1), select.String(2), select.Int(3)});
      }
    }));
    return bases;
  }

  Result<KnowledgeTotals> Totals(int64_t tenant_id) override {
    KnowledgeTotals totals;
    STORE_TRY(store_.Read([&](Database& db) -> Result<void> {
      STORE_ASSIGN_OR_RETURN(auto select, db.Prepare(kKnowledgeTotals));
      STORE_TRY(select.Bind(1, tenant_id).Step());
      totals = {select.Int(0), select.Int(1)};
      return Ok();
    }));
    return totals;
  }

  Result<Document> CreateDocument(const NewDocument& document) override {
    if (document.name.empty()) return Error::InvalidArgument("a document needs a name");
    int64_t id = 0;
    int64_t now = NowMs();
    STORE_TRY(store_.Write([&](Database& db) -> Result<void> {
      STORE_ASSIGN_OR_RETURN(auto kb, db.Prepare(kKnowledgeBaseOfTenant));
      STORE_ASSIGN_OR_RETURN(bool owned, kb.Bind(1, document.knowledge_base_id).Bind(2, document.tenant_id).Step());
      if (!owned) return Error::NotFound("no such knowledge base");
      STORE_ASSIGN_OR_RETURN(auto existing, db.Prepare(kDocumentByName));
      STORE_ASSIGN_OR_RETURN(bool replacing,
                             existing.Bind(1, document.knowledge_base_id).Bind(2, document.name).Step());
      if (replacing) {
        id = existing.Int(0);
        STORE_ASSIGN_OR_RETURN(auto replace, db.Prepare(kReplaceDocument));
        STORE_TRY(replace.Bind(1, id)
                      .Bind(2, document.content_type)
                      .Bind(3, document.source_url)
                      .Bind(4, static_cast<int64_t>(document.content.size()))
                      .BindBlob(5, document.content.data(), document.content.size())
                      .Bind(6, now)
                      .Run());
        return AppendProgress(document.tenant_id, id, DocumentStatus::kPending, 0, 0, {}, now);
      }
      STORE_ASSIGN_OR_RETURN(auto insert, db.Prepare(kInsertDocument));
      insert.Bind(1, document.tenant_id)
          .Bind(2, document.knowledge_base_id)
          .Bind(3, document.name)
          .Bind(4, document.content_type)
          .Bind(5, document.source_url)
          .Bind(6, static_cast<int64_t>(document.content.size()))
          .BindBlob(7, document.content.data(), document.content.size())
          .Bind(8, now);
      STORE_TRY(insert.Step());
      id = insert.Int(0);
      return AppendProgress(document.tenant_id, id, DocumentStatus::kPending, 0, 0, {}, now);
    }));
    return GetDocument(document.tenant_id, id);
  }

  Result<Document> GetDocument(int64_t tenant_id, int64_t document_id) override {
    std::optional<Document> document;
    STORE_TRY(store_.Read([&](Database& db) -> Result<void> {
      STORE_ASSIGN_OR_RETURN(auto select, db.Prepare(kSelectDocument));
      STORE_ASSIGN_OR_RETURN(bool found, select.Bind(1, document_id).Bind(2, tenant_id).Step());
      if (found) document = ReadListedDocument(select);
      return Ok();
    }));
    if (!document) return Error::NotFound("no such document");
    return std::move(*document);
  }

  Result<std::optional<Document>> FindDocument(int64_t tenant_id, int64_t knowledge_base_id,
                                               const std::string& name) override {
    std::optional<Document> document;
    STORE_TRY(store_.Read([&](Database& db) -> Result<void> {
      STORE_ASSIGN_OR_RETURN(auto select, db.Prepare(kSelectDocumentByName));
      STORE_ASSIGN_OR_RETURN(bool found, select.Bind(1, knowledge_base_id).Bind(2, name).Bind(3, tenant_id).Step());
      if (found) document = ReadListedDocument(select);
      return Ok();
    }));
    return document;
  }

  Result<Page<Document>> ListDocuments(int64_t tenant_id, const std::optional<std::string>& cursor,
                                       int limit) override {
    limit = ClampPageSize(limit);
    std::optional<int64_t> before;
    if (cursor) {
      STORE_ASSIGN_OR_RETURN(before, ParseIdCursor('d', *cursor));
    }
    Page<Document> page;
    STORE_TRY(store_.Read([&](Database& db) -> Result<void> {
      STORE_ASSIGN_OR_RETURN(auto select, db.Prepare(before ? kDocumentsAfter : kDocumentsFirstPage));
      select.Bind(1, tenant_id).Bind(2, limit + 1);
      if (before) select.Bind(3, *before);
      STORE_ASSIGN_OR_RETURN(page, ReadIdPage<Document>(select, 'd', limit, ReadListedDocument));
      return Ok();
    }));
    return page;
  }

  Result<void> DeleteDocument(int64_t tenant_id, int64_t document_id) override {
    return store_.Write([&](Database& db) -> Result<void> {
      STORE_ASSIGN_OR_RETURN(auto select, db.Prepare(kSelectDocument));
      STORE_ASSIGN_OR_RETURN(bool found, select.Bind(1, document_id).Bind(2, tenant_id).Step());
      if (!found) return Error::NotFound("no such document");
      int64_t knowledge_base_id = select.Int(2);
      STORE_TRY(RemoveChunksOf(db, document_id, knowledge_base_id));
      STORE_ASSIGN_OR_RETURN(auto faqs, db.Prepare(kDeleteDocumentFaqs));
      STORE_TRY(faqs.Bind(1, document_id).Run());
      if (db.Changes() > 0) STORE_TRY(BumpFaqRevision(db, tenant_id));
      STORE_ASSIGN_OR_RETURN(auto remove, db.Prepare(kDeleteDocument));
      return remove.Bind(1, document_id).Bind(2, tenant_id).Run();
    });
  }

  Result<int> RequeueDocuments(int64_t knowledge_base_id) override {
    int changed = 0;
    STORE_TRY(store_.Write([&](Database& db) -> Result<void> {
      STORE_ASSIGN_OR_RETURN(auto update, db.Prepare(kRequeueDocuments));
      STORE_TRY(update.Bind(1, knowledge_base_id).Bind(2, NowMs()).Run());
      changed = static_cast<int>(db.Changes());
      return Ok();
    }));
    return changed;
  }

  Result<std::optional<DocumentJob>> ClaimDocumentJob(int64_t now_ms, int64_t lease_ms,
                                                      const std::vector<int64_t>& skipped_knowledge_bases,
                                                      int max_per_tenant) override {
    std::optional<DocumentJob> job;
    std::string token = crypto::RandomToken(16);
    // For json_each.
    std::string skipped =
        SerializeJson(boost::json::array(skipped_knowledge_bases.begin(), skipped_knowledge_bases.end()));
    STORE_TRY(store_.Write([&](Database& db) -> Result<void> {
      job.reset();
      STORE_ASSIGN_OR_RETURN(auto next_tenant, db.Prepare(kNextTenant));
      STORE_ASSIGN_OR_RETURN(bool waiting,
                             next_tenant.Bind(1, now_ms).Bind(2, skipped).Bind(3, int64_t{max_per_tenant}).Step());
      if (!waiting) return Ok();
      int64_t tenant_id = next_tenant.Int(0);
      std::optional<int64_t> id;
      for (const char* sql : {kExpiredLease, kDueDocument}) {
        STORE_ASSIGN_OR_RETURN(auto select, db.Prepare(sql));
        STORE_ASSIGN_OR_RETURN(bool found, select.Bind(1, now_ms).Bind(2, skipped).Bind(3, tenant_id).Step());
        if (found) {
          id = select.Int(0);
          break;
        }
      }
      if (!id) return Error::Internal("the tenant chosen for a claim has no due document");
      STORE_ASSIGN_OR_RETURN(auto turn, db.Prepare(kTakeTurn));
      STORE_TRY(turn.Bind(1, tenant_id).Run());
      STORE_ASSIGN_OR_RETURN(auto lease, db.Prepare(kLeaseDocument));
      STORE_TRY(lease.Bind(1, *id).Bind(2, token).Bind(3, now_ms + lease_ms).Bind(4, now_ms).Step());
      job = DocumentJob{ReadDocument(lease, /*with_qa_pairs=*/false), std::string(lease.Blob(15)), token};
      return AppendProgress(tenant_id, job->document.id, DocumentStatus::kProcessing, 0, 0, {}, now_ms);
    }));
    return job;
  }

  Result<std::optional<int64_t>> NextDocumentJobAt() override {
    std::optional<int64_t> next;
    STORE_TRY(store_.Read([&](Database& db) -> Result<void> {
      STORE_ASSIGN_OR_RETURN(auto select, db.Prepare(kNextDue));
      STORE_ASSIGN_OR_RETURN(bool row, select.Step());
      if (row) next = select.OptionalInt(0);
      return Ok();
    }));
    return next;
  }

  Result<void> SetDocumentProgress(const DocumentJob& job, double progress, int64_t lease_until_ms) override {
    return store_.Write(
        [&](Database& db) -> Result<void> {
          const int64_t now = NowMs();
          STORE_ASSIGN_OR_RETURN(auto before, db.Prepare(kLeasedProgress));
          STORE_ASSIGN_OR_RETURN(bool held, before.Bind(1, job.document.id).Bind(2, job.lease_token).Step());
          if (!held) return Ok();
          const double previous = before.Double(0);
          STORE_ASSIGN_OR_RETURN(auto update, db.Prepare(kSetProgress));
          STORE_TRY(update.Bind(1, job.document.id)
                        .Bind(2, job.lease_token)
                        .Bind(3, progress)
                        .Bind(4, lease_until_ms)
                        .Bind(5, now)
                        .Run());
          // Throttled: the dashboard hears of each tenth of the way, not of every batch or lease renewal.
          if (static_cast<int>(progress * 10) <= static_cast<int>(previous * 10)) return Ok();
          return AppendProgress(job.document.tenant_id, job.document.id, DocumentStatus::kProcessing, progress, 0, {},
                                now);
        },
        /*durable=*/false);
  }

  Result<void> CompleteDocumentJob(const DocumentJob& job, const std::string& embedder_id,
                                   const std::vector<NewChunk>& chunks, const std::vector<NewFaq>& faqs,
                                   const std::string& content, const std::string& note) override {
    int64_t now = NowMs();
    return store_.Write([&](Database& db) -> Result<void> {
      STORE_ASSIGN_OR_RETURN(auto holds, db.Prepare(kHoldsLease));
      STORE_ASSIGN_OR_RETURN(bool held, holds.Bind(1, job.document.id).Bind(2, job.lease_token).Step());
      if (!held) return Error::Conflict("the document's lease was lost");
      int64_t knowledge_base_id = holds.Int(0);
      int64_t tenant_id = holds.Int(1);
      STORE_TRY(RemoveChunksOf(db, job.document.id, knowledge_base_id, /*retire_at=*/now));
      for (const NewChunk& chunk : chunks) {
        STORE_ASSIGN_OR_RETURN(auto insert, db.Prepare(kInsertChunk));
        insert.Bind(1, tenant_id)
            .Bind(2, knowledge_base_id)
            .Bind(3, job.document.id)
            .Bind(4, chunk.position)
            .Bind(5, chunk.heading_path)
            .Bind(6, chunk.page)
            .Bind(7, chunk.text)
            .Bind(8, chunk.lexical_text)
            .Bind(9, embedder_id)
            .BindBlob(10, chunk.embedding.data(), chunk.embedding.size() * sizeof(float));
        STORE_TRY(insert.Run());
      }
      STORE_ASSIGN_OR_RETURN(auto old_faqs, db.Prepare(kDeleteDocumentFaqs));
      STORE_TRY(old_faqs.Bind(1, job.document.id).Run());
      if (db.Changes() > 0 || !faqs.empty()) STORE_TRY(BumpFaqRevision(db, tenant_id));
      for (const NewFaq& faq : faqs) {
        STORE_TRY(ValidateFaq(faq));
        int64_t faq_id = 0;
        STORE_TRY(InsertFaq(db, tenant_id, job.document.id, faq, now, &faq_id));
      }
      if (!content.empty()) {
        STORE_ASSIGN_OR_RETURN(auto keep, db.Prepare(kStoreFetchedContent));
        STORE_TRY(keep.Bind(1, job.document.id)
                      .BindBlob(2, content.data(), content.size())
                      .Bind(3, static_cast<int64_t>(content.size()))
                      .Run());
      }
      STORE_ASSIGN_OR_RETURN(auto done, db.Prepare(kCompleteDocument));
      STORE_TRY(
          done.Bind(1, job.document.id).Bind(2, static_cast<int64_t>(chunks.size())).Bind(3, now).Bind(4, note).Run());
      return AppendProgress(tenant_id, job.document.id, DocumentStatus::kReady, 1, static_cast<int64_t>(chunks.size()),
                            note, now);
    });
  }

  Result<void> FailDocumentJob(const DocumentJob& job, const std::string& error,
                               std::optional<int64_t> retry_at_ms) override {
    int64_t now = NowMs();
    return store_.Write([&](Database& db) -> Result<void> {
      STORE_ASSIGN_OR_RETURN(auto update, db.Prepare(retry_at_ms ? kRetryDocument : kFailDocument));
      update.Bind(1, job.document.id).Bind(2, job.lease_token).Bind(3, error);
      if (retry_at_ms) {
        update.Bind(4, *retry_at_ms).Bind(5, now);
      } else {
        update.Bind(4, now);
      }
      STORE_TRY(update.Run());
      if (db.Changes() == 0) return Ok();
      return AppendProgress(job.document.tenant_id, job.document.id,
                            retry_at_ms ? DocumentStatus::kPending : DocumentStatus::kFailed, 0, 0, error, now);
    });
  }

  Result<std::vector<ChunkVector>> ChunkVectorsAfter(int64_t knowledge_base_id, const std::string& embedder_id,
                                                     int64_t after_chunk_id, int limit) override {
    std::vector<ChunkVector> vectors;
    STORE_TRY(store_.Read([&](Database& db) -> Result<void> {
      STORE_ASSIGN_OR_RETURN(auto select, db.Prepare(kChunkVectorsAfter));
      select.Bind(1, knowledge_base_id).Bind(2, embedder_id).Bind(3, after_chunk_id).Bind(4, limit);
      while (true) {
        STORE_ASSIGN_OR_RETURN(bool row, select.Step());
        if (!row) return Ok();
        vectors.push_back({select.Int(0), DecodeEmbedding(select.Blob(1))});
      }
    }));
    return vectors;
  }

  Result<std::vector<int64_t>> DeletedChunksAfter(int64_t knowledge_base_id, int64_t after_seq,
                                                  int64_t* last_seq) override {
    std::vector<int64_t> ids;
    STORE_TRY(store_.Read([&](Database& db) -> Result<void> {
      STORE_ASSIGN_OR_RETURN(auto select, db.Prepare(kDeletionsAfter));
      select.Bind(1, knowledge_base_id).Bind(2, after_seq);
      while (true) {
        STORE_ASSIGN_OR_RETURN(bool row, select.Step());
        if (!row) return Ok();
        *last_seq = select.Int(0);
        ids.push_back(select.Int(1));
      }
    }));
    return ids;
  }

  Result<std::vector<ChunkText>> ChunkTextsAfter(int64_t knowledge_base_id, int64_t after_chunk_id,
                                                 int limit) override {
    std::vector<ChunkText> texts;
    STORE_TRY(store_.Read([&](Database& db) -> Result<void> {
      STORE_ASSIGN_OR_RETURN(auto select, db.Prepare(kChunkTextsAfter));
      select.Bind(1, knowledge_base_id).Bind(2, after_chunk_id).Bind(3, limit);
      while (true) {
        STORE_ASSIGN_OR_RETURN(bool row, select.Step());
        if (!row) return Ok();
        texts.push_back({select.Int(0), select.String(1)});
      }
    }));
    return texts;
  }

  Result<std::vector<ChunkRecord>> GetChunks(int64_t tenant_id, const std::vector<int64_t>& chunk_ids) override {
    std::vector<ChunkRecord> records;
    STORE_TRY(store_.Read([&](Database& db) -> Result<void> {
      for (int64_t id : chunk_ids) {
        STORE_ASSIGN_OR_RETURN(auto select, db.Prepare(kSelectChunk));
        STORE_ASSIGN_OR_RETURN(bool found, select.Bind(1, id).Bind(2, tenant_id).Step());
        if (!found) continue;
        records.push_back({select.Int(0), select.Int(1), select.Int(2), select.Int(3), select.String(4),
                           static_cast<int>(select.Int(5)), select.String(6), static_cast<int>(select.Int(7)),
                           select.String(8), select.String(9)});
      }
      return Ok();
    }));
    return records;
  }

  Result<FaqEntry> CreateFaq(int64_t tenant_id, const NewFaq& faq) override {
    STORE_TRY(ValidateFaq(faq));
    int64_t id = 0;
    STORE_TRY(store_.Write([&](Database& db) -> Result<void> {
      STORE_ASSIGN_OR_RETURN(auto tenant, db.Prepare(kTenantExists));
      STORE_ASSIGN_OR_RETURN(bool exists, tenant.Bind(1, tenant_id).Step());
      if (!exists) return Error::NotFound("no such tenant");
      STORE_TRY(BumpFaqRevision(db, tenant_id));
      return InsertFaq(db, tenant_id, std::nullopt, faq, NowMs(), &id);
    }));
    return GetFaq(tenant_id, id);
  }

  Result<FaqEntry> UpdateFaq(int64_t tenant_id, int64_t faq_id, const NewFaq& faq) override {
    STORE_TRY(ValidateFaq(faq));
    STORE_TRY(store_.Write([&](Database& db) -> Result<void> {
      STORE_ASSIGN_OR_RETURN(auto update, db.Prepare(kUpdateFaq));
      STORE_TRY(update.Bind(1, faq_id).Bind(2, tenant_id).Bind(3, faq.answer).Bind(4, NowMs()).Run());
      if (db.Changes() == 0) return Error::NotFound("no such Q&A pair");
      STORE_TRY(BumpFaqRevision(db, tenant_id));
      STORE_ASSIGN_OR_RETURN(auto clear, db.Prepare(kDeleteFaqQuestions));
      STORE_TRY(clear.Bind(1, faq_id).Run());
      return InsertFaqQuestions(db, tenant_id, faq_id, faq);
    }));
    return GetFaq(tenant_id, faq_id);
  }

  Result<void> DeleteFaq(int64_t tenant_id, int64_t faq_id) override {
    return store_.Write([&](Database& db) -> Result<void> {
      STORE_ASSIGN_OR_RETURN(auto remove, db.Prepare(kDeleteFaq));
      STORE_TRY(remove.Bind(1, faq_id).Bind(2, tenant_id).Run());
      if (db.Changes() == 0) return Error::NotFound("no such Q&A pair");
      return BumpFaqRevision(db, tenant_id);
    });
  }

  Result<FaqEntry> GetFaq(int64_t tenant_id, int64_t faq_id) override {
    std::optional<FaqEntry> entry;
    STORE_TRY(store_.Read([&](Database& db) -> Result<void> {
      STORE_ASSIGN_OR_RETURN(entry, ReadFaq(db, tenant_id, faq_id));
      return Ok();
    }));
    return std::move(*entry);
  }

  Result<Page<FaqEntry>> ListFaqs(int64_t tenant_id, const std::optional<std::string>& cursor, int limit) override {
    limit = ClampPageSize(limit);
    std::optional<int64_t> after;
    if (cursor) {
      STORE_ASSIGN_OR_RETURN(after, ParseIdCursor('f', *cursor));
    }
    Page<FaqEntry> page;
    STORE_TRY(store_.Read([&](Database& db) -> Result<void> {
      std::vector<int64_t> ids;
      {
        STORE_ASSIGN_OR_RETURN(auto select, db.Prepare(after ? kFaqsAfter : kFaqsFirstPage));
        select.Bind(1, tenant_id).Bind(2, limit + 1);
        if (after) select.Bind(3, *after);
        while (true) {
          STORE_ASSIGN_OR_RETURN(bool row, select.Step());
          if (!row) break;
          ids.push_back(select.Int(0));
        }
      }
      for (int64_t id : ids) {
        if (static_cast<int>(page.data.size()) == limit) {
          page.next_cursor = IdCursor('f', page.data.back().id);
          break;
        }
        STORE_ASSIGN_OR_RETURN(auto entry, ReadFaq(db, tenant_id, id));
        page.data.push_back(std::move(entry));
      }
      return Ok();
    }));
    return page;
  }

  Result<std::optional<FaqEntry>> FindFaqByKey(int64_t tenant_id, const std::string& question_key) override {
    std::optional<FaqEntry> entry;
    if (question_key.empty()) return entry;
    STORE_TRY(store_.Read([&](Database& db) -> Result<void> {
      STORE_ASSIGN_OR_RETURN(auto select, db.Prepare(kFaqByKey));
      STORE_ASSIGN_OR_RETURN(bool found, select.Bind(1, tenant_id).Bind(2, question_key).Step());
      if (!found) return Ok();
      int64_t faq_id = select.Int(0);
      STORE_ASSIGN_OR_RETURN(entry, ReadFaq(db, tenant_id, faq_id));
      return Ok();
    }));
    return entry;
  }

  Result<int64_t> FaqRevision(int64_t tenant_id) override {
    int64_t revision = 0;
    STORE_TRY(store_.Read([&](Database& db) { return ReadFaqRevision(db, tenant_id, &revision); }));
    return revision;
  }

  Result<FaqSnapshot> LoadFaqs(int64_t tenant_id) override {
    FaqSnapshot snapshot;
    STORE_TRY(store_.Read([&](Database& db) -> Result<void> {
      snapshot = {};
      STORE_TRY(db.Run(kBeginRead));
      Result<void> read = ReadAllFaqs(db, tenant_id, snapshot);
      Result<void> ended = db.Run(kEndRead);
      return read ? ended : read;
    }));
    return snapshot;
  }

  Result<std::optional<std::string>> GetAiSettings(int64_t tenant_id) override {
    std::optional<std::string> settings;
    STORE_TRY(store_.Read([&](Database& db) -> Result<void> {
      STORE_ASSIGN_OR_RETURN(auto select, db.Prepare(kSelectAiSettings));
      STORE_ASSIGN_OR_RETURN(bool found, select.Bind(1, tenant_id).Step());
      if (found) settings = select.String(0);
      return Ok();
    }));
    return settings;
  }

  Result<void> PutAiSettings(int64_t tenant_id, const std::string& settings_json) override {
    return store_.Write([&](Database& db) -> Result<void> {
      STORE_ASSIGN_OR_RETURN(auto tenant, db.Prepare(kTenantExists));
      STORE_ASSIGN_OR_RETURN(bool exists, tenant.Bind(1, tenant_id).Step());
      if (!exists) return Error::NotFound("no such tenant");
      STORE_ASSIGN_OR_RETURN(auto upsert, db.Prepare(kUpsertAiSettings));
      return upsert.Bind(1, tenant_id).Bind(2, settings_json).Bind(3, NowMs()).Run();
    });
  }

 private:
  // Appends document.progress (inside a write).
  Result<void> AppendProgress(int64_t tenant_id, int64_t document_id, DocumentStatus status, double progress,
                              int64_t chunks, std::string_view error, int64_t now_ms) {
    STORE_TRY(store_.AppendEvent(tenant_id, EventType::kDocumentProgress,
                                 DocumentProgressEventData(document_id, status, progress, chunks, error), now_ms));
    return Ok();
  }

  SqliteStore& store_;
};

}  // namespace

std::unique_ptr<KnowledgeStore> MakeSqliteKnowledgeStore(SqliteStore& store) {
  return std::make_unique<SqliteKnowledgeStore>(store);
}

}  // namespace parley::store::sqlite
