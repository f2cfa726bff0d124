#pragma once
// The offline triage classifier: a multinomial logistic regression over hashed features of the folded text
// (character 2–4-grams across word boundaries, words, word pairs, and a few signals such as a link or a question
// mark). It reads any language it was shown; the labelled set is src/agent/triage_data/<language>.txt (see its
// README).
//
// The weights are trained at build time: `triage_train` (src/agent/train/) reads the labelled set and writes them
// as a generated source (triage_weights.cpp in the build tree) that defines TrainedWeights(). Training is
// deterministic, so the same data gives the same weights. This header is shared by the trainer and the agent, so
// both compute the same features.

#include "core/decision.h"
#include "core/error.h"

#include <array>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace parley::agent::triage {

// The classes, in the order of the weights' columns. AUTO_REPLY questions are labelled "question" in the data and
// carry Reason::kAnswered (the answer stages decide the rest).
inline constexpr std::array kClasses = {
    Reason::kAcknowledgement, Reason::kSpam,          Reason::kScam,           Reason::kGreeting,
    Reason::kAnswered,        Reason::kUrgentSafety,  Reason::kHumanRequested, Reason::kComplaint,
    Reason::kBillingDispute,  Reason::kAccountAccess, Reason::kLegal,          Reason::kAbuse,
};
inline constexpr size_t kClassCount = kClasses.size();

// Features are hashed into 2^kHashBits buckets.
inline constexpr int kHashBits = 18;

struct Feature {
  uint32_t bucket;
  float value;
};

// The features of `text` (any UTF-8; only its first 2,000 bytes once folded are read): sorted by bucket, one entry
// per bucket, L2-normalised.
std::vector<Feature> Features(std::string_view text);

// A trained model: the buckets seen in training (sorted) with one row of kClassCount weights each, and the biases.
// Unseen buckets weigh nothing.
struct Weights {
  std::span<const uint32_t> buckets;
  std::span<const float> rows;  //!< buckets.size() × kClassCount, row-major.
  std::span<const float> bias;  //!< kClassCount.
};

// The weights trained on src/agent/triage_data at build time (defined in the generated triage_weights.cpp).
const Weights& TrainedWeights();

// Probabilities (softmax) over kClasses for `features`, in kClasses' order.
std::array<double, kClassCount> Probabilities(const Weights& weights, const std::vector<Feature>& features);

// The decision a class stands for: IGNORE for acknowledgements, spam and scams, GREETING, AUTO_REPLY for
// questions, ESCALATE for the rest.
Decision DecisionOf(Reason reason);

// The class index of `reason` in kClasses, or kClassCount when it is not a class.
size_t ClassIndex(Reason reason);

// One labelled example of the training set.
struct Example {
  Reason label;
  std::string language;  //!< From the file name: "en" for en.txt.
  std::string text;
  bool held_out;  //!< Kept out of training to measure accuracy on: every fifth example of each label in a file.
};

// The examples of one file: a line "[label]" (a class's reason code, or "question") starts the examples of that
// label, one per line; blank lines and lines starting with '#' are skipped. In an example, "\n" stands for a line
// break between the messages of a burst. kInvalidArgument names the line of an unknown label or of an example
// before any label; kNotFound when the file cannot be read.
Result<std::vector<Example>> ReadExamples(const std::filesystem::path& file);

// The data's name for a class: its reason code, "question" for Reason::kAnswered.
std::string_view LabelName(Reason reason);

}  // namespace parley::agent::triage
