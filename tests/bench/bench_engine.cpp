// The engine's benchmarks (Google Benchmark, real time), the same workloads as
// bench_torch.py runs in PyTorch, plus the GUI's interactive path and a per-layer breakdown.
// Each reports ms per iteration and GFLOP/s (2 x multiply-adds, forward + backward).
//   build/release/tests/bench/bench_engine --benchmark_min_time=0.5
#include "core/experiment.h"
#include "core/presets.h"
#include "core/network.h"
#include "core/parallel.h"

#include <Eigen/Core>
#include <benchmark/benchmark.h>

#include <chrono>
#include <cmath>
#include <memory>
#include <vector>

namespace initscope {
namespace {

std::vector<LayerSpec> fourConv() { return notebookFourConv(); }

std::vector<LayerSpec> mlp20() {
  std::vector<LayerSpec> v;
  for (int i = 0; i < 20; ++i) {
    v.push_back(LayerSpec::linear(512, 512));
    v.push_back(LayerSpec::relu());
  }
  return v;
}

// Multiply-adds of conv and linear layers over one forward pass of one example.
double macsPerExample(const std::vector<LayerSpec>& layers, const Shape& input, double* first = nullptr) {
  const std::vector<Shape> shapes = inferShapes(layers, input);
  double macs = 0;
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const LayerSpec& l = layers[i];
    const Shape& o = shapes[i + 1];
    if (l.kind == LayerKind::Conv2d)
      macs += double(l.outChannels) * l.inChannels * l.kernelH * l.kernelW * o[2] * o[3];
    else if (l.kind == LayerKind::Linear)
      macs += double(l.inChannels) * l.outChannels;
    if (first && i == 0) *first = macs;
  }
  return macs;
}

// Forward + backward = 3 GEMM-equivalents (y, dx, dW) per layer, less the first layer's dx,
// which nobody needs (PyTorch's count too); 2 FLOPs per multiply-add.
void setFlops(benchmark::State& st, double macsPerEx, double firstLayerMacs, int batch) {
  const double flops = 2.0 * (3.0 * macsPerEx - firstLayerMacs) * batch;
  st.counters["GFLOP"] = flops / 1e9;
  st.counters["GFLOP/s"] = benchmark::Counter(flops * double(st.iterations()) / 1e9, benchmark::Counter::kIsRate);
}

Batch mnistBatch(int n) {
  DataConfig d;
  d.batch = n;
  return loadBatch(d, 0);
}

// Forward, mse and backward as the Engine runs them: one pass, each chunk forward and straight
// back (Network::forwardBackward), then the loss value.
double trainStep(Network<float>& net, const Batch& b) {
  net.forwardBackward(b.x, [&](const Tensor& out, Tensor& grad, int n0, int n1) {
    mseGradient(out, b.targets, grad, n0, n1);
  });
  return mseLoss<float>(net.output(), b.targets, nullptr);
}

// As PyTorch's step: the loss and the parameter gradients are what it returns; the activations
// and their gradients live only while their chunk is under way (setRetainTensors(false)).
// BM_FourConvTrainStepKeepAll keeps every tensor of the batch, as the GUI's runs do for their
// statistics, which costs the memory traffic of writing them all.
void fourConvTrainStep(benchmark::State& st, bool keepAll) {
  const int batch = static_cast<int>(st.range(0));
  const Batch b = mnistBatch(batch);
  Network<float> net(fourConv(), b.x.shape);
  net.setComputeInputGradient(false);  // as PyTorch: the input does not require grad
  net.setRetainTensors(keepAll);
  net.initialize(InitSpec{}, BiasSpec{}, 0);
  auto step = [&] { benchmark::DoNotOptimize(trainStep(net, b)); };
  step();  // warm-up, as bench_torch.py's: first touch of the activation and gradient buffers
  for (auto _ : st) step();
  {
    double first = 0;
    const double macs = macsPerExample(fourConv(), b.x.shape, &first);
    setFlops(st, macs, first, batch);
  }
}
void BM_FourConvTrainStep(benchmark::State& st) { fourConvTrainStep(st, false); }
void BM_FourConvTrainStepKeepAll(benchmark::State& st) { fourConvTrainStep(st, true); }
BENCHMARK(BM_FourConvTrainStep)->Arg(100)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_FourConvTrainStepKeepAll)->Arg(100)->Arg(1000)->Unit(benchmark::kMillisecond)->UseRealTime();

// The sweep as core/sweep.cpp runs it: points side by side, one network per thread, each point
// on one thread (the engine's inner regions run serially inside the outer one).
void sweepA50(std::vector<std::unique_ptr<Network<float>>>& nets, const Batch& b, int threads) {
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
  for (int k = 0; k < 50; ++k) {
    const auto t = static_cast<std::size_t>(engineThreadIndex());
    Network<float>& net = *nets[t];
    InitSpec init;
    init.scheme = Scheme::KaimingUniform;
    init.a = 3.0 * k / 49.0;
    net.initialize(init, BiasSpec{BiasScheme::Zeros, 0}, 0);
    benchmark::DoNotOptimize(trainStep(net, b));
  }
}

void BM_SweepA50(benchmark::State& st) {
  const Batch b = mnistBatch(100);
  const int threads = std::max(1, engineThreads());
  std::vector<std::unique_ptr<Network<float>>> nets;
  for (int t = 0; t < threads; ++t) {
    nets.push_back(std::make_unique<Network<float>>(fourConv(), b.x.shape));
    nets.back()->setComputeInputGradient(false);
    nets.back()->setRetainTensors(false);  // as BM_FourConvTrainStep
  }
  sweepA50(nets, b, threads);  // warm-up
  for (auto _ : st) sweepA50(nets, b, threads);
  {
    double first = 0;
    const double macs = macsPerExample(fourConv(), b.x.shape, &first);
    setFlops(st, 50 * macs, 50 * first, 100);
  }
}
BENCHMARK(BM_SweepA50)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_Mlp20x512(benchmark::State& st) {
  const Batch b = syntheticBatch(Shape{1000, 512}, 0);
  Network<float> net(mlp20(), b.x.shape);
  net.setComputeInputGradient(false);
  net.initialize(InitSpec{.scheme = Scheme::KaimingNormal}, BiasSpec{}, 0);
  Tensor g(net.shapes().back());
  for (std::size_t i = 0; i < g.numel(); ++i) g.data[i] = 1e-3f;
  net.forward(b.x);  // warm-up
  net.backward(g);
  for (auto _ : st) {
    net.forward(b.x);
    net.backward(g);
    benchmark::DoNotOptimize(net.inputGradient().data.data());
  }
  {
    double first = 0;
    const double macs = macsPerExample(mlp20(), b.x.shape, &first);
    setFlops(st, macs, first, 1000);
  }
}
BENCHMARK(BM_Mlp20x512)->Unit(benchmark::kMillisecond)->UseRealTime();

// What the GUI runs on every slider move: init, forward, loss, backward, every statistic, on the
// GUI's Engine (network, batch and buffers kept between runs), a moving between two values.
void BM_InteractiveRun(benchmark::State& st) {
  ExperimentConfig c;
  c.layers = fourConv();
  c.data.batch = static_cast<int>(st.range(0));
  c.init.scheme = Scheme::KaimingUniform;
  Engine engine;
  engine.run(c);  // warm-up: decodes the embedded digits once, touches the buffers
  int k = 0;
  double fwd = 0, bwd = 0, stats = 0;
  for (auto _ : st) {
    c.init.a = (k++ % 2) ? 0.0 : std::sqrt(5.0);
    const RunResult r = engine.run(c);
    fwd += r.timings.forwardMs;
    bwd += r.timings.backwardMs;
    stats += r.timings.statsMs;
  }
  st.counters["forward_ms"] = fwd / double(st.iterations());
  st.counters["backward_ms"] = bwd / double(st.iterations());
  st.counters["stats_ms"] = stats / double(st.iterations());
  st.counters["threads"] = engineThreads();
  {
    double first = 0;
    const double macs = macsPerExample(fourConv(), Shape{c.data.batch, 1, 28, 28}, &first);
    setFlops(st, macs, first, c.data.batch);
  }
}
BENCHMARK(BM_InteractiveRun)->Arg(100)->Arg(1000)->Unit(benchmark::kMillisecond)->UseRealTime();

// Per-layer breakdown of the model's step: forward and backward time of each layer, each layer
// over the whole batch (the step runs them chunk by chunk, so this adds the cache misses between
// layers that the step avoids; the first layer computes no input gradient, as in the step).
void BM_FourConvPerLayer(benchmark::State& st) {
  const int batch = static_cast<int>(st.range(0));
  const Batch b = mnistBatch(batch);
  Network<float> net(fourConv(), b.x.shape);
  net.initialize(InitSpec{}, BiasSpec{}, 0);
  Tensor g;
  net.forward(b.x);
  mseLoss(net.output(), b.targets, &g);
  net.backward(g);
  std::vector<double> fwd(static_cast<std::size_t>(net.size())), bwd(fwd.size());
  std::vector<Tensor> acts(fwd.size() + 1), grads(fwd.size() + 1);
  acts[0] = b.x;
  for (int i = 0; i < net.size(); ++i) acts[static_cast<std::size_t>(i) + 1] = net.activation(i);
  using Clock = std::chrono::steady_clock;
  for (auto _ : st) {
    for (int i = 0; i < net.size(); ++i) {
      const auto t = Clock::now();
      net.layer(i).forward(acts[static_cast<std::size_t>(i)], acts[static_cast<std::size_t>(i) + 1]);
      fwd[static_cast<std::size_t>(i)] += std::chrono::duration<double, std::milli>(Clock::now() - t).count();
    }
    grads.back() = g;
    for (int i = net.size() - 1; i >= 0; --i) {
      const auto t = Clock::now();
      const auto k = static_cast<std::size_t>(i);
      if (i > 0) {
        net.layer(i).backward(acts[k], acts[k + 1], grads[k + 1], grads[k]);
      } else {  // as in the step: no input gradient for the first layer (only its weight's)
        Layer<float>& l = net.layer(0);
        l.beginBackward();
        forEachSlot(batch, [&](int slot, int n0, int n1) { l.backwardItems(acts[0], acts[1], grads[1], nullptr, n0, n1, slot); },
                    kLanes);
        l.finishBackward(acts[0], grads[1]);
      }
      bwd[k] += std::chrono::duration<double, std::milli>(Clock::now() - t).count();
    }
  }
  for (int i = 0; i < net.size(); ++i) {
    const auto k = static_cast<std::size_t>(i);
    const std::string name = std::to_string(i + 1) + "_" + std::string(toString(net.layer(i).spec().kind));
    const double fwdMs = fwd[k] / double(st.iterations()), bwdMs = bwd[k] / double(st.iterations());
    st.counters[name + "_fwd_ms"] = fwdMs;
    st.counters[name + "_bwd_ms"] = bwdMs;
    // GFLOP/s of the layers that multiply: forward 2 x multiply-adds, backward twice that (dW
    // and dX) but once for the first layer (dW only).
    const double macs = macsPerExample({net.layer(i).spec()}, net.shapes()[k]) * batch;
    if (macs > 0) {
      st.counters[name + "_fwd_GFLOP/s"] = 2 * macs / (fwdMs * 1e6);
      st.counters[name + "_bwd_GFLOP/s"] = 2 * macs * (i == 0 ? 1 : 2) / (bwdMs * 1e6);
    }
  }
}
BENCHMARK(BM_FourConvPerLayer)->Arg(100)->Arg(1000)->Unit(benchmark::kMillisecond)->UseRealTime();

// The machine's reference: Eigen's float GEMM, C = A B with n x n matrices, 2 n^3 FLOPs, one
// block of C's columns per engine thread (the engine builds Eigen with EIGEN_DONT_PARALLELIZE).
void gemmByColumns(const Eigen::MatrixXf& a, const Eigen::MatrixXf& b, Eigen::MatrixXf& c) {
  const int threads = std::max(1, engineThreads());
  const Eigen::Index n = b.cols();
#pragma omp parallel for num_threads(threads)
  for (int t = 0; t < threads; ++t) {
    const Eigen::Index j0 = n * t / threads, j1 = n * (t + 1) / threads;
    c.middleCols(j0, j1 - j0).noalias() = a * b.middleCols(j0, j1 - j0);
  }
}

void BM_EigenGemm(benchmark::State& st) {
  const auto n = static_cast<Eigen::Index>(st.range(0));
  const Eigen::MatrixXf a = Eigen::MatrixXf::Random(n, n), b = Eigen::MatrixXf::Random(n, n);
  Eigen::MatrixXf c(n, n);
  gemmByColumns(a, b, c);  // warm-up: Eigen's packing buffers
  for (auto _ : st) {
    gemmByColumns(a, b, c);
    benchmark::DoNotOptimize(c.data());
  }
  st.counters["GFLOP/s"] = benchmark::Counter(2.0 * double(n) * double(n) * double(n) * double(st.iterations()) / 1e9,
                                              benchmark::Counter::kIsRate);
}
BENCHMARK(BM_EigenGemm)->Arg(1024)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace initscope

BENCHMARK_MAIN();
