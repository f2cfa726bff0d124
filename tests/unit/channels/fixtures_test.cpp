// Recorded webhook payloads beside the unified events they must produce: tests/data/<platform>/NAME.json and
// NAME.expected.json. The expected file is {"messages":[ToJsonDetails…],"statuses":[…],"deletions":[…],
// "ignored":N[,"echoes":[…]]} for a valid payload, or {"error":"<substring of the reason>"} for one the parser must
// reject. A new case is a new pair of files; a payload without its expected file fails and prints what the parser made
// of it, ready to review and save.

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

#include "channels/registry.h"

namespace parley::channels {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

struct Fixture {
  std::string platform;  //!< The folder under tests/data, which selects the parser.
  std::string name;      //!< NAME of NAME.json.
};

// Names the case in gtest's output instead of dumping the struct's bytes.
void PrintTo(const Fixture& f, std::ostream* os) { *os << f.platform << "/" << f.name; }

std::vector<Fixture> ListFixtures() {
  std::vector<Fixture> fixtures;
  for (const PlatformPlugin* plugin : Platforms()) {
    const std::string platform(plugin->name);
    fs::path dir = fs::path(PARLEY_TEST_DATA_DIR) / platform;
    if (!fs::is_directory(dir)) continue;  // RegistryTest.EveryPlatformHasAFixtureCorpus fails then.
    for (const fs::directory_entry& e : fs::directory_iterator(dir)) {
      std::string file = e.path().filename().string();
      if (e.path().extension() != ".json" || file.ends_with(".expected.json")) continue;
      fixtures.push_back({platform, e.path().stem().string()});
    }
  }
  std::sort(fixtures.begin(), fixtures.end(),
            [](const Fixture& a, const Fixture& b) { return a.platform + a.name < b.platform + b.name; });
  return fixtures;
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

json::object ToJson(const MessageError& e) {
  json::object o{{"code", e.code}, {"title", e.title}};
  if (!e.detail.empty()) o["detail"] = e.detail;
  return o;
}

json::object ToJson(const StatusUpdate& s) {
  json::object o{{"platform", ToString(s.platform)},
                 {"account_id", s.account_id},
                 {"platform_message_id", s.platform_message_id},
                 {"recipient_id", s.recipient_id},
                 {"status", ToString(s.status)},
                 {"timestamp_ms", s.timestamp_ms}};
  if (s.error) o["error"] = ToJson(*s.error);
  if (s.watermark) o["watermark"] = true;
  return o;
}

json::object ToJson(const Deletion& d) {
  return {{"platform", ToString(d.platform)},
          {"account_id", d.account_id},
          {"platform_message_id", d.platform_message_id},
          {"contact_id", d.contact_id}};
}

json::value ToJson(const Result<WebhookEvents>& result) {
  if (!result) return json::object{{"error", result.error().message}};
  json::array messages, statuses, deletions;
  for (const UnifiedMessage& m : result->messages) messages.push_back(ToJsonDetails(m));
  for (const StatusUpdate& s : result->statuses) statuses.push_back(ToJson(s));
  for (const Deletion& d : result->deletions) deletions.push_back(ToJson(d));
  json::object out{{"messages", std::move(messages)},
                   {"statuses", std::move(statuses)},
                   {"deletions", std::move(deletions)},
                   {"ignored", result->ignored}};
  // Only the few payloads with echoes list them, so the other expected files stay as Meta-shaped as they were.
  if (!result->echoes.empty()) {
    json::array echoes;
    for (const BusinessEcho& e : result->echoes) {
      echoes.push_back({{"account_id", e.account_id},
                        {"contact_id", e.contact_id},
                        {"platform_message_id", e.platform_message_id},
                        {"text", e.text ? json::value(*e.text) : json::value(nullptr)},
                        {"timestamp_ms", e.timestamp_ms}});
    }
    out["echoes"] = std::move(echoes);
  }
  return out;
}

// Where `actual` departs from `expected`, or empty. Numbers compare by value (coordinates go through a
// double and back), everything else exactly; the path makes a failure readable.
std::string Diff(const json::value& expected, const json::value& actual, const std::string& path) {
  if (expected.is_number() && actual.is_number()) {
    double e = expected.to_number<double>(), a = actual.to_number<double>();
    return std::fabs(e - a) <= 1e-9 * std::max(1.0, std::fabs(e)) ? "" : path + ": number differs";
  }
  if (expected.kind() != actual.kind()) return path + ": kind differs";
  if (expected.is_object()) {
    const json::object& eo = expected.get_object();
    const json::object& ao = actual.get_object();
    for (const auto& [key, value] : eo) {
      const json::value* other = ao.if_contains(key);
      if (other == nullptr) return path + "." + std::string(key) + ": missing";
      if (std::string d = Diff(value, *other, path + "." + std::string(key)); !d.empty()) return d;
    }
    for (const auto& [key, value] : ao) {
      if (!eo.contains(key)) return path + "." + std::string(key) + ": unexpected";
    }
    return "";
  }
  if (expected.is_array()) {
    const json::array& ea = expected.get_array();
    const json::array& aa = actual.get_array();
    if (ea.size() != aa.size())
      return path + ": " + std::to_string(aa.size()) + " elements, expected " + std::to_string(ea.size());
    for (size_t i = 0; i < ea.size(); ++i) {
      if (std::string d = Diff(ea[i], aa[i], path + "[" + std::to_string(i) + "]"); !d.empty()) return d;
    }
    return "";
  }
  return expected == actual ? "" : path + ": value differs";
}

class FixtureTest : public testing::TestWithParam<Fixture> {};

TEST_P(FixtureTest, ParsesToExpectedEvents) {
  const Fixture& f = GetParam();
  fs::path dir = fs::path(PARLEY_TEST_DATA_DIR) / f.platform;
  std::string body = ReadFile(dir / (f.name + ".json"));
  Result<WebhookEvents> result = FindPlatform(f.platform)->parse_webhook(body);
  json::value actual = ToJson(result);

  fs::path expected_path = dir / (f.name + ".expected.json");
  ASSERT_TRUE(fs::exists(expected_path)) << "no " << expected_path << "; the parser produced:\n"
                                         << json::serialize(actual);
  boost::system::error_code ec;
  json::value expected = json::parse(ReadFile(expected_path), ec);
  ASSERT_FALSE(ec) << expected_path << ": " << ec.message();

  if (const json::value* error = expected.get_object().if_contains("error")) {
    ASSERT_FALSE(result) << "expected an error, got " << json::serialize(actual);
    EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(result.error().message.find(error->as_string().c_str()), std::string::npos)
        << "reason: " << result.error().message;
    return;
  }
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(Diff(expected, actual, "$"), "") << "actual: " << json::serialize(actual);
}

// The data folders hold fixture pairs and nothing else: a stray file (a fuzzer's generated input, a payload
// without its expected output) would otherwise sit there untested.
TEST(FixtureFolders, HoldOnlyFixturePairs) {
  for (const PlatformPlugin* plugin : Platforms()) {
    const std::string platform(plugin->name);
    fs::path dir = fs::path(PARLEY_TEST_DATA_DIR) / platform;
    if (!fs::is_directory(dir)) continue;  // RegistryTest.EveryPlatformHasAFixtureCorpus fails then.
    for (const fs::directory_entry& e : fs::directory_iterator(dir)) {
      std::string file = e.path().filename().string();
      EXPECT_EQ(e.path().extension(), ".json") << platform << "/" << file << " is not a fixture";
      if (file.ends_with(".expected.json")) {
        std::string payload = file.substr(0, file.size() - std::string_view(".expected.json").size()) + ".json";
        EXPECT_TRUE(fs::exists(dir / payload)) << platform << "/" << file << " has no payload";
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Recorded, FixtureTest, testing::ValuesIn(ListFixtures()),
                         [](const testing::TestParamInfo<Fixture>& info) {
                           return info.param.platform + "_" + info.param.name;
                         });

}  // namespace
}  // namespace parley::channels
