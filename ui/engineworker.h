#pragma once
// The engine off the GUI thread. An EngineWorker lives on its own QThread (EngineThread owns
// both); submit() may be called from any thread and keeps only the newest pending job: a newer
// job cancels the running one through its atomic flag, and stale results are never emitted.
// Jobs and results cross threads through our own std::mutex-guarded slots, never as the
// arguments of a queued Qt call: Qt's event queue is locked where ThreadSanitizer cannot see
// (Debian's Qt is not built with it), so data handed over through it looks unsynchronised.
#include "core/experiment.h"

#include <QMetaType>
#include <QObject>
#include <QString>

#include <atomic>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

class QThread;

namespace initscope::ui {

// The engine threads a config with threads = 0 ("auto") runs on in the window: one for small
// runs, where a second thread gains little and, on a busy machine, every OpenMP barrier waits for
// a descheduled thread (measured: the statistics of a batch-100 run took 120-200 ms instead of
// 3 ms while the GUI thread was drawing); the machine's cores (at most 8) for large ones.
int autoThreads(const ExperimentConfig& config);

// The values of a for an a-sweep: n evenly spaced values in [lo, hi].
std::vector<double> sweepValues(double lo, double hi, int n);

class OutcomeRelay;

// started() is emitted on the worker's thread; finished(), sweepFinished(), failed() and
// cancelled() on the thread that created the worker (the GUI thread), in the order the jobs
// ended, so receivers there are called directly.
class EngineWorker : public QObject {
  Q_OBJECT

 public:
  explicit EngineWorker(QObject* parent = nullptr);
  ~EngineWorker() override;

  // Queues one run; returns its serial (increasing). Thread-safe. threads = 0 runs on
  // autoThreads(); the result's config is the one submitted either way.
  quint64 submit(const ExperimentConfig& config);
  // Queues a sweep: core's sweepA(config, aValues) (a set in every scheme that takes one). Thread-safe.
  quint64 submitSweep(const ExperimentConfig& config, const std::vector<double>& aValues);
  // Drops the pending job and cancels the running one. Thread-safe.
  void cancel();
  bool busy() const { return busy_.load(); }
  quint64 lastSerial() const { return serial_.load(); }

 signals:
  void started(quint64 serial);
  void finished(const initscope::RunResult& result, quint64 serial);
  void sweepFinished(const std::vector<double>& aValues, const std::vector<initscope::RunResult>& results,
                     quint64 serial);
  // layer: the 0-based offending layer of a SpecError, else -1. kind: "spec", "limit", "data",
  // "option" (std::invalid_argument, e.g. a sweep over a without a scheme that takes a), "error".
  void failed(const QString& message, int layer, const QString& kind, quint64 serial);
  void cancelled(quint64 serial);

 private:
  struct Job {
    ExperimentConfig config;
    std::vector<double> aValues;  // empty: one run
    bool sweep = false;
    quint64 serial = 0;
  };
  // How a job ended, kept in outbox_ until the creating thread emits it.
  struct Outcome {
    enum class Kind { Finished, SweepFinished, Failed, Cancelled } kind = Kind::Finished;
    quint64 serial = 0;
    RunResult result;                // Finished
    std::vector<double> aValues;     // SweepFinished
    std::vector<RunResult> results;  // SweepFinished
    std::string message, errorKind;  // Failed
    int layer = -1;                  // Failed
  };
  friend class OutcomeRelay;
  quint64 enqueue(Job job);
  Q_INVOKABLE void process();
  void post(Outcome outcome);  // worker's thread
  void deliverOne();           // creating thread: emits the oldest outcome

  std::mutex mutex_;
  std::optional<Job> pending_;       // guarded by mutex_
  std::atomic<bool> cancel_{false};  // set to stop the running job
  Engine engine_;                    // used on the worker's thread only: keeps buffers between runs
  std::atomic<bool> wakeQueued_{false};
  std::atomic<bool> busy_{false};
  std::atomic<quint64> serial_{0};
  std::mutex outboxMutex_;
  std::deque<Outcome> outbox_;           // guarded by outboxMutex_
  std::unique_ptr<OutcomeRelay> relay_;  // on the creating thread: one queued deliver() per outcome
};

// Owns a worker and the thread it lives on; the destructor cancels, quits and joins.
class EngineThread {
 public:
  EngineThread();
  ~EngineThread();
  EngineThread(const EngineThread&) = delete;
  EngineThread& operator=(const EngineThread&) = delete;
  EngineWorker* worker() const { return worker_; }

 private:
  QThread* thread_;
  EngineWorker* worker_;
};

// Registers RunResult and friends for queued signals (idempotent).
void registerMetaTypes();

}  // namespace initscope::ui

Q_DECLARE_METATYPE(initscope::RunResult)
Q_DECLARE_METATYPE(std::vector<initscope::RunResult>)
Q_DECLARE_METATYPE(std::vector<double>)
