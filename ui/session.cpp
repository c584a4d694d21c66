#include "session.h"

#include "core/io.h"

#include <QFile>
#include <QSaveFile>

namespace initscope::ui {
namespace {

template <class T>
T member(const Json& ui, const char* key, T fallback, const char* type) {
  if (!ui.contains(key) || ui[key].is_null()) return fallback;
  const Json& v = ui[key];
  bool ok = false;
  if constexpr (std::is_same_v<T, bool>) ok = v.is_boolean();
  else if constexpr (std::is_integral_v<T>) ok = v.is_number_integer();
  else if constexpr (std::is_floating_point_v<T>) ok = v.is_number();
  else ok = v.is_string();
  if (!ok) throw FormatError(std::string("ui.") + key + ": expected " + type);
  if constexpr (std::is_same_v<T, QString>) return QString::fromStdString(v.get<std::string>());
  else return v.get<T>();
}

}  // namespace

QByteArray sessionToJson(const Session& s) {
  Json j;
  j["schema"] = "initscope.session";
  j["version"] = kSessionVersion;
  j["config"] = toJson(s.config);
  Json ui;
  ui["selected_layer"] = s.ui.selectedLayer;
  ui["histogram"] = s.ui.histogram.toStdString();
  ui["log_counts"] = s.ui.logCounts;
  ui["shared_range"] = s.ui.sharedRange;
  ui["log_gradients"] = s.ui.logGradients;
  ui["presentation"] = s.ui.presentation;
  ui["sweep_enabled"] = s.ui.sweepEnabled;
  ui["sweep_max"] = s.ui.sweepMax;
  ui["sweep_points"] = s.ui.sweepPoints;
  j["ui"] = ui;
  return QByteArray::fromStdString(j.dump(2) + "\n");
}

Session sessionFromJson(const QByteArray& bytes, const QString& what) {
  const Json j = parseJson(bytes.toStdString(), what.toStdString());
  Session s;
  if (!j.is_object()) throw FormatError("(document): expected a JSON object");
  const std::string schema = j.contains("schema") && j["schema"].is_string() ? j["schema"].get<std::string>() : "";
  if (schema == "initscope.config") {
    s.config = configFromJson(j);
    return s;
  }
  if (schema != "initscope.session")
    throw FormatError("schema: is \"" + schema + "\", expected \"initscope.session\" or \"initscope.config\"");
  if (!j.contains("version") || !j["version"].is_number_integer()) throw FormatError("version: missing or not an integer");
  const int version = j["version"].get<int>();
  if (version < 1) throw FormatError("version: must be at least 1");
  if (version > kSessionVersion)
    throw FormatError("version: " + std::to_string(version) + " was written by a newer initscope; this build reads up to " +
                      std::to_string(kSessionVersion));
  if (!j.contains("config")) throw FormatError("config: missing");
  s.config = configFromJson(j["config"]);
  if (j.contains("ui")) {
    const Json& ui = j["ui"];
    if (!ui.is_object()) throw FormatError("ui: expected an object");
    UiState d;
    s.ui.selectedLayer = member(ui, "selected_layer", d.selectedLayer, "an integer");
    s.ui.histogram = member(ui, "histogram", d.histogram, "a string");
    s.ui.logCounts = member(ui, "log_counts", d.logCounts, "true or false");
    s.ui.sharedRange = member(ui, "shared_range", d.sharedRange, "true or false");
    s.ui.logGradients = member(ui, "log_gradients", d.logGradients, "true or false");
    s.ui.presentation = member(ui, "presentation", d.presentation, "true or false");
    s.ui.sweepEnabled = member(ui, "sweep_enabled", d.sweepEnabled, "true or false");
    s.ui.sweepMax = member(ui, "sweep_max", d.sweepMax, "a number");
    s.ui.sweepPoints = member(ui, "sweep_points", d.sweepPoints, "an integer");
    if (s.ui.histogram != "activations" && s.ui.histogram != "gradients" && s.ui.histogram != "weight-grads")
      throw FormatError("ui.histogram: expected activations, gradients or weight-grads");
    if (!(s.ui.sweepMax > 0 && s.ui.sweepMax <= 100)) throw FormatError("ui.sweep_max: expected a number in (0, 100]");
    if (s.ui.sweepPoints < 2 || s.ui.sweepPoints > 201) throw FormatError("ui.sweep_points: expected 2..201");
  }
  return s;
}

bool saveSession(const QString& path, const Session& s, QString* error) {
  QSaveFile f(path);
  const QByteArray bytes = sessionToJson(s);
  if (!f.open(QIODevice::WriteOnly) || f.write(bytes) != bytes.size() || !f.commit()) {
    if (error) *error = QStringLiteral("%1: cannot save (%2)").arg(path, f.errorString());
    return false;
  }
  return true;
}

bool loadSession(const QString& path, Session* s, QString* error) {
  QFile f(path);
  if (!f.open(QIODevice::ReadOnly)) {
    if (error) *error = QStringLiteral("%1: cannot open (%2)").arg(path, f.errorString());
    return false;
  }
  if (f.size() > (64 << 20)) {
    if (error) *error = QStringLiteral("%1: larger than 64 MiB; not a session").arg(path);
    return false;
  }
  try {
    *s = sessionFromJson(f.readAll(), path);
    return true;
  } catch (const std::exception& e) {
    const QString message = QString::fromStdString(e.what());
    if (error) *error = message.startsWith(path) ? message : QStringLiteral("%1: %2").arg(path, message);
    return false;
  }
}

}  // namespace initscope::ui
