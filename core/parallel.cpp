#include "parallel.h"

#include <cstdlib>
#include <unistd.h>

#ifdef _OPENMP
#include <omp.h>
#endif

namespace initscope {

void restartWithQuietOpenMp(char** argv) {
  if (std::getenv("OMP_WAIT_POLICY")) return;
  const bool spin = !std::getenv("GOMP_SPINCOUNT");
  setenv("OMP_WAIT_POLICY", "passive", 1);
  if (spin) setenv("GOMP_SPINCOUNT", "20000", 1);
  execv("/proc/self/exe", argv);  // returns only on failure
  // The running libgomp never saw them: leave the environment as the user gave it.
  unsetenv("OMP_WAIT_POLICY");
  if (spin) unsetenv("GOMP_SPINCOUNT");
}

std::string openMpSettings() {
  const auto var = [](const char* name) {
    std::string s = name;
    if (const char* v = std::getenv(name)) {
      s += '=';
      s += v;
    } else {
      s += " unset";
    }
    return s;
  };
  return "OpenMP: " + std::to_string(engineThreads()) + " threads, " + var("OMP_WAIT_POLICY") + ", " +
         var("GOMP_SPINCOUNT");
}

#ifdef _OPENMP
int setEngineThreads(int threads) {
  // OpenMP's default as it was before the first call (OMP_NUM_THREADS or the cores): 0 restores
  // it, so a run with threads = 0 after one with threads = 1 does not stay on one thread.
  static const int defaultThreads = omp_get_max_threads();
  omp_set_num_threads(threads > 0 ? threads : defaultThreads);
  return omp_get_max_threads();
}

int engineThreads() { return omp_get_max_threads(); }

int engineThreadIndex() { return omp_get_thread_num(); }
#else
int setEngineThreads(int) { return 1; }

int engineThreads() { return 1; }

int engineThreadIndex() { return 0; }
#endif

}  // namespace initscope
