#include "engineworker.h"

#include "core/sweep.h"

#include <QThread>

#include <algorithm>

namespace initscope::ui {

std::vector<double> sweepValues(double lo, double hi, int n) {
  std::vector<double> v;
  if (n < 1) return v;
  if (n == 1) return {lo};
  for (int i = 0; i < n; ++i) v.push_back(lo + (hi - lo) * i / (n - 1));
  return v;
}

int autoThreads(const ExperimentConfig& config) {
  constexpr std::uint64_t kSmall = 32ULL << 20;  // bytes of activations, gradients and scratch
  std::uint64_t bytes = 0;
  try {
    bytes = estimateMemory(config);
  } catch (const std::exception&) {
    return 1;  // run() will report what is wrong
  }
  return bytes < kSmall ? 1 : std::clamp(QThread::idealThreadCount(), 1, 8);
}

void registerMetaTypes() {
  static const bool once = [] {
    qRegisterMetaType<initscope::RunResult>("initscope::RunResult");
    qRegisterMetaType<std::vector<initscope::RunResult>>("std::vector<initscope::RunResult>");
    qRegisterMetaType<std::vector<double>>("std::vector<double>");
    return true;
  }();
  (void)once;
}

EngineWorker::EngineWorker(QObject* parent) : QObject(parent) { registerMetaTypes(); }

quint64 EngineWorker::submit(const ExperimentConfig& config) { return enqueue(Job{config, {}, false, 0}); }

quint64 EngineWorker::submitSweep(const ExperimentConfig& config, const std::vector<double>& aValues) {
  return enqueue(Job{config, aValues, true, 0});
}

quint64 EngineWorker::enqueue(Job job) {
  quint64 serial;
  {
    std::lock_guard lock(mutex_);
    serial = ++serial_;
    job.serial = serial;
    pending_ = std::move(job);
    cancel_.store(true);  // the running job, if any, is stale now
  }
  if (!wakeQueued_.exchange(true)) QMetaObject::invokeMethod(this, "process", Qt::QueuedConnection);
  return serial;
}

void EngineWorker::cancel() {
  std::lock_guard lock(mutex_);
  pending_.reset();
  cancel_.store(true);
}

void EngineWorker::process() {
  wakeQueued_.store(false);
  for (;;) {
    Job job;
    {
      std::lock_guard lock(mutex_);
      if (!pending_) {
        busy_.store(false);
        return;
      }
      job = std::move(*pending_);
      pending_.reset();
      cancel_.store(false);
      busy_.store(true);
    }
    // A newer job waiting means this one's result would be replaced at once: do not emit it.
    auto superseded = [this] {
      std::lock_guard lock(mutex_);
      return pending_.has_value();
    };
    emit started(job.serial);
    try {
      if (!job.sweep) {
        ExperimentConfig c = job.config;
        if (c.threads == 0) c.threads = autoThreads(c);
        RunResult r = engine_.run(c, &cancel_);
        r.config = job.config;  // the numbers do not depend on the thread count; r.threads says what ran
        if (!superseded()) emit finished(r, job.serial);
      } else {
        // core's sweep, the CLI's too: withA() sets a in every scheme that takes one.
        SweepOptions options;
        options.threads = job.config.threads;
        const std::vector<RunResult> results = sweepA(job.config, job.aValues, &cancel_, options);
        if (!superseded()) emit sweepFinished(job.aValues, results, job.serial);
      }
    } catch (const Cancelled&) {
      if (!superseded()) emit cancelled(job.serial);
    } catch (const SpecError& e) {
      emit failed(QString::fromStdString(e.what()), e.layer(), QStringLiteral("spec"), job.serial);
    } catch (const LimitError& e) {
      emit failed(QString::fromStdString(e.what()), -1, QStringLiteral("limit"), job.serial);
    } catch (const DataError& e) {
      emit failed(QString::fromStdString(e.what()), -1, QStringLiteral("data"), job.serial);
    } catch (const std::invalid_argument& e) {
      emit failed(QString::fromStdString(e.what()), -1, QStringLiteral("option"), job.serial);
    } catch (const std::bad_alloc&) {
      emit failed(QStringLiteral("out of memory"), -1, QStringLiteral("limit"), job.serial);
    } catch (const std::exception& e) {
      emit failed(QString::fromStdString(e.what()), -1, QStringLiteral("error"), job.serial);
    }
  }
}

EngineThread::EngineThread() : thread_(new QThread), worker_(new EngineWorker) {
  thread_->setObjectName(QStringLiteral("initscope-engine"));
  worker_->moveToThread(thread_);
  thread_->start();
}

EngineThread::~EngineThread() {
  worker_->cancel();
  thread_->quit();
  thread_->wait();
  delete worker_;  // safe: its thread has stopped
  delete thread_;
}

}  // namespace initscope::ui
