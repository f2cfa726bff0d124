#pragma once
// Sub-stores the PostgreSQL backend does not implement yet (unimplemented.cpp).

#include "core/error.h"

#include <memory>
#include <string_view>

namespace parley::store {
class AnalyticsStore;
}  // namespace parley::store

namespace parley::store::postgres {

// The error of a method this backend does not implement yet: kInternal, "not implemented on PostgreSQL yet: <method>".
Error NotImplemented(std::string_view method);

std::unique_ptr<AnalyticsStore> MakeUnimplementedAnalyticsStore();

}  // namespace parley::store::postgres
