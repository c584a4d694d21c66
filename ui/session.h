#pragma once
// Sessions: the whole window state as one JSON document,
//   {"schema": "initscope.session", "version": 1, "config": <initscope.config>, "ui": {...}}
// The CLI reads the same file (core's loadConfigFile takes the "config" member).
#include "core/experiment.h"

#include <QByteArray>
#include <QString>

namespace initscope::ui {

inline constexpr int kSessionVersion = 1;

// What the window shows besides the config. Unknown "ui" members are ignored, missing ones default.
struct UiState {
  int selectedLayer = -1;
  QString histogram = QStringLiteral("activations");  // activations | gradients | weight-grads
  bool logCounts = false;
  bool sharedRange = true;
  bool logGradients = true;   // the backward figure's log axis
  bool presentation = false;
  bool sweepEnabled = true;
  double sweepMax = 6.0;
  int sweepPoints = 31;
  bool operator==(const UiState&) const = default;
};

struct Session {
  ExperimentConfig config;
  UiState ui;
};

QByteArray sessionToJson(const Session& s);
// Parses a session, or a bare config document (ui state then defaults). Throws FormatError
// ("<field>: <reason>") for anything else, including a version newer than kSessionVersion.
Session sessionFromJson(const QByteArray& bytes, const QString& what);

// Through QSaveFile: a failed write leaves the old file alone. False + *error on failure.
bool saveSession(const QString& path, const Session& s, QString* error);
bool loadSession(const QString& path, Session* s, QString* error);

}  // namespace initscope::ui
