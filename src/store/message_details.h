#pragma once
// The `details` column of a stored message, written alike by both backends (sqlite/ingest.cpp,
// postgres/inbound_batch.cpp).

#include "core/message.h"

#include <optional>
#include <string>

namespace parley::store {

// The type-specific part of `m` as JSON text: ToJsonDetails() less the fields that have columns of their own or live
// in contacts and channels. nullopt when nothing is left.
std::optional<std::string> MessageDetailsJson(const UnifiedMessage& m);

}  // namespace parley::store
