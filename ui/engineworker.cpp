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

// Lives on the thread that created its worker; each queued deliver() emits one outcome there.
class OutcomeRelay : public QObject {
  Q_OBJECT

 public:
  explicit OutcomeRelay(EngineWorker* worker) : worker_(worker) {}
  Q_INVOKABLE void deliver() { worker_->deliverOne(); }

 private:
  EngineWorker* worker_;
};

EngineWorker::EngineWorker(QObject* parent) : QObject(parent), relay_(std::make_unique<OutcomeRelay>(this)) {
  registerMetaTypes();
}

// On the creating thread (relay_ lives there), once the worker's thread has stopped.
EngineWorker::~EngineWorker() = default;

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
    Outcome out;
    out.serial = job.serial;
    auto fail = [&out](std::string message, int layer, std::string kind) {
      out.kind = Outcome::Kind::Failed;
      out.message = std::move(message);
      out.layer = layer;
      out.errorKind = std::move(kind);
    };
    try {
      if (!job.sweep) {
        ExperimentConfig c = job.config;
        if (c.threads == 0) c.threads = autoThreads(c);
        out.result = engine_.run(c, &cancel_);
        out.result.config = job.config;  // the numbers do not depend on the thread count; threads says what ran
        out.kind = Outcome::Kind::Finished;
      } else {
        // core's sweep, the CLI's too: withA() sets a in every scheme that takes one.
        SweepOptions options;
        options.threads = job.config.threads;
        out.results = sweepA(job.config, job.aValues, &cancel_, options);
        out.aValues = std::move(job.aValues);
        out.kind = Outcome::Kind::SweepFinished;
      }
    } catch (const Cancelled&) {
      out.kind = Outcome::Kind::Cancelled;
    } catch (const SpecError& e) {
      fail(e.what(), e.layer(), "spec");
    } catch (const LimitError& e) {
      fail(e.what(), -1, "limit");
    } catch (const DataError& e) {
      fail(e.what(), -1, "data");
    } catch (const std::invalid_argument& e) {
      fail(e.what(), -1, "option");
    } catch (const std::bad_alloc&) {
      fail("out of memory", -1, "limit");
    } catch (const std::exception& e) {
      fail(e.what(), -1, "error");
    }
    if (out.kind == Outcome::Kind::Failed || !superseded()) post(std::move(out));
  }
}

void EngineWorker::post(Outcome outcome) {
  {
    std::lock_guard lock(outboxMutex_);
    outbox_.push_back(std::move(outcome));
  }
  // The queued call carries no data: deliverOne() takes the outcome from outbox_ under the mutex.
  QMetaObject::invokeMethod(relay_.get(), "deliver", Qt::QueuedConnection);
}

void EngineWorker::deliverOne() {
  Outcome o;
  {
    std::lock_guard lock(outboxMutex_);
    if (outbox_.empty()) return;
    o = std::move(outbox_.front());
    outbox_.pop_front();
  }
  switch (o.kind) {
    case Outcome::Kind::Finished:
      emit finished(o.result, o.serial);
      break;
    case Outcome::Kind::SweepFinished:
      emit sweepFinished(o.aValues, o.results, o.serial);
      break;
    case Outcome::Kind::Failed:
      emit failed(QString::fromStdString(o.message), o.layer, QString::fromStdString(o.errorKind), o.serial);
      break;
    case Outcome::Kind::Cancelled:
      emit cancelled(o.serial);
      break;
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

#include "engineworker.moc"
