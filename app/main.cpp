// initscope: one executable. A CLI verb as the first argument runs headless (app/cli.cpp);
// anything else opens the window (ui/).
#include "app/cli.h"
#include "ui/gui.h"

#include <cstdlib>
#include <unistd.h>

int main(int argc, char** argv) {
  // GCC's OpenMP keeps idle workers spinning (about 3 ms after every parallel region), which
  // steals the GUI thread's core and, on a busy machine, slows every run many times over; a
  // worker that sleeps at once, though, must be woken for each of a run's regions, which cost
  // 0.1 ms of a 0.9 ms step here. So when the user has not chosen a policy, idle workers spin for
  // a short while (GOMP_SPINCOUNT 20000: about 0.2 ms by libgomp's estimate), enough to carry them
  // from one region of a run to the next, then sleep. libgomp reads both when it is loaded,
  // before main, so set them and start again once.
  if (!std::getenv("OMP_WAIT_POLICY")) {
    setenv("OMP_WAIT_POLICY", "passive", 1);
    if (!std::getenv("GOMP_SPINCOUNT")) setenv("GOMP_SPINCOUNT", "20000", 1);
    execv("/proc/self/exe", argv);  // returns only on failure: then carry on as we are
  }
  if (argc > 1 && initscope::cli::isCliInvocation(argv[1])) return initscope::cli::main(argc, argv);
  return initscope::ui::runGui(argc, argv);
}
