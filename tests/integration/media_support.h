#pragma once
// What the media tests read back: a customer's media object through the API once it is settled, and the text the fake
// model was given.

#include "fakes/fake_openai.h"
#include "integration/harness.h"

#include <boost/json/object.hpp>

#include <chrono>
#include <string>
#include <vector>

namespace parley::testing {

// The media object of the first message carrying media in the tenant's newest conversation (read with `api_key`),
// once its status is no longer pending; what was last read if that takes longer than `timeout`.
boost::json::object SettledMedia(const ParleyProcess& parley, const std::string& api_key,
                                 std::chrono::milliseconds timeout);

// The text of the messages of each of the model's chat requests, one string per request (no images: plain content).
std::vector<std::string> ChatContents(const FakeOpenAi& model);

}  // namespace parley::testing
