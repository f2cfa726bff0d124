#include "store_test.h"

namespace parley::store::testing {
namespace {

std::string Name(const ::testing::TestParamInfo<Backend>& info) { return BackendName(info.param); }

}  // namespace

INSTANTIATE_TEST_SUITE_P(Backends, StoreTest, ::testing::Values(Backend::kSqlite, Backend::kPostgres), Name);

}  // namespace parley::store::testing
