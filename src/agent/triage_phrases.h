#pragma once
// What the offline triage rules (agent/triage.h) look for: phrases matched on the word boundaries of the folded burst,
// and sets of words a burst may consist of, in en, fr, de, es, it, pt and nl. Internal to the triage.

#include <initializer_list>
#include <string>
#include <unordered_set>
#include <vector>

namespace parley::agent::triage_rules {

// "can't log in" matches "I CAN'T log in!"; a final '*' lets its last word be a prefix ("bleed*" matches "bleeding").
struct Phrase {
  std::string padded;  //!< " word word " (no final space with a prefix).
};
using WordSet = std::unordered_set<std::string>;

// Folded and padded once, so the lists are written as people write ("Grüß Gott", "can't").
std::vector<Phrase> Compile(std::initializer_list<const char*> phrases);
// The folded words of `entries` ("d'accord" gives "d" and "accord").
WordSet CompileWords(std::initializer_list<const char*> entries);

// `padded_burst`: the burst's folded words joined by single spaces, with a space before and after.
bool ContainsAny(const std::string& padded_burst, const std::vector<Phrase>& phrases);
size_t CountPhrases(const std::string& padded_burst, const std::vector<Phrase>& phrases);
// True when every word of the burst is in `words`.
bool OnlyWordsOf(const std::vector<std::string>& burst_words, const WordSet& words);

// Emergencies, fraud and spam (triage_urgent_and_fraud_phrases.cpp).
const std::vector<Phrase>& UrgentSafety();
const std::vector<Phrase>& PhishingWithLink();  //!< Bait that is phishing next to a link.
const std::vector<Phrase>& Scam();
const std::vector<Phrase>& Spam();
const std::vector<Phrase>& SpamNextToLink();  //!< Words that are spam only next to a link.
const std::vector<Phrase>& LinkMentions();    //!< "Click the link" without one.
const std::vector<Phrase>& PrizeClaims();
const std::vector<Phrase>& PayoutRequests();

// Reasons to hand a burst to a person, thanks and greetings (triage_phrases.cpp).
const std::vector<Phrase>& BillingDispute();
const std::vector<Phrase>& AccountAccess();
const std::vector<Phrase>& HumanRequested();
const std::vector<Phrase>& Complaint();
const std::vector<Phrase>& Legal();
const std::vector<Phrase>& Abuse();
const WordSet& Greetings();
const WordSet& Acknowledgements();

}  // namespace parley::agent::triage_rules
