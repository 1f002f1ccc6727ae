#pragma once
// The fingerprint of a label set, as Prometheus and Alertmanager compute it
// (prometheus/common model.LabelSet.Fingerprint: FNV-1a 64 over the names
// and values in name order, each followed by the byte 0xFF), written as 16
// lower-case hex digits. The alert engine keys a rule's series by it; a
// webhook receiver can recompute it from the labels it gets.
#include <map>
#include <string>

namespace sentinel::domain {

std::string label_fingerprint(const std::map<std::string, std::string>& labels);

}  // namespace sentinel::domain
