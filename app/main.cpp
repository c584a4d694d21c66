// initscope: one executable. A CLI verb as the first argument runs headless (app/cli.cpp);
// anything else opens the window (ui/).
#include "app/cli.h"
#include "ui/gui.h"

#include <cstdlib>
#include <unistd.h>

int main(int argc, char** argv) {
  // GCC's OpenMP keeps idle workers spinning, which steals the GUI thread's core and, on a busy
  // machine, slows every run many times over. libgomp reads OMP_WAIT_POLICY when it is loaded,
  // before main, so when the user has not chosen a policy, set it and start again once.
  if (!std::getenv("OMP_WAIT_POLICY")) {
    setenv("OMP_WAIT_POLICY", "passive", 1);
    execv("/proc/self/exe", argv);  // returns only on failure: then carry on as we are
  }
  if (argc > 1 && initscope::cli::isCliInvocation(argv[1])) return initscope::cli::main(argc, argv);
  return initscope::ui::runGui(argc, argv);
}
