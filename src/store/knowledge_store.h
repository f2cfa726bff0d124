#pragma once
// What the store keeps for the AI agent: knowledge bases, their documents (each one also its own durable
// ingestion job), chunks with their embeddings and lexical (BM25) index, Q&A pairs and the tenant's AI
// settings. Same rules as store.h: every method blocks (call from the blocking pool), is thread-safe, and every
// read taking a tenant id is scoped by it.
//
// Search itself is not here: the knowledge module keeps an HNSW index and a BM25 index per knowledge base and
// catches them up from `ChunkVectorsAfter`, `ChunkTextsAfter` and `DeletedChunksAfter`, so any process sharing
// the database (a server and the CLI) sees the same chunks.

#include "core/error.h"
#include "store/store.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace parley::store {

struct KnowledgeBase {
  int64_t id = 0;
  int64_t tenant_id = 0;
  std::string name;
  int64_t created_at_ms = 0;
};

enum class DocumentStatus { kPending, kProcessing, kReady, kFailed };
std::string_view ToString(DocumentStatus status);
// The status ToString spelled; nullopt for any other text.
std::optional<DocumentStatus> ParseDocumentStatus(std::string_view text);

struct Document {
  int64_t id = 0;
  int64_t tenant_id = 0;
  int64_t knowledge_base_id = 0;
  std::string name;          //!< The uploaded file name, or the page URL.
  std::string content_type;  //!< As uploaded or fetched; may be empty.
  std::string source_url;    //!< Set for documents fetched from a web page.
  int64_t size_bytes = 0;
  DocumentStatus status = DocumentStatus::kPending;
  double progress = 0;  //!< 0..1 while processing; 1 when ready.
  std::string error;    //!< Why the last attempt failed, or what a ready one left out (client-safe); else empty.
  int chunks = 0;       //!< Chunks answering now (the previous version's while a new one is processed).
  int qa_pairs = 0;     //!< Q&A pairs it brought (a CSV of Q&A pairs).
  int attempts = 0;
  int version = 1;  //!< 1 for the first upload, one more for each replacement (CreateDocument).
  int64_t created_at_ms = 0;
  int64_t updated_at_ms = 0;
};

struct NewDocument {
  int64_t tenant_id = 0;
  int64_t knowledge_base_id = 0;
  std::string name;
  std::string content_type;
  std::string source_url;  //!< Where a web page came from. Without `content` (stored so by older versions), the
                           //!< worker fetches it.
  std::string content;     //!< The file's bytes, kept so the document can be re-processed (new embedder).
};

// A document taken for processing: the lease lasts until `lease_until_ms`, after which another worker may take it.
struct DocumentJob {
  Document document;
  std::string content;
  std::string lease_token;
};

// What a tenant keeps in its knowledge bases, against the plan's limits.
struct KnowledgeTotals {
  int64_t documents = 0;
  int64_t bytes = 0;
};

struct NewChunk {
  int position = 0;
  std::string heading_path;  //!< "A › B", or empty.
  int page = 0;
  std::string text;          //!< As shown and cited.
  std::string lexical_text;  //!< What the BM25 index sees (folded words).
  std::vector<float> embedding;
};

struct NewFaq {
  std::vector<std::string> questions;
  std::vector<std::string> question_keys;  //!< One per question: the normalized form exact matching uses.
  std::string answer;
};

// What every backend refuses before storing a Q&A pair: kInvalidArgument without an answer, without questions or with
// an empty one; kInternal unless there is one key per question (the caller's bug).
Result<void> ValidateFaq(const NewFaq& faq);

// An embedding as both backends store it (float32 in the machine's byte order, little-endian on every target), read
// back from its bytes.
std::vector<float> DecodeEmbedding(std::string_view bytes);

struct FaqEntry {
  int64_t id = 0;
  int64_t tenant_id = 0;
  std::vector<std::string> questions;
  std::string answer;
  std::optional<int64_t> document_id;  //!< Set when it came from a CSV document (and goes with it).
  int64_t created_at_ms = 0;
  int64_t updated_at_ms = 0;
};

// Every Q&A pair of a tenant as of one moment, and the revision they are at (FaqRevision).
struct FaqSnapshot {
  int64_t revision = 0;
  std::vector<FaqEntry> entries;  //!< By id.
};

struct ChunkVector {
  int64_t chunk_id = 0;
  std::vector<float> embedding;
};

struct ChunkText {
  int64_t chunk_id = 0;
  std::string lexical_text;
};

struct ChunkRecord {
  int64_t id = 0;
  int64_t tenant_id = 0;
  int64_t knowledge_base_id = 0;
  int64_t document_id = 0;
  std::string document_name;
  int position = 0;
  std::string heading_path;
  int page = 0;
  std::string text;
  std::string lexical_text;
};

class KnowledgeStore {
 public:
  virtual ~KnowledgeStore() = default;

  // --- Knowledge bases ---
  // The tenant's knowledge base called `name`, created if missing. kNotFound for an unknown tenant.
  virtual Result<KnowledgeBase> EnsureKnowledgeBase(int64_t tenant_id, const std::string& name) = 0;
  virtual Result<std::vector<KnowledgeBase>> ListKnowledgeBases(int64_t tenant_id) = 0;

  // --- Documents and their ingestion jobs ---
  // Stores the document as pending; kNotFound when the knowledge base is not the tenant's.
  // A document is its name within its knowledge base: when one of that name exists, it is replaced instead. It keeps
  // its id and takes the new content, type and size, its version goes up by one and it is pending again (a worker
  // processing the previous content loses its lease), while its current chunks and Q&A pairs keep answering until
  // the new ones take their place in one step (CompleteDocumentJob). Should the new content fail, the previous
  // version's chunks stay (the document says failed, with the reason, and `chunks` says what still answers).
  virtual Result<Document> CreateDocument(const NewDocument& document) = 0;
  // The document called `name` in the tenant's knowledge base; nullopt when none.
  virtual Result<std::optional<Document>> FindDocument(int64_t tenant_id, int64_t knowledge_base_id,
                                                       const std::string& name) = 0;
  // The tenant's documents and their bytes, all knowledge bases together.
  virtual Result<KnowledgeTotals> Totals(int64_t tenant_id) = 0;
  virtual Result<Document> GetDocument(int64_t tenant_id, int64_t document_id) = 0;
  // Newest first; `cursor` from a previous page.
  virtual Result<Page<Document>> ListDocuments(int64_t tenant_id, const std::optional<std::string>& cursor,
                                               int limit) = 0;
  // Removes the document, its chunks (from both indexes) and the Q&A pairs it brought. kNotFound if not the
  // tenant's.
  virtual Result<void> DeleteDocument(int64_t tenant_id, int64_t document_id) = 0;
  // Marks every ready or failed document of the knowledge base pending again (a new embedder or chunking).
  virtual Result<int> RequeueDocuments(int64_t knowledge_base_id) = 0;

  // Takes a due document for `lease_ms`: a pending one whose time has come, or one whose lease expired (a crashed
  // worker), leaving out those of `skipped_knowledge_bases` (whose indexes are busy). Round-robin across tenants:
  // the document is the tenant's whose documents in processing (unexpired leases) are fewest, then whose last
  // claim is oldest; within a tenant, an expired lease first, then the oldest due. A tenant with `max_per_tenant`
  // documents in processing already is passed over (0: no limit). nullopt when no document can be taken.
  virtual Result<std::optional<DocumentJob>> ClaimDocumentJob(int64_t now_ms, int64_t lease_ms,
                                                              const std::vector<int64_t>& skipped_knowledge_bases,
                                                              int max_per_tenant) = 0;
  // The earliest time a pending document becomes due, to sleep until then; nullopt when none waits.
  virtual Result<std::optional<int64_t>> NextDocumentJobAt() = 0;
  // Progress while holding the lease (ignored once the lease is lost); also extends the lease.
  virtual Result<void> SetDocumentProgress(const DocumentJob& job, double progress, int64_t lease_until_ms) = 0;
  // Replaces the document's chunks and Q&A pairs with these, stores fetched `content` if not empty, and marks it
  // ready, in one transaction. kConflict when the lease was lost (another worker took it, a new version was added,
  // or it was deleted). The replaced chunks enter the deletion log, so every index drops them as it takes the new
  // ones, and stay readable through GetChunks for a minute (a search that found them just before still reads them).
  // `note` says what was left out of a document read all the same (scanned pages not read): it becomes the ready
  // document's `error`, shown to its owner beside the status; empty clears it.
  virtual Result<void> CompleteDocumentJob(const DocumentJob& job, const std::string& embedder_id,
                                           const std::vector<NewChunk>& chunks, const std::vector<NewFaq>& faqs,
                                           const std::string& content, const std::string& note) = 0;
  // Records the failure: pending again at `retry_at_ms`, or failed for good when nullopt.
  virtual Result<void> FailDocumentJob(const DocumentJob& job, const std::string& error,
                                       std::optional<int64_t> retry_at_ms) = 0;

  // --- Retrieval ---
  // The feeds an index catches up from. On every backend, a knowledge base's chunk ids and deletion sequence numbers
  // become visible in increasing order (whatever order concurrent writers commit in), so a reader that resumes after
  // the last id or sequence number it read misses nothing.
  // Chunks of the knowledge base embedded by `embedder_id` with id > `after_chunk_id`, by id, at most `limit`.
  virtual Result<std::vector<ChunkVector>> ChunkVectorsAfter(int64_t knowledge_base_id, const std::string& embedder_id,
                                                             int64_t after_chunk_id, int limit) = 0;
  // Ids of the knowledge base's chunks deleted after deletion sequence `after_seq`; `last_seq` receives the
  // newest sequence number seen (unchanged when none).
  virtual Result<std::vector<int64_t>> DeletedChunksAfter(int64_t knowledge_base_id, int64_t after_seq,
                                                          int64_t* last_seq) = 0;
  // The BM25 text of the knowledge base's chunks with id > `after_chunk_id` (any embedder), by id, at most `limit`.
  virtual Result<std::vector<ChunkText>> ChunkTextsAfter(int64_t knowledge_base_id, int64_t after_chunk_id,
                                                         int limit) = 0;
  // The tenant's chunks among `chunk_ids`, in the order given; others are left out.
  virtual Result<std::vector<ChunkRecord>> GetChunks(int64_t tenant_id, const std::vector<int64_t>& chunk_ids) = 0;

  // --- Q&A pairs ---
  virtual Result<FaqEntry> CreateFaq(int64_t tenant_id, const NewFaq& faq) = 0;
  virtual Result<FaqEntry> UpdateFaq(int64_t tenant_id, int64_t faq_id, const NewFaq& faq) = 0;
  virtual Result<void> DeleteFaq(int64_t tenant_id, int64_t faq_id) = 0;
  virtual Result<FaqEntry> GetFaq(int64_t tenant_id, int64_t faq_id) = 0;
  virtual Result<Page<FaqEntry>> ListFaqs(int64_t tenant_id, const std::optional<std::string>& cursor, int limit) = 0;
  // The tenant's entry with a question whose key equals `question_key`; nullopt when none.
  virtual Result<std::optional<FaqEntry>> FindFaqByKey(int64_t tenant_id, const std::string& question_key) = 0;
  // A number that changes whenever the tenant's Q&A pairs change, whichever way (0 before any change): one cheap read
  // that tells an index of the pairs whether to load them again.
  virtual Result<int64_t> FaqRevision(int64_t tenant_id) = 0;
  // The tenant's Q&A pairs and their revision, read from one snapshot of the store.
  virtual Result<FaqSnapshot> LoadFaqs(int64_t tenant_id) = 0;

  // --- AI settings ---
  // The tenant's AI settings as a JSON object text; nullopt when never set.
  virtual Result<std::optional<std::string>> GetAiSettings(int64_t tenant_id) = 0;
  virtual Result<void> PutAiSettings(int64_t tenant_id, const std::string& settings_json) = 0;
};

}  // namespace parley::store
