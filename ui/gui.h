#pragma once
// The window's entry point, called by app/main.cpp when argv[1] is not a CLI verb.
namespace initscope::ui {

// Runs the application. Options (besides Qt's own):
//   [session.json]               open this session (or config) instead of the last one
//   --fresh                      ignore the last session and the saved window layout
//   --presentation               start in presentation mode (large fonts, thick lines)
//   --screenshot PATH            save a PNG of the window after the first plot
//   --quit-after-first-plot      exit once the first result is drawn (with --screenshot: after saving)
//   --set-a VALUE                start with this kaiming a
// Returns the process exit code.
int runGui(int argc, char** argv);

}  // namespace initscope::ui
