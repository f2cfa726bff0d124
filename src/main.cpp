#include "app/app.h"
#include "knowledge/extract_process.h"

#include <string_view>

// `parley extract` is not a command for people: it is the child process in which the ingestor reads one document
// within its budget (knowledge/extract_process.h). It starts before anything else: no configuration, no logging.
int main(int argc, char** argv) {
  if (argc > 1 && std::string_view(argv[1]) == "extract") {
    return parley::knowledge::ExtractChildMain(argc - 2, argv + 2);
  }
  return parley::app::Main(argc, argv);
}
