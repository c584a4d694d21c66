#pragma once
// The headless command line: verbs that run on the same core::run as the window.
namespace initscope::cli {

// True when argv[1] names a CLI verb (run, sweep, presets, gains, plot) or --help / --version.
bool isCliInvocation(const char* arg);
// Runs the verb in argv[1]; returns the process exit code (0 ok, 1 runtime error, 2 usage error).
int main(int argc, char** argv);

}  // namespace initscope::cli
