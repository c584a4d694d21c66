#include "loss.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace initscope {

void checkMse(const Shape& output, std::size_t targets) {
  if (output.numel() != targets)
    throw std::invalid_argument("mse: the output " + output.str() + " has " + std::to_string(output.numel()) +
                                " values but there are " + std::to_string(targets) +
                                " targets; end the stack with one output per example (e.g. adaptive_avg_pool2d 1 "
                                "and flatten after a 1-channel conv)");
}

void checkCrossEntropy(const Shape& logits, const std::vector<int>& classes) {
  if (logits.rank != 2)
    throw std::invalid_argument("cross_entropy expects logits (N, classes), got " + logits.str() +
                                "; end the stack with flatten and linear");
  const int N = logits[0], K = logits[1];
  if (static_cast<std::size_t>(N) != classes.size())
    throw std::invalid_argument("cross_entropy: " + std::to_string(N) + " rows of logits but " +
                                std::to_string(classes.size()) + " labels");
  for (int c : classes)
    if (c < 0 || c >= K)
      throw std::invalid_argument("cross_entropy: label " + std::to_string(c) + " is outside the " +
                                  std::to_string(K) + " classes of the output");
}

template <class T>
void mseGradient(const TensorT<T>& out, const std::vector<double>& targets, TensorT<T>& grad, int n0, int n1) {
  const double n = static_cast<double>(targets.size());
  const std::size_t item = out.shape.itemSize();
  for (std::size_t i = static_cast<std::size_t>(n0) * item; i < static_cast<std::size_t>(n1) * item; ++i)
    grad.data[i] = static_cast<T>(2.0 * (static_cast<double>(out.data[i]) - targets[i]) / n);
}

template <class T>
double mseLoss(const TensorT<T>& out, const std::vector<double>& targets, TensorT<T>* grad) {
  checkMse(out.shape, targets.size());
  double sum = 0;
  for (std::size_t i = 0; i < targets.size(); ++i) {
    const double d = static_cast<double>(out.data[i]) - targets[i];
    sum += d * d;
  }
  if (grad) {
    grad->resize(out.shape);
    mseGradient(out, targets, *grad, 0, out.shape[0]);
  }
  return sum / static_cast<double>(targets.size());
}

namespace {
// log(sum_k exp(z[k])), shifted by the largest logit.
template <class T>
double logSumExp(const T* z, int K) {
  double mx = z[0];
  for (int k = 1; k < K; ++k) mx = std::max(mx, static_cast<double>(z[k]));
  double se = 0;
  for (int k = 0; k < K; ++k) se += std::exp(z[k] - mx);
  return mx + std::log(se);
}
}  // namespace

template <class T>
void crossEntropyGradient(const TensorT<T>& logits, const std::vector<int>& classes, TensorT<T>& grad, int n0,
                          int n1) {
  const int N = logits.shape[0], K = logits.shape[1];
  for (int n = n0; n < n1; ++n) {
    const int c = classes[static_cast<std::size_t>(n)];
    const T* z = logits.item(n);
    const double lse = logSumExp(z, K);
    T* g = grad.item(n);
    for (int k = 0; k < K; ++k) g[k] = static_cast<T>((std::exp(z[k] - lse) - (k == c ? 1.0 : 0.0)) / N);
  }
}

template <class T>
double crossEntropyLoss(const TensorT<T>& logits, const std::vector<int>& classes, TensorT<T>* grad) {
  checkCrossEntropy(logits.shape, classes);
  const int N = logits.shape[0], K = logits.shape[1];
  double total = 0;
  for (int n = 0; n < N; ++n) total += logSumExp(logits.item(n), K) - logits.item(n)[classes[static_cast<std::size_t>(n)]];
  if (grad) {
    grad->resize(logits.shape);
    crossEntropyGradient(logits, classes, *grad, 0, N);
  }
  return total / N;
}

template double mseLoss<float>(const Tensor&, const std::vector<double>&, Tensor*);
template double mseLoss<double>(const TensorD&, const std::vector<double>&, TensorD*);
template double crossEntropyLoss<float>(const Tensor&, const std::vector<int>&, Tensor*);
template double crossEntropyLoss<double>(const TensorD&, const std::vector<int>&, TensorD*);
template void mseGradient<float>(const Tensor&, const std::vector<double>&, Tensor&, int, int);
template void mseGradient<double>(const TensorD&, const std::vector<double>&, TensorD&, int, int);
template void crossEntropyGradient<float>(const Tensor&, const std::vector<int>&, Tensor&, int, int);
template void crossEntropyGradient<double>(const TensorD&, const std::vector<int>&, TensorD&, int, int);

std::string_view toString(LossKind k) { return k == LossKind::MSE ? "mse" : "cross_entropy"; }
std::optional<LossKind> parseLossKind(std::string_view s) {
  if (s == "mse") return LossKind::MSE;
  if (s == "cross_entropy") return LossKind::CrossEntropy;
  return std::nullopt;
}

}  // namespace initscope
