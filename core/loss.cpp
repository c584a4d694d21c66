#include "loss.h"

#include <cmath>
#include <stdexcept>
#include <string>

namespace initscope {

template <class T>
double mseLoss(const TensorT<T>& out, const std::vector<double>& targets, TensorT<T>* grad) {
  if (out.numel() != targets.size())
    throw std::invalid_argument("mse: the output " + out.shape.str() + " has " + std::to_string(out.numel()) +
                                " values but there are " + std::to_string(targets.size()) +
                                " targets; end the stack with one output per example (e.g. adaptive_avg_pool2d 1 "
                                "and flatten after a 1-channel conv)");
  const double n = static_cast<double>(targets.size());
  double sum = 0;
  if (grad) grad->resize(out.shape);
  for (std::size_t i = 0; i < targets.size(); ++i) {
    const double d = static_cast<double>(out.data[i]) - targets[i];
    sum += d * d;
    if (grad) grad->data[i] = static_cast<T>(2.0 * d / n);
  }
  return sum / n;
}

template <class T>
double crossEntropyLoss(const TensorT<T>& logits, const std::vector<int>& classes, TensorT<T>* grad) {
  if (logits.shape.rank != 2)
    throw std::invalid_argument("cross_entropy expects logits (N, classes), got " + logits.shape.str() +
                                "; end the stack with flatten and linear");
  const int N = logits.shape[0], K = logits.shape[1];
  if (static_cast<std::size_t>(N) != classes.size())
    throw std::invalid_argument("cross_entropy: " + std::to_string(N) + " rows of logits but " +
                                std::to_string(classes.size()) + " labels");
  if (grad) grad->resize(logits.shape);
  double total = 0;
  for (int n = 0; n < N; ++n) {
    const int c = classes[static_cast<std::size_t>(n)];
    if (c < 0 || c >= K)
      throw std::invalid_argument("cross_entropy: label " + std::to_string(c) + " is outside the " +
                                  std::to_string(K) + " classes of the output");
    const T* z = logits.item(n);
    double mx = z[0];
    for (int k = 1; k < K; ++k) mx = std::max(mx, static_cast<double>(z[k]));
    double se = 0;
    for (int k = 0; k < K; ++k) se += std::exp(z[k] - mx);
    const double lse = mx + std::log(se);
    total += lse - z[c];
    if (grad) {
      T* g = grad->item(n);
      for (int k = 0; k < K; ++k) g[k] = static_cast<T>((std::exp(z[k] - lse) - (k == c ? 1.0 : 0.0)) / N);
    }
  }
  return total / N;
}

template double mseLoss<float>(const Tensor&, const std::vector<double>&, Tensor*);
template double mseLoss<double>(const TensorD&, const std::vector<double>&, TensorD*);
template double crossEntropyLoss<float>(const Tensor&, const std::vector<int>&, Tensor*);
template double crossEntropyLoss<double>(const TensorD&, const std::vector<int>&, TensorD*);

std::string_view toString(LossKind k) { return k == LossKind::MSE ? "mse" : "cross_entropy"; }
std::optional<LossKind> parseLossKind(std::string_view s) {
  if (s == "mse") return LossKind::MSE;
  if (s == "cross_entropy") return LossKind::CrossEntropy;
  return std::nullopt;
}

}  // namespace initscope
