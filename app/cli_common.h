#pragma once
// Shared pieces of the CLI verbs: a hand-written flag parser, the run options every experiment
// verb takes, output files and table formatting. Errors: UsageError -> exit 2, anything else -> 1.
#include "core/experiment.h"

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace initscope::cli {

// A command line that cannot be understood (unknown flag, missing or malformed value): exit 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct FlagSpec {
  std::string name;       // without the dashes: "a", "bias-init"
  std::string valueName;  // empty for a switch ("--json FILE" has "FILE")
  std::string help;
};

struct Args {
  std::string verb;
  std::vector<std::string> positional;
  std::map<std::string, std::string> values;  // flags with a value; a repeated flag is an error
  std::vector<std::string> switches;
  bool has(const std::string& flag) const;
  std::optional<std::string> get(const std::string& flag) const;
};

// Parses argv[2..] ("--flag value", "--flag=value", "-h"; "--" ends the flags). Throws UsageError.
Args parseArgs(int argc, char** argv, const std::vector<FlagSpec>& flags);
// The verb's help: usage lines, then one line per flag.
std::string helpText(const std::string& usage, const std::vector<FlagSpec>& flags);

double parseNumber(const std::string& text, const std::string& flag);  // also "sqrt5", "1/sqrt3", "5/3"
long long parseInteger(const std::string& text, const std::string& flag, long long lo, long long hi);
std::vector<std::string> split(const std::string& text, char sep);

// The flags of every verb that runs an experiment (run, sweep, plot).
const std::vector<FlagSpec>& experimentFlags();
// The config a verb runs: a preset (positional) or --config FILE, then every override flag.
// Throws UsageError for a bad flag value, FormatError for a bad file.
ExperimentConfig buildConfig(const Args& args);

// Writes text to a file atomically, or to stdout for "-".
void writeOutput(const std::string& path, const std::string& text);
// True when any of these flags writes to stdout (then the table is not printed there).
bool writesStdout(const Args& args, const std::vector<std::string>& flags);

// Formatting for tables.
std::string num(double v, int precision = 4);  // %.4g, "nan"/"inf" spelled out
std::string pad(const std::string& s, std::size_t width, bool right = false);  // in characters; a left-aligned cell that overflows keeps one space after it
std::string shapeText(const Shape& s);
std::string initText(const InitSpec& s);

// Verbs (argc/argv as main's; argv[1] is the verb).
int runVerb(int argc, char** argv);
int sweepVerb(int argc, char** argv);
int presetsVerb(int argc, char** argv);
int gainsVerb(int argc, char** argv);
int plotVerb(int argc, char** argv);

}  // namespace initscope::cli
