#pragma once
// What turns a customer's voice note into text before the agent's turn. The media fetcher (media/fetcher.h) calls it
// once the recording is downloaded and checked; the OpenAI-compatible implementation (agent/llm.h,
// OpenAiTranscriber: OpenAI, Groq, a local Whisper server) is configured by PARLEY_TRANSCRIPTION_BASE_URL.

#include "core/error.h"

#include <boost/asio/awaitable.hpp>

#include <string>
#include <string_view>

namespace parley::media {

class Transcriber {
 public:
  virtual ~Transcriber() = default;

  // What is said in `audio`, whose sniffed content type is `mime_type` (audio/ogg, audio/mpeg, …): the text, empty
  // when nothing is said. Failures: kUnavailable, kTimeout or kRateLimited when trying again later may succeed (the
  // server is down, slow or throttling); kInvalidArgument when the server refuses this recording or the request
  // (a format it does not take, a bad key). The error's detail never holds the credential. `audio` must stay alive
  // until it completes; runs on the caller's executor without blocking.
  virtual boost::asio::awaitable<Result<std::string>> Transcribe(std::string_view audio,
                                                                 std::string_view mime_type) = 0;
};

}  // namespace parley::media
