// The knowledge store on every backend: knowledge bases, documents and their ingestion jobs (leases, fair turns,
// versions), Q&A pairs and AI settings. The chunk feeds the indexes catch up from: knowledge_feed_test.cpp.

#include "knowledge_store_test.h"

#include <algorithm>

namespace parley::store::testing {
namespace {

INSTANTIATE_TEST_SUITE_P(Backends, KnowledgeStoreTest, ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         [](const auto& info) { return BackendName(info.param); });

TEST_P(KnowledgeStoreTest, EnsureKnowledgeBaseIsIdempotentAndTenantScoped) {
  auto again = ks().EnsureKnowledgeBase(acme_, "main");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->id, kb_);
  EXPECT_EQ(again->tenant_id, acme_);
  EXPECT_EQ(again->name, "main");
  EXPECT_GT(again->created_at_ms, 0);

  // The same name under another tenant is another knowledge base.
  auto theirs = ks().EnsureKnowledgeBase(globex_, "main").value();
  EXPECT_NE(theirs.id, kb_);
  EXPECT_EQ(theirs.tenant_id, globex_);

  int64_t second = ks().EnsureKnowledgeBase(acme_, "faq").value().id;
  auto mine = ks().ListKnowledgeBases(acme_).value();
  ASSERT_EQ(mine.size(), 2u);
  EXPECT_EQ(mine[0].id, kb_);
  EXPECT_EQ(mine[1].id, second);
  EXPECT_EQ(mine[1].name, "faq");
  auto listed = ks().ListKnowledgeBases(globex_).value();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].id, theirs.id);

  EXPECT_EQ(ks().EnsureKnowledgeBase(999, "main").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(ks().EnsureKnowledgeBase(acme_, "").error().code, ErrorCode::kInvalidArgument);
  EXPECT_TRUE(ks().ListKnowledgeBases(999).value().empty());
}

TEST_P(KnowledgeStoreTest, CreateDocumentStoresItPendingInTheTenantsKnowledgeBase) {
  Document document = Create(acme_, kb_, "hours.md", "# Hours\nNine to five.");
  EXPECT_GT(document.id, 0);
  EXPECT_EQ(document.tenant_id, acme_);
  EXPECT_EQ(document.knowledge_base_id, kb_);
  EXPECT_EQ(document.name, "hours.md");
  EXPECT_EQ(document.content_type, "text/plain");
  EXPECT_EQ(document.size_bytes, 21);
  EXPECT_EQ(document.status, DocumentStatus::kPending);
  EXPECT_EQ(document.progress, 0);
  EXPECT_EQ(document.chunks, 0);
  EXPECT_EQ(document.attempts, 0);
  EXPECT_GT(document.created_at_ms, 0);
  EXPECT_EQ(document.updated_at_ms, document.created_at_ms);

  int64_t theirs = ks().EnsureKnowledgeBase(globex_, "main").value().id;
  NewDocument request{acme_, theirs, "x.txt", "", "", "x"};
  EXPECT_EQ(ks().CreateDocument(request).error().code, ErrorCode::kNotFound);
  request.knowledge_base_id = 12345;
  EXPECT_EQ(ks().CreateDocument(request).error().code, ErrorCode::kNotFound);
  request.knowledge_base_id = kb_;
  request.name.clear();
  EXPECT_EQ(ks().CreateDocument(request).error().code, ErrorCode::kInvalidArgument);

  EXPECT_EQ(ks().GetDocument(globex_, document.id).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(ks().ListDocuments(acme_, std::nullopt, 10).value().data.size(), 1u);
}

TEST_P(KnowledgeStoreTest, ClaimTakesTheOldestDueDocumentAndLeasesIt) {
  EXPECT_FALSE(ks().ClaimDocumentJob(kT0, kLease, {}, 0).value().has_value());
  Document first = Create(acme_, kb_, "a.txt", "first bytes");
  Document second = Create(acme_, kb_, "b.txt");

  auto job = ks().ClaimDocumentJob(kT0, kLease, {}, 0).value();
  ASSERT_TRUE(job.has_value());
  EXPECT_EQ(job->document.id, first.id);
  EXPECT_EQ(job->document.status, DocumentStatus::kProcessing);
  EXPECT_EQ(job->document.attempts, 1);
  EXPECT_EQ(job->content, "first bytes");
  EXPECT_FALSE(job->lease_token.empty());
  EXPECT_EQ(ks().GetDocument(acme_, first.id).value().status, DocumentStatus::kProcessing);

  // The leased document is not handed out again; the next one is, then nothing.
  EXPECT_EQ(MustClaim(second.id, kT0 + 1).document.id, second.id);
  EXPECT_FALSE(ks().ClaimDocumentJob(kT0 + 2, kLease, {}, 0).value().has_value());
  // Both leases run out at kT0 + kLease at the earliest.
  EXPECT_EQ(ks().NextDocumentJobAt().value(), kT0 + kLease);
}

TEST_P(KnowledgeStoreTest, ExpiredLeaseIsClaimedAgainAndTheOldHolderLosesIt) {
  Document document = Create(acme_, kb_, "a.txt");
  DocumentJob crashed = MustClaim(document.id);
  EXPECT_FALSE(ks().ClaimDocumentJob(kT0 + kLease - 1, kLease, {}, 0).value().has_value());

  DocumentJob retaken = MustClaim(document.id, kT0 + kLease);
  EXPECT_NE(retaken.lease_token, crashed.lease_token);
  EXPECT_EQ(retaken.document.attempts, 2);

  // The presumed-dead worker wakes up: its progress is ignored and its result refused.
  ASSERT_TRUE(ks().SetDocumentProgress(crashed, 0.9, kT0 + 10 * kLease));
  EXPECT_EQ(ks().GetDocument(acme_, document.id).value().progress, 0);
  EXPECT_EQ(ks().CompleteDocumentJob(crashed, kEmbedder, {Chunk(0, "stale")}, {}, "", "").error().code,
            ErrorCode::kConflict);
  EXPECT_TRUE(ChunksOf(kb_).empty());

  ASSERT_TRUE(ks().CompleteDocumentJob(retaken, kEmbedder, {Chunk(0, "fresh")}, {}, "", ""));
  EXPECT_EQ(ks().GetDocument(acme_, document.id).value().status, DocumentStatus::kReady);
}

TEST_P(KnowledgeStoreTest, AReadyDocumentKeepsTheNoteOfWhatItLeftOutUntilItsNextVersion) {
  Document document = Create(acme_, kb_, "scans.pdf");
  const std::string note = "scanned pages 21\u201340 were not read: OCR reads at most 20 per document";
  ASSERT_TRUE(ks().CompleteDocumentJob(MustClaim(document.id), kEmbedder, {Chunk(0, "page one")}, {}, "", note));
  Document ready = ks().GetDocument(acme_, document.id).value();
  EXPECT_EQ(ready.status, DocumentStatus::kReady);
  EXPECT_EQ(ready.error, note);
  EXPECT_EQ(ready.chunks, 1);

  Create(acme_, kb_, "scans.pdf");  // A new version, read whole this time.
  ASSERT_TRUE(
      ks().CompleteDocumentJob(MustClaim(document.id, kT0 + 1), kEmbedder, {Chunk(0, "every page")}, {}, "", ""));
  EXPECT_EQ(ks().GetDocument(acme_, document.id).value().error, "");
}

TEST_P(KnowledgeStoreTest, ClaimLeavesOutTheSkippedKnowledgeBases) {
  int64_t busy = ks().EnsureKnowledgeBase(acme_, "busy").value().id;
  Document crashed = Create(acme_, busy, "first.txt");
  ASSERT_EQ(MustClaim(crashed.id, kT0 - kLease).document.id, crashed.id);  // Its lease runs out at kT0.
  Document waiting = Create(acme_, busy, "second.txt");
  Document other = Create(acme_, kb_, "other.txt");

  // The busy knowledge base's due document and expired lease both wait; the other knowledge base's goes first.
  auto job = ks().ClaimDocumentJob(kT0, kLease, {busy}, 0).value();
  ASSERT_TRUE(job.has_value());
  EXPECT_EQ(job->document.id, other.id);
  EXPECT_FALSE(ks().ClaimDocumentJob(kT0, kLease, {busy, 12345}, 0).value().has_value());
  // Once it is not skipped, the expired lease is taken first, then the pending document.
  EXPECT_EQ(ks().ClaimDocumentJob(kT0, kLease, {}, 0).value().value().document.id, crashed.id);
  EXPECT_EQ(ks().ClaimDocumentJob(kT0, kLease, {kb_}, 0).value().value().document.id, waiting.id);
}

TEST_P(KnowledgeStoreTest, FailWithRetryMakesTheDocumentPendingFromThen) {
  Document document = Create(acme_, kb_, "page");
  DocumentJob job = MustClaim(document.id);
  ASSERT_TRUE(ks().FailDocumentJob(job, "the page could not be fetched", kT0 + 5000));

  Document failed = ks().GetDocument(acme_, document.id).value();
  EXPECT_EQ(failed.status, DocumentStatus::kPending);
  EXPECT_EQ(failed.error, "the page could not be fetched");
  EXPECT_EQ(ks().NextDocumentJobAt().value(), kT0 + 5000);
  EXPECT_FALSE(ks().ClaimDocumentJob(kT0 + 4999, kLease, {}, 0).value().has_value());
  DocumentJob retry = MustClaim(document.id, kT0 + 5000);
  EXPECT_EQ(retry.document.attempts, 2);

  // Without a retry time it fails for good.
  ASSERT_TRUE(ks().FailDocumentJob(retry, "not a PDF", std::nullopt));
  failed = ks().GetDocument(acme_, document.id).value();
  EXPECT_EQ(failed.status, DocumentStatus::kFailed);
  EXPECT_EQ(failed.error, "not a PDF");
  EXPECT_FALSE(ks().ClaimDocumentJob(kT0 + 1'000'000'000, kLease, {}, 0).value().has_value());
  EXPECT_FALSE(ks().NextDocumentJobAt().value().has_value());
}

TEST_P(KnowledgeStoreTest, DueOrderFollowsRetryTimeThenId) {
  Document first = Create(acme_, kb_, "a");
  ASSERT_TRUE(ks().FailDocumentJob(MustClaim(first.id), "later", kT0 + 100));
  Document second = Create(acme_, kb_, "b");  // Due at once (0), so ahead of the retried one.
  EXPECT_EQ(ks().NextDocumentJobAt().value(), 0);
  EXPECT_EQ(MustClaim(second.id, kT0 + 200).document.id, second.id);
  EXPECT_EQ(MustClaim(first.id, kT0 + 200).document.id, first.id);
}

TEST_P(KnowledgeStoreTest, SetDocumentProgressRecordsItAndExtendsTheLease) {
  Document document = Create(acme_, kb_, "a");
  DocumentJob job = MustClaim(document.id);
  ASSERT_TRUE(ks().SetDocumentProgress(job, 0.5, kT0 + 3 * kLease));
  EXPECT_EQ(ks().GetDocument(acme_, document.id).value().progress, 0.5);
  EXPECT_EQ(ks().NextDocumentJobAt().value(), kT0 + 3 * kLease);
  // The original lease end no longer frees it.
  EXPECT_FALSE(ks().ClaimDocumentJob(kT0 + kLease, kLease, {}, 0).value().has_value());
  EXPECT_TRUE(ks().ClaimDocumentJob(kT0 + 3 * kLease, kLease, {}, 0).value().has_value());
}

TEST_P(KnowledgeStoreTest, ClaimTakesTenantsInTurn) {
  // Acme queued three documents before Globex queued two: Globex does not wait for Acme's queue.
  int64_t globex_kb = ks().EnsureKnowledgeBase(globex_, "main").value().id;
  std::vector<int64_t> acme;
  for (const char* name : {"a1", "a2", "a3"}) acme.push_back(Create(acme_, kb_, name).id);
  std::vector<int64_t> globex;
  for (const char* name : {"g1", "g2"}) globex.push_back(Create(globex_, globex_kb, name).id);

  // Each finished before the next claim, as with one worker: the tenants alternate.
  std::vector<int64_t> order;
  for (int i = 0; i < 5; ++i) {
    auto job = ks().ClaimDocumentJob(kT0 + i, kLease, {}, 0).value();
    ASSERT_TRUE(job.has_value());
    order.push_back(job->document.id);
    ASSERT_TRUE(ks().CompleteDocumentJob(*job, kEmbedder, {Chunk(i, "text")}, {}, "", ""));
  }
  EXPECT_EQ(order, (std::vector<int64_t>{acme[0], globex[0], acme[1], globex[1], acme[2]}));
}

TEST_P(KnowledgeStoreTest, ClaimGoesFirstToTheTenantWithFewestInProcessing) {
  int64_t globex_kb = ks().EnsureKnowledgeBase(globex_, "main").value().id;
  Document a1 = Create(acme_, kb_, "a1");
  Document a2 = Create(acme_, kb_, "a2");
  Document a3 = Create(acme_, kb_, "a3");
  EXPECT_EQ(MustClaim(a1.id).document.id, a1.id);
  EXPECT_EQ(MustClaim(a2.id).document.id, a2.id);
  // Acme holds two; Globex's document, queued after Acme's third, is taken before it.
  Document g1 = Create(globex_, globex_kb, "g1");
  EXPECT_EQ(MustClaim(g1.id).document.id, g1.id);
  EXPECT_EQ(MustClaim(a3.id).document.id, a3.id);
}

TEST_P(KnowledgeStoreTest, ClaimPassesOverATenantAtItsLimit) {
  int64_t globex_kb = ks().EnsureKnowledgeBase(globex_, "main").value().id;
  Document a1 = Create(acme_, kb_, "a1");
  Document a2 = Create(acme_, kb_, "a2");
  Document a3 = Create(acme_, kb_, "a3");
  auto claim = [&](int64_t now) { return ks().ClaimDocumentJob(now, kLease, {}, /*max_per_tenant=*/2).value(); };
  DocumentJob first = claim(kT0).value();
  EXPECT_EQ(first.document.id, a1.id);
  EXPECT_EQ(claim(kT0).value().document.id, a2.id);
  // Acme's third waits while two of its documents are in processing; another tenant's does not.
  EXPECT_FALSE(claim(kT0).has_value());
  Document g1 = Create(globex_, globex_kb, "g1");
  EXPECT_EQ(claim(kT0).value().document.id, g1.id);
  // One of Acme's is done: its third goes.
  ASSERT_TRUE(ks().CompleteDocumentJob(first, kEmbedder, {Chunk(0, "text")}, {}, "", ""));
  EXPECT_EQ(claim(kT0).value().document.id, a3.id);
  // Leases that ran out do not count against their tenant: the documents are taken again, in turn.
  EXPECT_EQ(claim(kT0 + kLease).value().document.id, g1.id);
  EXPECT_EQ(claim(kT0 + kLease).value().document.id, a2.id);
}

TEST_P(KnowledgeStoreTest, CompleteWritesChunksLexicalIndexAndFaqsAndMarksReady) {
  Document document = Create(acme_, kb_, "faq.csv", "");
  DocumentJob job = MustClaim(document.id);
  std::vector<NewChunk> chunks = {Chunk(0, "opening hours monday friday", {1, 0, 0}),
                                  Chunk(1, "refunds within thirty days", {0, 1, 0})};
  ASSERT_TRUE(ks().CompleteDocumentJob(job, kEmbedder, chunks, {Faq("When do you open?", "open", "At nine.")},
                                       "fetched page", ""));

  Document ready = ks().GetDocument(acme_, document.id).value();
  EXPECT_EQ(ready.status, DocumentStatus::kReady);
  EXPECT_EQ(ready.progress, 1);
  EXPECT_EQ(ready.chunks, 2);
  EXPECT_EQ(ready.error, "");
  EXPECT_EQ(ready.size_bytes, 12);  // The fetched content replaced the empty upload.

  auto vectors = ks().ChunkVectorsAfter(kb_, kEmbedder, 0, 10).value();
  ASSERT_EQ(vectors.size(), 2u);
  EXPECT_EQ(vectors[0].embedding, (std::vector<float>{1, 0, 0}));
  EXPECT_EQ(vectors[1].embedding, (std::vector<float>{0, 1, 0}));

  auto records = ks().GetChunks(acme_, ChunkIds(vectors)).value();
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[1].id, vectors[1].chunk_id);
  EXPECT_EQ(records[1].tenant_id, acme_);
  EXPECT_EQ(records[1].knowledge_base_id, kb_);
  EXPECT_EQ(records[1].document_id, document.id);
  EXPECT_EQ(records[1].document_name, "faq.csv");
  EXPECT_EQ(records[1].position, 1);
  EXPECT_EQ(records[1].heading_path, "Section 1");
  EXPECT_EQ(records[1].page, 2);
  EXPECT_EQ(records[1].text, "refunds within thirty days");
  EXPECT_EQ(records[1].lexical_text, "refunds within thirty days");

  auto texts = ks().ChunkTextsAfter(kb_, 0, 10).value();
  ASSERT_EQ(TextIds(texts), ChunkIds(vectors));
  EXPECT_EQ(texts[1].lexical_text, "refunds within thirty days");
  auto faq = ks().FindFaqByKey(acme_, "open").value();
  ASSERT_TRUE(faq.has_value());
  EXPECT_EQ(faq->answer, "At nine.");
  EXPECT_EQ(faq->document_id, document.id);

  // The fetched content is what a re-processing reads.
  ASSERT_EQ(ks().RequeueDocuments(kb_).value(), 1);
  EXPECT_EQ(MustClaim(document.id).content, "fetched page");
}

TEST_P(KnowledgeStoreTest, ReprocessingReplacesChunksAndFaqsAndLogsTheDeletions) {
  Document document =
      Ingest(acme_, kb_, "doc", {Chunk(0, "old alpha"), Chunk(1, "old beta")}, {Faq("Old?", "old", "Old.")});
  std::vector<int64_t> old_ids = ChunksOf(kb_);
  ASSERT_EQ(old_ids.size(), 2u);
  int64_t seq = 0;
  EXPECT_TRUE(ks().DeletedChunksAfter(kb_, 0, &seq).value().empty());
  EXPECT_EQ(seq, 0);  // Unchanged when nothing was deleted.

  // Only ready and failed documents go back to pending; a pending one is left as it is.
  Create(acme_, kb_, "still pending");
  ASSERT_EQ(ks().RequeueDocuments(kb_).value(), 1);
  Document requeued = ks().GetDocument(acme_, document.id).value();
  EXPECT_EQ(requeued.status, DocumentStatus::kPending);
  EXPECT_EQ(requeued.attempts, 0);
  // Until it is processed again its old chunks keep answering.
  EXPECT_EQ(ChunksOf(kb_), old_ids);

  DocumentJob job = MustClaim(document.id);
  ASSERT_TRUE(ks().CompleteDocumentJob(job, kEmbedder, {Chunk(0, "new gamma")}, {Faq("New?", "new", "New.")}, "", ""));

  std::vector<int64_t> new_ids = ChunksOf(kb_);
  ASSERT_EQ(new_ids.size(), 1u);
  EXPECT_GT(new_ids[0], old_ids[1]);  // Ids are never reused: indexes catch up by "greater than".
  // Replaced chunks stay readable by id for a while (a search that found them just before the switch reads them)…
  EXPECT_EQ(ks().GetChunks(acme_, old_ids).value().size(), 2u);
  EXPECT_EQ(ks().GetDocument(acme_, document.id).value().chunks, 1);

  std::vector<int64_t> deleted = ks().DeletedChunksAfter(kb_, 0, &seq).value();
  std::sort(deleted.begin(), deleted.end());
  EXPECT_EQ(deleted, old_ids);
  EXPECT_GT(seq, 0);
  int64_t later = seq;
  EXPECT_TRUE(ks().DeletedChunksAfter(kb_, seq, &later).value().empty());
  EXPECT_EQ(later, seq);

  EXPECT_EQ(TextIds(ks().ChunkTextsAfter(kb_, 0, 10).value()), new_ids);
  EXPECT_FALSE(ks().FindFaqByKey(acme_, "old").value().has_value());
  EXPECT_TRUE(ks().FindFaqByKey(acme_, "new").value().has_value());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM faq_questions"), 1);
}

TEST_P(KnowledgeStoreTest, ReplacedChunksArePurgedByALaterCompletionAfterAMinute) {
  Document document = Ingest(acme_, kb_, "doc", {Chunk(0, "first")});
  std::vector<int64_t> first = ChunksOf(kb_);
  ASSERT_TRUE(ks().RequeueDocuments(kb_));
  ASSERT_TRUE(ks().CompleteDocumentJob(MustClaim(document.id), kEmbedder, {Chunk(0, "second")}, {}, "", ""));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM knowledge_chunks WHERE retired_at IS NOT NULL"), 1);
  // A completion over a minute later (the test ages the retired chunk) purges it for good.
  ASSERT_TRUE(ks().RequeueDocuments(kb_));
  EXPECT_GT(Count("UPDATE knowledge_chunks SET retired_at = retired_at - 61000 WHERE retired_at IS NOT NULL"
                  " RETURNING id"),
            0);
  ASSERT_TRUE(ks().CompleteDocumentJob(MustClaim(document.id), kEmbedder, {Chunk(0, "third")}, {}, "", ""));
  EXPECT_TRUE(ks().GetChunks(acme_, first).value().empty());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM knowledge_chunks WHERE retired_at IS NOT NULL"), 1);  // "second".
}

TEST_P(KnowledgeStoreTest, ADocumentOfTheSameNameIsReplacedKeepingItsIdUntilTheNewVersionIsReady) {
  Document first = Ingest(acme_, kb_, "prices.md", {Chunk(0, "price 39")});
  EXPECT_EQ(first.version, 1);
  std::vector<int64_t> old_ids = ChunksOf(kb_);
  int64_t other_kb = ks().EnsureKnowledgeBase(acme_, "other").value().id;
  Document elsewhere = Create(acme_, other_kb, "prices.md");  // Another knowledge base: another document.
  EXPECT_NE(elsewhere.id, first.id);
  ASSERT_TRUE(ks().DeleteDocument(acme_, elsewhere.id));

  Document second = Create(acme_, kb_, "prices.md", "price 45 bytes");
  EXPECT_EQ(second.id, first.id);
  EXPECT_EQ(second.version, 2);
  EXPECT_EQ(second.status, DocumentStatus::kPending);
  EXPECT_EQ(second.size_bytes, 14);
  EXPECT_EQ(second.chunks, 1);        // The previous version's, which still answer…
  EXPECT_EQ(ChunksOf(kb_), old_ids);  // …from the indexes.
  EXPECT_EQ(ks().Totals(acme_).value().documents, 1);
  EXPECT_EQ(ks().FindDocument(acme_, kb_, "prices.md").value()->id, first.id);
  EXPECT_FALSE(ks().FindDocument(acme_, kb_, "other.md").value().has_value());
  EXPECT_FALSE(ks().FindDocument(globex_, kb_, "prices.md").value().has_value());

  DocumentJob job = MustClaim(first.id);
  EXPECT_EQ(job.content, "price 45 bytes");
  ASSERT_TRUE(ks().CompleteDocumentJob(job, kEmbedder, {Chunk(0, "price 45")}, {}, "", ""));
  std::vector<int64_t> new_ids = ChunksOf(kb_);
  ASSERT_EQ(new_ids.size(), 1u);
  EXPECT_EQ(ks().GetChunks(acme_, new_ids).value().at(0).text, "price 45");
  int64_t seq = 0;
  EXPECT_EQ(ks().DeletedChunksAfter(kb_, 0, &seq).value(), old_ids);
}

TEST_P(KnowledgeStoreTest, ANewVersionAddedWhileTheOldOneIsProcessedWins) {
  Document document = Create(acme_, kb_, "menu.md", "old");
  DocumentJob old_job = MustClaim(document.id);
  Create(acme_, kb_, "menu.md", "new");
  // The worker on the old content has lost its lease: its chunks never land.
  EXPECT_EQ(ks().CompleteDocumentJob(old_job, kEmbedder, {Chunk(0, "old")}, {}, "", "").error().code,
            ErrorCode::kConflict);
  DocumentJob new_job = MustClaim(document.id);
  EXPECT_EQ(new_job.content, "new");
  EXPECT_EQ(new_job.document.attempts, 1);
  ASSERT_TRUE(ks().CompleteDocumentJob(new_job, kEmbedder, {Chunk(0, "new")}, {}, "", ""));
  EXPECT_EQ(ks().GetChunks(acme_, ChunksOf(kb_)).value().at(0).text, "new");
}

TEST_P(KnowledgeStoreTest, AFailedNewVersionLeavesThePreviousChunksAnswering) {
  Document document = Ingest(acme_, kb_, "menu.pdf", {Chunk(0, "menu")});
  std::vector<int64_t> ids = ChunksOf(kb_);
  Create(acme_, kb_, "menu.pdf", "not a pdf");
  ASSERT_TRUE(ks().FailDocumentJob(MustClaim(document.id), "not a PDF file", std::nullopt));
  Document failed = ks().GetDocument(acme_, document.id).value();
  EXPECT_EQ(failed.status, DocumentStatus::kFailed);
  EXPECT_EQ(failed.chunks, 1);
  EXPECT_EQ(ChunksOf(kb_), ids);
}

TEST_P(KnowledgeStoreTest, FaqsLoadFromOneSnapshotWithTheirRevision) {
  EXPECT_EQ(ks().FaqRevision(acme_).value(), 0);
  int64_t id = ks().CreateFaq(acme_, NewFaq{{"Parking?", "Where to park?"}, {"parking", "park"}, "Behind."}).value().id;
  Document csv = Ingest(acme_, kb_, "faq.csv", {}, {Faq("Wifi?", "wifi", "Yes.")});
  EXPECT_EQ(csv.qa_pairs, 1);
  EXPECT_EQ(csv.chunks, 0);
  FaqSnapshot snapshot = ks().LoadFaqs(acme_).value();
  EXPECT_EQ(snapshot.revision, ks().FaqRevision(acme_).value());
  EXPECT_EQ(snapshot.revision, 2);
  ASSERT_EQ(snapshot.entries.size(), 2u);
  EXPECT_EQ(snapshot.entries[0].id, id);
  EXPECT_EQ(snapshot.entries[0].questions, (std::vector<std::string>{"Parking?", "Where to park?"}));
  EXPECT_EQ(snapshot.entries[1].document_id, csv.id);
  EXPECT_TRUE(ks().LoadFaqs(globex_).value().entries.empty());
  ASSERT_TRUE(ks().DeleteDocument(acme_, csv.id));
  EXPECT_EQ(ks().FaqRevision(acme_).value(), 3);
  EXPECT_EQ(ks().FaqRevision(globex_).value(), 0);
}

TEST_P(KnowledgeStoreTest, ListDocumentsPagesNewestFirst) {
  std::vector<int64_t> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(Create(acme_, kb_, "doc" + std::to_string(i)).id);
  Create(globex_, ks().EnsureKnowledgeBase(globex_, "main").value().id, "theirs");

  auto first = ks().ListDocuments(acme_, std::nullopt, 2).value();
  ASSERT_EQ(first.data.size(), 2u);
  EXPECT_EQ(first.data[0].id, ids[4]);
  EXPECT_EQ(first.data[1].id, ids[3]);
  ASSERT_TRUE(first.next_cursor);
  auto second = ks().ListDocuments(acme_, first.next_cursor, 2).value();
  ASSERT_EQ(second.data.size(), 2u);
  EXPECT_EQ(second.data[0].id, ids[2]);
  EXPECT_EQ(second.data[1].id, ids[1]);
  ASSERT_TRUE(second.next_cursor);
  auto last = ks().ListDocuments(acme_, second.next_cursor, 2).value();
  ASSERT_EQ(last.data.size(), 1u);
  EXPECT_EQ(last.data[0].id, ids[0]);
  EXPECT_FALSE(last.next_cursor);

  // Exactly a page's worth: no cursor to an empty page.
  EXPECT_FALSE(ks().ListDocuments(acme_, std::nullopt, 5).value().next_cursor);
  EXPECT_EQ(ks().ListDocuments(acme_, std::string("garbage!"), 2).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(ks().ListDocuments(acme_, crypto::Base64UrlEncode("f:3"), 2).error().code, ErrorCode::kInvalidArgument);
}

TEST_P(KnowledgeStoreTest, DeleteDocumentRemovesChunksIndexEntriesAndItsFaqs) {
  Document document = Ingest(acme_, kb_, "faq.csv", {Chunk(0, "parking behind the shop"), Chunk(1, "parking is free")},
                             {Faq("Where can I park?", "park", "Behind the shop.")});
  Document kept = Ingest(acme_, kb_, "other", {Chunk(0, "gift cards")});
  int64_t manual = ks().CreateFaq(acme_, Faq("Gift cards?", "gift cards", "Yes.")).value().id;
  std::vector<int64_t> all = ChunksOf(kb_);
  ASSERT_EQ(all.size(), 3u);

  EXPECT_EQ(ks().DeleteDocument(globex_, document.id).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(ChunksOf(kb_).size(), 3u);

  ASSERT_TRUE(ks().DeleteDocument(acme_, document.id));
  EXPECT_EQ(ks().GetDocument(acme_, document.id).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(ChunksOf(kb_), std::vector<int64_t>{all[2]});
  EXPECT_EQ(ks().GetChunks(acme_, all).value().size(), 1u);
  EXPECT_EQ(TextIds(ks().ChunkTextsAfter(kb_, 0, 10).value()), std::vector<int64_t>{all[2]});
  EXPECT_FALSE(ks().FindFaqByKey(acme_, "park").value().has_value());
  EXPECT_TRUE(ks().GetFaq(acme_, manual));  // Not the document's: it stays.
  EXPECT_EQ(ks().GetDocument(acme_, kept.id).value().chunks, 1);

  int64_t seq = 0;
  std::vector<int64_t> deleted = ks().DeletedChunksAfter(kb_, 0, &seq).value();
  std::sort(deleted.begin(), deleted.end());
  EXPECT_EQ(deleted, (std::vector<int64_t>{all[0], all[1]}));
  EXPECT_EQ(ks().DeleteDocument(acme_, document.id).error().code, ErrorCode::kNotFound);
}

TEST_P(KnowledgeStoreTest, DeletingADocumentBeingProcessedMakesItsCompletionConflict) {
  Document document = Create(acme_, kb_, "a");
  DocumentJob job = MustClaim(document.id);
  ASSERT_TRUE(ks().DeleteDocument(acme_, document.id));
  EXPECT_EQ(ks().CompleteDocumentJob(job, kEmbedder, {Chunk(0, "orphan")}, {}, "", "").error().code,
            ErrorCode::kConflict);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM knowledge_chunks"), 0);
}

TEST_P(KnowledgeStoreTest, FaqCrud) {
  auto created = ks().CreateFaq(
      acme_, NewFaq{{"What are your hours?", "When do you open?"}, {"hours", "open"}, "From nine to five."});
  ASSERT_TRUE(created) << created.error().detail;
  EXPECT_GT(created->id, 0);
  EXPECT_EQ(created->tenant_id, acme_);
  EXPECT_EQ(created->questions, (std::vector<std::string>{"What are your hours?", "When do you open?"}));
  EXPECT_EQ(created->answer, "From nine to five.");
  EXPECT_FALSE(created->document_id.has_value());
  EXPECT_GT(created->created_at_ms, 0);

  EXPECT_EQ(ks().FindFaqByKey(acme_, "open").value()->id, created->id);
  EXPECT_EQ(ks().FindFaqByKey(acme_, "hours").value()->id, created->id);
  EXPECT_FALSE(ks().FindFaqByKey(acme_, "closed").value().has_value());
  EXPECT_FALSE(ks().FindFaqByKey(acme_, "").value().has_value());

  auto updated = ks().UpdateFaq(acme_, created->id, NewFaq{{"Opening times?"}, {"opening times"}, "Nine to six."});
  ASSERT_TRUE(updated);
  EXPECT_EQ(updated->questions, std::vector<std::string>{"Opening times?"});
  EXPECT_EQ(updated->answer, "Nine to six.");
  EXPECT_GE(updated->updated_at_ms, created->updated_at_ms);
  EXPECT_FALSE(ks().FindFaqByKey(acme_, "open").value().has_value());
  EXPECT_EQ(ks().FindFaqByKey(acme_, "opening times").value()->answer, "Nine to six.");
  EXPECT_EQ(ks().GetFaq(acme_, created->id).value().answer, "Nine to six.");

  ASSERT_TRUE(ks().DeleteFaq(acme_, created->id));
  EXPECT_EQ(ks().GetFaq(acme_, created->id).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(ks().DeleteFaq(acme_, created->id).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(ks().UpdateFaq(acme_, created->id, Faq("q", "q", "a")).error().code, ErrorCode::kNotFound);
  EXPECT_FALSE(ks().FindFaqByKey(acme_, "opening times").value().has_value());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM faq_questions"), 0);
}

TEST_P(KnowledgeStoreTest, FaqValidation) {
  EXPECT_EQ(ks().CreateFaq(acme_, Faq("Question?", "question", "")).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(ks().CreateFaq(acme_, NewFaq{{}, {}, "Answer."}).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(ks().CreateFaq(acme_, NewFaq{{""}, {""}, "Answer."}).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(ks().CreateFaq(acme_, NewFaq{{"a", "b"}, {"a"}, "Answer."}).error().code, ErrorCode::kInternal);
  EXPECT_EQ(ks().CreateFaq(999, Faq("Question?", "question", "Answer.")).error().code, ErrorCode::kNotFound);
  int64_t id = ks().CreateFaq(acme_, Faq("Question?", "question", "Answer.")).value().id;
  EXPECT_EQ(ks().UpdateFaq(acme_, id, Faq("Question?", "question", "")).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(ks().GetFaq(acme_, id).value().answer, "Answer.");
}

TEST_P(KnowledgeStoreTest, FaqsAreTenantScoped) {
  int64_t id = ks().CreateFaq(acme_, Faq("Parking?", "parking", "Behind the shop.")).value().id;
  EXPECT_EQ(ks().GetFaq(globex_, id).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(ks().UpdateFaq(globex_, id, Faq("Parking?", "parking", "Nowhere.")).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(ks().DeleteFaq(globex_, id).error().code, ErrorCode::kNotFound);
  EXPECT_FALSE(ks().FindFaqByKey(globex_, "parking").value().has_value());
  EXPECT_TRUE(ks().ListFaqs(globex_, std::nullopt, 10).value().data.empty());
  EXPECT_EQ(ks().GetFaq(acme_, id).value().answer, "Behind the shop.");

  // The same key in both tenants finds each its own.
  int64_t theirs = ks().CreateFaq(globex_, Faq("Parking?", "parking", "Underground.")).value().id;
  EXPECT_EQ(ks().FindFaqByKey(globex_, "parking").value()->id, theirs);
  EXPECT_EQ(ks().FindFaqByKey(acme_, "parking").value()->id, id);
}

TEST_P(KnowledgeStoreTest, ListFaqsPagesOldestFirst) {
  std::vector<int64_t> ids;
  for (int i = 0; i < 3; ++i) {
    std::string n = std::to_string(i);
    ids.push_back(ks().CreateFaq(acme_, Faq("Q" + n + "?", "q" + n, "A" + n + ".")).value().id);
  }
  auto first = ks().ListFaqs(acme_, std::nullopt, 2).value();
  ASSERT_EQ(first.data.size(), 2u);
  EXPECT_EQ(first.data[0].id, ids[0]);
  EXPECT_EQ(first.data[1].id, ids[1]);
  EXPECT_EQ(first.data[1].questions, std::vector<std::string>{"Q1?"});
  ASSERT_TRUE(first.next_cursor);
  auto second = ks().ListFaqs(acme_, first.next_cursor, 2).value();
  ASSERT_EQ(second.data.size(), 1u);
  EXPECT_EQ(second.data[0].id, ids[2]);
  EXPECT_FALSE(second.next_cursor);
  EXPECT_EQ(ks().ListFaqs(acme_, crypto::Base64UrlEncode("d:1"), 2).error().code, ErrorCode::kInvalidArgument);
}

TEST_P(KnowledgeStoreTest, AiSettingsGetAndPut) {
  EXPECT_FALSE(ks().GetAiSettings(acme_).value().has_value());
  ASSERT_TRUE(ks().PutAiSettings(acme_, R"({"top_k":3})"));
  EXPECT_EQ(ks().GetAiSettings(acme_).value(), R"({"top_k":3})");
  ASSERT_TRUE(ks().PutAiSettings(acme_, R"({"top_k":7})"));
  EXPECT_EQ(ks().GetAiSettings(acme_).value(), R"({"top_k":7})");
  EXPECT_FALSE(ks().GetAiSettings(globex_).value().has_value());
  EXPECT_EQ(ks().PutAiSettings(999, "{}").error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace parley::store::testing
