#include "knowledge/embedder.h"

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <cmath>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace parley::knowledge {
namespace {

float Cosine(const Vector& a, const Vector& b) {
  float dot = 0;
  for (size_t i = 0; i < a.size(); ++i) dot += a[i] * b[i];
  return dot;  // Both are unit vectors.
}

float Norm(const Vector& v) { return std::sqrt(Cosine(v, v)); }

TEST(BuiltinEmbedderTest, IdNamesDimensionsAndLanguage) {
  EXPECT_EQ(BuiltinEmbedder().id(), "builtin-v1-384-english");
  EXPECT_EQ(BuiltinEmbedder({256, "fr"}).id(), "builtin-v1-256-french");
  EXPECT_EQ(BuiltinEmbedder({64, "klingon"}).id(), "builtin-v1-64-english");
  EXPECT_EQ(BuiltinEmbedder({256, "fr"}).dimensions(), 256);
  EXPECT_THROW(BuiltinEmbedder({0, "english"}), std::invalid_argument);
}

TEST(BuiltinEmbedderTest, VectorsAreUnitLengthWithTheRightSize) {
  BuiltinEmbedder embedder;
  for (const char* text : {"refund", "Opening hours: Monday to Friday, 9am to 6pm.", "caf\xC3\xA9 cr\xC3\xA8me 42"}) {
    auto vector = embedder.EmbedOne(text);
    ASSERT_EQ(vector.size(), 384u);
    EXPECT_NEAR(Norm(vector), 1.0f, 1e-5f) << text;
  }
  EXPECT_EQ(BuiltinEmbedder({128, "english"}).EmbedOne("refund").size(), 128u);
}

TEST(BuiltinEmbedderTest, EmptyOrStopWordsOnlyGiveTheZeroVector) {
  BuiltinEmbedder embedder;
  for (const char* text : {"", "   ", "the and of", "le la les de", "!!! \xF0\x9F\x98\x80"}) {
    auto vector = embedder.EmbedOne(text);
    ASSERT_EQ(vector.size(), 384u);
    EXPECT_EQ(vector, Vector(384, 0.0f)) << text;
  }
}

TEST(BuiltinEmbedderTest, IsDeterministicAcrossInstancesAndThreads) {
  const std::string text = "Refunds: returns within 30 days get their money back.";
  auto expected = BuiltinEmbedder().EmbedOne(text);
  EXPECT_EQ(BuiltinEmbedder().EmbedOne(text), expected);
  BuiltinEmbedder embedder;
  std::vector<Vector> results(4);
  std::vector<std::thread> threads;
  for (size_t t = 0; t < results.size(); ++t) {
    threads.emplace_back([&embedder, &results, &text, t] {
      for (int i = 0; i < 50; ++i) results[t] = embedder.EmbedOne(text);
    });
  }
  for (auto& thread : threads) thread.join();
  for (const auto& result : results) EXPECT_EQ(result, expected);
}

// Pinned values: a change to the hash or the features must come with a new id(), since stored vectors go stale.
TEST(BuiltinEmbedderTest, MatchesThePinnedVector) {
  // The stem "refund" (1 / sqrt(1 + 1.5²)) and the 11 n-grams of "<refund>", signed.
  const std::vector<std::pair<size_t, float>> expected = {
      {55, 0.250873f},  {66, 0.250873f},  {76, 0.250873f},   {120, 0.554700f}, {121, -0.250873f}, {252, -0.250873f},
      {273, 0.250873f}, {302, 0.250873f}, {311, -0.250873f}, {333, 0.250873f}, {351, 0.250873f},  {359, 0.250873f},
  };
  auto vector = BuiltinEmbedder().EmbedOne("Refund");
  Vector want(384, 0.0f);
  for (const auto& [index, value] : expected) want[index] = value;
  for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(vector[i], want[i], 1e-6f) << i;
}

TEST(BuiltinEmbedderTest, EmbedReturnsOneVectorPerTextInOrder) {
  BuiltinEmbedder embedder;
  boost::asio::io_context io;
  std::optional<Result<std::vector<Vector>>> result;
  std::vector<std::string> texts = {"refund policy", "", "opening hours"};
  boost::asio::co_spawn(io, embedder.Embed(texts),
                        [&result](std::exception_ptr, Result<std::vector<Vector>> r) { result = std::move(r); });
  io.run();
  ASSERT_TRUE(result.has_value());
  ASSERT_TRUE(*result);
  ASSERT_EQ((*result)->size(), 3u);
  for (size_t i = 0; i < texts.size(); ++i) EXPECT_EQ((**result)[i], embedder.EmbedOne(texts[i]));
}

struct Triple {
  const char* language;
  const char* query;
  const char* similar;
  const char* unrelated;
};

TEST(BuiltinEmbedderTest, RanksRelatedTextsAboveUnrelatedOnes) {
  const std::vector<Triple> triples = {
      {"english", "refund policy", "refunds", "opening hours"},
      {"english", "how do I get my money back for a return", "Refunds: returns within 30 days get their money back.",
       "Our restaurant serves breakfast from 7 to 10 every morning."},
      {"english", "delivry", "delivery", "reservation"},
      {"english", "openning hours", "Opening hours: Monday to Friday, 9am to 6pm.",
       "Delivery takes 3 to 5 business days."},
      {"english", "cafe", "caf\xC3\xA9", "tea"},
      {"english", "shipping costs", "How much does it cost to ship an order?", "Our staff speaks English and French."},
      {"english", "Can I book a table for tonight?", "Table bookings: book online or call us.",
       "Parking is free for hotel guests."},
      {"english", "Do you accept credit cards?", "We accept Visa, Mastercard and all major credit cards.",
       "Breakfast is served until 10 am."},
      {"english", "parking", "Free car park for customers.", "Wifi password"},
      {"english", "cancelation fee", "Cancellation is free up to 24 hours before arrival.",
       "The swimming pool is heated."},
      {"english", "are pets allowed?", "Pets are welcome: dogs and cats are allowed in all rooms.",
       "Check-out time is 11 am."},
      {"english", "wifi", "Wi-Fi password", "Swimming pool"},
      {"english", "email address", "Write to our e-mail address.", "Our street address is 4 Main Street."},
      {"english", "resturant", "Our restaurant is on the first floor.", "Our bar is on the first floor."},
      {"french", "livraisons", "livraison", "remboursement"},
      {"french", "horaires d'ouverture", "Nos horaires : ouvert du lundi au samedi.",
       "Les animaux sont accept\xC3\xA9s."},
      {"french", "Quels sont vos tarifs ?", "Tarifs : chambre double \xC3\xA0 90 euros.",
       "Acc\xC3\xA8s : m\xC3\xA9tro ligne 4."},
      {"french", "d\xC3\xA9lai de livraison", "La livraison prend 3 jours ouvr\xC3\xA9s.",
       "Le petit d\xC3\xA9jeuner est servi jusqu'\xC3\xA0 10 heures."},
  };
  for (const auto& triple : triples) {
    BuiltinEmbedder embedder({384, triple.language});
    auto query = embedder.EmbedOne(triple.query);
    float similar = Cosine(query, embedder.EmbedOne(triple.similar));
    float unrelated = Cosine(query, embedder.EmbedOne(triple.unrelated));
    EXPECT_GT(similar - unrelated, 0.15f) << triple.query << " | " << triple.similar << " = " << similar << " vs "
                                          << triple.unrelated << " = " << unrelated;
  }
}

// Retrieval as the front desk does it: the best of a handful of FAQ chunks must be the right one. At 384
// dimensions hashing noise has a standard deviation of about 1/sqrt(384) ≈ 0.05 in cosine, so the questions here
// share at least one whole word with their answer; typos are measured above against short texts.
TEST(BuiltinEmbedderTest, FindsTheRightChunkForCustomerQuestions) {
  const std::vector<std::string> chunks = {
      "Refunds: returns within 30 days get their money back.",
      "Delivery takes 3 to 5 business days. Shipping is free over 50 euros.",
      "Opening hours: Monday to Friday, 9am to 6pm. Closed on Sundays.",
      "Pets are welcome: dogs and cats are allowed in all rooms.",
      "We accept Visa, Mastercard and all major credit cards. No cash.",
      "Parking is free for hotel guests, in the car park behind the building.",
      "Breakfast is served from 7 to 10 am in the restaurant.",
      "Cancellation is free up to 24 hours before arrival.",
      "The Wi-Fi password is written on the card in your room.",
  };
  const std::vector<std::pair<const char*, size_t>> questions = {
      {"refund", 0},
      {"how do I get my money back", 0},
      {"delivery time", 1},
      {"when are you open", 2},
      {"openning hours on sunday", 2},
      {"can I bring my dog", 3},
      {"payment with credit card", 4},
      {"where can I park my car", 5},
      {"what time is breakfast", 6},
      {"cancel my booking", 7},
      {"wi-fi password", 8},
  };
  BuiltinEmbedder embedder;
  std::vector<Vector> vectors;
  for (const auto& chunk : chunks) vectors.push_back(embedder.EmbedOne(chunk));
  for (const auto& [question, expected] : questions) {
    auto query = embedder.EmbedOne(question);
    size_t best = 0;
    for (size_t i = 1; i < vectors.size(); ++i) {
      if (Cosine(query, vectors[i]) > Cosine(query, vectors[best])) best = i;
    }
    EXPECT_EQ(best, expected) << question << " found: " << chunks[best];
  }
}

}  // namespace
}  // namespace parley::knowledge
