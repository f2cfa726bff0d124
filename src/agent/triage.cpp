#include "agent/triage.h"

#include "agent/triage_model.h"
#include "agent/triage_phrases.h"
#include "knowledge/text.h"

#include <algorithm>
#include <iterator>
#include <regex>

namespace parley::agent {
namespace {

using namespace triage_rules;

// Links with a scheme: "https://…", "www.…".
size_t CountLinks(const std::string& folded) {
  size_t links = 0;
  for (std::string_view scheme : {"http://", "https://", "www."}) {
    for (size_t at = folded.find(scheme); at != std::string::npos; at = folded.find(scheme, at + scheme.size())) {
      // "https://www." is one link.
      if (scheme == "www." && at >= 3 && folded.compare(at - 3, 3, "://") == 0) continue;
      ++links;
    }
  }
  return links;
}

// Bare domains ("bit.ly/claim", "fb-verificacion.net"), which phishing uses because they look less like links. A
// known top-level domain is required, so "3.5" or "e.g." never count; e-mail addresses do not either.
size_t CountBareDomains(const std::string& folded) {
  static const std::regex kBareDomain(
      R"((^|[\s(])(?!www\.)[a-z0-9][a-z0-9-]*(\.[a-z0-9-]+)*\.(com|net|org|info|biz|shop|store|online|site|xyz|top|)"
      R"(click|link|ly|io|co|me|app|nl|de|fr|es|it|pt|be|ch|at|uk|eu|us)(/\S*)?(?=$|[\s).,!?]))");
  return static_cast<size_t>(
      std::distance(std::sregex_iterator(folded.begin(), folded.end(), kBareDomain), std::sregex_iterator()));
}

TriageResult Rule(::parley::Decision decision, Reason reason) {
  return {decision, reason, decision == ::parley::Decision::kEscalate ? DefaultPriority(reason) : Priority::kNormal,
          1.0, "rule"};
}

// The classifier is trusted above this probability. Escalating or ignoring needs more: a question it takes for a
// complaint is handed to a person instead of answered, and an ignored customer hears nothing. An urgent-safety
// reading needs less than those, because missing one costs more than a person reading a false alarm; the rules
// catch the plain cases.
constexpr double kMinConfidence = 0.5;
constexpr double kMinEscalateConfidence = 0.7;
constexpr double kMinUrgentConfidence = 0.35;
constexpr double kMinIgnoreConfidence = 0.7;

}  // namespace

TriageResult TriageOffline(std::string_view burst_text) {
  using D = ::parley::Decision;
  std::string folded = knowledge::Fold(burst_text);
  std::vector<std::string> words = knowledge::Words(folded);
  if (words.empty()) {
    bool blank = burst_text.find_first_not_of(" \t\r\n") == std::string_view::npos;
    return Rule(D::kIgnore, blank ? Reason::kEmpty : Reason::kEmojiOnly);
  }
  std::string padded = " ";
  for (const auto& word : words) padded.append(word).push_back(' ');

  if (ContainsAny(padded, UrgentSafety())) return Rule(D::kEscalate, Reason::kUrgentSafety);
  const size_t links = CountLinks(folded);
  // Bait next to any way of reaching the fraudster's page: a link, a bare domain, or "click the link".
  const bool reachable = links + CountBareDomains(folded) + CountPhrases(padded, LinkMentions()) > 0;
  const bool prize_payout = ContainsAny(padded, PrizeClaims()) && ContainsAny(padded, PayoutRequests());
  if ((reachable && ContainsAny(padded, PhishingWithLink())) || prize_payout || ContainsAny(padded, Scam())) {
    return Rule(D::kIgnore, Reason::kScam);
  }
  if (links >= 2 || (links > 0 && ContainsAny(padded, SpamNextToLink())) || ContainsAny(padded, Spam())) {
    return Rule(D::kIgnore, Reason::kSpam);
  }
  // The most specific reason first: a legal threat, then insults, then what the customer needs done.
  if (ContainsAny(padded, Legal())) return Rule(D::kEscalate, Reason::kLegal);
  if (ContainsAny(padded, Abuse())) return Rule(D::kEscalate, Reason::kAbuse);
  if (ContainsAny(padded, BillingDispute())) return Rule(D::kEscalate, Reason::kBillingDispute);
  // "What's the wifi password?" is a question for the knowledge, not a lock-out.
  const bool wifi = padded.find(" wifi ") != std::string::npos || padded.find(" wi fi ") != std::string::npos ||
                    padded.find(" wlan ") != std::string::npos;
  if (!wifi && ContainsAny(padded, AccountAccess())) return Rule(D::kEscalate, Reason::kAccountAccess);
  if (ContainsAny(padded, HumanRequested())) return Rule(D::kEscalate, Reason::kHumanRequested);
  if (ContainsAny(padded, Complaint())) return Rule(D::kEscalate, Reason::kComplaint);
  if (words.size() <= 6 && OnlyWordsOf(words, Acknowledgements())) return Rule(D::kIgnore, Reason::kAcknowledgement);
  if (words.size() <= 5 && OnlyWordsOf(words, Greetings())) return Rule(D::kGreeting, Reason::kGreeting);

  std::array<double, triage::kClassCount> probabilities =
      triage::Probabilities(triage::TrainedWeights(), triage::Features(burst_text));
  size_t best =
      static_cast<size_t>(std::max_element(probabilities.begin(), probabilities.end()) - probabilities.begin());
  const double urgent = probabilities[triage::ClassIndex(Reason::kUrgentSafety)];
  Reason reason = triage::kClasses[best];
  if (urgent >= kMinUrgentConfidence) {
    reason = Reason::kUrgentSafety;
  } else if (probabilities[best] < kMinConfidence ||
             (triage::DecisionOf(reason) == D::kIgnore && probabilities[best] < kMinIgnoreConfidence) ||
             (triage::DecisionOf(reason) == D::kEscalate && probabilities[best] < kMinEscalateConfidence)) {
    return {D::kAutoReply, Reason::kAnswered, Priority::kNormal, probabilities[best], "fallback"};
  }
  D decision = triage::DecisionOf(reason);
  return {decision, reason, decision == D::kEscalate ? DefaultPriority(reason) : Priority::kNormal,
          probabilities[triage::ClassIndex(reason)], "classifier"};
}

}  // namespace parley::agent
