// conv2d's lane-parallel kernels against a plain loop reference written from the definition:
// every geometry the tiles special-case (channel counts not multiples of 4, pixel and weight
// counts with remainders 1-3, stride larger than the kernel, padding, 1x1, non-square), batch
// sizes that leave partial groups of 16 items (9 to 15 run 16 wide, 8 or fewer 8 wide), and
// arbitrary chunkings of the batch.
#include "core/layers/layer.h"
#include "core/parallel.h"
#include "core/rng.h"

#include <gtest/gtest.h>

#include <cmath>

namespace initscope {
namespace {

struct Geometry {
  const char* name;
  int C, OC, KH, KW, SH, SW, PH, PW, H, W;
  bool bias = true;
};

LayerSpec specOf(const Geometry& g) {
  LayerSpec s = LayerSpec::conv2d(g.C, g.OC, g.KH, g.SH, g.PH, g.bias);
  s.kernelW = g.KW;
  s.strideW = g.SW;
  s.padW = g.PW;
  return s;
}

template <class T>
void fillNormal(TensorT<T>& t, std::uint64_t stream) {
  Rng r(99, stream);
  for (std::size_t i = 0; i < t.numel(); ++i) t.data[i] = static_cast<T>(r.normal(i));
}

// The definition, in double: y[n,o,i,j] = b[o] + sum_{c,u,v} w[o,c,u,v] x[n,c,i*sh-ph+u, j*sw-pw+v],
// and its gradients for an upstream gradient dy.
struct Reference {
  TensorD y, dx, dw, db;
};

Reference reference(const Geometry& g, const TensorD& x, const TensorD& w, const TensorD* b, const TensorD& dy) {
  const int N = x.shape[0];
  const int OH = (g.H + 2 * g.PH - g.KH) / g.SH + 1, OW = (g.W + 2 * g.PW - g.KW) / g.SW + 1;
  Reference r{TensorD(Shape{N, g.OC, OH, OW}), TensorD(x.shape), TensorD(w.shape), TensorD(Shape{g.OC})};
  auto X = [&](int n, int c, int h, int v) -> double {
    return x.data[((static_cast<std::size_t>(n) * g.C + c) * g.H + h) * g.W + v];
  };
  auto Wt = [&](int o, int c, int u, int v) -> double {
    return w.data[((static_cast<std::size_t>(o) * g.C + c) * g.KH + u) * g.KW + v];
  };
  for (int n = 0; n < N; ++n)
    for (int o = 0; o < g.OC; ++o)
      for (int i = 0; i < OH; ++i)
        for (int j = 0; j < OW; ++j) {
          const std::size_t yi = ((static_cast<std::size_t>(n) * g.OC + o) * OH + i) * OW + j;
          double acc = b ? b->data[static_cast<std::size_t>(o)] : 0.0;
          const double d = dy.data[yi];
          if (b) r.db.data[static_cast<std::size_t>(o)] += d;
          for (int c = 0; c < g.C; ++c)
            for (int u = 0; u < g.KH; ++u)
              for (int v = 0; v < g.KW; ++v) {
                const int h = i * g.SH - g.PH + u, q = j * g.SW - g.PW + v;
                if (h < 0 || h >= g.H || q < 0 || q >= g.W) continue;
                acc += Wt(o, c, u, v) * X(n, c, h, q);
                r.dx.data[((static_cast<std::size_t>(n) * g.C + c) * g.H + h) * g.W + q] += Wt(o, c, u, v) * d;
                r.dw.data[((static_cast<std::size_t>(o) * g.C + c) * g.KH + u) * g.KW + v] += X(n, c, h, q) * d;
              }
          r.y.data[yi] = acc;
        }
  return r;
}

template <class T>
double scaledError(const TensorT<T>& got, const TensorD& want) {
  double worst = 0, scale = 0;
  for (std::size_t i = 0; i < want.numel(); ++i) {
    worst = std::max(worst, std::abs(static_cast<double>(got.data[i]) - want.data[i]));
    scale = std::max(scale, std::abs(want.data[i]));
  }
  return worst / std::max(scale, 1e-300);
}

template <class T>
TensorT<T> cast(const TensorD& t) {
  TensorT<T> out(t.shape);
  for (std::size_t i = 0; i < t.numel(); ++i) out.data[i] = static_cast<T>(t.data[i]);
  return out;
}

// How forward and backward calls are ordered: every forward, then beginBackward and every
// backward (Network::forward then backward); or beginBackward first and then each chunk forward
// and straight back (Network::forwardBackward, where backward reuses the forward's lane input);
// or beginBackward first, every forward, then every backward (only the last chunk's input is
// still there: the others must be gathered again).
enum class Order { Passes, ChunkByChunk, ForwardsThenBackwards };

// Runs the layer through its engine interface with the batch cut into the given chunks, chunk k
// in slot k / chunksPerSlot (a slot's chunks in order, as the network runs them).
template <class T>
void runChunked(Layer<T>& layer, const TensorT<T>& x, TensorT<T>& y, const TensorT<T>& dy, TensorT<T>& dx,
                const std::vector<int>& cuts, int chunksPerSlot = 1, Order order = Order::Passes) {
  y.resize(layer.outputShape(x.shape));
  dx.resize(x.shape);
  layer.prepare(x.shape);
  const auto forward = [&](std::size_t k) {
    layer.forwardItems(x, y, cuts[k], cuts[k + 1], static_cast<int>(k) / chunksPerSlot);
  };
  const auto backward = [&](std::size_t k) {
    layer.backwardItems(x, y, dy, &dx, cuts[k], cuts[k + 1], static_cast<int>(k) / chunksPerSlot);
  };
  if (order != Order::Passes) layer.beginBackward();
  if (order != Order::ChunkByChunk)
    for (std::size_t k = 0; k + 1 < cuts.size(); ++k) forward(k);
  if (order == Order::Passes) layer.beginBackward();
  for (std::size_t k = 0; k + 1 < cuts.size(); ++k) {
    if (order == Order::ChunkByChunk) forward(k);
    backward(k);
  }
  layer.finishBackward(x, dy);
}

template <class T>
void checkAgainstReference(const Geometry& g, int N, const std::vector<int>& cuts, double tol, int chunksPerSlot = 1,
                           Order order = Order::Passes) {
  SCOPED_TRACE(std::string(g.name) + " batch " + std::to_string(N) + " in " + std::to_string(cuts.size() - 1) +
               " chunks");
  auto layer = makeLayer<T>(specOf(g));
  TensorD x(Shape{N, g.C, g.H, g.W}), w(layer->weight()->value.shape), b(Shape{g.OC});
  fillNormal(x, 1);
  fillNormal(w, 2);
  fillNormal(b, 3);
  layer->weight()->value = cast<T>(w);
  if (g.bias) layer->bias()->value = cast<T>(b);
  const Shape outShape = layer->outputShape(x.shape);
  TensorD dy(outShape);
  fillNormal(dy, 4);
  const Reference ref = reference(g, x, w, g.bias ? &b : nullptr, dy);

  TensorT<T> y, dx;
  runChunked(*layer, cast<T>(x), y, cast<T>(dy), dx, cuts, chunksPerSlot, order);
  EXPECT_LT(scaledError(y, ref.y), tol) << "output";
  EXPECT_LT(scaledError(dx, ref.dx), tol) << "input gradient";
  EXPECT_LT(scaledError(layer->weight()->grad, ref.dw), tol) << "weight gradient";
  if (g.bias) {
    EXPECT_LT(scaledError(layer->bias()->grad, ref.db), tol) << "bias gradient";
  }
}

const Geometry kGeometries[] = {
    {"notebook_conv1", 1, 8, 5, 5, 2, 2, 2, 2, 28, 28},
    {"notebook_conv4", 32, 1, 3, 3, 2, 2, 1, 1, 4, 4},
    {"c3_oc5_3x3", 3, 5, 3, 3, 1, 1, 0, 0, 6, 7},
    {"c6_oc7_s2p1", 6, 7, 3, 3, 2, 2, 1, 1, 9, 8},
    {"c7_oc12_1x1", 7, 12, 1, 1, 1, 1, 0, 0, 5, 3},
    {"k2_s3", 2, 4, 2, 2, 3, 3, 0, 0, 8, 8},
    {"k3x5_s2x1_p1x2", 3, 6, 3, 5, 2, 1, 1, 2, 7, 9},
    {"pad_wider_than_needed", 2, 3, 3, 3, 1, 1, 3, 3, 4, 4},
    {"c20_oc9_nobias", 20, 9, 3, 3, 1, 1, 1, 1, 5, 5, false},
};

TEST(Conv2dKernels, MatchTheDefinitionInDouble) {
  for (const Geometry& g : kGeometries) {
    checkAgainstReference<double>(g, 1, {0, 1}, 1e-12);
    checkAgainstReference<double>(g, 37, {0, 37}, 1e-12);              // groups of 16, 16 and 5
    checkAgainstReference<double>(g, 37, {0, 3, 20, 21, 37}, 1e-12);   // chunks not aligned to groups
  }
}

TEST(Conv2dKernels, MatchTheDefinitionInFloat) {
  for (const Geometry& g : kGeometries) {
    checkAgainstReference<float>(g, 17, {0, 17}, 2e-6);
    checkAgainstReference<float>(g, 50, {0, 16, 48, 50}, 2e-6);
  }
}

// An item's output does not depend on which lane or chunk it is computed in.
TEST(Conv2dKernels, OutputIsTheSameBitsInAnyChunking) {
  const Geometry g = kGeometries[3];
  auto layer = makeLayer<float>(specOf(g));
  Tensor x(Shape{40, g.C, g.H, g.W});
  fillNormal(x, 5);
  fillNormal(layer->weight()->value, 6);
  fillNormal(layer->bias()->value, 7);
  Tensor whole, chunked;
  layer->forward(x, whole);
  chunked.resize(whole.shape);
  layer->prepare(x.shape);
  for (int n0 : {0, 1, 2, 9, 30}) {
    const int n1 = n0 == 30 ? 40 : (n0 == 9 ? 30 : n0 + (n0 == 2 ? 7 : 1));
    layer->forwardItems(x, chunked, n0, n1, 0);
  }
  EXPECT_EQ(whole.data, chunked.data);
}

// Weight gradients summed over many slots and chunks (the network's way) match one pass.
TEST(Conv2dKernels, SlotPartialsAddUp) {
  const Geometry g = kGeometries[0];
  std::vector<int> cuts;
  for (int n = 0; n < 200; n += 16) cuts.push_back(n);  // 13 chunks: 12 of 16 items and one of 8
  cuts.push_back(200);
  checkAgainstReference<double>(g, 200, cuts, 1e-12);     // one chunk per slot
  checkAgainstReference<double>(g, 200, cuts, 1e-12, 3);  // three chunks per slot, summed in the slot
  checkAgainstReference<float>(g, 200, cuts, 2e-6, 5);
}

// A group of 8 or fewer items runs 8 lanes wide and adds into the first half of the 16-lane dW
// accumulators. Here the second slot starts with such a group, so the half it does not reach
// still holds the first slot's sums unless the fresh start clears it; then a full group follows in
// the same slot. Every geometry, so each tile width meets the narrow path.
TEST(Conv2dKernels, NarrowGroupsStartingASlot) {
  for (const Geometry& g : kGeometries) {
    checkAgainstReference<double>(g, 53, {0, 16, 32, 37, 53}, 1e-12, 2);
    checkAgainstReference<float>(g, 53, {0, 16, 32, 37, 53}, 2e-6, 2);
    checkAgainstReference<float>(g, 8, {0, 8}, 2e-6);  // a batch that is one narrow group
  }
}

// Backward reuses the lane-interleaved input of the chunk its thread just ran forward, and
// gathers it again for any other chunk: chunks of several groups with a narrow last one.
TEST(Conv2dKernels, BackwardReusesTheForwardInputOnlyForThatChunk) {
  for (const Geometry& g : kGeometries)
    for (Order order : {Order::ChunkByChunk, Order::ForwardsThenBackwards}) {
      checkAgainstReference<double>(g, 45, {0, 3, 20, 45}, 1e-12, 1, order);
      checkAgainstReference<float>(g, 45, {0, 3, 20, 45}, 2e-6, 2, order);
    }
}

}  // namespace
}  // namespace initscope
