#pragma once
// Embeddings behind one interface. The built-in embedder (the default) needs no network and no model: it hashes
// features of the folded text into a fixed-size, L2-normalized vector, so cosine similarity (inner product)
// rewards shared stems (inflections), shared character n-grams (typos, compounds) and shared word pairs. It is
// deterministic across runs and machines. An OpenAI-compatible endpoint implements the same interface
// (agent/llm.h).

#include "core/error.h"

#include <boost/asio/awaitable.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace parley::knowledge {

using Vector = std::vector<float>;

class Embedder {
 public:
  virtual ~Embedder() = default;
  // Identifies the model and its settings; stored with each embedding so a change triggers re-embedding.
  virtual std::string id() const = 0;
  virtual int dimensions() const = 0;
  // One L2-normalized vector per text, in order.
  virtual boost::asio::awaitable<Result<std::vector<Vector>>> Embed(std::vector<std::string> texts) = 0;
};

struct BuiltinEmbedderOptions {
  int dimensions = 384;
  std::string language = "english";  //!< Snowball stemmer language.
};

class BuiltinEmbedder final : public Embedder {
 public:
  explicit BuiltinEmbedder(BuiltinEmbedderOptions options = {});
  std::string id() const override;  //!< "builtin-v1-<dims>-<language>".
  int dimensions() const override { return options_.dimensions; }
  boost::asio::awaitable<Result<std::vector<Vector>>> Embed(std::vector<std::string> texts) override;

  // Synchronous form, thread-safe (a stemmer per thread): the ingestion jobs and benchmarks call it directly.
  Vector EmbedOne(std::string_view text) const;

 private:
  BuiltinEmbedderOptions options_;
};

}  // namespace parley::knowledge
