#pragma once
// One undoable edit: the whole config before and after (configs are small plain values).
// Edits of one gesture (a slider drag) merge into a single step.
#include "core/experiment.h"

#include <QUndoCommand>

#include <functional>

namespace initscope::ui {

class ConfigCommand : public QUndoCommand {
 public:
  using Apply = std::function<void(const ExperimentConfig&)>;
  // gesture 0: never merges; otherwise consecutive commands with the same id and gesture merge.
  ConfigCommand(ExperimentConfig before, ExperimentConfig after, const QString& text, int id, quint64 gesture,
                Apply apply);

  void undo() override;
  void redo() override;
  int id() const override { return id_; }
  bool mergeWith(const QUndoCommand* other) override;

  const ExperimentConfig& before() const { return before_; }
  const ExperimentConfig& after() const { return after_; }

 private:
  ExperimentConfig before_, after_;
  int id_;
  quint64 gesture_;
  Apply apply_;
};

}  // namespace initscope::ui
