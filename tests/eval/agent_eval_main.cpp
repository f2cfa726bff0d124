// `make eval`: the agent end to end on the development set (tests/eval/dev), offline and with a scripted model (the
// fake OpenAI server on loopback, answering from the passages it is sent), beside a plain BM25 baseline. Prints the
// tables docs/evaluation.md records; `--record FILE` also writes the figures as the floors the eval test checks
// (`make eval-record` rewrites tests/eval/dev/floors.json).

#include "core/json.h"
#include "core/log.h"
#include "eval/agent_eval.h"
#include "fakes/fake_openai.h"
#include "knowledge/extract_process.h"

#include <CLI/CLI.hpp>
#include <boost/json/value.hpp>

#include <cmath>
#include <cstdio>
#include <exception>
#include <fstream>
#include <map>
#include <string>
#include <string_view>

int main(int argc, char** argv) {
  // AgentService's ingestor reads HTML, PDF and DOCX in a child process started as `/proc/self/exe extract`, the
  // server's own subcommand: this program answers it the same way.
  if (argc > 1 && std::string_view(argv[1]) == "extract")
    return parley::knowledge::ExtractChildMain(argc - 2, argv + 2);
  namespace eval = parley::eval;
  CLI::App app{"Parley's end-to-end evaluation on tests/eval/dev"};
  std::string mode = "both";
  std::string set_name = "dev";
  std::string record;
  bool verbose = false;
  eval::RunOptions options;
  app.add_option("--mode", mode, "offline, scripted or both")->check(CLI::IsMember({"offline", "scripted", "both"}));
  app.add_option("--set", set_name,
                 "dev (the development set, which fitted models and rules were tuned on) or heldout (questions and "
                 "triage cases never used to tune anything)")
      ->check(CLI::IsMember({"dev", "heldout"}));
  app.add_option("--record", record, "write the figures to this file as the eval test's floors");
  app.add_option("--dictionary-dir", options.dictionary_dir,
                 "FreeDict dictionaries for cross-lingual questions (a directory without them: none)");
  app.add_option("--traces", options.traces,
                 "write a JSON line per question and run (its verdict, the answer and the agent's trace) to this file");
  app.add_flag("--verbose", verbose, "a verdict line for every question and case, not only the failures");
  CLI11_PARSE(app, argc, argv);

  parley::log::Init("error");  // The ingestor's and the agent's log lines would drown the tables.
  try {
    eval::DevSet set = eval::LoadDevSet(std::string(PARLEY_EVAL_DIR "/") + set_name);
    std::printf("%s set: %zu questions to %zu tenants, %zu triage cases\n", set_name.c_str(), set.questions.size(),
                set.documents_by_tenant.size(), set.triage.size());
    options.corpus_dir = PARLEY_EVAL_DIR "/corpus";
    options.verbose = verbose;
    // Both runs append their lines to one file, emptied here.
    if (!options.traces.empty()) std::ofstream(options.traces, std::ios::trunc);
    std::map<std::string, double> flat;
    auto report = [&](const std::string& name, const std::string& title, const eval::RunFigures& figures,
                      bool with_bm25) {
      for (const auto& line : figures.verdicts) std::printf("%s\n", line.c_str());
      std::printf("%s", eval::FormatRun(title, figures, with_bm25).c_str());
      flat.merge(eval::FlatFigures(name, figures));
    };
    if (mode != "scripted") {
      report("offline", "offline (no model), built-in embedder", eval::RunEvaluation(set, options), true);
    }
    if (mode != "offline") {
      parley::testing::FakeOpenAi model;
      model.set_reply(parley::testing::FakeOpenAi::AnswerFromPassages());
      options.llm_base_url = model.base_url();
      options.bm25 = mode == "scripted";  // The baseline does not depend on the model: printed once.
      report("scripted", "scripted model (fake OpenAI answering from the passages it is sent)",
             eval::RunEvaluation(set, options), options.bm25);
    }
    if (!record.empty()) {
      // One figure a line, sorted, so a re-recording reads as a diff of the figures that moved.
      std::ofstream out(record);
      out << "{\n";
      size_t left = flat.size();
      for (const auto& [key, value] : flat) {
        out << "  " << parley::SerializeJson(boost::json::value(key)) << ": " << std::round(value * 1000) / 1000
            << (--left ? ",\n" : "\n");
      }
      out << "}\n";
      std::printf("\nrecorded %zu figures in %s\n", flat.size(), record.c_str());
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "evaluation failed: %s\n", e.what());
    return 1;
  }
  return 0;
}
