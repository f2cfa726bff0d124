#pragma once
// Structured logs: one JSON object per line on stderr, {"ts","level","event", ...fields}. Callers pass context
// (platform, tenant_id, conversation_id) as fields. Never pass a secret: tokens, keys and signatures stay out.

#include <boost/json/object.hpp>

#include <string_view>

namespace parley::log {

enum class Level { kTrace, kDebug, kInfo, kWarn, kError };

// Sets the threshold; unknown names mean info. Safe to call once at start-up.
void Init(std::string_view level);
bool Enabled(Level level);

void Write(Level level, std::string_view event, boost::json::object fields);

inline void Debug(std::string_view event, boost::json::object fields = {}) {
  if (Enabled(Level::kDebug)) Write(Level::kDebug, event, std::move(fields));
}
inline void Info(std::string_view event, boost::json::object fields = {}) {
  if (Enabled(Level::kInfo)) Write(Level::kInfo, event, std::move(fields));
}
inline void Warn(std::string_view event, boost::json::object fields = {}) {
  if (Enabled(Level::kWarn)) Write(Level::kWarn, event, std::move(fields));
}
inline void Error(std::string_view event, boost::json::object fields = {}) {
  if (Enabled(Level::kError)) Write(Level::kError, event, std::move(fields));
}

}  // namespace parley::log
