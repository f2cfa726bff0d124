#include "core/log.h"

#include "core/json.h"
#include "core/time.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>

namespace parley::log {
namespace {

std::atomic<Level> g_threshold{Level::kInfo};

std::shared_ptr<spdlog::logger> Logger() {
  static const auto logger = [] {
    auto l = std::make_shared<spdlog::logger>("parley", std::make_shared<spdlog::sinks::stderr_sink_mt>());
    l->set_pattern("%v");
    l->set_level(spdlog::level::trace);
    return l;
  }();
  return logger;
}

std::string_view LevelName(Level level) {
  switch (level) {
    case Level::kTrace:
      return "trace";
    case Level::kDebug:
      return "debug";
    case Level::kInfo:
      return "info";
    case Level::kWarn:
      return "warn";
    case Level::kError:
      return "error";
  }
  return "info";
}

}  // namespace

void Init(std::string_view level) {
  Level parsed = Level::kInfo;
  for (Level l : {Level::kTrace, Level::kDebug, Level::kInfo, Level::kWarn, Level::kError}) {
    if (LevelName(l) == level) parsed = l;
  }
  g_threshold = parsed;
}

bool Enabled(Level level) { return level >= g_threshold.load(std::memory_order_relaxed); }

void Write(Level level, std::string_view event, boost::json::object fields) {
  boost::json::object line;
  line.reserve(fields.size() + 3);
  line["ts"] = FormatTimestamp(NowMs());
  line["level"] = LevelName(level);
  line["event"] = event;
  for (auto& field : fields) line[field.key()] = std::move(field.value());
  Logger()->info(SerializeJson(line));
  if (level >= Level::kWarn) Logger()->flush();
}

}  // namespace parley::log
