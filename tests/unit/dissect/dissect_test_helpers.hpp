#pragma once
// Shared helpers for the dissector tests: feed generator-built frames, summarise observations.

#include "netmap/dissect/dissector.hpp"
#include "packet_builder.hpp"

#include <string>
#include <vector>

namespace netmap::dissect::test {

/// Feeds frames of one link type, returns every observation.
std::vector<Observation> run(Dissector& d, testgen::Link link,
                             const std::vector<testgen::Bytes>& frames, std::int64_t t0 = 1000000);
/// "kind name[ note]" strings, as the generator's fixtures state their expectations.
std::vector<std::string> summary(const std::vector<Observation>& obs);
/// The observation of `kind` naming `name`, or nullptr.
const Observation* find(const std::vector<Observation>& obs, ObservationKind kind,
                        const std::string& name);

} // namespace netmap::dissect::test
