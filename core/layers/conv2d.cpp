#include "conv2d.h"

#include "../parallel.h"

#include <algorithm>
#include <cstring>
#include <type_traits>

namespace initscope {

namespace {

// Groups are L = kLanes (16) items wide; the batch's last group, when it holds at most 8 items,
// runs L / 2 wide instead (a batch of 100 is 6 groups of 16 and one of 4: on Zen 4 a 256-bit
// vector costs half a 512-bit one, so the short group costs half a full one, not a whole one).
// The dW and db accumulators are always L wide; a narrow group adds into their first L / 2 lanes.
constexpr int L = kLanes;
constexpr int Lh = L / 2;

// One vector of N values, N = L or L / 2: a zmm (ymm) register of floats with AVX-512; doubles
// take two, which is fine for the reference/gradient-check builds. Memory is only touched through
// load()/store() (memcpy): plain T buffers, any alignment, and ThreadSanitizer checks the range.
// The types keep their natural alignment: an aligned(alignof(T)) attribute on the typedef is not
// kept reliably once the type goes through templates (GCC ignores it in template arguments; the
// clang TSan build crashed in the transposes with it), so locals are aligned as vectors.
template <class T, int N>
struct Lanes {
  static_assert(N == L || N == Lh);
  typedef T V __attribute__((vector_size(N * sizeof(T))));
};
template <class T, int N = L>
using V = typename Lanes<T, N>::V;

template <class T, int N = L>
inline V<T, N> load(const T* p) {
  V<T, N> v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
template <class T, class Vec>
inline void store(T* p, const Vec& v) {
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
template <class T, int N>
inline void inRegister(V<T, N>& v) {
#if defined(__AVX512F__)
  if constexpr (sizeof v == 64 || sizeof v == 32) asm("" : "+v"(v));
#elif defined(__AVX__)
  if constexpr (sizeof v == 32) asm("" : "+x"(v));
#endif
}

// The butterfly step of the N x N transposes and lane sums: for vectors a, b of N floats and
// k = N/2, ..., 2, 1,
//   lo[c] = c has bit k ? b[c - k] : a[c]      hi[c] = c has bit k ? b[c] : a[c + k]
// (swaps the off-diagonal k x k blocks of every 2k x 2k block of the pair's rows).
template <int N, int K>
inline void butterfly(V<float, N>& a, V<float, N>& b) {
  // Two-source shuffles with constant indices: GCC's __builtin_shuffle takes a mask vector,
  // clang's __builtin_shufflevector the indices themselves (clang builds the fuzzers).
#if defined(__clang__)
#define INITSCOPE_SHUFFLE(I, x, y, ...) __builtin_shufflevector(x, y, __VA_ARGS__)
#else
  typedef int I16 __attribute__((vector_size(16 * sizeof(int))));
  typedef int I8 __attribute__((vector_size(8 * sizeof(int))));
#define INITSCOPE_SHUFFLE(I, x, y, ...) __builtin_shuffle(x, y, I{__VA_ARGS__})
#endif
  const V<float, N> x = a, y = b;
  if constexpr (N == 16 && K == 8) {
    a = INITSCOPE_SHUFFLE(I16, x, y, 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23);
    b = INITSCOPE_SHUFFLE(I16, x, y, 8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31);
  } else if constexpr (N == 16 && K == 4) {
    a = INITSCOPE_SHUFFLE(I16, x, y, 0, 1, 2, 3, 16, 17, 18, 19, 8, 9, 10, 11, 24, 25, 26, 27);
    b = INITSCOPE_SHUFFLE(I16, x, y, 4, 5, 6, 7, 20, 21, 22, 23, 12, 13, 14, 15, 28, 29, 30, 31);
  } else if constexpr (N == 16 && K == 2) {
    a = INITSCOPE_SHUFFLE(I16, x, y, 0, 1, 16, 17, 4, 5, 20, 21, 8, 9, 24, 25, 12, 13, 28, 29);
    b = INITSCOPE_SHUFFLE(I16, x, y, 2, 3, 18, 19, 6, 7, 22, 23, 10, 11, 26, 27, 14, 15, 30, 31);
  } else if constexpr (N == 16 && K == 1) {
    a = INITSCOPE_SHUFFLE(I16, x, y, 0, 16, 2, 18, 4, 20, 6, 22, 8, 24, 10, 26, 12, 28, 14, 30);
    b = INITSCOPE_SHUFFLE(I16, x, y, 1, 17, 3, 19, 5, 21, 7, 23, 9, 25, 11, 27, 13, 29, 15, 31);
  } else if constexpr (N == 8 && K == 4) {
    a = INITSCOPE_SHUFFLE(I8, x, y, 0, 1, 2, 3, 8, 9, 10, 11);
    b = INITSCOPE_SHUFFLE(I8, x, y, 4, 5, 6, 7, 12, 13, 14, 15);
  } else if constexpr (N == 8 && K == 2) {
    a = INITSCOPE_SHUFFLE(I8, x, y, 0, 1, 8, 9, 4, 5, 12, 13);
    b = INITSCOPE_SHUFFLE(I8, x, y, 2, 3, 10, 11, 6, 7, 14, 15);
  } else {
    static_assert(N == 8 && K == 1, "vectors of 16 or 8 floats");
    a = INITSCOPE_SHUFFLE(I8, x, y, 0, 8, 2, 10, 4, 12, 6, 14);
    b = INITSCOPE_SHUFFLE(I8, x, y, 1, 9, 3, 11, 5, 13, 7, 15);
  }
#undef INITSCOPE_SHUFFLE
}

// N x N transpose in registers: rows r[b] (one per item) <-> columns (one per element).
template <int N, int K = N / 2>
inline void transpose(V<float, N>* r) {
  for (int i = 0; i < N; ++i)
    if (!(i & K)) butterfly<N, K>(r[i], r[i + K]);
  if constexpr (K > 1) transpose<N, K / 2>(r);
}

// Lane sums of 16 vectors: afterwards lane c of r[0] is the sum of the lanes of r[c]. Each stage
// halves the vectors: the butterfly pairs r[i] with r[i + K] and the halves are added, 30 shuffles
// and 15 adds (a transpose and 15 adds take 64 shuffles).
template <int K = L / 2>
inline void sumLanes(V<float>* r) {
  for (int i = 0; i < K; ++i) {
    butterfly<L, K>(r[i], r[i + K]);
    r[i] += r[i + K];
  }
  if constexpr (K > 1) sumLanes<K / 2>(r);
}

// out[i] = the sum of the lanes of vector i (at v + i * L), i < n; floats 16 vectors at a time.
template <class T>
void laneSums(const T* v, std::size_t n, double* out) {
  std::size_t i = 0;
  if constexpr (std::is_same_v<T, float>) {
    for (; i + L <= n; i += L) {
      V<float> r[L];
      for (int j = 0; j < L; ++j) r[j] = load(v + (i + j) * L);
      sumLanes(r);
      for (int j = 0; j < L; ++j) out[i + j] = static_cast<double>(r[0][j]);
    }
  }
  for (; i < n; ++i) out[i] = laneSum<T>(load(v + i * L));
}

// Items to N lanes: dst[off(i) + b] = src[b][i] for elements i in [0, n) and lanes b in [0, N);
// a null src[b] gives zeros. Floats go N x N through registers, the rest (and doubles) one by one.
template <int N, class T, class Off>
void toLanes(const T* const* src, std::size_t n, T* dst, Off off) {
  std::size_t i = 0;
  if constexpr (std::is_same_v<T, float>) {
    for (; i + N <= n; i += N) {
      V<float, N> r[N];
      for (int b = 0; b < N; ++b) r[b] = src[b] ? load<float, N>(src[b] + i) : V<float, N>{};
      transpose<N>(r);
      for (int j = 0; j < N; ++j) store(dst + off(i + j), r[j]);
    }
  }
  for (; i < n; ++i)
    for (int b = 0; b < N; ++b) dst[off(i) + b] = src[b] ? src[b][i] : T(0);
}

// N lanes to items: dst[b][i] = src[off(i) + b] for lanes b < count.
template <int N, class T, class Off>
void fromLanes(const T* src, std::size_t n, T* const* dst, int count, Off off) {
  std::size_t i = 0;
  if constexpr (std::is_same_v<T, float>) {
    for (; i + N <= n; i += N) {
      V<float, N> r[N];
      for (int j = 0; j < N; ++j) r[j] = load<float, N>(src + off(i + j));
      transpose<N>(r);
      for (int b = 0; b < count; ++b) store(dst[b] + i, r[b]);
    }
  }
  for (; i < n; ++i)
    for (int b = 0; b < count; ++b) dst[b][i] = src[off(i) + b];
}

// Forward tile: OB output channels [o0, o0+OB) x PX output pixels [p0, p0+PX) of one group N wide
// (OB, PX <= 4: up to 16 accumulators; wf is [k][OC]).
template <class T, int OB, int PX, int N>
inline void forwardTile(const T* xp, const std::ptrdiff_t* pbase, const std::ptrdiff_t* koff, int K, const T* wf,
                        const T* bias, int OC, int o0, int p0, int P, T* yp) {
  V<T, N> acc[OB][PX];
  const T* xj[PX];
#pragma GCC unroll 4
  for (int j = 0; j < PX; ++j) {
    xj[j] = xp + pbase[p0 + j];
#pragma GCC unroll 4
    for (int o = 0; o < OB; ++o) acc[o][j] = V<T, N>{} + bias[o0 + o];
  }
  const T* w = wf + o0;
  for (int k = 0; k < K; ++k, w += OC) {
    const std::ptrdiff_t off = koff[k];
    V<T, N> xv[PX];
#pragma GCC unroll 4
    for (int j = 0; j < PX; ++j) xv[j] = load<T, N>(xj[j] + off);
#pragma GCC unroll 4
    for (int o = 0; o < OB; ++o) {
      const T wo = w[o];
#pragma GCC unroll 4
      for (int j = 0; j < PX; ++j) acc[o][j] += wo * xv[j];
    }
  }
#pragma GCC unroll 4
  for (int o = 0; o < OB; ++o)
#pragma GCC unroll 4
    for (int j = 0; j < PX; ++j) store(yp + (static_cast<std::ptrdiff_t>(o0 + o) * P + p0 + j) * N, acc[o][j]);
}

// dW tile: OB output channels [o0, o0+OB) x KB weights [k0, k0+KB) (OB, KB <= 4), summed over
// `groups` groups N wide and every pixel into the thread's lane accumulators acc[k][OC] (L wide: a
// narrow group adds into the first N lanes).
template <class T, int OB, int KB, int N>
inline void weightGradTile(const T* xs, std::size_t xGroup, const T* dys, std::size_t yGroup, int groups,
                           const std::ptrdiff_t* pbase, const std::ptrdiff_t* koff, int P, int OC, int o0, int k0,
                           T* accMem, bool fresh) {
  V<T, N> acc[OB][KB] = {};  // a slot's first chunk starts from zero, the next ones from accMem
  if (!fresh)
#pragma GCC unroll 4
    for (int t = 0; t < KB; ++t)
#pragma GCC unroll 4
      for (int o = 0; o < OB; ++o)
        acc[o][t] = load<T, N>(accMem + (static_cast<std::size_t>(k0 + t) * OC + o0 + o) * L);
  for (int g = 0; g < groups; ++g) {
    const T* xk[KB];
#pragma GCC unroll 4
    for (int t = 0; t < KB; ++t) xk[t] = xs + g * xGroup + koff[k0 + t];
    const T* dy = dys + g * yGroup + static_cast<std::ptrdiff_t>(o0) * P * N;
    for (int p = 0; p < P; ++p) {
      // Named locals, not an array: an array would be kept in memory because of inRegister.
      // Channels past OB are never loaded or used.
      const auto dyRow = [&](int o) { return load<T, N>(dy + (static_cast<std::ptrdiff_t>(o) * P + p) * N); };
      V<T, N> d0 = dyRow(0), d1{}, d2{}, d3{};
      inRegister<T, N>(d0);
      if constexpr (OB > 1) { d1 = dyRow(1); inRegister<T, N>(d1); }
      if constexpr (OB > 2) { d2 = dyRow(2); inRegister<T, N>(d2); }
      if constexpr (OB > 3) { d3 = dyRow(3); inRegister<T, N>(d3); }
      const std::ptrdiff_t pb = pbase[p];
#pragma GCC unroll 4
      for (int t = 0; t < KB; ++t) {
        V<T, N> xv = load<T, N>(xk[t] + pb);
        inRegister<T, N>(xv);
        acc[0][t] += d0 * xv;
        if constexpr (OB > 1) acc[1][t] += d1 * xv;
        if constexpr (OB > 2) acc[2][t] += d2 * xv;
        if constexpr (OB > 3) acc[3][t] += d3 * xv;
      }
    }
  }
#pragma GCC unroll 4
  for (int t = 0; t < KB; ++t)
#pragma GCC unroll 4
    for (int o = 0; o < OB; ++o) {
      T* dst = accMem + (static_cast<std::size_t>(k0 + t) * OC + o0 + o) * L;
      store(dst, acc[o][t]);
      if constexpr (N < L)  // a fresh start overwrites the lanes a narrow group does not reach too
        if (fresh) store(dst + N, V<T, L - N>{});
    }
}

// dX tile: KB weights [k0, k0+KB) (input channel and tap) x PX output pixels [p0, p0+PX), summed
// over the output channels and added into the padded input gradient. Tiling over k rather than
// input channels keeps a 1-channel input (the first conv's dX, for the input-gradient statistic)
// from computing three padding channels.
template <class T, int KB, int PX, int N>
inline void inputGradTile(const T* dy, int P, int OC, const T* w, int K, const std::ptrdiff_t* koff,
                          const std::ptrdiff_t* pbase, int k0, int p0, T* dxp) {
  V<T, N> acc[KB][PX] = {};
  const T* wk = w + k0;
  for (int o = 0; o < OC; ++o, wk += K) {
    V<T, N> d[PX];
#pragma GCC unroll 4
    for (int j = 0; j < PX; ++j) d[j] = load<T, N>(dy + (static_cast<std::ptrdiff_t>(o) * P + p0 + j) * N);
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
      store(dst, load<T, N>(dst) + acc[t][j]);
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
    for (int width : {L, Lh}) {
      Geometry& geo = geo_[width == L ? 0 : 1];
      geo.koff.resize(static_cast<std::size_t>(K_));
      for (int c = 0; c < C; ++c)
        for (int i = 0; i < s.kernelH; ++i)
          for (int j = 0; j < s.kernelW; ++j)
            geo.koff[static_cast<std::size_t>((c * s.kernelH + i) * s.kernelW + j)] =
                ((static_cast<std::ptrdiff_t>(c) * Hp + i) * Wp + j) * width;
      geo.pbase.resize(static_cast<std::size_t>(P_));
      for (int oh = 0; oh < OH; ++oh)
        for (int ow = 0; ow < OW; ++ow)
          geo.pbase[static_cast<std::size_t>(oh * OW + ow)] =
              (static_cast<std::ptrdiff_t>(oh) * s.strideH * Wp + static_cast<std::ptrdiff_t>(ow) * s.strideW) * width;
      geo.xoff.resize(static_cast<std::size_t>(C) * H * W);
      for (int c = 0; c < C; ++c)
        for (int h = 0; h < H; ++h)
          for (int w = 0; w < W; ++w)
            geo.xoff[(static_cast<std::size_t>(c) * H + h) * W + w] =
                ((static_cast<std::ptrdiff_t>(c) * Hp + h + s.padH) * Wp + w + s.padW) * width;
      geo.xGroup = static_cast<std::size_t>(C) * Hp * Wp * width;
      geo.yGroup = static_cast<std::size_t>(OC) * P_ * width;
    }
    scratch_.clear();  // sizes changed; the borders of new buffers start at zero
    itemShape_ = item;
  }
  scratch_.resize(static_cast<std::size_t>(std::max(1, engineThreads())));
  for (Scratch& sc : scratch_) {
    for (int k = 0; k < 2; ++k) {
      Buffers& buf = k == 0 ? sc.wide : sc.narrow;
      if (buf.y.size() != geo_[k].yGroup) buf.y.assign(geo_[k].yGroup, T(0));
      if (buf.dx.size() != geo_[k].xGroup) buf.dx.assign(geo_[k].xGroup, T(0));
      if (buf.x.size() < geo_[k].xGroup) buf.x.resize(geo_[k].xGroup, T(0));
    }
    sc.kept = {};
  }
  partial_.resize(kSlots);

  // Repack the weights (they change between runs).
  const T* w = this->weight_->value.ptr();
  wf_.resize(static_cast<std::size_t>(K_) * OC);
  for (int o = 0; o < OC; ++o)
    for (int k = 0; k < K_; ++k) {
      const T v = w[static_cast<std::size_t>(o) * K_ + k];
      wf_[static_cast<std::size_t>(k) * OC + o] = v;
    }
  biasp_.assign(static_cast<std::size_t>(OC), T(0));
  if (this->bias_) std::copy_n(this->bias_->value.ptr(), OC, biasp_.begin());
}

template <class T>
template <int N>
const typename Conv2d<T>::Geometry& Conv2d<T>::geometry() const {
  static_assert(N == L || N == Lh);
  return geo_[N == L ? 0 : 1];
}

template <class T>
template <int N>
void Conv2d<T>::gatherInput(const TensorT<T>& x, int n, int count, T* xp) const {
  const Geometry& geo = geometry<N>();
  const T* src[N];
  for (int b = 0; b < N; ++b) src[b] = b < count ? x.item(n + b) : nullptr;
  const std::ptrdiff_t* xoff = geo.xoff.data();
  toLanes<N>(src, geo.xoff.size(), xp, [xoff](std::size_t i) { return xoff[i]; });
}

template <class T>
template <int N>
void Conv2d<T>::forwardGroup(const TensorT<T>& x, TensorT<T>& y, int n, int count, T* xp, Buffers& buf) const {
  const int OC = this->spec_.outChannels, P = P_, K = K_;
  const Geometry& geo = geometry<N>();
  T* yp = buf.y.data();
  gatherInput<N>(x, n, count, xp);
  const T* wf = wf_.data();
  const T* bias = biasp_.data();
  byFours(P, [&](auto px, int p0) {
    byFours(OC, [&](auto ob, int o0) {
      forwardTile<T, decltype(ob)::value, decltype(px)::value, N>(xp, geo.pbase.data(), geo.koff.data(), K, wf, bias,
                                                                 OC, o0, p0, P, yp);
    });
  });
  T* dst[N];
  for (int b = 0; b < count; ++b) dst[b] = y.item(n + b);
  fromLanes<N>(yp, static_cast<std::size_t>(OC) * P, dst, count, [](std::size_t i) { return i * N; });
}

template <class T>
void Conv2d<T>::forwardItems(const TensorT<T>& x, TensorT<T>& y, int n0, int n1, int) {
  Scratch& sc = scratch_[static_cast<std::size_t>(engineThreadIndex())];
  // Full groups side by side in wide.x, a narrow last group in narrow.x: the layout backward uses.
  const int groups = (n1 - n0 + L - 1) / L;
  if (sc.wide.x.size() < geo_[0].xGroup * groups) sc.wide.x.resize(geo_[0].xGroup * groups, T(0));
  for (int g = 0; g < groups; ++g) {
    const int n = n0 + g * L, count = std::min(L, n1 - n);
    if (count <= Lh)
      forwardGroup<Lh>(x, y, n, count, sc.narrow.x.data(), sc.narrow);
    else
      forwardGroup<L>(x, y, n, count, sc.wide.x.data() + g * geo_[0].xGroup, sc.wide);
  }
  sc.kept = {x.ptr(), n0, n1};
}

template <class T>
void Conv2d<T>::beginBackward() {
  for (Partial& pa : partial_) pa.used = false;
  for (Scratch& sc : scratch_) {
    sc.slot = -1;         // drops what a cancelled run left
    sc.kept = {};         // x may have changed since the last forward
  }
}

template <class T>
void Conv2d<T>::flush(Scratch& sc) {
  if (sc.slot < 0) return;
  Partial& pa = partial_[static_cast<std::size_t>(sc.slot)];
  const int OC = this->spec_.outChannels;
  pa.dW.resize(static_cast<std::size_t>(K_) * OC);
  pa.db.resize(static_cast<std::size_t>(OC));
  laneSums<T>(sc.dW.data(), pa.dW.size(), pa.dW.data());
  laneSums<T>(sc.db.data(), pa.db.size(), pa.db.data());
  pa.used = true;
  sc.slot = -1;
}

template <class T>
template <int N>
void Conv2d<T>::gatherGroup(const TensorT<T>& x, const TensorT<T>& dy, int n, int count, T* xp, T* dyp,
                            bool gatherX) const {
  if (gatherX) gatherInput<N>(x, n, count, xp);
  const T* src[N];
  for (int b = 0; b < N; ++b) src[b] = b < count ? dy.item(n + b) : nullptr;
  toLanes<N>(src, static_cast<std::size_t>(this->spec_.outChannels) * P_, dyp, [](std::size_t i) { return i * N; });
}

template <class T>
template <int N>
void Conv2d<T>::weightGrads(const T* xs, const T* dys, int groups, T* acc, bool fresh) const {
  const Geometry& geo = geometry<N>();
  const int OC = this->spec_.outChannels;
  byFours(OC, [&](auto ob, int o0) {
    byFours(K_, [&](auto kb, int k0) {
      weightGradTile<T, decltype(ob)::value, decltype(kb)::value, N>(xs, geo.xGroup, dys, geo.yGroup, groups,
                                                                    geo.pbase.data(), geo.koff.data(), P_, OC, o0, k0,
                                                                    acc, fresh);
    });
  });
}

template <class T>
template <int N>
void Conv2d<T>::inputGradGroup(const T* dyp, TensorT<T>& dx, int n, int count, Buffers& buf) const {
  const int OC = this->spec_.outChannels, P = P_, K = K_;
  const Geometry& geo = geometry<N>();
  T* dxp = buf.dx.data();
  std::fill(buf.dx.begin(), buf.dx.end(), T(0));
  const T* w = this->weight_->value.ptr();
  byFours(K, [&](auto kb, int k0) {
    byFours(P, [&](auto px, int p0) {
      inputGradTile<T, decltype(kb)::value, decltype(px)::value, N>(dyp, P, OC, w, K, geo.koff.data(),
                                                                   geo.pbase.data(), k0, p0, dxp);
    });
  });
  T* dst[N];
  for (int b = 0; b < count; ++b) dst[b] = dx.item(n + b);
  const std::ptrdiff_t* xoff = geo.xoff.data();
  fromLanes<N>(dxp, geo.xoff.size(), dst, count, [xoff](std::size_t i) { return xoff[i]; });
}

template <class T>
void Conv2d<T>::backwardItems(const TensorT<T>& x, const TensorT<T>&, const TensorT<T>& dy, TensorT<T>* dx, int n0,
                              int n1, int slot) {
  const int OC = this->spec_.outChannels, P = P_, K = K_;
  Scratch& sc = scratch_[static_cast<std::size_t>(engineThreadIndex())];
  // The chunk's full groups go to the wide buffers side by side; a last group of 8 or fewer
  // items to the narrow ones.
  const int groups = (n1 - n0 + L - 1) / L;
  const int lastCount = n1 - (n0 + (groups - 1) * L);
  const int full = lastCount <= Lh ? groups - 1 : groups;
  const Geometry& wide = geo_[0];
  if (sc.wide.x.size() < wide.xGroup * full) sc.wide.x.resize(wide.xGroup * full, T(0));
  if (sc.wide.dy.size() < wide.yGroup * full) sc.wide.dy.resize(wide.yGroup * full, T(0));
  if (full < groups && sc.narrow.dy.size() < geo_[1].yGroup) sc.narrow.dy.resize(geo_[1].yGroup, T(0));
  const auto countOf = [&](int g) { return std::min(L, n1 - (n0 + g * L)); };
  const Chunk chunk{x.ptr(), n0, n1};
  const bool gatherX = !(sc.kept == chunk);
  for (int g = 0; g < full; ++g)
    gatherGroup<L>(x, dy, n0 + g * L, countOf(g), sc.wide.x.data() + g * wide.xGroup,
                   sc.wide.dy.data() + g * wide.yGroup, gatherX);
  if (full < groups)
    gatherGroup<Lh>(x, dy, n0 + full * L, lastCount, sc.narrow.x.data(), sc.narrow.dy.data(), gatherX);
  sc.kept = chunk;  // now gathered for this chunk either way

  // Lane accumulators of this slot's chunks (a thread works through one slot at a time).
  const bool fresh = sc.slot != slot;  // the tiles overwrite the accumulators: no zeroing pass
  if (fresh) {
    flush(sc);
    sc.dW.resize(static_cast<std::size_t>(K) * OC * L);
    sc.db.assign(static_cast<std::size_t>(OC) * L, T(0));
    sc.slot = slot;
  }
  if (this->bias_)
    for (int o = 0; o < OC; ++o) {
      T* db = sc.db.data() + static_cast<std::size_t>(o) * L;
      V<T> acc = load(db);
      for (int g = 0; g < full; ++g) {
        const T* d = sc.wide.dy.data() + g * wide.yGroup + static_cast<std::size_t>(o) * P * L;
        for (int p = 0; p < P; ++p) acc += load(d + static_cast<std::size_t>(p) * L);
      }
      store(db, acc);
      if (full < groups) {
        V<T, Lh> half = load<T, Lh>(db);
        const T* d = sc.narrow.dy.data() + static_cast<std::size_t>(o) * P * Lh;
        for (int p = 0; p < P; ++p) half += load<T, Lh>(d + static_cast<std::size_t>(p) * Lh);
        store(db, half);
      }
    }
  if (full > 0) weightGrads<L>(sc.wide.x.data(), sc.wide.dy.data(), full, sc.dW.data(), fresh);
  if (full < groups) weightGrads<Lh>(sc.narrow.x.data(), sc.narrow.dy.data(), 1, sc.dW.data(), fresh && full == 0);
  if (!dx) return;

  for (int g = 0; g < full; ++g)
    inputGradGroup<L>(sc.wide.dy.data() + g * wide.yGroup, *dx, n0 + g * L, countOf(g), sc.wide);
  if (full < groups) inputGradGroup<Lh>(sc.narrow.dy.data(), *dx, n0 + full * L, lastCount, sc.narrow);
}

template <class T>
void Conv2d<T>::finishBackward(const TensorT<T>&, const TensorT<T>&) {
  for (Scratch& sc : scratch_) flush(sc);
  // Combine the slots in slot order (contiguous sums over [k][OC], then to the (OC, K) layout).
  const int OC = this->spec_.outChannels, K = K_;
  sum_.assign(static_cast<std::size_t>(K) * OC + OC, 0.0);
  double* dW = sum_.data();
  double* db = dW + static_cast<std::size_t>(K) * OC;
  for (const Partial& pa : partial_) {
    if (!pa.used) continue;
    for (std::size_t i = 0, n = pa.dW.size(); i < n; ++i) dW[i] += pa.dW[i];
    for (int o = 0; o < OC; ++o) db[o] += pa.db[static_cast<std::size_t>(o)];
  }
  T* gW = this->weight_->grad.ptr();
  for (int k = 0; k < K; ++k)
    for (int o = 0; o < OC; ++o) gW[static_cast<std::size_t>(o) * K + k] = static_cast<T>(dW[static_cast<std::size_t>(k) * OC + o]);
  if (this->bias_)
    for (int o = 0; o < OC; ++o) this->bias_->grad.data[static_cast<std::size_t>(o)] = static_cast<T>(db[o]);
}

template class Conv2d<float>;
template class Conv2d<double>;

}  // namespace initscope
