#include "store/media_records.h"

#include <array>
#include <utility>

namespace parley::store {
namespace {

constexpr std::array<std::pair<MediaStatus, std::string_view>, 4> kStatusNames{{{MediaStatus::kPending, "pending"},
                                                                                {MediaStatus::kReady, "ready"},
                                                                                {MediaStatus::kFailed, "failed"},
                                                                                {MediaStatus::kRefused, "refused"}}};

}  // namespace

std::string_view ToString(MediaStatus status) {
  for (const auto& [value, name] : kStatusNames) {
    if (value == status) return name;
  }
  return "failed";
}

std::optional<MediaStatus> ParseMediaStatus(std::string_view text) {
  for (const auto& [value, name] : kStatusNames) {
    if (name == text) return value;
  }
  return std::nullopt;
}

}  // namespace parley::store
