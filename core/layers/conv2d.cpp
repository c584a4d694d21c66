#include "conv2d.h"

#include "../parallel.h"

#include <algorithm>
#include <cstring>
#include <type_traits>

namespace initscope {

namespace {

constexpr int L = kLanes;

// One vector of L values: a zmm register of floats with AVX-512 (two ymm with AVX2); doubles take
// two zmm, which is fine for the reference/gradient-check builds. Memory is only touched through
// load()/store() (memcpy): plain T buffers, any alignment, and ThreadSanitizer checks the range.
template <class T>
struct Lanes;
template <>
struct Lanes<float> {
  typedef float V __attribute__((vector_size(L * sizeof(float)), aligned(alignof(float))));
};
template <>
struct Lanes<double> {
  typedef double V __attribute__((vector_size(L * sizeof(double)), aligned(alignof(double))));
};
template <class T>
using V = typename Lanes<T>::V;

template <class T>
inline V<T> load(const T* p) {
  V<T> v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
template <class T>
inline void store(T* p, const V<T>& v) {
  std::memcpy(p, &v, sizeof v);
}
// Pairwise sum of the lanes: a fixed order, so the same bits every run.
template <class T>
inline double laneSum(const V<T>& v) {
  T a[L];
  std::memcpy(a, &v, sizeof v);
  for (int w = L / 2; w >= 1; w /= 2)
    for (int i = 0; i < w; ++i) a[i] += a[i + w];
  return static_cast<double>(a[0]);
}

// Keeps a loaded vector in a register: without it GCC folds the load into each of the four FMAs
// that use it (four loads instead of one: the dW tile became load-bound, 20 loads per 16 FMAs,
// on Zen 4 one 512-bit load per cycle).
template <class T>
inline void inRegister(V<T>& v) {
  if constexpr (sizeof(V<T>) == 64) asm("" : "+v"(v));
}

// The butterfly step of the 16 x 16 transposes and lane sums: for vectors a, b and k = 8, 4, 2, 1,
//   lo[c] = c has bit k ? b[c - k] : a[c]      hi[c] = c has bit k ? b[c] : a[c + k]
// (swaps the off-diagonal k x k blocks of every 2k x 2k block of the pair's rows).
template <int K>
inline void butterfly(V<float>& a, V<float>& b) {
  static_assert(L == 16);
  // Two-source shuffles with constant indices: GCC's __builtin_shuffle takes a mask vector,
  // clang's __builtin_shufflevector the indices themselves (clang builds the fuzzers).
#if defined(__clang__)
#define INITSCOPE_SHUFFLE(x, y, ...) __builtin_shufflevector(x, y, __VA_ARGS__)
#else
  typedef int I __attribute__((vector_size(L * sizeof(int))));
#define INITSCOPE_SHUFFLE(x, y, ...) __builtin_shuffle(x, y, I{__VA_ARGS__})
#endif
  const V<float> x = a, y = b;
  if constexpr (K == 8) {
    a = INITSCOPE_SHUFFLE(x, y, 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23);
    b = INITSCOPE_SHUFFLE(x, y, 8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31);
  } else if constexpr (K == 4) {
    a = INITSCOPE_SHUFFLE(x, y, 0, 1, 2, 3, 16, 17, 18, 19, 8, 9, 10, 11, 24, 25, 26, 27);
    b = INITSCOPE_SHUFFLE(x, y, 4, 5, 6, 7, 20, 21, 22, 23, 12, 13, 14, 15, 28, 29, 30, 31);
  } else if constexpr (K == 2) {
    a = INITSCOPE_SHUFFLE(x, y, 0, 1, 16, 17, 4, 5, 20, 21, 8, 9, 24, 25, 12, 13, 28, 29);
    b = INITSCOPE_SHUFFLE(x, y, 2, 3, 18, 19, 6, 7, 22, 23, 10, 11, 26, 27, 14, 15, 30, 31);
  } else {
    static_assert(K == 1);
    a = INITSCOPE_SHUFFLE(x, y, 0, 16, 2, 18, 4, 20, 6, 22, 8, 24, 10, 26, 12, 28, 14, 30);
    b = INITSCOPE_SHUFFLE(x, y, 1, 17, 3, 19, 5, 21, 7, 23, 9, 25, 11, 27, 13, 29, 15, 31);
  }
#undef INITSCOPE_SHUFFLE
}

// 16 x 16 transpose in registers: rows r[b] (one per item) <-> columns (one per element).
template <int K = 8>
inline void transpose16(V<float>* r) {
  for (int i = 0; i < L; ++i)
    if (!(i & K)) butterfly<K>(r[i], r[i + K]);
  if constexpr (K > 1) transpose16<K / 2>(r);
}

// Lane sums of 16 vectors: afterwards lane c of r[0] is the sum of the lanes of r[c]. Each stage
// halves the vectors: the butterfly pairs r[i] with r[i + K] and the halves are added, 30 shuffles
// and 15 adds (a transpose and 15 adds take 64 shuffles).
template <int K = 8>
inline void sum16(V<float>* r) {
  for (int i = 0; i < K; ++i) {
    butterfly<K>(r[i], r[i + K]);
    r[i] += r[i + K];
  }
  if constexpr (K > 1) sum16<K / 2>(r);
}

// out[i] = the sum of the lanes of vector i (at v + i * L), i < n; floats 16 vectors at a time.
template <class T>
void laneSums(const T* v, std::size_t n, double* out) {
  std::size_t i = 0;
  if constexpr (std::is_same_v<T, float>) {
    for (; i + L <= n; i += L) {
      V<float> r[L];
      for (int j = 0; j < L; ++j) r[j] = load(v + (i + j) * L);
      sum16(r);
      for (int j = 0; j < L; ++j) out[i + j] = static_cast<double>(r[0][j]);
    }
  }
  for (; i < n; ++i) out[i] = laneSum<T>(load(v + i * L));
}

// Items to lanes: dst[off(i) + b] = src[b][i] for elements i in [0, n) and lanes b in [0, L); a
// null src[b] gives zeros. Floats go 16 x 16 through registers, the rest (and doubles) one by one.
template <class T, class Off>
void toLanes(const T* const* src, std::size_t n, T* dst, Off off) {
  std::size_t i = 0;
  if constexpr (std::is_same_v<T, float>) {
    for (; i + L <= n; i += L) {
      V<float> r[L];
      for (int b = 0; b < L; ++b) r[b] = src[b] ? load(src[b] + i) : V<float>{};
      transpose16(r);
      for (int j = 0; j < L; ++j) store(dst + off(i + j), r[j]);
    }
  }
  for (; i < n; ++i)
    for (int b = 0; b < L; ++b) dst[off(i) + b] = src[b] ? src[b][i] : T(0);
}

// Lanes to items: dst[b][i] = src[off(i) + b] for lanes b < count.
template <class T, class Off>
void fromLanes(const T* src, std::size_t n, T* const* dst, int count, Off off) {
  std::size_t i = 0;
  if constexpr (std::is_same_v<T, float>) {
    for (; i + L <= n; i += L) {
      V<float> r[L];
      for (int j = 0; j < L; ++j) r[j] = load(src + off(i + j));
      transpose16(r);
      for (int b = 0; b < count; ++b) store(dst[b] + i, r[b]);
    }
  }
  for (; i < n; ++i)
    for (int b = 0; b < count; ++b) dst[b][i] = src[off(i) + b];
}

// Forward tile: 4 output channels [o0, o0+4) x PX output pixels [p0, p0+PX) of one group.
template <class T, int PX>
inline void forwardTile(const T* xp, const std::ptrdiff_t* pbase, const std::ptrdiff_t* koff, int K, const T* wf,
                        const T* bias, int OCp, int o0, int p0, int P, T* yp) {
  V<T> acc[4][PX];
  const T* xj[PX];
#pragma GCC unroll 4
  for (int j = 0; j < PX; ++j) {
    xj[j] = xp + pbase[p0 + j];
#pragma GCC unroll 4
    for (int o = 0; o < 4; ++o) acc[o][j] = V<T>{} + bias[o0 + o];
  }
  const T* w = wf + o0;
  for (int k = 0; k < K; ++k, w += OCp) {
    const std::ptrdiff_t off = koff[k];
    V<T> xv[PX];
#pragma GCC unroll 4
    for (int j = 0; j < PX; ++j) xv[j] = load(xj[j] + off);
#pragma GCC unroll 4
    for (int o = 0; o < 4; ++o) {
      const T wo = w[o];
#pragma GCC unroll 4
      for (int j = 0; j < PX; ++j) acc[o][j] += wo * xv[j];
    }
  }
#pragma GCC unroll 4
  for (int o = 0; o < 4; ++o)
#pragma GCC unroll 4
    for (int j = 0; j < PX; ++j) store(yp + (static_cast<std::ptrdiff_t>(o0 + o) * P + p0 + j) * L, acc[o][j]);
}

// dW tile: 4 output channels [o0, o0+4) x KB weights [k0, k0+KB), summed over the chunk's groups
// and every pixel into the thread's lane accumulators acc[k][OCp].
template <class T, int KB>
inline void weightGradTile(const T* xs, std::size_t xGroup, const T* dys, std::size_t yGroup, int groups,
                           const std::ptrdiff_t* pbase, const std::ptrdiff_t* koff, int P, int OCp, int o0, int k0,
                           T* accMem, bool fresh) {
  V<T> acc[4][KB] = {};  // a slot's first chunk starts from zero, the next ones from accMem
  if (!fresh)
#pragma GCC unroll 4
    for (int t = 0; t < KB; ++t)
#pragma GCC unroll 4
      for (int o = 0; o < 4; ++o) acc[o][t] = load(accMem + (static_cast<std::size_t>(k0 + t) * OCp + o0 + o) * L);
  for (int g = 0; g < groups; ++g) {
    const T* xk[KB];
#pragma GCC unroll 4
    for (int t = 0; t < KB; ++t) xk[t] = xs + g * xGroup + koff[k0 + t];
    const T* dy = dys + g * yGroup + static_cast<std::ptrdiff_t>(o0) * P * L;
    for (int p = 0; p < P; ++p) {
      // Named locals, not an array: an array would be kept in memory because of inRegister.
      V<T> d0 = load(dy + static_cast<std::ptrdiff_t>(p) * L), d1 = load(dy + (static_cast<std::ptrdiff_t>(P) + p) * L),
           d2 = load(dy + (2 * static_cast<std::ptrdiff_t>(P) + p) * L),
           d3 = load(dy + (3 * static_cast<std::ptrdiff_t>(P) + p) * L);
      inRegister<T>(d0);
      inRegister<T>(d1);
      inRegister<T>(d2);
      inRegister<T>(d3);
      const std::ptrdiff_t pb = pbase[p];
#pragma GCC unroll 4
      for (int t = 0; t < KB; ++t) {
        V<T> xv = load(xk[t] + pb);
        inRegister<T>(xv);
        acc[0][t] += d0 * xv;
        acc[1][t] += d1 * xv;
        acc[2][t] += d2 * xv;
        acc[3][t] += d3 * xv;
      }
    }
  }
#pragma GCC unroll 4
  for (int t = 0; t < KB; ++t)
#pragma GCC unroll 4
    for (int o = 0; o < 4; ++o) store(accMem + (static_cast<std::size_t>(k0 + t) * OCp + o0 + o) * L, acc[o][t]);
}

// dX tile: KB weights [k0, k0+KB) (input channel and tap) x PX output pixels [p0, p0+PX), summed
// over the output channels and added into the padded input gradient. Tiling over k rather than
// input channels keeps a 1-channel input (the first conv's dX, for the input-gradient statistic)
// from computing three padding channels.
template <class T, int KB, int PX>
inline void inputGradTile(const T* dy, int P, int OC, const T* w, int K, const std::ptrdiff_t* koff,
                          const std::ptrdiff_t* pbase, int k0, int p0, T* dxp) {
  V<T> acc[KB][PX] = {};
  const T* wk = w + k0;
  for (int o = 0; o < OC; ++o, wk += K) {
    V<T> d[PX];
#pragma GCC unroll 4
    for (int j = 0; j < PX; ++j) d[j] = load(dy + (static_cast<std::ptrdiff_t>(o) * P + p0 + j) * L);
#pragma GCC unroll 4
    for (int t = 0; t < KB; ++t) {
      const T wt = wk[t];
#pragma GCC unroll 4
      for (int j = 0; j < PX; ++j) acc[t][j] += wt * d[j];
    }
  }
#pragma GCC unroll 4
  for (int t = 0; t < KB; ++t)
#pragma GCC unroll 4
    for (int j = 0; j < PX; ++j) {
      T* dst = dxp + koff[k0 + t] + pbase[p0 + j];
      store(dst, load(dst) + acc[t][j]);
    }
}

// Calls f(width, i) over [0, n) in steps of 4, then once for the 1 to 3 left; width is a
// std::integral_constant<int, 4> (or 3, 2, 1), so the tiles are instantiated for each width.
template <class F>
inline void byFours(int n, F&& f) {
  int i = 0;
  for (; i + 4 <= n; i += 4) f(std::integral_constant<int, 4>{}, i);
  switch (n - i) {
    case 3: f(std::integral_constant<int, 3>{}, i); break;
    case 2: f(std::integral_constant<int, 2>{}, i); break;
    case 1: f(std::integral_constant<int, 1>{}, i); break;
    default: break;
  }
}

int roundUp4(int n) { return (n + 3) / 4 * 4; }

}  // namespace

template <class T>
Conv2d<T>::Conv2d(const LayerSpec& s) : Layer<T>(s) {
  if (s.inChannels <= 0 || s.outChannels <= 0)
    throw ShapeError("conv2d needs in_channels and out_channels >= 1, got " + std::to_string(s.inChannels) + " and " +
                     std::to_string(s.outChannels));
  if (s.kernelH <= 0 || s.kernelW <= 0 || s.strideH <= 0 || s.strideW <= 0 || s.padH < 0 || s.padW < 0)
    throw ShapeError("conv2d needs kernel and stride >= 1 and padding >= 0");
  this->makeWeight(Shape{s.outChannels, s.inChannels, s.kernelH, s.kernelW});
  if (s.bias) this->makeBias(s.outChannels);
}

template <class T>
Shape Conv2d<T>::outputShape(const Shape& in) const {
  const LayerSpec& s = this->spec_;
  if (in.rank != 4)
    throw ShapeError("conv2d expects an input (N, C, H, W), got " + in.str() +
                     (in.rank == 2 ? ": a conv2d cannot follow a flatten or linear layer" : ""));
  if (in[1] != s.inChannels)
    throw ShapeError("conv2d expects " + std::to_string(s.inChannels) + " input channels, got " +
                     std::to_string(in[1]) + " (input " + in.str() + ")");
  return Shape{in[0], s.outChannels, slidingOutput(in[2], s.kernelH, s.strideH, s.padH, "height"),
               slidingOutput(in[3], s.kernelW, s.strideW, s.padW, "width")};
}

template <class T>
void Conv2d<T>::prepare(const Shape& in) {
  const Shape out = outputShape(in);
  const LayerSpec& s = this->spec_;
  const int OC = s.outChannels;
  const Shape item{in[1], in[2], in[3]};
  if (!(item == itemShape_)) {
    const int C = in[1], H = in[2], W = in[3], OH = out[2], OW = out[3];
    const int Hp = H + 2 * s.padH, Wp = W + 2 * s.padW;
    P_ = OH * OW;
    K_ = C * s.kernelH * s.kernelW;
    OCp_ = roundUp4(OC);
    koff_.resize(static_cast<std::size_t>(K_));
    for (int c = 0; c < C; ++c)
      for (int i = 0; i < s.kernelH; ++i)
        for (int j = 0; j < s.kernelW; ++j)
          koff_[static_cast<std::size_t>((c * s.kernelH + i) * s.kernelW + j)] =
              ((static_cast<std::ptrdiff_t>(c) * Hp + i) * Wp + j) * L;
    pbase_.resize(static_cast<std::size_t>(P_));
    for (int oh = 0; oh < OH; ++oh)
      for (int ow = 0; ow < OW; ++ow)
        pbase_[static_cast<std::size_t>(oh * OW + ow)] =
            (static_cast<std::ptrdiff_t>(oh) * s.strideH * Wp + static_cast<std::ptrdiff_t>(ow) * s.strideW) * L;
    xoff_.resize(static_cast<std::size_t>(C) * H * W);
    for (int c = 0; c < C; ++c)
      for (int h = 0; h < H; ++h)
        for (int w = 0; w < W; ++w)
          xoff_[(static_cast<std::size_t>(c) * H + h) * W + w] =
              ((static_cast<std::ptrdiff_t>(c) * Hp + h + s.padH) * Wp + w + s.padW) * L;
    xGroup_ = static_cast<std::size_t>(C) * Hp * Wp * L;
    yGroup_ = static_cast<std::size_t>(OCp_) * P_ * L;
    scratch_.clear();  // sizes changed; the borders of new buffers start at zero
    itemShape_ = item;
  }
  scratch_.resize(static_cast<std::size_t>(std::max(1, engineThreads())));
  for (Scratch& sc : scratch_) {
    if (sc.y.size() != yGroup_) sc.y.assign(yGroup_, T(0));
    if (sc.dx.size() != xGroup_) sc.dx.assign(xGroup_, T(0));
    if (sc.x.size() < xGroup_) sc.x.resize(xGroup_, T(0));
  }
  partial_.resize(kSlots);

  // Repack the weights (they change between runs).
  const T* w = this->weight_->value.ptr();
  wf_.assign(static_cast<std::size_t>(K_) * OCp_, T(0));
  for (int o = 0; o < OC; ++o)
    for (int k = 0; k < K_; ++k) {
      const T v = w[static_cast<std::size_t>(o) * K_ + k];
      wf_[static_cast<std::size_t>(k) * OCp_ + o] = v;
    }
  biasp_.assign(static_cast<std::size_t>(OCp_), T(0));
  if (this->bias_) std::copy_n(this->bias_->value.ptr(), OC, biasp_.begin());
}

template <class T>
void Conv2d<T>::gatherInput(const TensorT<T>& x, int n, int count, T* xp) const {
  const T* src[L];
  for (int b = 0; b < L; ++b) src[b] = b < count ? x.item(n + b) : nullptr;
  const std::ptrdiff_t* off = xoff_.data();
  toLanes(src, xoff_.size(), xp, [off](std::size_t i) { return off[i]; });
}

template <class T>
void Conv2d<T>::scatterInputGrad(const T* dxp, TensorT<T>& dx, int n, int count) const {
  T* dst[L];
  for (int b = 0; b < count; ++b) dst[b] = dx.item(n + b);
  const std::ptrdiff_t* off = xoff_.data();
  fromLanes(dxp, xoff_.size(), dst, count, [off](std::size_t i) { return off[i]; });
}

template <class T>
void Conv2d<T>::forwardItems(const TensorT<T>& x, TensorT<T>& y, int n0, int n1, int) {
  const int OC = this->spec_.outChannels, P = P_, OCp = OCp_, K = K_;
  Scratch& sc = scratch_[static_cast<std::size_t>(engineThreadIndex())];
  T* xp = sc.x.data();
  T* yp = sc.y.data();
  for (int g0 = n0; g0 < n1; g0 += L) {
    const int count = std::min(L, n1 - g0);
    gatherInput(x, g0, count, xp);
    const T* wf = wf_.data();
    const T* bias = biasp_.data();
    byFours(P, [&](auto px, int p0) {
      for (int o0 = 0; o0 < OCp; o0 += 4)
        forwardTile<T, decltype(px)::value>(xp, pbase_.data(), koff_.data(), K, wf, bias, OCp, o0, p0, P, yp);
    });
    T* dst[L];
    for (int b = 0; b < count; ++b) dst[b] = y.item(g0 + b);
    fromLanes(yp, static_cast<std::size_t>(OC) * P, dst, count, [](std::size_t i) { return i * L; });
  }
}

template <class T>
void Conv2d<T>::beginBackward() {
  for (Partial& pa : partial_) pa.used = false;
  for (Scratch& sc : scratch_) sc.slot = -1;  // drops what a cancelled run left
}

template <class T>
void Conv2d<T>::flush(Scratch& sc) {
  if (sc.slot < 0) return;
  Partial& pa = partial_[static_cast<std::size_t>(sc.slot)];
  pa.dW.resize(static_cast<std::size_t>(K_) * OCp_);
  pa.db.resize(static_cast<std::size_t>(OCp_));
  laneSums<T>(sc.dW.data(), pa.dW.size(), pa.dW.data());
  laneSums<T>(sc.db.data(), pa.db.size(), pa.db.data());
  pa.used = true;
  sc.slot = -1;
}

template <class T>
void Conv2d<T>::backwardItems(const TensorT<T>& x, const TensorT<T>&, const TensorT<T>& dy, TensorT<T>* dx, int n0,
                              int n1, int slot) {
  const int OC = this->spec_.outChannels, P = P_, OCp = OCp_, K = K_;
  const std::size_t PO = static_cast<std::size_t>(OC) * P;
  Scratch& sc = scratch_[static_cast<std::size_t>(engineThreadIndex())];
  const int groups = (n1 - n0 + L - 1) / L;
  if (sc.x.size() < xGroup_ * groups) sc.x.resize(xGroup_ * groups, T(0));
  if (sc.dy.size() < yGroup_ * groups) sc.dy.resize(yGroup_ * groups, T(0));  // rows past OC stay zero
  for (int g = 0; g < groups; ++g) {
    const int n = n0 + g * L, count = std::min(L, n1 - n);
    gatherInput(x, n, count, sc.x.data() + g * xGroup_);
    const T* src[L];
    for (int b = 0; b < L; ++b) src[b] = b < count ? dy.item(n + b) : nullptr;
    toLanes(src, PO, sc.dy.data() + g * yGroup_, [](std::size_t i) { return i * L; });
  }

  // Lane accumulators of this slot's chunks (a thread works through one slot at a time).
  const bool fresh = sc.slot != slot;  // the tiles overwrite the accumulators: no zeroing pass
  if (fresh) {
    flush(sc);
    sc.dW.resize(static_cast<std::size_t>(K) * OCp * L);
    sc.db.assign(static_cast<std::size_t>(OCp) * L, T(0));
    sc.slot = slot;
  }
  T* dWacc = sc.dW.data();
  if (this->bias_)
    for (int o = 0; o < OC; ++o) {
      V<T> acc{};
      for (int g = 0; g < groups; ++g) {
        const T* d = sc.dy.data() + g * yGroup_ + static_cast<std::size_t>(o) * P * L;
        for (int p = 0; p < P; ++p) acc += load(d + static_cast<std::size_t>(p) * L);
      }
      T* db = sc.db.data() + static_cast<std::size_t>(o) * L;
      store(db, load(db) + acc);
    }
  const T* xs = sc.x.data();
  const T* dys = sc.dy.data();
  for (int o0 = 0; o0 < OCp; o0 += 4)
    byFours(K, [&](auto kb, int k0) {
      weightGradTile<T, decltype(kb)::value>(xs, xGroup_, dys, yGroup_, groups, pbase_.data(), koff_.data(), P, OCp,
                                             o0, k0, dWacc, fresh);
    });
  if (!dx) return;

  T* dxp = sc.dx.data();
  const T* w = this->weight_->value.ptr();
  const std::ptrdiff_t* koff = koff_.data();
  const std::ptrdiff_t* pbase = pbase_.data();
  for (int g = 0; g < groups; ++g) {
    const int n = n0 + g * L, count = std::min(L, n1 - n);
    std::fill(sc.dx.begin(), sc.dx.end(), T(0));
    const T* d = dys + g * yGroup_;
    byFours(K, [&](auto kb, int k0) {
      byFours(P, [&](auto px, int p0) {
        inputGradTile<T, decltype(kb)::value, decltype(px)::value>(d, P, OC, w, K, koff, pbase, k0, p0, dxp);
      });
    });
    scatterInputGrad(dxp, *dx, n, count);
  }
}

template <class T>
void Conv2d<T>::finishBackward(const TensorT<T>&, const TensorT<T>&) {
  for (Scratch& sc : scratch_) flush(sc);
  // Combine the slots in slot order (contiguous sums over [k][OCp], then to the (OC, K) layout).
  const int OC = this->spec_.outChannels, OCp = OCp_, K = K_;
  sum_.assign(static_cast<std::size_t>(K) * OCp + OCp, 0.0);
  double* dW = sum_.data();
  double* db = dW + static_cast<std::size_t>(K) * OCp;
  for (const Partial& pa : partial_) {
    if (!pa.used) continue;
    for (std::size_t i = 0, n = pa.dW.size(); i < n; ++i) dW[i] += pa.dW[i];
    for (int o = 0; o < OCp; ++o) db[o] += pa.db[static_cast<std::size_t>(o)];
  }
  T* gW = this->weight_->grad.ptr();
  for (int k = 0; k < K; ++k)
    for (int o = 0; o < OC; ++o) gW[static_cast<std::size_t>(o) * K + k] = static_cast<T>(dW[static_cast<std::size_t>(k) * OCp + o]);
  if (this->bias_)
    for (int o = 0; o < OC; ++o) this->bias_->grad.data[static_cast<std::size_t>(o)] = static_cast<T>(db[o]);
}

template class Conv2d<float>;
template class Conv2d<double>;

}  // namespace initscope
