#include "configcommand.h"

namespace initscope::ui {

ConfigCommand::ConfigCommand(ExperimentConfig before, ExperimentConfig after, const QString& text, int id,
                             quint64 gesture, Apply apply)
    : before_(std::move(before)), after_(std::move(after)), id_(gesture ? id : -1), gesture_(gesture),
      apply_(std::move(apply)) {
  setText(text);
}

void ConfigCommand::undo() { apply_(before_); }
void ConfigCommand::redo() { apply_(after_); }

bool ConfigCommand::mergeWith(const QUndoCommand* other) {
  const auto* o = dynamic_cast<const ConfigCommand*>(other);
  if (!o || o->id_ != id_ || o->gesture_ != gesture_ || gesture_ == 0) return false;
  after_ = o->after_;
  setText(o->text());
  setObsolete(after_ == before_);  // a drag that came back where it started leaves no step
  return true;
}

}  // namespace initscope::ui
