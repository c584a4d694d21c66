// The headless command line: dispatch, top-level help and the error contract (a one-line
// "initscope: <what>" on stderr; exit 2 for usage errors, 1 for runtime errors).
#include "app/cli.h"
#include "core/version.h"

#include "app/cli_common.h"
#include "core/io.h"
#include "core/parallel.h"

#include <cstring>
#include <iostream>
#include <string>

namespace initscope::cli {
namespace {

// The project's version (CMakeLists.txt project(... VERSION)).

struct Verb {
  const char* name;
  int (*fn)(int, char**);
  const char* summary;
};

constexpr Verb kVerbs[] = {
    {"run", runVerb, "run a preset or a config once (or over K seeds) and print every layer's statistics"},
    {"sweep", sweepVerb, "run over a range of a, depths or seeds"},
    {"presets", presetsVerb, "list the named experiments (the lesson's and a few deeper ones)"},
    {"gains", gainsVerb, "calculate_gain for every nonlinearity, the lesson's gain(a) table, std of U(-1,1)"},
    {"plot", plotVerb, "render the window's figures to PNG, SVG or PDF without a display"},
};

std::string overview() {
  std::string s =
      "initscope: what weight initialisation does to a network (fast.ai lesson 02a_why_sqrt5)\n\n"
      "Usage: initscope                      open the window\n"
      "       initscope VERB [options]       run headless\n\n"
      "Verbs:\n";
  for (const Verb& v : kVerbs) s += "  " + pad(v.name, 10) + v.summary + "\n";
  s +=
      "\nExamples:\n"
      "  initscope presets\n"
      "  initscope run fourconv_default\n"
      "  initscope run fourconv_default --a 0 --bias-init zeros --json result.json\n"
      "  initscope run notebook --seeds 50        the lesson's table, over 50 seeds\n"
      "  initscope sweep fourconv_default --over a --from 0 --to 3 --steps 13\n"
      "  initscope plot fourconv_default --figure forward --out forward.png\n\n"
      "Each verb has --help. Exit codes: 0 ok, 1 runtime error, 2 usage error.\n";
  return s;
}

// One line: an error message never spreads over several lines of stderr.
std::string oneLine(std::string s) {
  for (char& ch : s)
    if (ch == '\n' || ch == '\r') ch = ' ';
  return s;
}

}  // namespace

bool isCliInvocation(const char* arg) {
  if (!arg) return false;
  const std::string a = arg;
  if (a == "--help" || a == "-h" || a == "help" || a == "--version" || a == "version") return true;
  for (const Verb& v : kVerbs)
    if (a == v.name) return true;
  return false;
}

int main(int argc, char** argv) {
  const std::string verb = argc > 1 ? argv[1] : "";
  try {
    if (verb == "--help" || verb == "-h" || verb == "help") {
      if (verb == "help" && argc > 2) {  // "initscope help run" = "initscope run --help"
        for (const Verb& v : kVerbs)
          if (std::strcmp(argv[2], v.name) == 0) {
            char help[] = "--help";
            char* args[] = {argv[0], argv[2], help};
            return v.fn(3, args);
          }
        throw UsageError("no verb named '" + std::string(argv[2]) + "'");
      }
      std::cout << overview();
      return 0;
    }
    if (verb == "--version" || verb == "version") {
      std::cout << "initscope " << kVersion << '\n' << openMpSettings() << '\n';
      return 0;
    }
    for (const Verb& v : kVerbs)
      if (verb == v.name) return v.fn(argc, argv);
    throw UsageError("unknown verb '" + verb + "' (see initscope --help)");
  } catch (const UsageError& e) {
    std::cerr << "initscope: " << oneLine(e.what()) << '\n';
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "initscope: " << oneLine(e.what()) << '\n';
    return 1;
  }
}

}  // namespace initscope::cli
