#include "parallel.h"

#include <omp.h>

namespace initscope {

int setEngineThreads(int threads) {
  if (threads > 0) omp_set_num_threads(threads);
  return omp_get_max_threads();
}

int engineThreads() { return omp_get_max_threads(); }

}  // namespace initscope
