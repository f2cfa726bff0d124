#pragma once
// The end-to-end evaluation of the agent on the development set in tests/eval/dev: the answer a customer gets,
// measured through the production path (documents ingested by the real Ingestor into a SQLite store, questions
// asked through AgentService with the tenant's default settings), offline or with a model server.
//
// The set (docs/evaluation.md describes it):
//   dev/tenants.json    each tenant's corpus documents and their language ({documents, language}, "en" when
//                       left out), set as the tenant's knowledge language before the documents are indexed;
//   dev/questions.json  questions written as customers write them, each with its kind and the passage that
//                       answers it: {document, contains} (folded comparison), a list of such parts for a burst of
//                       questions, or null when the tenant's documents do not answer it;
//   dev/triage.json     triage cases in seven languages: {text, category, decision, reason, language}.
//
// Only the agent's public surface is read (ToJson's "decision", "reason", "answer" and "sources"), so the
// evaluation keeps working while the agent's insides change; only the verdicts below define the figures.

#include "core/config.h"

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace parley::eval {

// One expected passage: a chunk of `document` whose folded text contains `contains` (folded).
struct ExpectedPassage {
  std::string document;
  std::string contains;
};

struct DevQuestion {
  std::string tenant;
  std::string
      kind;  //!< direct, paraphrase, typo, other_language, table_lookup, multi_question, unanswerable, other_tenant
  std::string language;
  std::string text;
  std::vector<ExpectedPassage> parts;  //!< One per question asked; empty: nothing the tenant has answers it.
};

struct TriageCase {
  std::string text;
  std::string category;  //!< urgent_safety, scam, spam, billing_dispute, …, greeting, question.
  std::string decision;  //!< "IGNORE", "GREETING", "AUTO_REPLY" or "ESCALATE" (core/decision.h).
  std::string reason;    //!< A core/decision.h reason code; empty: any (ordinary questions).
  std::string language;
};

struct DevSet {
  std::map<std::string, std::vector<std::string>> documents_by_tenant;
  std::map<std::string, std::string> language_by_tenant;  //!< The documents' language (ISO 639-1); "en" when unsaid.
  std::string triage_tenant;                              //!< The tenant the triage cases are sent to.
  std::vector<DevQuestion> questions;
  std::vector<TriageCase> triage;
};

// Reads the three files under `dir` (tests/eval/dev). Throws std::runtime_error naming the file and the entry on
// a malformed set: a mistake in the set must stop the evaluation, not count as a miss.
DevSet LoadDevSet(const std::filesystem::path& dir);

// Hits, abstentions and wrong facts for one kind of question (or "all").
struct KindFigures {
  int questions = 0;
  int parts = 0;  //!< Parts scored for hit@k (a burst counts each of its questions).
  int hit1 = 0;
  int hit3 = 0;
  int abstained = 0;    //!< Escalated or left unanswered.
  int wrong_facts = 0;  //!< Answers stating a number the expected passage does not hold, or answering the unanswerable.

  double Hit1() const { return parts == 0 ? 0 : static_cast<double>(hit1) / parts; }
  double Hit3() const { return parts == 0 ? 0 : static_cast<double>(hit3) / parts; }
  double Abstention() const { return questions == 0 ? 0 : static_cast<double>(abstained) / questions; }
};

struct TriageFigures {
  int cases = 0;
  int decision_right = 0;  //!< The triage decision alone.
  int right = 0;           //!< Decision and reason.
  double Accuracy() const { return cases == 0 ? 0 : static_cast<double>(right) / cases; }
  double DecisionAccuracy() const { return cases == 0 ? 0 : static_cast<double>(decision_right) / cases; }
};

// What one run measured; `verdicts` holds a line per question or case the run got wrong, for reading.
struct RunFigures {
  std::map<std::string, KindFigures> agent;     //!< By kind, plus "all" over the answerable kinds.
  std::map<std::string, KindFigures> bm25;      //!< BM25's top passages on the same questions (hits only).
  std::map<std::string, TriageFigures> triage;  //!< By category, plus "all".
  int urgent_cases = 0;
  int urgent_escalated = 0;      //!< By triage: escalating because nothing answers it does not count.
  int urgent_escalated_any = 0;  //!< For any reason, low relevance included.
  int questions_urgent = 0;      //!< Questions of the question set (not triage cases) escalated as urgent_safety.
  double seconds = 0;
  std::vector<std::string> verdicts;
};

struct RunOptions {
  std::filesystem::path corpus_dir;  //!< tests/eval/corpus
  // The model server's base URL (an OpenAI-compatible /v1), set as the operator's default model; empty: offline.
  std::string llm_base_url;
  bool bm25 = true;      //!< Also rank every question with BM25 alone.
  bool verbose = false;  //!< A verdict line for every question, not only the failures.
  //! The offline dictionaries, as the server's configuration names them; a directory without their files measures
  //! the agent without them.
  std::string dictionary_dir = Config{}.dictionary_dir;
  //! When set, a JSON line per question is appended there: the run ("offline" or "scripted"), its tenant, kind,
  //! text, verdict and the agent's whole answer with its trace (the features each decision was made on), to read why
  //! a question was or was not answered.
  std::filesystem::path traces;
};

// Ingests the corpus into a fresh SQLite store (one knowledge base per tenant), asks every question and triage
// case through AgentService, and scores the answers. Throws std::runtime_error when the run cannot happen (store,
// ingestion); a failing answer is scored, never thrown.
RunFigures RunEvaluation(const DevSet& set, const RunOptions& options);

// The figures as the tables `make eval` prints.
std::string FormatRun(const std::string& title, const RunFigures& figures, bool with_bm25);

// The figures as flat keys ("offline.paraphrase.hit3", "offline.wrong_facts", "offline.triage.all.accuracy", …),
// the form the recorded floors (dev/floors.json) take. `prefix` is "offline" or "scripted".
std::map<std::string, double> FlatFigures(const std::string& prefix, const RunFigures& figures);

// Whether a larger value of `key` is worse (wrong facts, customers' questions taken for emergencies), so its
// recorded value is a ceiling, not a floor.
bool LowerIsBetter(const std::string& key);

// The answer's numbers (prices, times, dates, quantities) in a canonical form: digits with the separators
// between digit groups removed ("€1,650.00", "1 650 €" and "1650" all give "1650"), leading zeros dropped, and
// a lone "0" (the minutes of "13:00") left out. Exposed for its test.
std::vector<std::string> NumbersIn(const std::string& text);

}  // namespace parley::eval
