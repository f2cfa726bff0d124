#pragma once
// A migrated SQLite store in a temporary directory with two tenants, Acme and Globex: the starting point of the
// store tests that check what each tenant sees. The store opens in the constructor, not in SetUp, so that derived
// fixtures' members can use it.

#include "core/crypto.h"
#include "store/sqlite/sqlite_store.h"
#include "support/temp_dir.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace parley::testing {

class TwoTenantStore : public ::testing::Test {
 protected:
  TwoTenantStore() {
    store::sqlite::SqliteOptions options;
    options.path = (dir_.path() / "parley.db").string();
    options.synchronous = "normal";  // Durability is not under test; fsyncs would only slow the suite down.
    store_ = store::sqlite::SqliteStore::Open(options, box_).value();
    store_->Migrate().value();
    acme_ = store_->CreateTenant("Acme", crypto::Sha256Hex("key-acme")).value().id;
    globex_ = store_->CreateTenant("Globex", crypto::Sha256Hex("key-globex")).value().id;
  }

  TempDir dir_;
  crypto::SecretBox box_ = crypto::SecretBox::Create(std::string(32, 'k')).value();
  std::unique_ptr<store::sqlite::SqliteStore> store_;
  int64_t acme_ = 0;
  int64_t globex_ = 0;
};

}  // namespace parley::testing
