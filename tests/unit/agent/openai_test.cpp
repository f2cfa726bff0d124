#include "agent/llm.h"

#include "core/json.h"
#include "fakes/fake_openai.h"

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json.hpp>

#include <chrono>
#include <cmath>
#include <string>
#include <vector>

namespace parley::agent {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using namespace std::chrono_literals;

constexpr char kKey[] = "sk-test-SECRET-4242";

void ExpectNoKey(const Error& error) {
  EXPECT_EQ(error.message.find(kKey), std::string::npos) << error.message;
  EXPECT_EQ(error.detail.find(kKey), std::string::npos) << error.detail;
}

ChatRequest Question(std::string text) {
  ChatRequest request;
  request.messages = {{"system", "You are helpful."}, {"user", std::move(text)}};
  return request;
}

knowledge::Vector Normalized(std::vector<float> vector) {
  double squares = 0;
  for (float x : vector) squares += static_cast<double>(x) * x;
  for (float& x : vector) x = static_cast<float>(x / std::sqrt(squares));
  return vector;
}

double Norm(const knowledge::Vector& vector) {
  double squares = 0;
  for (float x : vector) squares += static_cast<double>(x) * x;
  return std::sqrt(squares);
}

// The fake answers on its own thread; the models under test run on io_, driven by the test thread in Run().
class OpenAiTest : public ::testing::Test {
 protected:
  static http::ClientOptions FastClient() {
    http::ClientOptions options;
    options.backoff = {5ms, 5ms, 5ms};
    options.connect_timeout = 1s;
    return options;
  }

  OpenAiOptions Options(std::string model = "gpt-test") const {
    OpenAiOptions options;
    options.base_url = fake_.base_url();
    options.api_key = kKey;
    options.model = std::move(model);
    options.timeout = 2s;
    return options;
  }

  template <class T>
  T Run(asio::awaitable<T> task) {
    std::future<T> future = asio::co_spawn(io_, std::move(task), asio::use_future);
    io_.restart();
    io_.run();
    return future.get();
  }

  asio::io_context io_;
  testing::FakeOpenAi fake_;
  http::Client client_{io_.get_executor(), FastClient()};
};

TEST_F(OpenAiTest, SendsTheChatCompletionsRequest) {
  OpenAiChatModel model(client_, Options());
  ChatRequest request;
  request.messages = {{"system", "You answer for Acme."},
                      {"user", "Hi"},
                      {"assistant", "Hello! How can I help?"},
                      {"user", "Are you open on Sunday?"}};
  request.temperature = 0.7;
  request.max_tokens = 50;
  ASSERT_TRUE(Run(model.Complete(std::move(request))).has_value());

  auto requests = fake_.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].path, "/v1/chat/completions");
  EXPECT_EQ(requests[0].authorization, std::string("Bearer ") + kKey);
  EXPECT_EQ(requests[0].body, json::parse(R"({"model": "gpt-test",
      "messages": [{"role": "system", "content": "You answer for Acme."},
                   {"role": "user", "content": "Hi"},
                   {"role": "assistant", "content": "Hello! How can I help?"},
                   {"role": "user", "content": "Are you open on Sunday?"}],
      "temperature": 0.7, "max_tokens": 50})"));
}

TEST_F(OpenAiTest, ImagesGoAsContentPartsWithDataUrls) {
  OpenAiChatModel model(client_, Options());
  ChatRequest request;
  request.messages = {{"system", "You answer for Acme."},
                      {"user", "[image] how much is this?", {ChatImage{"image/jpeg", "\xff\xd8\xff"}}}};
  ASSERT_TRUE(Run(model.Complete(std::move(request))).has_value());

  auto requests = fake_.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].body.at("messages"), json::parse(R"([
      {"role": "system", "content": "You answer for Acme."},
      {"role": "user", "content": [{"type": "text", "text": "[image] how much is this?"},
                                   {"type": "image_url", "image_url": {"url": "data:image/jpeg;base64,/9j/"}}]}])"));
  EXPECT_EQ(testing::FakeOpenAi::ImagesIn(requests[0].body), std::vector<std::string>{"\xff\xd8\xff"});
}

TEST_F(OpenAiTest, SendsNoAuthorizationWithoutKey) {
  OpenAiOptions options = Options();
  options.api_key.clear();
  OpenAiChatModel model(client_, options);
  ASSERT_TRUE(Run(model.Complete(Question("Hi"))).has_value());
  ASSERT_EQ(fake_.requests().size(), 1u);
  EXPECT_EQ(fake_.requests()[0].authorization, "");
}

TEST_F(OpenAiTest, ReadsTheAnswerFinishReasonModelAndUsage) {
  OpenAiChatModel model(client_, Options());
  auto response = Run(model.Complete(Question("Are you open on Sunday?\nThanks, Ana")));
  ASSERT_TRUE(response.has_value()) << response.error().detail;
  EXPECT_EQ(response->text, "Thanks for your message: \"Are you open on Sunday?\"");
  EXPECT_EQ(response->finish_reason, "stop");
  EXPECT_EQ(response->model, "gpt-test");
  EXPECT_EQ(response->prompt_tokens, 13);      // 10 words.
  EXPECT_EQ(response->completion_tokens, 12);  // 9 words.
}

TEST_F(OpenAiTest, ReplyFunctionSeesTheRequest) {
  fake_.set_reply([](const json::value& request) {
    return "Echo of " + json::value_to<std::string>(request.at("model")) + ": we open at ten.";
  });
  OpenAiChatModel model(client_, Options("other-model"));
  auto response = Run(model.Complete(Question("When?")));
  ASSERT_TRUE(response.has_value()) << response.error().detail;
  EXPECT_EQ(response->text, "Echo of other-model: we open at ten.");
  EXPECT_EQ(response->completion_tokens, 9);  // 7 words.
  EXPECT_EQ(response->model, "other-model");
}

TEST_F(OpenAiTest, BaseUrlWithOrWithoutTrailingSlash) {
  OpenAiOptions options = Options();
  options.base_url += "/";
  OpenAiChatModel model(client_, options);
  OpenAiEmbedder embedder(client_, options);
  ASSERT_TRUE(Run(model.Complete(Question("Hi"))).has_value());
  ASSERT_TRUE(Run(embedder.Embed({"hi"})).has_value());
  auto requests = fake_.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].path, "/v1/chat/completions");
  EXPECT_EQ(requests[1].path, "/v1/embeddings");
  EXPECT_EQ(embedder.id(), OpenAiEmbedder(client_, Options()).id());
}

TEST_F(OpenAiTest, Ids) {
  OpenAiOptions options = Options("emb-test");
  EXPECT_EQ(OpenAiChatModel(client_, Options()).id(), "openai:gpt-test");
  EXPECT_EQ(OpenAiEmbedder(client_, options).id(), "openai:emb-test@" + fake_.base_url());
}

TEST_F(OpenAiTest, RetriesServerErrorsThenSucceeds) {
  fake_.FailNext(2, 503);
  OpenAiChatModel model(client_, Options());
  auto response = Run(model.Complete(Question("Hi")));
  ASSERT_TRUE(response.has_value()) << response.error().detail;
  EXPECT_EQ(fake_.requests().size(), 3u);
}

TEST_F(OpenAiTest, UnauthorizedIsInvalidArgumentWithoutRetry) {
  fake_.FailNext(1, 401);
  OpenAiChatModel model(client_, Options());
  auto response = Run(model.Complete(Question("Hi")));
  ASSERT_FALSE(response.has_value());
  EXPECT_EQ(response.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(response.error().message, "the language model rejected the request");
  EXPECT_NE(response.error().detail.find("401"), std::string::npos) << response.error().detail;
  // The fake quotes the key back, as some gateways do.
  EXPECT_NE(response.error().detail.find("Incorrect API key provided: [redacted]"), std::string::npos)
      << response.error().detail;
  ExpectNoKey(response.error());
  EXPECT_EQ(fake_.requests().size(), 1u);
}

TEST_F(OpenAiTest, PersistentServerErrorsAreUnavailableAfterTheClientsAttempts) {
  for (int status : {500, 503, 429}) {
    SCOPED_TRACE(status);
    testing::FakeOpenAi fake;
    fake.FailNext(100, status);
    OpenAiOptions options = Options();
    options.base_url = fake.base_url();
    OpenAiChatModel model(client_, options);
    auto response = Run(model.Complete(Question("Hi")));
    ASSERT_FALSE(response.has_value());
    EXPECT_EQ(response.error().code, ErrorCode::kUnavailable);
    EXPECT_EQ(response.error().message, "the language model is unavailable");
    const std::string& detail = response.error().detail;
    EXPECT_NE(detail.find("HTTP " + std::to_string(status) + " after 3 attempt(s)"), std::string::npos) << detail;
    EXPECT_NE(detail.find(status == 429 ? "Rate limit reached" : "The server had an error"), std::string::npos)
        << detail;
    ExpectNoKey(response.error());
    EXPECT_EQ(fake.requests().size(), 3u);
  }
}

TEST_F(OpenAiTest, EachAttemptIsBoundedByTheTimeout) {
  fake_.set_delay(2s);
  OpenAiOptions options = Options();
  options.timeout = 100ms;  // The client's own read timeout is 10 s.
  OpenAiChatModel model(client_, options);
  const auto start = std::chrono::steady_clock::now();
  auto response = Run(model.Complete(Question("Hi")));
  ASSERT_FALSE(response.has_value());
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
  EXPECT_EQ(response.error().code, ErrorCode::kTimeout);
  EXPECT_EQ(response.error().message, "the language model did not answer in time");
  EXPECT_NE(response.error().detail.find("3 attempt(s)"), std::string::npos) << response.error().detail;
  ExpectNoKey(response.error());
  EXPECT_EQ(fake_.requests().size(), 3u);
}

TEST_F(OpenAiTest, UnreachableServerIsUnavailable) {
  uint16_t closed_port;
  {
    asio::ip::tcp::acceptor probe(io_, {asio::ip::make_address("127.0.0.1"), 0});
    closed_port = probe.local_endpoint().port();
  }
  OpenAiOptions options = Options();
  options.base_url = "http://127.0.0.1:" + std::to_string(closed_port) + "/v1";
  OpenAiChatModel model(client_, options);
  auto response = Run(model.Complete(Question("Hi")));
  ASSERT_FALSE(response.has_value());
  EXPECT_EQ(response.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(response.error().message, "the language model is unavailable");
  EXPECT_NE(response.error().detail.find("connect"), std::string::npos) << response.error().detail;
  ExpectNoKey(response.error());
}

TEST_F(OpenAiTest, MalformedAnswersAreUnavailable) {
  OpenAiChatModel model(client_, Options());
  for (std::string body : {"not json", "[]", "{}", R"({"choices": []})", R"({"choices": [{"index": 0}]})",
                           R"({"choices": [{"message": {"role": "assistant", "content": null}}]})",
                           R"({"choices": [{"message": {"role": "assistant", "content": 42}}]})"}) {
    SCOPED_TRACE(body);
    fake_.set_raw_answer(body);
    auto response = Run(model.Complete(Question("Hi")));
    ASSERT_FALSE(response.has_value());
    EXPECT_EQ(response.error().code, ErrorCode::kUnavailable);
    EXPECT_EQ(response.error().message, "unexpected answer from the model");
    ExpectNoKey(response.error());
  }
}

TEST_F(OpenAiTest, KeyAtTheExcerptsCutLeavesNoPrefix) {
  fake_.set_raw_answer(std::string(195, 'x') + " " + kKey);
  OpenAiChatModel model(client_, Options());
  auto response = Run(model.Complete(Question("Hi")));
  ASSERT_FALSE(response.has_value());
  EXPECT_EQ(response.error().detail.find("sk-"), std::string::npos) << response.error().detail;
}

TEST_F(OpenAiTest, AnswerWithoutUsageOrFinishReasonStillCounts) {
  fake_.set_raw_answer(R"({"choices": [{"message": {"role": "assistant", "content": "Hello"}}]})");
  OpenAiChatModel model(client_, Options());
  auto response = Run(model.Complete(Question("Hi")));
  ASSERT_TRUE(response.has_value()) << response.error().detail;
  EXPECT_EQ(response->text, "Hello");
  EXPECT_EQ(response->finish_reason, "");
  EXPECT_EQ(response->prompt_tokens, 0);
  EXPECT_EQ(response->completion_tokens, 0);
}

TEST_F(OpenAiTest, SendsTheEmbeddingsRequest) {
  OpenAiEmbedder embedder(client_, Options("emb-test"));
  ASSERT_TRUE(Run(embedder.Embed({"hello", "opening hours"})).has_value());
  auto requests = fake_.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].path, "/v1/embeddings");
  EXPECT_EQ(requests[0].authorization, std::string("Bearer ") + kKey);
  EXPECT_EQ(requests[0].body, json::parse(R"({"model": "emb-test", "input": ["hello", "opening hours"]})"));
}

TEST_F(OpenAiTest, EmbedsInBatchesInOrderOfIndex) {
  fake_.set_reverse_embeddings(true);
  std::vector<std::string> texts;
  for (int i = 0; i < 150; ++i) texts.push_back("passage number " + std::to_string(i));
  OpenAiEmbedder embedder(client_, Options("emb-test"), 64);
  auto vectors = Run(embedder.Embed(texts));
  ASSERT_TRUE(vectors.has_value()) << vectors.error().detail;

  auto requests = fake_.requests();
  ASSERT_EQ(requests.size(), 3u);
  std::vector<size_t> sizes;
  std::vector<std::string> sent;
  for (const auto& request : requests) {
    sizes.push_back(request.body.at("input").as_array().size());
    for (const auto& input : request.body.at("input").as_array()) sent.emplace_back(input.as_string());
  }
  EXPECT_EQ(sizes, (std::vector<size_t>{64, 64, 22}));
  EXPECT_EQ(sent, texts);

  ASSERT_EQ(vectors->size(), texts.size());
  for (size_t i = 0; i < texts.size(); ++i) {
    const knowledge::Vector expected = Normalized(testing::FakeOpenAi::EmbeddingFor(texts[i]));
    ASSERT_EQ((*vectors)[i].size(), expected.size()) << i;
    for (size_t d = 0; d < expected.size(); ++d) EXPECT_NEAR((*vectors)[i][d], expected[d], 1e-6) << i;
  }
}

TEST_F(OpenAiTest, NormalizesVectorsAndLearnsDimensions) {
  ASSERT_GT(std::abs(Norm(testing::FakeOpenAi::EmbeddingFor("hello")) - 1.0), 0.1);  // The fake does not normalize.
  OpenAiEmbedder embedder(client_, Options("emb-test"));
  EXPECT_EQ(embedder.dimensions(), 0);
  auto vectors = Run(embedder.Embed({"hello", "world"}));
  ASSERT_TRUE(vectors.has_value()) << vectors.error().detail;
  EXPECT_EQ(embedder.dimensions(), 8);
  for (const auto& vector : *vectors) EXPECT_NEAR(Norm(vector), 1.0, 1e-6);
}

TEST_F(OpenAiTest, EmbeddingNothingSendsNothing) {
  OpenAiEmbedder embedder(client_, Options("emb-test"));
  auto vectors = Run(embedder.Embed({}));
  ASSERT_TRUE(vectors.has_value());
  EXPECT_TRUE(vectors->empty());
  EXPECT_TRUE(fake_.requests().empty());
}

TEST_F(OpenAiTest, EmbeddingErrors) {
  OpenAiEmbedder embedder(client_, Options("emb-test"));

  fake_.FailNext(3, 503);
  auto unavailable = Run(embedder.Embed({"hello"}));
  ASSERT_FALSE(unavailable.has_value());
  EXPECT_EQ(unavailable.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(unavailable.error().message, "the embeddings endpoint is unavailable");
  ExpectNoKey(unavailable.error());

  fake_.FailNext(1, 401);
  auto rejected = Run(embedder.Embed({"hello"}));
  ASSERT_FALSE(rejected.has_value());
  EXPECT_EQ(rejected.error().code, ErrorCode::kInvalidArgument);
  ExpectNoKey(rejected.error());

  for (std::string body : {"{}", R"({"object": "list", "data": []})",
                           R"({"data": [{"index": 0, "embedding": [1, 0]}, {"index": 0, "embedding": [0, 1]}]})",
                           R"({"data": [{"index": 5, "embedding": [1, 0]}, {"index": 0, "embedding": [0, 1]}]})",
                           R"({"data": [{"index": 0, "embedding": [1, 0]}, {"index": 1, "embedding": [0, 1, 0]}]})",
                           R"({"data": [{"index": 0, "embedding": [1, "x"]}, {"index": 1, "embedding": [0, 1]}]})"}) {
    SCOPED_TRACE(body);
    fake_.set_raw_answer(body);
    auto malformed = Run(embedder.Embed({"hello", "world"}));
    ASSERT_FALSE(malformed.has_value());
    EXPECT_EQ(malformed.error().code, ErrorCode::kUnavailable);
    EXPECT_EQ(malformed.error().message, "unexpected answer from the model");
  }
}

TEST_F(OpenAiTest, EmbeddingsOfAnotherSizeThanBeforeAreRejected) {
  OpenAiEmbedder embedder(client_, Options("emb-test"));
  ASSERT_TRUE(Run(embedder.Embed({"hello"})).has_value());
  fake_.set_raw_answer(R"({"data": [{"index": 0, "embedding": [1, 0, 0]}]})");
  auto vectors = Run(embedder.Embed({"hello"}));
  ASSERT_FALSE(vectors.has_value());
  EXPECT_EQ(vectors.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(embedder.dimensions(), 8);
}

ResponseSchema AnswerShape() {
  return {"grounded_answer", json::parse(R"({"type": "object",
      "properties": {"answer": {"type": ["string", "null"]}, "passage_ids": {"type": "array", "items": {"type": "integer"}}},
      "required": ["answer", "passage_ids"], "additionalProperties": false})")
                                 .as_object()};
}

ChatRequest PassagesQuestion(std::string question) {
  ChatRequest request;
  request.messages = {{"system",
                       "Answer only from the passages.\n\nPassages:\n"
                       "[1] (Prices › Repairs) Puncture repair: €12. A full service costs €85 and takes a day.\n"
                       "[2] (Hours) We are open Monday to Saturday, 9:00 to 18:00.\nClosed on Sundays."},
                      {"user", std::move(question)}};
  request.response_schema = AnswerShape();
  return request;
}

TEST_F(OpenAiTest, AsksForStructuredOutputWithTheSchema) {
  OpenAiChatModel model(client_, Options());
  ASSERT_TRUE(Run(model.Complete(PassagesQuestion("How much is a puncture repair?"))).has_value());
  auto requests = fake_.requests();
  ASSERT_EQ(requests.size(), 1u);
  const json::object& body = requests[0].body.as_object();
  ASSERT_TRUE(body.contains("response_format"));
  EXPECT_EQ(body.at("response_format"),
            json::value(
                {{"type", "json_schema"},
                 {"json_schema", {{"name", "grounded_answer"}, {"strict", true}, {"schema", AnswerShape().schema}}}}));
  // The system message is left as the caller wrote it: the schema travels in response_format.
  EXPECT_EQ(body.at("messages").as_array()[0].at("content").as_string().find("JSON Schema"), json::string::npos);
}

TEST_F(OpenAiTest, WithoutASchemaNoResponseFormatIsSent) {
  OpenAiChatModel model(client_, Options());
  ASSERT_TRUE(Run(model.Complete(Question("Hi"))).has_value());
  EXPECT_FALSE(fake_.requests()[0].body.as_object().contains("response_format"));
}

TEST_F(OpenAiTest, ARefusedResponseFormatIsRetriedOnceInPlainTextAndNotOfferedAgain) {
  fake_.set_refuse_response_format(true);
  fake_.set_reply(testing::FakeOpenAi::AnswerFromPassages());
  OpenAiChatModel model(client_, Options());
  auto response = Run(model.Complete(PassagesQuestion("How much is a puncture repair?")));
  ASSERT_TRUE(response.has_value()) << response.error().detail;
  auto requests = fake_.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_TRUE(requests[0].body.as_object().contains("response_format"));
  EXPECT_FALSE(requests[1].body.as_object().contains("response_format"));
  const std::string system(requests[1].body.at("messages").as_array()[0].at("content").as_string());
  EXPECT_NE(system.find("Answer only from the passages."), std::string::npos);
  EXPECT_NE(system.find("matching this JSON Schema: " + SerializeJson(AnswerShape().schema)), std::string::npos);
  auto parsed = ParseJsonReply(response->text);
  ASSERT_TRUE(parsed.has_value()) << response->text;
  EXPECT_EQ(parsed->at("passage_ids"), json::array{1});

  // The model is remembered: the next call goes straight to plain text.
  ASSERT_TRUE(Run(model.Complete(PassagesQuestion("When are you open?"))).has_value());
  requests = fake_.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_FALSE(requests[2].body.as_object().contains("response_format"));
}

TEST_F(OpenAiTest, OtherBadRequestsAreNotRetried) {
  fake_.FailNext(1, 400);
  OpenAiChatModel model(client_, Options());
  auto response = Run(model.Complete(PassagesQuestion("How much is a puncture repair?")));
  ASSERT_FALSE(response.has_value());
  EXPECT_EQ(response.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(fake_.requests().size(), 1u);
  // Still offered next time: the 400 did not name the field.
  fake_.set_reply(testing::FakeOpenAi::AnswerFromPassages());
  ASSERT_TRUE(Run(model.Complete(PassagesQuestion("How much is a puncture repair?"))).has_value());
  EXPECT_TRUE(fake_.requests().back().body.as_object().contains("response_format"));
}

TEST_F(OpenAiTest, TheFakeAnswersFromTheBestPassageOrNotAtAll) {
  fake_.set_reply(testing::FakeOpenAi::AnswerFromPassages());
  OpenAiChatModel model(client_, Options());
  auto price = Run(model.Complete(PassagesQuestion("How much for a puncture repair?")));
  ASSERT_TRUE(price.has_value());
  EXPECT_EQ(json::parse(price->text), json::parse(R"({"answer": "Puncture repair: €12.", "passage_ids": [1]})"));
  // Both sentences share a word with the question: the first and the one after it.
  auto hours = Run(model.Complete(PassagesQuestion("Are you open on Sundays?")));
  ASSERT_TRUE(hours.has_value());
  EXPECT_EQ(
      json::parse(hours->text),
      json::parse(
          R"({"answer": "We are open Monday to Saturday, 9:00 to 18:00. Closed on Sundays.", "passage_ids": [2]})"));
  auto none = Run(model.Complete(PassagesQuestion("Do you sell electric scooters?")));
  ASSERT_TRUE(none.has_value());
  EXPECT_EQ(json::parse(none->text), json::parse(R"({"answer": null, "passage_ids": []})"));
}

TEST_F(OpenAiTest, TranscribesAVoiceNoteAsAMultipartUpload) {
  OpenAiTranscriber transcriber(client_, Options("whisper-1"));
  const std::string recording = testing::FakeOpenAi::Recording("Is the bakery open on Sunday?");
  auto text = Run(transcriber.Transcribe(recording, "audio/ogg"));
  ASSERT_TRUE(text.has_value()) << text.error().detail;
  EXPECT_EQ(*text, "Is the bakery open on Sunday?");

  auto requests = fake_.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].path, "/v1/audio/transcriptions");
  EXPECT_EQ(requests[0].authorization, std::string("Bearer ") + kKey);
  EXPECT_EQ(requests[0].body, json::parse(R"({"model": "whisper-1", "response_format": "json",
      "file": {"filename": "audio.ogg", "content_type": "audio/ogg", "bytes": )" +
                                          std::to_string(recording.size()) + "}}"));
}

TEST_F(OpenAiTest, ASilentRecordingIsAnEmptyTranscript) {
  OpenAiTranscriber transcriber(client_, Options("whisper-1"));
  auto text = Run(transcriber.Transcribe("OggS nothing said", "audio/ogg"));
  ASSERT_TRUE(text.has_value());
  EXPECT_EQ(*text, "");
}

TEST_F(OpenAiTest, TranscriptionErrorsSayWhetherTryingAgainMayHelp) {
  OpenAiTranscriber transcriber(client_, Options("whisper-1"));
  fake_.FailNext(1, 401);
  auto refused = Run(transcriber.Transcribe(testing::FakeOpenAi::Recording("hi"), "audio/ogg"));
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(refused.error().message, "the transcription endpoint rejected the recording");
  ExpectNoKey(refused.error());

  fake_.FailNext(3, 503);
  auto down = Run(transcriber.Transcribe(testing::FakeOpenAi::Recording("hi"), "audio/ogg"));
  ASSERT_FALSE(down.has_value());
  EXPECT_EQ(down.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(down.error().message, "the transcription endpoint is unavailable");

  // Without a model the server refuses the request, as OpenAI does.
  OpenAiTranscriber unnamed(client_, Options(""));
  auto no_model = Run(unnamed.Transcribe(testing::FakeOpenAi::Recording("hi"), "audio/ogg"));
  ASSERT_FALSE(no_model.has_value());
  EXPECT_NE(no_model.error().detail.find("you must provide a model parameter"), std::string::npos)
      << no_model.error().detail;

  fake_.set_transcript([](std::string_view) { return std::string("set by the test"); });
  auto scripted = Run(transcriber.Transcribe("OggS", "audio/ogg"));
  ASSERT_TRUE(scripted.has_value());
  EXPECT_EQ(*scripted, "set by the test");
}

TEST(ParseJsonReplyTest, ReadsOneObjectPlainOrFenced) {
  for (std::string_view text :
       {R"({"answer": "yes", "passage_ids": [1]})", "  \n{\"answer\": \"yes\", \"passage_ids\": [1]}\n",
        "```json\n{\"answer\": \"yes\", \"passage_ids\": [1]}\n```",
        "```\n{\"answer\": \"yes\", \"passage_ids\": [1]}\n```\n"}) {
    SCOPED_TRACE(text);
    auto parsed = ParseJsonReply(text);
    ASSERT_TRUE(parsed.has_value()) << parsed.error().detail;
    EXPECT_EQ(parsed->at("answer"), "yes");
  }
}

TEST(ParseJsonReplyTest, RefusesAnythingElse) {
  for (std::string_view text : {"", "NO_ANSWER", "Sure! {\"answer\": \"yes\"}", "{\"answer\": \"yes\"} Hope it helps",
                                "[1, 2]", "\"text\"", "{\"a\": 1}{\"b\": 2}", "```python\n{\"a\": 1}\n```",
                                "```json\n{\"a\": 1}\n``` and more", "```json {\"a\": 1}```", "{\"answer\": \"yes\""}) {
    SCOPED_TRACE(text);
    auto parsed = ParseJsonReply(text);
    ASSERT_FALSE(parsed.has_value());
    EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidArgument);
  }
}

}  // namespace
}  // namespace parley::agent
