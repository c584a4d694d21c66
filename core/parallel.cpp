#include "parallel.h"

#ifdef _OPENMP
#include <omp.h>
#endif

namespace initscope {

#ifdef _OPENMP
int setEngineThreads(int threads) {
  if (threads > 0) omp_set_num_threads(threads);
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
