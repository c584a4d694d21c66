// initscope: one executable. A CLI verb as the first argument runs headless (app/cli.cpp);
// anything else opens the window (ui/).
#include "app/cli.h"
#include "core/parallel.h"
#include "ui/gui.h"

int main(int argc, char** argv) {
  initscope::restartWithQuietOpenMp(argv);  // idle OpenMP workers sleep after a short spin
  if (argc > 1 && initscope::cli::isCliInvocation(argv[1])) return initscope::cli::main(argc, argv);
  return initscope::ui::runGui(argc, argv);
}
