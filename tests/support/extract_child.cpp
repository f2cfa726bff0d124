// The child process the knowledge tests read documents in: what `parley extract` is in the server, without the
// rest of the binary.

#include "knowledge/extract_process.h"

int main(int argc, char** argv) { return parley::knowledge::ExtractChildMain(argc - 1, argv + 1); }
