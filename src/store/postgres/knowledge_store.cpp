// The knowledge store on PostgreSQL, by the SQLite backend's rules (sqlite/knowledge_store.cpp), for several workers
// and servers sharing one database.
//
// Document jobs: a claim takes the next document with FOR UPDATE SKIP LOCKED, and every later step of the job is a
// statement conditional on its lease token, so a document is processed by one worker at a time and a worker that lost
// its lease changes nothing. Claims themselves take turns (kLockClaims): the round-robin across tenants and the
// per-tenant limit count the documents in processing, and two claims counting at once would both see room for one more.
//
// The change feeds (ChunkVectorsAfter, ChunkTextsAfter, DeletedChunksAfter): every process's indexes catch up by
// "id greater than the last one read", which is right only if, within a knowledge base, ids become visible in id
// order. A sequence alone does not give that: a writer may take ids 10-19, another 20-29 and commit first, and a
// reader that read up to 29 would never read 10-19. So every writer of a knowledge base's chunks or deletion log
// first locks the knowledge base's row (kLockFeed) and holds it until its commit: its ids are drawn after the
// previous writer's commit is visible (PostgreSQL makes a commit visible before it releases the transaction's
// locks), hence are greater than every id a reader can have seen. Writers of different knowledge bases do not wait
// for each other, and the lock is held for a few statements: the chunks go in with one INSERT.

#include "store/knowledge_store.h"
#include "core/crypto.h"
#include "core/time.h"
#include "store/event_data.h"
#include "store/page_cursor.h"
#include "store/postgres/postgres_store.h"
#include "store/postgres/rows.h"
#include "store/postgres/sub_stores.h"

namespace parley::store::postgres {
namespace {

#define KB_COLUMNS "id, tenant_id, name, created_at"
constexpr char kSelectKnowledgeBase[] = "SELECT " KB_COLUMNS " FROM knowledge_bases WHERE tenant_id = $1 AND name = $2";
constexpr char kInsertKnowledgeBase[] =
    "INSERT INTO knowledge_bases (tenant_id, name, created_at) VALUES ($1, $2, $3)"
    " ON CONFLICT (tenant_id, name) DO NOTHING RETURNING " KB_COLUMNS;
constexpr char kListKnowledgeBases[] = "SELECT " KB_COLUMNS " FROM knowledge_bases WHERE tenant_id = $1 ORDER BY id";
#undef KB_COLUMNS
constexpr char kKnowledgeBaseOfTenant[] = "SELECT 1 FROM knowledge_bases WHERE id = $1 AND tenant_id = $2";
constexpr char kTotals[] =
    "SELECT COUNT(*), COALESCE(SUM(size_bytes), 0) FROM knowledge_documents WHERE tenant_id = $1";

// Held until the commit by whoever adds to a knowledge base's chunks or deletion log ($1): see the file's comment.
constexpr char kLockFeed[] = "SELECT 1 FROM knowledge_bases WHERE id = $1 FOR NO KEY UPDATE";
// Held until the commit by a claim. Any constant other than the migrations' lock (migrate.cpp): "kdocs" in ASCII.
constexpr char kLockClaims[] = "SELECT pg_advisory_xact_lock(461246522227)";

#define DOCUMENT_COLUMNS                                                                                  \
  "d.id, d.tenant_id, d.knowledge_base_id, d.name, d.content_type, d.source_url, d.size_bytes, d.status," \
  " d.progress, d.error, d.chunks, d.attempts, d.created_at, d.updated_at, d.version"
// With the Q&A pairs the document brought (column 15), as listings show it.
#define DOCUMENT_SELECT                                               \
  "SELECT " DOCUMENT_COLUMNS                                          \
  ", (SELECT COUNT(*) FROM faq_entries f WHERE f.document_id = d.id)" \
  " FROM knowledge_documents d "
constexpr char kSelectDocument[] = DOCUMENT_SELECT "WHERE d.id = $1 AND d.tenant_id = $2";
constexpr char kSelectDocumentByName[] =
    DOCUMENT_SELECT "WHERE d.knowledge_base_id = $1 AND d.name = $2 AND d.tenant_id = $3";
constexpr char kDocumentsFirstPage[] = DOCUMENT_SELECT "WHERE d.tenant_id = $1 ORDER BY d.id DESC LIMIT $2";
constexpr char kDocumentsBefore[] = DOCUMENT_SELECT "WHERE d.tenant_id = $1 AND d.id < $3 ORDER BY d.id DESC LIMIT $2";
// A document is its name within its knowledge base: a new upload of that name is a new version, pending again from
// now with a fresh count of attempts; the lease of a worker still processing the previous content is dropped, so
// that its completion conflicts instead of overwriting the new version.
constexpr char kUpsertDocument[] =
    "INSERT INTO knowledge_documents AS d (tenant_id, knowledge_base_id, name, content_type, source_url, size_bytes,"
    " content, status, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8, $8)"
    " ON CONFLICT (knowledge_base_id, name) DO UPDATE SET content_type = excluded.content_type,"
    " source_url = excluded.source_url, size_bytes = excluded.size_bytes, content = excluded.content,"
    " status = 'pending', progress = 0, error = '', attempts = 0, next_attempt_at = 0, lease_token = NULL,"
    " lease_until = NULL, version = d.version + 1, updated_at = excluded.updated_at RETURNING d.id";
constexpr char kLockDocument[] =
    "SELECT knowledge_base_id FROM knowledge_documents WHERE id = $1 AND tenant_id = $2 FOR UPDATE";
constexpr char kDeleteDocument[] = "DELETE FROM knowledge_documents WHERE id = $1";
constexpr char kRequeueDocuments[] =
    "UPDATE knowledge_documents SET status = 'pending', next_attempt_at = 0, attempts = 0, updated_at = $2"
    " WHERE knowledge_base_id = $1 AND status IN ('ready', 'failed')";

// Whose turn it is (sqlite migration 0012): among the tenants with a due document (pending and due, or in processing
// with its lease expired) outside the skipped knowledge bases ($2) and fewer than $3 documents in processing, the one
// with the fewest, then the one served longest ago. The tenants with pending or processing documents are found by
// skipping through the partial indexes one tenant at a time, so a claim costs per tenant waiting, not per document.
constexpr char kNextTenant[] =
    "WITH RECURSIVE"
    " pending(tenant_id) AS (SELECT MIN(tenant_id) FROM knowledge_documents WHERE status = 'pending'"
    "  UNION ALL SELECT (SELECT MIN(tenant_id) FROM knowledge_documents WHERE status = 'pending'"
    "    AND tenant_id > pending.tenant_id) FROM pending WHERE pending.tenant_id IS NOT NULL),"
    " processing(tenant_id) AS (SELECT MIN(tenant_id) FROM knowledge_documents WHERE status = 'processing'"
    "  UNION ALL SELECT (SELECT MIN(tenant_id) FROM knowledge_documents WHERE status = 'processing'"
    "    AND tenant_id > processing.tenant_id) FROM processing WHERE processing.tenant_id IS NOT NULL),"
    " candidates(tenant_id) AS (SELECT tenant_id FROM pending WHERE tenant_id IS NOT NULL"
    "  UNION SELECT tenant_id FROM processing WHERE tenant_id IS NOT NULL),"
    " waiting(tenant_id, busy) AS (SELECT c.tenant_id, (SELECT COUNT(*) FROM knowledge_documents d"
    "    WHERE d.tenant_id = c.tenant_id AND d.status = 'processing' AND d.lease_until > $1) FROM candidates c"
    "  WHERE EXISTS (SELECT 1 FROM knowledge_documents d WHERE d.tenant_id = c.tenant_id AND d.status = 'pending'"
    "      AND d.next_attempt_at <= $1 AND d.knowledge_base_id <> ALL ($2::bigint[]))"
    "    OR EXISTS (SELECT 1 FROM knowledge_documents d WHERE d.tenant_id = c.tenant_id"
    "      AND d.status = 'processing' AND d.lease_until <= $1 AND d.knowledge_base_id <> ALL ($2::bigint[])))"
    " SELECT w.tenant_id FROM waiting w LEFT JOIN knowledge_turns t ON t.tenant_id = w.tenant_id"
    " WHERE $3 <= 0 OR w.busy < $3 ORDER BY w.busy, COALESCE(t.turn, 0), w.tenant_id LIMIT 1";
// Within the tenant ($3): a document whose worker died first, then the oldest due. A document another transaction
// has locked (a completion, a new version being stored) is passed over rather than waited for.
constexpr char kExpiredLease[] =
    "SELECT id FROM knowledge_documents WHERE tenant_id = $3 AND status = 'processing' AND lease_until <= $1"
    " AND knowledge_base_id <> ALL ($2::bigint[]) ORDER BY lease_until, id LIMIT 1 FOR UPDATE SKIP LOCKED";
constexpr char kDueDocument[] =
    "SELECT id FROM knowledge_documents WHERE tenant_id = $3 AND status = 'pending' AND next_attempt_at <= $1"
    " AND knowledge_base_id <> ALL ($2::bigint[]) ORDER BY next_attempt_at, id LIMIT 1 FOR UPDATE SKIP LOCKED";
constexpr char kTakeTurn[] =
    "INSERT INTO knowledge_turns (tenant_id, turn)"
    " VALUES ($1, (SELECT COALESCE(MAX(turn), 0) + 1 FROM knowledge_turns))"
    " ON CONFLICT (tenant_id) DO UPDATE SET turn = excluded.turn";
constexpr char kLeaseDocument[] =
    "UPDATE knowledge_documents d SET status = 'processing', attempts = attempts + 1, lease_token = $2,"
    " lease_until = $3, progress = 0, updated_at = $4 WHERE id = $1 RETURNING " DOCUMENT_COLUMNS ", d.content";
constexpr char kNextDue[] =
    "SELECT LEAST((SELECT MIN(next_attempt_at) FROM knowledge_documents WHERE status = 'pending'),"
    " (SELECT MIN(lease_until) FROM knowledge_documents WHERE status = 'processing'))";
#undef DOCUMENT_SELECT
#undef DOCUMENT_COLUMNS
// The lease's document, locked (its knowledge base, tenant and progress); no row once the lease is lost.
constexpr char kHoldLease[] =
    "SELECT knowledge_base_id, tenant_id, progress FROM knowledge_documents"
    " WHERE id = $1 AND lease_token = $2 AND status = 'processing' FOR UPDATE";
constexpr char kSetProgress[] =
    "UPDATE knowledge_documents SET progress = $2, lease_until = $3, updated_at = $4 WHERE id = $1";
constexpr char kCompleteDocument[] =
    "UPDATE knowledge_documents SET status = 'ready', progress = 1, error = $4, chunks = $2, lease_token = NULL,"
    " lease_until = NULL, updated_at = $3 WHERE id = $1";
constexpr char kStoreFetchedContent[] = "UPDATE knowledge_documents SET content = $2, size_bytes = $3 WHERE id = $1";
constexpr char kRetryDocument[] =
    "UPDATE knowledge_documents SET status = 'pending', error = $3, next_attempt_at = $4, lease_token = NULL,"
    " lease_until = NULL, updated_at = $5 WHERE id = $1 AND lease_token = $2";
constexpr char kFailDocument[] =
    "UPDATE knowledge_documents SET status = 'failed', error = $3, lease_token = NULL, lease_until = NULL,"
    " updated_at = $4 WHERE id = $1 AND lease_token = $2";

// The document's ($1) chunks leave the indexes through the deletion log of its knowledge base ($2).
constexpr char kLogChunkDeletions[] =
    "INSERT INTO knowledge_chunk_deletions (knowledge_base_id, chunk_id)"
    " SELECT $2, id FROM knowledge_chunks WHERE document_id = $1 AND retired_at IS NULL ORDER BY id";
constexpr char kDeleteDocumentChunks[] = "DELETE FROM knowledge_chunks WHERE document_id = $1";
constexpr char kRetireDocumentChunks[] =
    "UPDATE knowledge_chunks SET retired_at = $2 WHERE document_id = $1 AND retired_at IS NULL";
// Chunks retired before $1, whatever their knowledge base: they left the feed when retired. Rows another completion
// is purging are left to it.
constexpr char kPurgeRetiredChunks[] =
    "DELETE FROM knowledge_chunks WHERE id IN (SELECT id FROM knowledge_chunks"
    " WHERE retired_at IS NOT NULL AND retired_at < $1 FOR UPDATE SKIP LOCKED)";
// Every chunk of a completion in one statement, in the order given (ids grow with the position in the arrays).
constexpr char kInsertChunks[] =
    "INSERT INTO knowledge_chunks (tenant_id, knowledge_base_id, document_id, position, heading_path, page, text,"
    " lexical_text, embedder, embedding)"
    " SELECT $1, $2, $3, c.position, c.heading_path, c.page, c.text, c.lexical_text, $4, c.embedding"
    " FROM unnest($5::int[], $6::text[], $7::int[], $8::text[], $9::text[], $10::bytea[])"
    "  WITH ORDINALITY AS c(position, heading_path, page, text, lexical_text, embedding, n) ORDER BY c.n";
constexpr char kChunkVectorsAfter[] =
    "SELECT id, embedding FROM knowledge_chunks WHERE knowledge_base_id = $1 AND embedder = $2 AND id > $3"
    " AND retired_at IS NULL ORDER BY id LIMIT $4";
constexpr char kChunkTextsAfter[] =
    "SELECT id, lexical_text FROM knowledge_chunks WHERE knowledge_base_id = $1 AND id > $2 AND retired_at IS NULL"
    " ORDER BY id LIMIT $3";
constexpr char kDeletionsAfter[] =
    "SELECT seq, chunk_id FROM knowledge_chunk_deletions WHERE knowledge_base_id = $1 AND seq > $2 ORDER BY seq";
// $2: the ids, in the order asked.
constexpr char kSelectChunks[] =
    "SELECT c.id, c.tenant_id, c.knowledge_base_id, c.document_id, d.name, c.position, c.heading_path, c.page,"
    " c.text, c.lexical_text FROM unnest($2::bigint[]) WITH ORDINALITY AS j(id, n)"
    " JOIN knowledge_chunks c ON c.id = j.id AND c.tenant_id = $1 JOIN knowledge_documents d ON d.id = c.document_id"
    " ORDER BY j.n";

constexpr char kInsertFaq[] =
    "INSERT INTO faq_entries (tenant_id, document_id, answer, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)"
    " RETURNING id";
// $3, $4: the questions and their keys, in order.
constexpr char kInsertFaqQuestions[] =
    "INSERT INTO faq_questions (faq_id, tenant_id, position, question, question_key)"
    " SELECT $1, $2, q.n - 1, q.question, q.question_key"
    " FROM unnest($3::text[], $4::text[]) WITH ORDINALITY AS q(question, question_key, n)";
constexpr char kUpdateFaq[] = "UPDATE faq_entries SET answer = $3, updated_at = $4 WHERE id = $1 AND tenant_id = $2";
constexpr char kDeleteFaqQuestions[] = "DELETE FROM faq_questions WHERE faq_id = $1";
constexpr char kDeleteFaq[] = "DELETE FROM faq_entries WHERE id = $1 AND tenant_id = $2";
constexpr char kDeleteDocumentFaqs[] = "DELETE FROM faq_entries WHERE document_id = $1";
// Q&A pairs with their questions, one row per question, by pair then position (ReadFaqs).
#define FAQ_SELECT                                                                                               \
  "SELECT e.id, e.tenant_id, e.answer, e.document_id, e.created_at, e.updated_at, q.question FROM faq_entries e" \
  " JOIN faq_questions q ON q.faq_id = e.id "
constexpr char kSelectFaq[] = FAQ_SELECT "WHERE e.id = $1 AND e.tenant_id = $2 ORDER BY q.position";
constexpr char kAllFaqs[] = FAQ_SELECT "WHERE e.tenant_id = $1 ORDER BY e.id, q.position";
// Up to $2 pairs after id $3.
constexpr char kFaqPage[] = FAQ_SELECT
    "WHERE e.id IN (SELECT id FROM faq_entries WHERE tenant_id = $1 AND id > $3 ORDER BY id LIMIT $2)"
    " ORDER BY e.id, q.position";
#undef FAQ_SELECT
constexpr char kFaqByKey[] =
    "SELECT faq_id FROM faq_questions WHERE tenant_id = $1 AND question_key = $2 ORDER BY faq_id LIMIT 1";
constexpr char kBumpFaqRevision[] =
    "INSERT INTO faq_revisions AS r (tenant_id, revision) VALUES ($1, 1)"
    " ON CONFLICT (tenant_id) DO UPDATE SET revision = r.revision + 1";
constexpr char kFaqRevision[] = "SELECT revision FROM faq_revisions WHERE tenant_id = $1";

constexpr char kSelectAiSettings[] = "SELECT settings FROM ai_settings WHERE tenant_id = $1";
constexpr char kUpsertAiSettings[] =
    "INSERT INTO ai_settings (tenant_id, settings, updated_at) VALUES ($1, $2, $3)"
    " ON CONFLICT (tenant_id) DO UPDATE SET settings = excluded.settings, updated_at = excluded.updated_at";

// A progress report is not worth waiting for the disk: lost in a crash, the next report or the completion says more.
constexpr char kNoSyncCommit[] = "SET LOCAL synchronous_commit TO OFF";

// A chunk stays readable this long after a new version replaced it (as on SQLite, sqlite migration 0015).
constexpr int64_t kRetiredChunkGraceMs = 60'000;

KnowledgeBase ReadKnowledgeBase(const Rows& rows, int i) {
  return {rows.Int(i, 0), rows.Int(i, 1), rows.String(i, 2), rows.Int(i, 3)};
}

// The document columns; `with_qa_pairs` when the statement selected column 15 too.
Document ReadDocument(const Rows& rows, int i, bool with_qa_pairs) {
  Document d;
  d.id = rows.Int(i, 0);
  d.tenant_id = rows.Int(i, 1);
  d.knowledge_base_id = rows.Int(i, 2);
  d.name = rows.String(i, 3);
  d.content_type = rows.String(i, 4);
  d.source_url = rows.String(i, 5);
  d.size_bytes = rows.Int(i, 6);
  d.status = ParseDocumentStatus(rows.Text(i, 7)).value_or(DocumentStatus::kPending);
  d.progress = rows.Double(i, 8);
  d.error = rows.String(i, 9);
  d.chunks = static_cast<int>(rows.Int(i, 10));
  d.attempts = static_cast<int>(rows.Int(i, 11));
  d.created_at_ms = rows.Int(i, 12);
  d.updated_at_ms = rows.Int(i, 13);
  d.version = static_cast<int>(rows.Int(i, 14));
  if (with_qa_pairs) d.qa_pairs = static_cast<int>(rows.Int(i, 15));
  return d;
}

Document ReadListedDocument(const Rows& rows, int i) { return ReadDocument(rows, i, /*with_qa_pairs=*/true); }

// Embeddings are float32 in the machine's (little-endian) byte order, as the SQLite backend stores them.
std::string_view EmbeddingBytes(const std::vector<float>& embedding) {
  return {reinterpret_cast<const char*>(embedding.data()), embedding.size() * sizeof(float)};
}

// The Q&A pairs of FAQ_SELECT rows, grouped by pair.
std::vector<FaqEntry> ReadFaqs(const Rows& rows) {
  std::vector<FaqEntry> entries;
  for (int i = 0; i < rows.size(); ++i) {
    const int64_t id = rows.Int(i, 0);
    if (entries.empty() || entries.back().id != id) {
      entries.push_back(
          {id, rows.Int(i, 1), {}, rows.String(i, 2), rows.OptionalInt(i, 3), rows.Int(i, 4), rows.Int(i, 5)});
    }
    entries.back().questions.push_back(rows.String(i, 6));
  }
  return entries;
}

Result<FaqEntry> ReadFaq(Connection& db, int64_t tenant_id, int64_t faq_id) {
  STORE_ASSIGN_OR_RETURN(auto rows, db.Query(kSelectFaq, Params(faq_id, tenant_id)));
  auto entries = ReadFaqs(rows);
  if (entries.empty()) return Error::NotFound("no such Q&A pair");
  return std::move(entries.front());
}

Result<void> BumpFaqRevision(Connection& db, int64_t tenant_id) {
  STORE_TRY(db.Query(kBumpFaqRevision, Params(tenant_id)));
  return Ok();
}

Result<void> InsertFaqQuestions(Connection& db, int64_t tenant_id, int64_t faq_id, const NewFaq& faq) {
  Params params(faq_id, tenant_id);
  params.AddArray(std::vector<std::string_view>(faq.questions.begin(), faq.questions.end()));
  params.AddArray(std::vector<std::string_view>(faq.question_keys.begin(), faq.question_keys.end()));
  STORE_TRY(db.Query(kInsertFaqQuestions, params));
  return Ok();
}

Result<int64_t> InsertFaq(Connection& db, int64_t tenant_id, std::optional<int64_t> document_id, const NewFaq& faq,
                          int64_t now_ms) {
  STORE_ASSIGN_OR_RETURN(auto inserted, db.Query(kInsertFaq, Params(tenant_id, document_id, faq.answer, now_ms)));
  const int64_t id = inserted.Int(0, 0);
  STORE_TRY(InsertFaqQuestions(db, tenant_id, id, faq));
  return id;
}

// Takes a document's chunks out of every index through the deletion log, then deletes their rows, or with
// `retire_at`, marks them retired at that time instead (readable by id for a grace period, no longer in the feed)
// and purges the chunks retired longer ago than that. The caller holds the knowledge base's feed lock.
Result<void> RemoveChunksOf(Connection& db, int64_t document_id, int64_t knowledge_base_id,
                            std::optional<int64_t> retire_at = std::nullopt) {
  STORE_TRY(db.Query(kLogChunkDeletions, Params(document_id, knowledge_base_id)));
  if (!retire_at) {
    STORE_TRY(db.Query(kDeleteDocumentChunks, Params(document_id)));
    return Ok();
  }
  STORE_TRY(db.Query(kPurgeRetiredChunks, Params(*retire_at - kRetiredChunkGraceMs)));
  STORE_TRY(db.Query(kRetireDocumentChunks, Params(document_id, *retire_at)));
  return Ok();
}

Result<void> InsertChunks(Connection& db, int64_t tenant_id, int64_t knowledge_base_id, int64_t document_id,
                          const std::string& embedder_id, const std::vector<NewChunk>& chunks) {
  if (chunks.empty()) return Ok();
  std::vector<int64_t> positions, pages;
  std::vector<std::string_view> headings, texts, lexical_texts, embeddings;
  for (const NewChunk& chunk : chunks) {
    positions.push_back(chunk.position);
    headings.push_back(chunk.heading_path);
    pages.push_back(chunk.page);
    texts.push_back(chunk.text);
    lexical_texts.push_back(chunk.lexical_text);
    embeddings.push_back(EmbeddingBytes(chunk.embedding));
  }
  Params params(tenant_id, knowledge_base_id, document_id, embedder_id);
  params.AddArray(positions).AddArray(headings).AddArray(pages).AddArray(texts).AddArray(lexical_texts);
  params.AddBytesArray(embeddings);
  STORE_TRY(db.Query(kInsertChunks, params));
  return Ok();
}

Result<void> AppendProgress(Connection& db, EventNotes& notes, int64_t tenant_id, int64_t document_id,
                            DocumentStatus status, double progress, int64_t chunks, std::string_view error,
                            int64_t now_ms) {
  AppendEvent(notes, tenant_id, EventType::kDocumentProgress,
              DocumentProgressEventData(document_id, status, progress, chunks, error), now_ms);
  return Ok();
}

class PostgresKnowledgeStore final : public KnowledgeStore {
 public:
  explicit PostgresKnowledgeStore(PostgresStore& store) : store_(store) {}

  Result<KnowledgeBase> EnsureKnowledgeBase(int64_t tenant_id, const std::string& name) override {
    if (name.empty()) return Error::InvalidArgument("a knowledge base needs a name");
    const int64_t now = NowMs();
    return store_.Write<KnowledgeBase>([&](Connection& db, EventNotes&) -> Result<KnowledgeBase> {
      STORE_ASSIGN_OR_RETURN(auto tenant, db.Query(kTenantExists, Params(tenant_id)));
      if (tenant.empty()) return Error::NotFound("no such tenant");
      STORE_ASSIGN_OR_RETURN(auto inserted, db.Query(kInsertKnowledgeBase, Params(tenant_id, name, now)));
      if (!inserted.empty()) return ReadKnowledgeBase(inserted, 0);
      // It existed, or a concurrent call created it first (ON CONFLICT waited for that one's commit).
      STORE_ASSIGN_OR_RETURN(auto existing, db.Query(kSelectKnowledgeBase, Params(tenant_id, name)));
      if (existing.empty()) return Error::Internal("knowledge base vanished");
      return ReadKnowledgeBase(existing, 0);
    });
  }

  Result<std::vector<KnowledgeBase>> ListKnowledgeBases(int64_t tenant_id) override {
    return store_.ReadAll<KnowledgeBase>(kListKnowledgeBases, Params(tenant_id), ReadKnowledgeBase);
  }

  Result<KnowledgeTotals> Totals(int64_t tenant_id) override {
    return store_.ReadOne<KnowledgeTotals>(kTotals, Params(tenant_id), "no totals", [](const Rows& rows, int i) {
      return KnowledgeTotals{rows.Int(i, 0), rows.Int(i, 1)};
    });
  }

  Result<Document> CreateDocument(const NewDocument& document) override {
    if (document.name.empty()) return Error::InvalidArgument("a document needs a name");
    const int64_t now = NowMs();
    return store_.Write<Document>([&](Connection& db, EventNotes& notes) -> Result<Document> {
      STORE_ASSIGN_OR_RETURN(auto kb,
                             db.Query(kKnowledgeBaseOfTenant, Params(document.knowledge_base_id, document.tenant_id)));
      if (kb.empty()) return Error::NotFound("no such knowledge base");
      Params params(document.tenant_id, document.knowledge_base_id, document.name, document.content_type,
                    document.source_url, static_cast<int64_t>(document.content.size()));
      params.AddBytes(document.content).Add(now);
      STORE_ASSIGN_OR_RETURN(auto stored, db.Query(kUpsertDocument, params));
      const int64_t id = stored.Int(0, 0);
      STORE_TRY(AppendProgress(db, notes, document.tenant_id, id, DocumentStatus::kPending, 0, 0, {}, now));
      STORE_ASSIGN_OR_RETURN(auto row, db.Query(kSelectDocument, Params(id, document.tenant_id)));
      return ReadListedDocument(row, 0);
    });
  }

  Result<Document> GetDocument(int64_t tenant_id, int64_t document_id) override {
    return store_.ReadOne<Document>(kSelectDocument, Params(document_id, tenant_id), "no such document",
                                    ReadListedDocument);
  }

  Result<std::optional<Document>> FindDocument(int64_t tenant_id, int64_t knowledge_base_id,
                                               const std::string& name) override {
    return store_.Read<std::optional<Document>>([&](Connection& db) -> Result<std::optional<Document>> {
      STORE_ASSIGN_OR_RETURN(auto rows, db.Query(kSelectDocumentByName, Params(knowledge_base_id, name, tenant_id)));
      if (rows.empty()) return std::optional<Document>();
      return std::optional<Document>(ReadListedDocument(rows, 0));
    });
  }

  Result<Page<Document>> ListDocuments(int64_t tenant_id, const std::optional<std::string>& cursor,
                                       int limit) override {
    limit = ClampPageSize(limit);
    std::optional<int64_t> before;
    if (cursor) {
      STORE_ASSIGN_OR_RETURN(before, ParseIdCursor('d', *cursor));
    }
    return store_.Read<Page<Document>>([&](Connection& db) -> Result<Page<Document>> {
      Params params(tenant_id, limit + 1);
      if (before) params.Add(*before);
      STORE_ASSIGN_OR_RETURN(auto rows, db.Query(before ? kDocumentsBefore : kDocumentsFirstPage, params));
      return IdPage<Document>(rows, 'd', limit, ReadListedDocument);
    });
  }

  Result<void> DeleteDocument(int64_t tenant_id, int64_t document_id) override {
    return store_.Write<void>([&](Connection& db, EventNotes&) -> Result<void> {
      STORE_ASSIGN_OR_RETURN(auto document, db.Query(kLockDocument, Params(document_id, tenant_id)));
      if (document.empty()) return Error::NotFound("no such document");
      const int64_t knowledge_base_id = document.Int(0, 0);
      STORE_ASSIGN_OR_RETURN(auto faqs, db.Query(kDeleteDocumentFaqs, Params(document_id)));
      if (faqs.affected() > 0) STORE_TRY(BumpFaqRevision(db, tenant_id));
      // Locks in the order a completion takes them (document, Q&A revision, feed), so neither waits for the other.
      STORE_TRY(db.Query(kLockFeed, Params(knowledge_base_id)));
      STORE_TRY(RemoveChunksOf(db, document_id, knowledge_base_id));
      STORE_TRY(db.Query(kDeleteDocument, Params(document_id)));
      return Ok();
    });
  }

  Result<int> RequeueDocuments(int64_t knowledge_base_id) override {
    const int64_t now = NowMs();
    return store_.Write<int>([&](Connection& db, EventNotes&) -> Result<int> {
      STORE_ASSIGN_OR_RETURN(auto requeued, db.Query(kRequeueDocuments, Params(knowledge_base_id, now)));
      return static_cast<int>(requeued.affected());
    });
  }

  Result<std::optional<DocumentJob>> ClaimDocumentJob(int64_t now_ms, int64_t lease_ms,
                                                      const std::vector<int64_t>& skipped_knowledge_bases,
                                                      int max_per_tenant) override {
    const std::string token = crypto::RandomToken(16);
    using Job = std::optional<DocumentJob>;
    return store_.Write<Job>([&](Connection& db, EventNotes& notes) -> Result<Job> {
      STORE_TRY(db.Query(kLockClaims));
      Params where(now_ms);
      where.AddArray(skipped_knowledge_bases).Add(max_per_tenant);
      STORE_ASSIGN_OR_RETURN(auto next_tenant, db.Query(kNextTenant, where));
      if (next_tenant.empty()) return Job();
      const int64_t tenant_id = next_tenant.Int(0, 0);
      Params in_tenant(now_ms);
      in_tenant.AddArray(skipped_knowledge_bases).Add(tenant_id);
      std::optional<int64_t> id;
      for (const char* sql : {kExpiredLease, kDueDocument}) {
        STORE_ASSIGN_OR_RETURN(auto found, db.Query(sql, in_tenant));
        if (!found.empty()) {
          id = found.Int(0, 0);
          break;
        }
      }
      // Every due document of the tenant is locked by a transaction that is changing it (a completion, a new
      // version): none can be taken at this moment, and the next claim will see what it became.
      if (!id) return Job();
      STORE_TRY(db.Query(kTakeTurn, Params(tenant_id)));
      STORE_ASSIGN_OR_RETURN(auto leased, db.Query(kLeaseDocument, Params(*id, token, now_ms + lease_ms, now_ms)));
      DocumentJob job{ReadDocument(leased, 0, /*with_qa_pairs=*/false), leased.Bytes(0, 15), token};
      STORE_TRY(AppendProgress(db, notes, tenant_id, job.document.id, DocumentStatus::kProcessing, 0, 0, {}, now_ms));
      return Job(std::move(job));
    });
  }

  Result<std::optional<int64_t>> NextDocumentJobAt() override {
    return store_.Read<std::optional<int64_t>>([&](Connection& db) -> Result<std::optional<int64_t>> {
      STORE_ASSIGN_OR_RETURN(auto rows, db.Query(kNextDue));
      return rows.OptionalInt(0, 0);
    });
  }

  Result<void> SetDocumentProgress(const DocumentJob& job, double progress, int64_t lease_until_ms) override {
    const int64_t now = NowMs();
    return store_.Write<void>([&](Connection& db, EventNotes& notes) -> Result<void> {
      STORE_TRY(db.Execute(kNoSyncCommit));
      STORE_ASSIGN_OR_RETURN(auto held, db.Query(kHoldLease, Params(job.document.id, job.lease_token)));
      if (held.empty()) return Ok();
      const double previous = held.Double(0, 2);
      STORE_TRY(db.Query(kSetProgress, Params(job.document.id, progress, lease_until_ms, now)));
      // Throttled: the dashboard hears of each tenth of the way, not of every batch or lease renewal.
      if (static_cast<int>(progress * 10) <= static_cast<int>(previous * 10)) return Ok();
      return AppendProgress(db, notes, job.document.tenant_id, job.document.id, DocumentStatus::kProcessing, progress,
                            0, {}, now);
    });
  }

  Result<void> CompleteDocumentJob(const DocumentJob& job, const std::string& embedder_id,
                                   const std::vector<NewChunk>& chunks, const std::vector<NewFaq>& faqs,
                                   const std::string& content, const std::string& note) override {
    for (const NewFaq& faq : faqs) STORE_TRY(ValidateFaq(faq));
    const int64_t now = NowMs();
    const int64_t document_id = job.document.id;
    return store_.Write<void>([&](Connection& db, EventNotes& notes) -> Result<void> {
      STORE_ASSIGN_OR_RETURN(auto held, db.Query(kHoldLease, Params(document_id, job.lease_token)));
      if (held.empty()) return Error::Conflict("the document's lease was lost");
      const int64_t knowledge_base_id = held.Int(0, 0);
      const int64_t tenant_id = held.Int(0, 1);
      STORE_ASSIGN_OR_RETURN(auto old_faqs, db.Query(kDeleteDocumentFaqs, Params(document_id)));
      if (old_faqs.affected() > 0 || !faqs.empty()) STORE_TRY(BumpFaqRevision(db, tenant_id));
      for (const NewFaq& faq : faqs) STORE_TRY(InsertFaq(db, tenant_id, document_id, faq, now));
      if (!content.empty()) {
        Params keep(document_id);
        keep.AddBytes(content).Add(static_cast<int64_t>(content.size()));
        STORE_TRY(db.Query(kStoreFetchedContent, keep));
      }
      const auto count = static_cast<int64_t>(chunks.size());
      STORE_TRY(db.Query(kCompleteDocument, Params(document_id, count, now, note)));
      // The feed last, so that the knowledge base's writers wait for each other only for these statements.
      STORE_TRY(db.Query(kLockFeed, Params(knowledge_base_id)));
      STORE_TRY(RemoveChunksOf(db, document_id, knowledge_base_id, /*retire_at=*/now));
      STORE_TRY(InsertChunks(db, tenant_id, knowledge_base_id, document_id, embedder_id, chunks));
      return AppendProgress(db, notes, tenant_id, document_id, DocumentStatus::kReady, 1, count, note, now);
    });
  }

  Result<void> FailDocumentJob(const DocumentJob& job, const std::string& error,
                               std::optional<int64_t> retry_at_ms) override {
    const int64_t now = NowMs();
    return store_.Write<void>([&](Connection& db, EventNotes& notes) -> Result<void> {
      Params params(job.document.id, job.lease_token, error);
      if (retry_at_ms) params.Add(*retry_at_ms);
      params.Add(now);
      STORE_ASSIGN_OR_RETURN(auto failed, db.Query(retry_at_ms ? kRetryDocument : kFailDocument, params));
      if (failed.affected() == 0) return Ok();
      return AppendProgress(db, notes, job.document.tenant_id, job.document.id,
                            retry_at_ms ? DocumentStatus::kPending : DocumentStatus::kFailed, 0, 0, error, now);
    });
  }

  Result<std::vector<ChunkVector>> ChunkVectorsAfter(int64_t knowledge_base_id, const std::string& embedder_id,
                                                     int64_t after_chunk_id, int limit) override {
    return store_.ReadAll<ChunkVector>(
        kChunkVectorsAfter, Params(knowledge_base_id, embedder_id, after_chunk_id, limit), [](const Rows& rows, int i) {
          return ChunkVector{rows.Int(i, 0), DecodeEmbedding(rows.Bytes(i, 1))};
        });
  }

  Result<std::vector<int64_t>> DeletedChunksAfter(int64_t knowledge_base_id, int64_t after_seq,
                                                  int64_t* last_seq) override {
    return store_.Read<std::vector<int64_t>>([&](Connection& db) -> Result<std::vector<int64_t>> {
      STORE_ASSIGN_OR_RETURN(auto rows, db.Query(kDeletionsAfter, Params(knowledge_base_id, after_seq)));
      std::vector<int64_t> ids;
      ids.reserve(rows.size());
      for (int i = 0; i < rows.size(); ++i) ids.push_back(rows.Int(i, 1));
      if (!rows.empty()) *last_seq = rows.Int(rows.size() - 1, 0);
      return ids;
    });
  }

  Result<std::vector<ChunkText>> ChunkTextsAfter(int64_t knowledge_base_id, int64_t after_chunk_id,
                                                 int limit) override {
    return store_.ReadAll<ChunkText>(kChunkTextsAfter, Params(knowledge_base_id, after_chunk_id, limit),
                                     [](const Rows& rows, int i) {
                                       return ChunkText{rows.Int(i, 0), rows.String(i, 1)};
                                     });
  }

  Result<std::vector<ChunkRecord>> GetChunks(int64_t tenant_id, const std::vector<int64_t>& chunk_ids) override {
    Params params(tenant_id);
    params.AddArray(chunk_ids);
    return store_.ReadAll<ChunkRecord>(kSelectChunks, params, [](const Rows& rows, int i) {
      return ChunkRecord{rows.Int(i, 0),    rows.Int(i, 1),
                         rows.Int(i, 2),    rows.Int(i, 3),
                         rows.String(i, 4), static_cast<int>(rows.Int(i, 5)),
                         rows.String(i, 6), static_cast<int>(rows.Int(i, 7)),
                         rows.String(i, 8), rows.String(i, 9)};
    });
  }

  Result<FaqEntry> CreateFaq(int64_t tenant_id, const NewFaq& faq) override {
    STORE_TRY(ValidateFaq(faq));
    const int64_t now = NowMs();
    return store_.Write<FaqEntry>([&](Connection& db, EventNotes&) -> Result<FaqEntry> {
      STORE_ASSIGN_OR_RETURN(auto tenant, db.Query(kTenantExists, Params(tenant_id)));
      if (tenant.empty()) return Error::NotFound("no such tenant");
      STORE_TRY(BumpFaqRevision(db, tenant_id));
      STORE_ASSIGN_OR_RETURN(int64_t id, InsertFaq(db, tenant_id, std::nullopt, faq, now));
      return ReadFaq(db, tenant_id, id);
    });
  }

  Result<FaqEntry> UpdateFaq(int64_t tenant_id, int64_t faq_id, const NewFaq& faq) override {
    STORE_TRY(ValidateFaq(faq));
    const int64_t now = NowMs();
    return store_.Write<FaqEntry>([&](Connection& db, EventNotes&) -> Result<FaqEntry> {
      STORE_ASSIGN_OR_RETURN(auto updated, db.Query(kUpdateFaq, Params(faq_id, tenant_id, faq.answer, now)));
      if (updated.affected() == 0) return Error::NotFound("no such Q&A pair");
      STORE_TRY(BumpFaqRevision(db, tenant_id));
      STORE_TRY(db.Query(kDeleteFaqQuestions, Params(faq_id)));
      STORE_TRY(InsertFaqQuestions(db, tenant_id, faq_id, faq));
      return ReadFaq(db, tenant_id, faq_id);
    });
  }

  Result<void> DeleteFaq(int64_t tenant_id, int64_t faq_id) override {
    return store_.Write<void>([&](Connection& db, EventNotes&) -> Result<void> {
      STORE_ASSIGN_OR_RETURN(auto deleted, db.Query(kDeleteFaq, Params(faq_id, tenant_id)));
      if (deleted.affected() == 0) return Error::NotFound("no such Q&A pair");
      return BumpFaqRevision(db, tenant_id);
    });
  }

  Result<FaqEntry> GetFaq(int64_t tenant_id, int64_t faq_id) override {
    return store_.Read<FaqEntry>([&](Connection& db) { return ReadFaq(db, tenant_id, faq_id); });
  }

  Result<Page<FaqEntry>> ListFaqs(int64_t tenant_id, const std::optional<std::string>& cursor, int limit) override {
    limit = ClampPageSize(limit);
    int64_t after = 0;
    if (cursor) {
      STORE_ASSIGN_OR_RETURN(after, ParseIdCursor('f', *cursor));
    }
    return store_.Read<Page<FaqEntry>>([&](Connection& db) -> Result<Page<FaqEntry>> {
      STORE_ASSIGN_OR_RETURN(auto rows, db.Query(kFaqPage, Params(tenant_id, limit + 1, after)));
      Page<FaqEntry> page;
      page.data = ReadFaqs(rows);
      if (static_cast<int>(page.data.size()) > limit) {
        page.data.resize(limit);
        page.next_cursor = IdCursor('f', page.data.back().id);
      }
      return page;
    });
  }

  Result<std::optional<FaqEntry>> FindFaqByKey(int64_t tenant_id, const std::string& question_key) override {
    using Found = std::optional<FaqEntry>;
    if (question_key.empty()) return Found();
    return store_.Read<Found>([&](Connection& db) -> Result<Found> {
      STORE_ASSIGN_OR_RETURN(auto rows, db.Query(kFaqByKey, Params(tenant_id, question_key)));
      if (rows.empty()) return Found();
      STORE_ASSIGN_OR_RETURN(auto entry, ReadFaq(db, tenant_id, rows.Int(0, 0)));
      return Found(std::move(entry));
    });
  }

  Result<int64_t> FaqRevision(int64_t tenant_id) override {
    return store_.Read<int64_t>([&](Connection& db) { return ReadRevision(db, tenant_id); });
  }

  Result<FaqSnapshot> LoadFaqs(int64_t tenant_id) override {
    // Read() is one snapshot: the revision and the pairs agree.
    return store_.Read<FaqSnapshot>([&](Connection& db) -> Result<FaqSnapshot> {
      FaqSnapshot snapshot;
      STORE_ASSIGN_OR_RETURN(snapshot.revision, ReadRevision(db, tenant_id));
      STORE_ASSIGN_OR_RETURN(auto rows, db.Query(kAllFaqs, Params(tenant_id)));
      snapshot.entries = ReadFaqs(rows);
      return snapshot;
    });
  }

  Result<std::optional<std::string>> GetAiSettings(int64_t tenant_id) override {
    using Settings = std::optional<std::string>;
    return store_.Read<Settings>([&](Connection& db) -> Result<Settings> {
      STORE_ASSIGN_OR_RETURN(auto rows, db.Query(kSelectAiSettings, Params(tenant_id)));
      if (rows.empty()) return Settings();
      return Settings(rows.String(0, 0));
    });
  }

  Result<void> PutAiSettings(int64_t tenant_id, const std::string& settings_json) override {
    const int64_t now = NowMs();
    return store_.Write<void>([&](Connection& db, EventNotes&) -> Result<void> {
      STORE_ASSIGN_OR_RETURN(auto tenant, db.Query(kTenantExists, Params(tenant_id)));
      if (tenant.empty()) return Error::NotFound("no such tenant");
      STORE_TRY(db.Query(kUpsertAiSettings, Params(tenant_id, settings_json, now)));
      return Ok();
    });
  }

 private:
  static Result<int64_t> ReadRevision(Connection& db, int64_t tenant_id) {
    STORE_ASSIGN_OR_RETURN(auto rows, db.Query(kFaqRevision, Params(tenant_id)));
    return rows.empty() ? int64_t{0} : rows.Int(0, 0);
  }

  PostgresStore& store_;
};

}  // namespace

std::unique_ptr<KnowledgeStore> MakePostgresKnowledgeStore(PostgresStore& store) {
  return std::make_unique<PostgresKnowledgeStore>(store);
}

}  // namespace parley::store::postgres
