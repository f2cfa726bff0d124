// The sub-stores the PostgreSQL backend does not implement yet: every method fails with NotImplemented naming it, so
// a caller learns at once what is missing (docs/scaling.md lists them). Each class leaves this file when its store
// is written.

#include "store/postgres/unimplemented.h"
#include "store/analytics_store.h"

namespace parley::store::postgres {
namespace {

class UnimplementedAnalyticsStore final : public AnalyticsStore {
 public:
  Result<int64_t> Rollup(int max_rows) override { return NotImplemented("AnalyticsStore::Rollup"); }
  Result<std::vector<AnalyticsPeriod>> Query(const AnalyticsQuery& query) override {
    return NotImplemented("AnalyticsStore::Query");
  }
};

}  // namespace

std::unique_ptr<AnalyticsStore> MakeUnimplementedAnalyticsStore() {
  return std::make_unique<UnimplementedAnalyticsStore>();
}

}  // namespace parley::store::postgres
