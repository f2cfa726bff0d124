#pragma once
// A local stand-in for an OpenAI-compatible server: POST /v1/chat/completions, POST /v1/embeddings and
// POST /v1/audio/transcriptions, answering in the public API's shapes ("chat.completion", "list" of "embedding",
// {"text"}), with usage counted as words / 0.75. Records every request and can fail, stall or answer garbage on
// demand. Runs its own thread; safe to use from the test
// thread.
//
// Scripted like a real model for tests and evaluation: AnswerFromPassages() is "a local fake that answers from the
// passages it is sent" (numbered "[n] …" lines in the system message, as agent/grounding.h writes them), in the
// JSON shape the request asks for; set_refuse_response_format() plays a server without structured output.

#include <boost/json/value.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace parley::testing {

class FakeOpenAi {
 public:
  struct Request {
    std::string method;
    std::string path;
    std::string authorization;
    //! The JSON body; for a transcription, its form as {"model", "response_format", "language", "file": {"filename",
    //! "content_type", "bytes"}} (the fields sent).
    boost::json::value body;
    std::chrono::steady_clock::time_point received_at;
  };
  // From a chat request's body to the assistant's text.
  using ReplyFunction = std::function<std::string(const boost::json::value& request)>;

  FakeOpenAi();
  ~FakeOpenAi();

  std::string base_url() const;  //!< http://127.0.0.1:PORT/v1
  std::vector<Request> requests() const;

  // Replaces the default reply, which quotes the first line of the last user message.
  void set_reply(ReplyFunction reply);
  // The next `n` requests answer `status` with an OpenAI error body {"error":{"message","type","code"}}. A 401
  // quotes the bearer token back, as careless gateways do, so tests can check that callers keep it out of errors.
  void FailNext(int n, int status);
  // Every answer waits this long first.
  void set_delay(std::chrono::milliseconds delay) { delay_ms_ = delay.count(); }
  // Every answer is this body with status 200 instead of a well-formed one; empty restores normal answers.
  void set_raw_answer(std::string body);
  // Requests carrying response_format answer 400 naming the field, as OpenAI does for a model without structured
  // output ("Invalid parameter: 'response_format' of type 'json_schema' is not supported with this model.").
  void set_refuse_response_format(bool refuse) { refuse_response_format_ = refuse; }
  // What a transcription answers: the words a test recording carries after "SAID:" (see Recording), or "" for audio
  // without them, unless set_transcript() replaces it.
  void set_transcript(std::function<std::string(std::string_view audio)> transcript);
  // A test's voice note: Ogg's magic number (so Parley's sniffing takes it for audio/ogg), then "SAID:" and `words`.
  static std::string Recording(std::string_view words);
  // Embeddings come back in reverse order: the API promises `index`, not order.
  void set_reverse_embeddings(bool reverse) { reverse_embeddings_ = reverse; }

  // A reply that reads the numbered passages "[n] (source) text" of the system message and the last user message,
  // picks the passage sharing the most content words with the question (ties: the lower number) and answers
  // {"answer": <its best-matching sentences, verbatim>, "passage_ids": [n]}, or {"answer": null, "passage_ids": []}
  // when no passage shares at least half of the question's content words. Other properties the requested schema
  // (response_format, or the schema spelled out in the system message) requires are null. Deterministic.
  static ReplyFunction AnswerFromPassages();

  // A model scripted to say `answer`: a triage request (schema "triage") is answered as one question, the customer's
  // burst, in English; any other request with {"answer": <answer>, "passage_ids": [n]}, n the first numbered passage
  // of the system message that contains `answer` (the first passage when none does).
  static ReplyFunction Answering(std::string answer);

  // The images a chat request carries (content parts with a base64 data: URL), decoded, in order.
  static std::vector<std::string> ImagesIn(const boost::json::value& request);

  // The vector the fake returns for `text`: 8 dimensions derived from a hash, deliberately not normalized.
  static std::vector<float> EmbeddingFor(std::string_view text);
  // Usage as the fake counts it: whitespace-separated words / 0.75, rounded.
  static int TokensFor(std::string_view text);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::atomic<int64_t> delay_ms_{0};
  std::atomic<int> fail_next_{0};
  std::atomic<int> fail_status_{500};
  std::atomic<bool> reverse_embeddings_{false};
  std::atomic<bool> refuse_response_format_{false};
};

}  // namespace parley::testing
