// Users, sessions, password resets, API keys and the audit log on every backend, each scoped by tenant.

#include "store_test.h"

#include "core/crypto.h"
#include "store/access_store.h"

namespace parley::store::testing {
namespace {

class AccessStoreTest : public StoreTest {
 protected:
  AccessStoreTest() { globex_ = store_->CreateTenant("Globex", crypto::Sha256Hex("key-globex")).value().id; }

  AccessStore& access() { return store_->access(); }

  User AddUser(int64_t tenant, const std::string& email, const std::string& role = "agent") {
    return access().CreateUser({tenant, email, "", role, "$argon2id$hash"}).value();
  }

  const int64_t acme_ = tenant_.id;
  int64_t globex_ = 0;
};

INSTANTIATE_TEST_SUITE_P(Backends, AccessStoreTest, ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         [](const auto& info) { return BackendName(info.param); });

TEST_P(AccessStoreTest, UsersAreUniqueByEmailAndScopedByTenant) {
  User ana = AddUser(acme_, "ana@acme.test", "owner");
  EXPECT_EQ(ana.tenant_id, acme_);
  EXPECT_EQ(ana.role, "owner");
  EXPECT_EQ(access().CreateUser({globex_, "ana@acme.test", "", "agent", "h"}).error().code, ErrorCode::kConflict);
  EXPECT_EQ(access().CreateUser({9999, "x@y.test", "", "agent", "h"}).error().code, ErrorCode::kNotFound);

  EXPECT_EQ(access().FindUserByEmail("ana@acme.test").value().id, ana.id);
  EXPECT_EQ(access().GetUser(globex_, ana.id).error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(access().ListUsers(globex_).value().empty());
  EXPECT_EQ(access().ListUsers(acme_).value().size(), 1u);
  EXPECT_EQ(access().UpdateUser(globex_, ana.id, "Eve", std::nullopt, std::nullopt).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(access().DeleteUser(globex_, ana.id).error().code, ErrorCode::kNotFound);

  User renamed = access().UpdateUser(acme_, ana.id, "Ana", "admin", std::nullopt).value();
  EXPECT_EQ(renamed.name, "Ana");
  EXPECT_EQ(renamed.role, "admin");
  EXPECT_EQ(renamed.password_hash, "$argon2id$hash");
  EXPECT_EQ(access().CountUsersWithRole(acme_, "admin").value(), 1);
  EXPECT_EQ(access().CountUsersWithRole(acme_, "owner").value(), 0);
}

TEST_P(AccessStoreTest, SessionsExpireCarryTheCurrentRoleAndEndWithTheirUser) {
  User bo = AddUser(acme_, "bo@acme.test", "agent");
  ASSERT_TRUE(access().CreateSession(bo.id, "session-hash", kT0 + 1000, kT0));
  SessionInfo session = access().FindSession("session-hash", kT0 + 999).value();
  EXPECT_EQ(session.user_id, bo.id);
  EXPECT_EQ(session.tenant_id, acme_);
  EXPECT_EQ(session.role, "agent");
  EXPECT_EQ(access().FindSession("session-hash", kT0 + 1000).error().code, ErrorCode::kNotFound);

  ASSERT_TRUE(access().CreateSession(bo.id, "second", kT0 + 10'000, kT0));
  ASSERT_TRUE(access().UpdateUser(acme_, bo.id, std::nullopt, "admin", std::nullopt));
  EXPECT_EQ(access().FindSession("second", kT0).value().role, "admin");
  EXPECT_NE(access().GetUser(acme_, bo.id).value().last_login_at_ms, std::nullopt);

  ASSERT_TRUE(access().DeleteUser(acme_, bo.id));
  EXPECT_EQ(access().FindSession("second", kT0).error().code, ErrorCode::kNotFound);
}

TEST_P(AccessStoreTest, LoggingOutEndsOnlyThatSession) {
  User bo = AddUser(acme_, "bo@acme.test");
  ASSERT_TRUE(access().CreateSession(bo.id, "laptop", kT0 + 10'000, kT0));
  ASSERT_TRUE(access().CreateSession(bo.id, "phone", kT0 + 10'000, kT0));
  ASSERT_TRUE(access().DeleteSession("laptop"));
  EXPECT_FALSE(access().FindSession("laptop", kT0));
  EXPECT_TRUE(access().FindSession("phone", kT0));
}

TEST_P(AccessStoreTest, ChangingAPasswordEndsEveryOtherSessionOfThatUser) {
  User bo = AddUser(acme_, "bo@acme.test");
  User cy = AddUser(acme_, "cy@acme.test");
  for (const char* hash : {"laptop", "phone", "tablet"})
    ASSERT_TRUE(access().CreateSession(bo.id, hash, kT0 + 10'000, kT0));
  ASSERT_TRUE(access().CreateSession(cy.id, "cy-laptop", kT0 + 10'000, kT0));
  EXPECT_EQ(access().ChangePassword(globex_, bo.id, "$argon2id$new", "laptop").error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(access().FindSession("phone", kT0));

  ASSERT_TRUE(access().ChangePassword(acme_, bo.id, "$argon2id$new", "laptop"));
  EXPECT_EQ(access().GetUser(acme_, bo.id).value().password_hash, "$argon2id$new");
  EXPECT_TRUE(access().FindSession("laptop", kT0));
  EXPECT_FALSE(access().FindSession("phone", kT0));
  EXPECT_FALSE(access().FindSession("tablet", kT0));
  EXPECT_TRUE(access().FindSession("cy-laptop", kT0));

  // Changed by someone else (an admin), every session of the user ends.
  ASSERT_TRUE(access().ChangePassword(acme_, bo.id, "$argon2id$newer", ""));
  EXPECT_FALSE(access().FindSession("laptop", kT0));
}

TEST_P(AccessStoreTest, PasswordResetsAreUsedOnceBeforeTheyExpireAndEndEverySession) {
  User bo = AddUser(acme_, "bo@acme.test", "agent");
  ASSERT_TRUE(access().CreateSession(bo.id, "phone", kT0 + 100'000, kT0));
  ASSERT_TRUE(access().CreatePasswordReset(bo.id, "reset-1", kT0 + 1000, kT0));
  EXPECT_EQ(access().FindPasswordReset("reset-1", kT0 + 999).value().id, bo.id);
  EXPECT_EQ(access().FindPasswordReset("reset-1", kT0 + 1000).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(access().ResetPassword("reset-1", "$argon2id$late", kT0 + 1000).error().code, ErrorCode::kNotFound);

  // A new link replaces the previous one.
  ASSERT_TRUE(access().CreatePasswordReset(bo.id, "reset-2", kT0 + 5000, kT0 + 2000));
  ASSERT_TRUE(access().CreatePasswordReset(bo.id, "reset-3", kT0 + 5000, kT0 + 2000));
  EXPECT_EQ(access().FindPasswordReset("reset-2", kT0 + 2000).error().code, ErrorCode::kNotFound);
  User reset = access().ResetPassword("reset-3", "$argon2id$new", kT0 + 2000).value();
  EXPECT_EQ(reset.id, bo.id);
  EXPECT_EQ(reset.password_hash, "$argon2id$new");
  EXPECT_EQ(access().GetUser(acme_, bo.id).value().password_hash, "$argon2id$new");
  EXPECT_EQ(access().FindSession("phone", kT0 + 2000).error().code, ErrorCode::kNotFound);
  // Once.
  EXPECT_EQ(access().ResetPassword("reset-3", "$argon2id$again", kT0 + 2000).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(access().GetUser(acme_, bo.id).value().password_hash, "$argon2id$new");

  // A removed user's link goes with them.
  ASSERT_TRUE(access().CreatePasswordReset(bo.id, "reset-4", kT0 + 5000, kT0 + 2000));
  ASSERT_TRUE(access().DeleteUser(acme_, bo.id));
  EXPECT_EQ(access().FindPasswordReset("reset-4", kT0 + 2000).error().code, ErrorCode::kNotFound);
}

TEST_P(AccessStoreTest, ApiKeysKeepPrefixAndRoleAndAreRevokedPerTenant) {
  ApiKey key = access().CreateApiKey({acme_, "zapier", "pk_abcdefgh", "agent", "hash-1"}).value();
  EXPECT_EQ(key.prefix, "pk_abcdefgh");
  EXPECT_EQ(key.role, "agent");
  EXPECT_EQ(access().CreateApiKey({globex_, "copy", "pk_x", "agent", "hash-1"}).error().code, ErrorCode::kConflict);

  // The tenant's first key, made with the tenant, is an owner key named "default".
  auto keys = access().ListApiKeys(acme_).value();
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_EQ(keys[0].name, "default");
  EXPECT_EQ(keys[0].role, "owner");

  EXPECT_EQ(access().FindApiKey("hash-1").value().tenant_id, acme_);
  ASSERT_TRUE(access().TouchApiKey(key.id, kT0));
  EXPECT_EQ(access().FindApiKey("hash-1").value().last_used_at_ms, kT0);

  EXPECT_EQ(access().GetApiKey(acme_, key.id).value().name, "zapier");
  EXPECT_EQ(access().GetApiKey(globex_, key.id).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(access().DeleteApiKey(globex_, key.id).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(access().DeleteApiKey(acme_, key.id).value().name, "zapier");
  EXPECT_EQ(access().FindApiKey("hash-1").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(access().GetApiKey(acme_, key.id).error().code, ErrorCode::kNotFound);
}

TEST_P(AccessStoreTest, AuditLogPagesNewestFirstWithFiltersAndNeverAcrossTenants) {
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(access().AppendAudit({0, acme_, i % 2 ? "user:1" : "api_key:1", i % 2 ? "user.create" : "faq.update",
                                      "user", std::to_string(i), R"({"n":)" + std::to_string(i) + "}", kT0 + i}));
  }
  ASSERT_TRUE(access().AppendAudit({0, globex_, "user:9", "user.create", "user", "9", "", kT0}));

  auto first = access().ListAudit(acme_, {}, std::nullopt, 3).value();
  ASSERT_EQ(first.data.size(), 3u);
  EXPECT_EQ(first.data[0].target_id, "4");
  ASSERT_TRUE(first.next_cursor);
  auto second = access().ListAudit(acme_, {}, first.next_cursor, 3).value();
  ASSERT_EQ(second.data.size(), 2u);
  EXPECT_EQ(second.data[1].target_id, "0");
  EXPECT_FALSE(second.next_cursor);

  auto creates = access().ListAudit(acme_, {"user.create", std::nullopt}, std::nullopt, 50).value();
  EXPECT_EQ(creates.data.size(), 2u);
  auto by_key = access().ListAudit(acme_, {std::nullopt, "api_key:1"}, std::nullopt, 50).value();
  EXPECT_EQ(by_key.data.size(), 3u);
  EXPECT_EQ(access().ListAudit(globex_, {}, std::nullopt, 50).value().data.size(), 1u);
  EXPECT_EQ(access().ListAudit(globex_, {}, std::nullopt, 50).value().data[0].details, "{}");
  EXPECT_EQ(access().ListAudit(acme_, {}, std::string("garbage"), 3).error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace parley::store::testing
