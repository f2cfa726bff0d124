// Migrations that rebuild a table must keep every row, id and reference: each test builds a database as an older
// release left it, fills it, then lets SqliteStore::Migrate() finish the job.

#include "store/migration.h"
#include "core/crypto.h"
#include "store/knowledge_store.h"
#include "store/sqlite/db.h"
#include "store/sqlite/sqlite_store.h"
#include "support/temp_dir.h"

#include <gtest/gtest.h>

#include <string>

namespace parley::store::sqlite {
namespace {

constexpr char kPhone[] = "106540352242922";

crypto::SecretBox TestBox() { return crypto::SecretBox::Create(std::string(32, 'k')).value(); }

// Creates the database at `path` as the migrations before `version` left it, then runs `rows` on it.
void BuildReleaseBefore(const std::string& path, int version, const std::string& rows) {
  auto db = Database::Open(path, {}).value();
  ASSERT_TRUE(db->Exec(
      "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)"));
  for (const Migration& m : Migrations()) {
    if (m.version >= version) continue;
    std::string sql(m.sql);
    ASSERT_TRUE(db->Exec(sql.c_str())) << m.name;
    std::string record =
        "INSERT INTO schema_migrations VALUES (" + std::to_string(m.version) + ", '" + std::string(m.name) + "', 0)";
    ASSERT_TRUE(db->Exec(record.c_str()));
  }
  ASSERT_TRUE(db->Exec(rows.c_str()));
}

std::unique_ptr<SqliteStore> OpenMigrated(const std::string& path, const crypto::SecretBox& box) {
  SqliteOptions options;
  options.path = path;
  auto store = SqliteStore::Open(options, box).value();
  EXPECT_TRUE(store->Migrate());
  return store;
}

// 0007 rebuilds the channels table; rows referencing it (contacts, conversations, messages) must survive.
TEST(ChannelMigrationTest, RebuildingTheChannelsTableKeepsEverythingThatReferencesIt) {
  testing::TempDir dir("parley-channels-migration");
  const std::string path = (dir.path() / "parley.db").string();
  crypto::SecretBox box = TestBox();
  std::string sealed = box.Seal("EAAG-old");
  std::string rows =
      "INSERT INTO tenants (id, name, created_at) VALUES (1, 'Acme', 0);"
      "INSERT INTO channels (id, tenant_id, platform, account_id, access_token_sealed, created_at)"
      " VALUES (7, 1, 'whatsapp', '" +
      std::string(kPhone) + "', '" + sealed +
      "', 5);"
      "INSERT INTO contacts (id, tenant_id, channel_id, platform_id, created_at) VALUES (3, 1, 7, 'c1', 0);"
      "INSERT INTO conversations (id, tenant_id, channel_id, contact_id, created_at, last_message_at)"
      " VALUES (4, 1, 7, 3, 0, 0);"
      "INSERT INTO messages (tenant_id, conversation_id, channel_id, direction, type, text, status, created_at)"
      " VALUES (1, 4, 7, 'in', 'text', 'hello', 'received', 0);";
  BuildReleaseBefore(path, 7, rows);
  auto store = OpenMigrated(path, box);
  Channel channel = store->GetChannel(1, 7).value();
  EXPECT_EQ(channel.access_token, "EAAG-old");
  EXPECT_EQ(channel.created_at_ms, 5);
  EXPECT_EQ(channel.updated_at_ms, 5);
  EXPECT_TRUE(channel.enabled);
  EXPECT_EQ(store->ListMessages(1, 4, std::nullopt, 50).value().data.size(), 1u);
  // The live-account index replaced the table-wide one: after removal the account may be connected again.
  ASSERT_TRUE(store->RemoveChannel(1, 7));
  EXPECT_TRUE(store->AddChannel({1, Platform("whatsapp"), kPhone, "EAAG-new", "", {}}));
  store->Close();
}

// 0027 rebuilds the channels table once more: the platform is any registered name (checked for form only) and
// each channel gets a public id; everything else, and what references the channels, stays.
TEST(ChannelMigrationTest, OpenPlatformsKeepTheChannelsAndGiveEachAPublicId) {
  testing::TempDir dir("parley-open-platforms-migration");
  const std::string path = (dir.path() / "parley.db").string();
  crypto::SecretBox box = TestBox();
  BuildReleaseBefore(path, 27,
                     "INSERT INTO tenants (id, name, created_at) VALUES (1, 'Acme', 0);"
                     "INSERT INTO channels (id, tenant_id, platform, account_id, access_token_sealed, created_at,"
                     " updated_at, username, waba_id) VALUES (7, 1, 'instagram', '17841400000000001', '" +
                         box.Seal("IGQ") + "', 0, 3, 'crumb', ''), (8, 1, 'whatsapp', '" + std::string(kPhone) +
                         "', '" + box.Seal("EAAG") +
                         "', 0, 0, '', '102290129340398');"
                         "INSERT INTO contacts (id, tenant_id, channel_id, platform_id, created_at)"
                         " VALUES (3, 1, 7, 'c1', 0);");
  auto store = OpenMigrated(path, box);
  Channel instagram = store->GetChannel(1, 7).value();
  Channel whatsapp = store->GetChannel(1, 8).value();
  EXPECT_EQ(instagram.platform, Platform("instagram"));
  EXPECT_EQ(instagram.profile.username, "crumb");
  EXPECT_EQ(instagram.updated_at_ms, 3);
  EXPECT_EQ(whatsapp.waba_id, "102290129340398");
  EXPECT_FALSE(instagram.public_id.empty());
  EXPECT_NE(instagram.public_id, whatsapp.public_id);
  Channel messenger = store->AddChannel({1, Platform("messenger"), "104623598744221", "EAAPage"}).value();
  EXPECT_EQ(messenger.platform, Platform("messenger"));
  EXPECT_FALSE(messenger.public_id.empty());
  store->Close();
  auto db = Database::Open(path, {}).value();
  EXPECT_FALSE(db->Exec("UPDATE channels SET platform = 'Not A Name' WHERE id = 7"));
  EXPECT_TRUE(db->Exec("SELECT 1 FROM contacts WHERE id = 3 AND channel_id = 7"));
}

// 0009 rebuilds the messages table; ids, the AUTOINCREMENT high-water mark and the status rule must survive.
TEST(MessagesMigrationTest, RebuildingTheMessagesTableKeepsRowsIdsAndTheStatusRule) {
  testing::TempDir dir("parley-messages-migration");
  const std::string path = (dir.path() / "parley.db").string();
  crypto::SecretBox box = TestBox();
  BuildReleaseBefore(path, 9,
                     "INSERT INTO tenants (id, name, created_at) VALUES (1, 'Acme', 0);"
                     "INSERT INTO channels (id, tenant_id, platform, account_id, access_token_sealed, created_at,"
                     " updated_at) VALUES (7, 1, 'whatsapp', '" +
                         std::string(kPhone) + "', '" + box.Seal("EAAG") +
                         "', 0, 0);"
                         "INSERT INTO contacts (id, tenant_id, channel_id, platform_id, created_at)"
                         " VALUES (3, 1, 7, 'c1', 0);"
                         "INSERT INTO conversations (id, tenant_id, channel_id, contact_id, created_at,"
                         " last_message_at) VALUES (4, 1, 7, 3, 0, 0);"
                         "INSERT INTO messages (tenant_id, conversation_id, channel_id, direction, type, text,"
                         " platform_message_id, status, created_at) VALUES"
                         " (1, 4, 7, 'in', 'text', 'hello', 'wamid.1', 'received', 1),"
                         " (1, 4, 7, 'out', 'text', 'hi!', 'wamid.2', 'delivered', 2),"
                         " (1, 4, 7, 'out', 'text', 'gone', '', 'queued', 3);"
                         "DELETE FROM messages WHERE id = 3;");
  auto store = OpenMigrated(path, box);
  auto messages = store->ListMessages(1, 4, std::nullopt, 50).value().data;
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[0].id, 1);
  EXPECT_EQ(messages[0].platform_message_id, "wamid.1");
  EXPECT_EQ(messages[1].id, 2);
  EXPECT_EQ(messages[1].status, MessageStatus::kDelivered);
  EXPECT_TRUE(store->ListQueuedOutbound().value().empty());
  store->Close();

  // A deleted id is never handed out again, and the status rule still refuses what it refused.
  auto db = Database::Open(path, {}).value();
  ASSERT_TRUE(
      db->Exec("INSERT INTO messages (tenant_id, conversation_id, channel_id, direction, type, status, created_at)"
               " VALUES (1, 4, 7, 'in', 'text', 'received', 4)"));
  EXPECT_EQ(db->LastInsertRowid(), 4);
  EXPECT_FALSE(
      db->Exec("INSERT INTO messages (tenant_id, conversation_id, channel_id, direction, type, status, created_at)"
               " VALUES (1, 4, 7, 'in', 'text', 'lost', 5)"));
}

// 0010 drops the FTS5 table (BM25 moved to the knowledge module's own index); the chunks and their folded text,
// which that index is rebuilt from, stay.
TEST(LexicalIndexMigrationTest, DroppingTheFts5TableKeepsTheChunksTheIndexIsBuiltFrom) {
  testing::TempDir dir("parley-lexical-migration");
  const std::string path = (dir.path() / "parley.db").string();
  crypto::SecretBox box = TestBox();
  BuildReleaseBefore(path, 10,
                     "INSERT INTO tenants (id, name, created_at) VALUES (1, 'Acme', 0);"
                     "INSERT INTO knowledge_bases (id, tenant_id, name, created_at) VALUES (2, 1, 'main', 0);"
                     "INSERT INTO knowledge_documents (id, tenant_id, knowledge_base_id, name, status, created_at,"
                     " updated_at) VALUES (5, 1, 2, 'faq.md', 'ready', 0, 0);"
                     "INSERT INTO knowledge_chunks (id, tenant_id, knowledge_base_id, document_id, position, text,"
                     " lexical_text, embedder, embedding) VALUES"
                     " (8, 1, 2, 5, 0, 'Refunds within 30 days.', 'refunds within 30 days refund', 'e', x'0000803f'),"
                     " (9, 1, 2, 5, 1, 'Open at nine.', 'open at nine', 'other', x'0000803f');"
                     "INSERT INTO knowledge_chunks_fts (rowid, body) VALUES (8, 'refunds within 30 days refund'),"
                     " (9, 'open at nine');");
  auto store = OpenMigrated(path, box);
  auto texts = store->knowledge().ChunkTextsAfter(2, 0, 10).value();
  ASSERT_EQ(texts.size(), 2u);
  EXPECT_EQ(texts[0].chunk_id, 8);
  EXPECT_EQ(texts[0].lexical_text, "refunds within 30 days refund");
  EXPECT_EQ(texts[1].chunk_id, 9);
  store->Close();

  auto db = Database::Open(path, {}).value();
  auto tables = db->Prepare("SELECT count(*) FROM sqlite_master WHERE name LIKE 'knowledge_chunks_fts%'").value();
  ASSERT_TRUE(tables.Step().value());
  EXPECT_EQ(tables.Int(0), 0);
}

}  // namespace
}  // namespace parley::store::sqlite
