#pragma once
// Losses with PyTorch's mean reduction. Each returns the loss (summed in double) and, when grad
// is given, writes dL/d(output) into it.
//   mse:           output flattened against float targets of the same element count
//                  (the lesson's labels as floats against an (N, 1) output)
//   cross_entropy: logits (N, K) against class indices in [0, K)
#include "tensor.h"

#include <optional>
#include <string_view>
#include <vector>

namespace initscope {

enum class LossKind { MSE, CrossEntropy };

template <class T>
double mseLoss(const TensorT<T>& output, const std::vector<double>& targets, TensorT<T>* grad);

template <class T>
double crossEntropyLoss(const TensorT<T>& logits, const std::vector<int>& classes, TensorT<T>* grad);

// The same gradients for items [n0, n1) only (Network::forwardBackward asks chunk by chunk);
// grad has the output's shape. They check nothing: call checkMse / checkCrossEntropy first.
template <class T>
void mseGradient(const TensorT<T>& output, const std::vector<double>& targets, TensorT<T>& grad, int n0, int n1);
template <class T>
void crossEntropyGradient(const TensorT<T>& logits, const std::vector<int>& classes, TensorT<T>& grad, int n0,
                          int n1);
// Throws std::invalid_argument, as the losses do, when they cannot use an output of this shape
// with these targets (mse) or labels (cross_entropy).
void checkMse(const Shape& output, std::size_t targets);
void checkCrossEntropy(const Shape& logits, const std::vector<int>& classes);

std::string_view toString(LossKind k);  // "mse", "cross_entropy"
std::optional<LossKind> parseLossKind(std::string_view s);

}  // namespace initscope
