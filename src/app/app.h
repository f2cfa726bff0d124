#pragma once
// The composition root: the `parley` command line and everything `parley serve` wires together.

namespace parley::app {

// Runs the `parley` command line; returns the process exit code.
int Main(int argc, char** argv);

}  // namespace parley::app
