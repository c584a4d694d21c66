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

std::string_view toString(LossKind k);  // "mse", "cross_entropy"
std::optional<LossKind> parseLossKind(std::string_view s);

}  // namespace initscope
