#pragma once
// The small logistic models the offline agent fits on its development set (answerability.h, rerank.h): weights and a
// bias over a fixed array of features, fitted by L2-regularised batch gradient descent, deterministic.

#include <array>
#include <cmath>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace parley::agent {

// The model's probability (0..1) for `features`.
template <size_t N>
double LogisticProbability(const std::array<double, N>& weights, double bias, const std::array<double, N>& features) {
  double sum = bias;
  for (size_t i = 0; i < N; ++i) sum += weights[i] * features[i];
  return 1.0 / (1.0 + std::exp(-sum));
}

template <size_t N>
struct LogisticWeights {
  std::array<double, N> weights{};
  double bias = 0;

  double Probability(const std::array<double, N>& features) const {
    return LogisticProbability(weights, bias, features);
  }
};

// Fits `labels` (true = 1) on `features`. The defaults keep weights small on a set of a few hundred examples.
template <size_t N>
LogisticWeights<N> FitLogistic(const std::vector<std::array<double, N>>& features, const std::vector<bool>& labels,
                               int iterations = 4000, double learning_rate = 0.5, double l2 = 0.01) {
  LogisticWeights<N> model;
  if (features.empty()) return model;
  const double n = static_cast<double>(features.size());
  for (int iteration = 0; iteration < iterations; ++iteration) {
    std::array<double, N> gradient{};
    double bias_gradient = 0;
    for (size_t k = 0; k < features.size(); ++k) {
      const double error = model.Probability(features[k]) - (labels[k] ? 1.0 : 0.0);
      for (size_t i = 0; i < N; ++i) gradient[i] += error * features[k][i];
      bias_gradient += error;
    }
    for (size_t i = 0; i < N; ++i) model.weights[i] -= learning_rate * (gradient[i] / n + l2 * model.weights[i]);
    model.bias -= learning_rate * bias_gradient / n;
  }
  return model;
}

// The text of a generated model file (tests/tools/fit_answerability.cpp writes them): `provenance` as comment lines,
// then `constexpr <declaration>{{weights…}, bias, extra…};`, the aggregate initializer of a model whose members are
// the weights, the bias and then `extra` (a threshold, say), in that order.
std::string LogisticModelSource(std::string_view provenance, std::string_view declaration,
                                std::span<const double> weights, double bias, std::span<const double> extra = {});

}  // namespace parley::agent
